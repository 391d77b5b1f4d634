// Ledger entries: small, public, content-free records of case events. An entry is
//   0x01 (format) ‖ event type (1 byte) ‖ minute since the Unix epoch (4 bytes, big-endian)
//   ‖ case commitment (32) ‖ detail commitment (32)            = 70 bytes
// where a commitment is SHA-256("sujarit/v1/commit/<label>\n" ‖ salt (32 random bytes) ‖ value).
// Every entry has fresh salts, so outsiders can neither read an entry nor link two entries of the
// same case; the opening (salts and values), sealed with the case key, lets the reporter or a
// recipient show which entry is theirs.
import { createHash, randomBytes } from 'node:crypto';

export const ENTRY_FORMAT = 0x01;
export const ENTRY_BYTES = 70;

export const EVENT_CODES = {
  submission: 1,
  acknowledgement: 2,
  status_change: 3,
  message: 4,
  referral: 5,
  identity_request: 6,
  closure: 7,
  audit_anchor: 8,
  risk_register: 9,
  dataset_release: 10,
  ethics_certificate: 11,
} as const;
export type LedgerEvent = keyof typeof EVENT_CODES;

export type Opening = {
  event: LedgerEvent;
  minute: number;
  caseSalt: string;
  caseValue: string;
  detailSalt: string;
  detailValue: string;
};

export function commitment(label: 'case' | 'detail', salt: Buffer, value: Buffer): Buffer {
  return createHash('sha256').update(`sujarit/v1/commit/${label}\n`).update(salt).update(value).digest();
}

export function minuteOf(date: Date): number {
  return Math.floor(date.getTime() / 60_000);
}

/**
 * Makes the entry for one event and its opening. `caseValue` names the case (its id); `detail` is
 * the digest of what the event says (the report's content digest, a message's digest, the new
 * status). MUST NOT be given anything readable as `detail` without hashing it first.
 */
export function makeEntry(
  event: LedgerEvent,
  caseValue: string,
  detail: Buffer,
  at: Date,
): { entry: Buffer; opening: Opening } {
  const minute = minuteOf(at);
  const caseSalt = randomBytes(32);
  const detailSalt = randomBytes(32);
  const head = Buffer.alloc(6);
  head[0] = ENTRY_FORMAT;
  head[1] = EVENT_CODES[event];
  head.writeUInt32BE(minute, 2);
  const entry = Buffer.concat([
    head,
    commitment('case', caseSalt, Buffer.from(caseValue, 'utf8')),
    commitment('detail', detailSalt, detail),
  ]);
  return {
    entry,
    opening: {
      event,
      minute,
      caseSalt: caseSalt.toString('base64'),
      caseValue,
      detailSalt: detailSalt.toString('base64'),
      detailValue: detail.toString('base64'),
    },
  };
}

export type DecodedEntry = { event: LedgerEvent; minute: number; caseCommitment: Buffer; detailCommitment: Buffer };

/** Reads an entry; throws on any other format or length. */
export function decodeEntry(entry: Buffer): DecodedEntry {
  if (entry.length !== ENTRY_BYTES || entry[0] !== ENTRY_FORMAT)
    throw new Error('not a Sujarit ledger entry (format 1)');
  const event = (Object.keys(EVENT_CODES) as LedgerEvent[]).find((k) => EVENT_CODES[k] === entry[1]);
  if (!event) throw new Error(`unknown event type ${entry[1]}`);
  return {
    event,
    minute: entry.readUInt32BE(2),
    caseCommitment: entry.subarray(6, 38),
    detailCommitment: entry.subarray(38, 70),
  };
}

/** True when `opening` opens `entry`: same event, minute and both commitments. */
export function opens(entry: Buffer, opening: Opening): boolean {
  const d = decodeEntry(entry);
  return (
    d.event === opening.event &&
    d.minute === opening.minute &&
    d.caseCommitment.equals(
      commitment('case', Buffer.from(opening.caseSalt, 'base64'), Buffer.from(opening.caseValue, 'utf8')),
    ) &&
    d.detailCommitment.equals(
      commitment('detail', Buffer.from(opening.detailSalt, 'base64'), Buffer.from(opening.detailValue, 'base64')),
    )
  );
}

/** The digest a submission commits to: SHA-256 of the canonical JSON of the report's content. */
export function contentDigest(
  content: { what: string; when: string; where: string; who: string },
  attachmentDigests: string[],
): Buffer {
  const canonical = JSON.stringify({
    what: content.what,
    when: content.when,
    where: content.where,
    who: content.who,
    attachments: attachmentDigests,
  });
  return createHash('sha256').update(canonical, 'utf8').digest();
}
