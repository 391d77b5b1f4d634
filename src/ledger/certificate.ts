// The filing certificate: proof, verifiable offline, that a report with a given content digest
// was filed at a given minute and is in the log. It holds the public entry, its opening (the salts
// that let only the holder show which entry is theirs), an inclusion proof and a signed (and
// cosigned) checkpoint. It holds no content of the report, and no reference: the ledger does not
// commit to the reference, and a found file naming the case would expose its reporter (older
// certificates carried one; the verifier still prints it). Format: docs/ledger.md.
import type { Db } from '../db/connection.ts';
import { decodeEntry, opens, type Opening } from './events.ts';
import { openOpening } from './append.ts';
import { verifyNote } from './note.ts';
import { readCheckpoint, readTile } from './read-log.ts';
import { inclusionProof, leafHash, tileHashSource, tilesNeeded, verifyInclusion } from './tree.ts';
import { tilePath } from './tiles.ts';

export const CERTIFICATE_FORMAT = 'sujarit-filing-certificate/v1';

export type FilingCertificate = {
  format: typeof CERTIFICATE_FORMAT;
  log: { origin: string; vkey: string };
  reference?: string; // only in certificates made before issue 13; never verified
  filedAt: string; // the minute, ISO 8601
  contentDigest: string; // hex SHA-256 of the canonical report content (docs/ledger.md)
  index: number;
  entry: string; // base64
  opening: Opening;
  inclusionProof: string[]; // base64 hashes, leaf level first
  checkpoint: string; // the signed note, with witness cosignatures
};

/**
 * Builds the certificate of a case's submission, or null while its entry is not yet in a signed
 * checkpoint (a batch takes about a second). MUST be given the case key (reporter or recipient).
 */
export async function buildCertificate({
  db,
  caseId,
  caseKey,
  vkey,
}: {
  db: Db;
  caseId: string;
  caseKey: Buffer;
  vkey: string;
}): Promise<FilingCertificate | null> {
  const row = await db
    .selectFrom('case_ledger_event as e')
    .leftJoin('ledger_entry as l', 'l.outbox_id', 'e.outbox_id')
    .select(['e.id', 'e.opening', 'l.idx', 'l.entry'])
    .where('e.case_id', '=', caseId)
    .where('e.event', '=', 'submission')
    .executeTakeFirst();
  const cp = await readCheckpoint(db);
  if (!row || row.idx === null || row.entry === null || !cp || Number(row.idx) >= cp.size) return null;
  const index = Number(row.idx);
  const opening = openOpening(caseKey, caseId, row.id, row.opening);
  const needed = tilesNeeded(cp.size, (src) => inclusionProof(index, cp.size, src));
  const tiles = new Map<string, Buffer>();
  for (const t of needed) {
    const bytes = await readTile(db, t);
    if (!bytes) return null;
    tiles.set(tilePath(t), bytes);
  }
  const proof = inclusionProof(
    index,
    cp.size,
    tileHashSource(cp.size, (t) => tiles.get(tilePath(t))!),
  );
  return {
    format: CERTIFICATE_FORMAT,
    log: { origin: cp.origin, vkey },
    filedAt: new Date(opening.minute * 60_000).toISOString(),
    contentDigest: Buffer.from(opening.detailValue, 'base64').toString('hex'),
    index,
    entry: row.entry.toString('base64'),
    opening,
    inclusionProof: proof.map((h) => h.toString('base64')),
    checkpoint: cp.note,
  };
}

export type VerifiedCertificate = {
  origin: string;
  size: number;
  index: number;
  filedAt: string;
  contentDigest: string;
  reference: string;
};

/**
 * Verifies a certificate against the log's verifier key, trusting nothing else in the file:
 * the checkpoint's signature, the entry's inclusion under its root, and that the opening opens the
 * entry as a submission with the stated digest and minute. Throws an Error naming the failed check.
 */
export function verifyCertificate(input: unknown, vkey: string): VerifiedCertificate {
  const c = input as Partial<FilingCertificate>;
  if (!c || c.format !== CERTIFICATE_FORMAT) throw new Error(`not a ${CERTIFICATE_FORMAT} file`);
  if (
    typeof c.checkpoint !== 'string' ||
    typeof c.entry !== 'string' ||
    !Array.isArray(c.inclusionProof) ||
    typeof c.index !== 'number' ||
    !c.opening
  ) {
    throw new Error('certificate is missing fields');
  }
  const cp = verifyNote(c.checkpoint, vkey); // throws on a bad signature or another origin
  const entry = Buffer.from(c.entry, 'base64');
  const proof = c.inclusionProof.map((h) => Buffer.from(String(h), 'base64'));
  if (!verifyInclusion(leafHash(entry), c.index, cp.size, proof, cp.root)) {
    throw new Error(
      `entry ${c.index} is not included in the checkpoint of size ${cp.size} (root ${cp.root.toString('base64')})`,
    );
  }
  const decoded = decodeEntry(entry);
  if (decoded.event !== 'submission') throw new Error(`entry records a ${decoded.event}, not a submission`);
  if (!opens(entry, c.opening)) throw new Error('the opening does not open the entry');
  const digest = Buffer.from(c.opening.detailValue, 'base64').toString('hex');
  if (c.contentDigest !== digest)
    throw new Error(`content digest ${c.contentDigest} is not the one committed (${digest})`);
  const filedAt = new Date(decoded.minute * 60_000).toISOString();
  if (c.filedAt !== filedAt) throw new Error(`filing time ${c.filedAt} is not the one committed (${filedAt})`);
  return {
    origin: cp.origin,
    size: cp.size,
    index: c.index,
    filedAt,
    contentDigest: digest,
    reference: String(c.reference ?? ''),
  };
}
