import { randomBytes, randomUUID } from 'node:crypto';
import { sealOpening } from '../ledger/append.ts';
import { contentDigest, makeEntry } from '../ledger/events.ts';
import { sql } from 'kysely';
import type { KdfParams } from '../crypto/kdf.ts';
import type { Db } from '../db/connection.ts';
import { aeadKey, sealJson } from '../crypto/aead.ts';
import { deriveReceiptKeys, generateReceipt } from '../crypto/receipt.ts';
import { sealTo } from '../crypto/sealed-box.ts';
import { AppError } from '../errors.ts';
import { revealExpiry, type PreparedReveal } from './receipt-reveal.ts';
import { sealAttachmentMeta, type AttachmentMeta, type StoredFile } from './attachments.ts';
import { contentAad, identityAad, wrapForReporter } from './case-keys.ts';
import { dueDates, policyFor, toMinute } from '../agencies/deadlines.ts';
import { newTeamKey, teamKeyPair } from '../crypto/team-key.ts';
import { UNKNOWN_AGENCY, type ReportInput } from './validate-report.ts';
import type { ComplaintDetails } from './validate-complaint.ts';
import type { CaseChannel } from '../db/schema.ts';
import type { TicketUse } from './filing-cost.ts';

/** A submission in progress: its id and content key exist before the files stream in. */
export type Draft = { caseId: string; caseKey: Buffer };

export function newDraft(): Draft {
  return { caseId: randomUUID(), caseKey: randomBytes(32) };
}

export type Submitted = { receipt: string; reference: string; caseId: string };

const BUDDHIST_YEAR = new Intl.DateTimeFormat('en-US-u-ca-buddhist', { year: 'numeric', timeZone: 'Asia/Bangkok' });

/** The Buddhist Era year in Thailand now (2026 CE → 2569). */
export function buddhistYear(date = new Date()): number {
  return Number(BUDDHIST_YEAR.formatToParts(date).find((p) => p.type === 'year')!.value);
}

/** What is sealed as the case's content: the report, and for a complaint who filed it, the permit and the place. */
export function reportContent(input: ReportInput, complaint?: ComplaintDetails): Record<string, unknown> {
  const base = { what: input.what, when: input.when, where: input.where, who: input.who };
  if (!complaint) return base;
  return {
    ...base,
    complainant: complaint.complainant,
    ...(complaint.permit ? { permit: complaint.permit } : {}),
    ...(complaint.location ? { location: complaint.location } : {}),
  };
}

/**
 * Files a report or a complaint: seals its content to every active intake officer of the agency (and the identity,
 * if given, to its identity custodians only) and to a key derived
 * from a fresh 16-digit receipt, and commits everything in one transaction. The receipt MUST be
 * shown only after this resolves: then the report is durably stored (synchronous commit).
 * `ticket` (filing under load, see filing-cost.ts) is recorded in the same statement: a ticket used
 * before makes the whole filing fail with a conflict, and nothing is stored.
 */
export async function submitReport({
  db,
  kdf,
  receiptSalt,
  draft,
  input,
  files,
  channel,
  complaint,
  now = new Date(),
  ticket = null,
  reveal = null,
}: {
  db: Db;
  kdf: KdfParams;
  receiptSalt: Buffer;
  draft: Draft;
  input: ReportInput;
  files: { file: StoredFile; meta: AttachmentMeta }[];
  channel: CaseChannel;
  /** A complaint (service or late permit): the complainant, sealed in the content; the permit's dates as metadata. */
  complaint?: ComplaintDetails;
  /** The filing time (tests inject it): the reference's year, the deadlines, the ledger entry. Stored times stay the database's, to the minute. */
  now?: Date;
  ticket?: TicketUse | null;
  /** The receipt page's one-time record (receipt-reveal.ts), made from the receipt and written in the same statement. */
  reveal?: ((receipt: string) => PreparedReveal) | null;
}): Promise<Submitted & { revealCookie: string | null }> {
  // One query for the agency and its people who receive: intake officers (the case) and identity
  // custodians (the identity), a LEFT JOIN so that an agency with none still answers.
  const rows = await db
    .selectFrom('agency as a')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('staff_user as u')
          .innerJoin('staff_role as r', 'r.user_id', 'u.id')
          .select(['u.id as user_id', 'u.agency_id', 'u.public_key', 'r.role'])
          .where('u.is_active', '=', true)
          .where('r.role', 'in', ['intake_officer', 'identity_custodian'])
          .as('p'),
      (j) => j.onRef('p.agency_id', '=', 'a.id'),
    )
    .select(['a.id', 'a.code', 'a.settings', 'p.user_id', 'p.public_key', 'p.role'])
    .$call((q) =>
      input.agencyCode === UNKNOWN_AGENCY
        ? q.where('a.is_intake_office', '=', true)
        : q.where('a.code', '=', input.agencyCode),
    )
    .execute();
  const agency = rows[0];
  const holders = (role: string) =>
    rows.flatMap((r) =>
      r.role === role && r.user_id !== null && r.public_key !== null
        ? [{ id: r.user_id, public_key: r.public_key }]
        : [],
    );
  const recipients = holders('intake_officer');
  const custodians = holders('identity_custodian');
  if (!agency || recipients.length === 0) {
    throw new AppError('invalid_input', `agency ${input.agencyCode} does not receive reports`, 'error.form', {
      agency: 'error.agency_unknown',
    });
  }
  // Escrow: an identity is only taken by an agency with a custodian to hold it.
  if (input.identity && custodians.length === 0) {
    throw new AppError('invalid_input', `agency ${agency.code} has no identity custodian`, 'error.form', {
      name: 'error.no_custodian',
    });
  }
  const { caseId, caseKey } = draft;
  const identityKey = input.identity ? randomBytes(32) : null;
  const sealedContent = reportContent(input, complaint);
  const content = sealJson(aeadKey(caseKey), sealedContent, contentAad(caseId));
  const identity =
    identityKey && input.identity ? sealJson(aeadKey(identityKey), input.identity, identityAad(caseId)) : null;
  const teamKey = newTeamKey();
  const sealedKeys = [
    ...recipients.flatMap((r) => [
      { user_id: r.id, purpose: 'content' as const, sealed_key: sealTo(r.public_key, caseKey) },
      { user_id: r.id, purpose: 'team' as const, sealed_key: sealTo(r.public_key, teamKey) },
    ]),
    ...(identityKey
      ? custodians.map((r) => ({
          user_id: r.id,
          purpose: 'identity' as const,
          sealed_key: sealTo(r.public_key, identityKey),
        }))
      : []),
  ];
  const due = dueDates(policyFor(agency.settings, input.category), now);
  // The ledger entry commits to the case and to the digest of what was reported, attachments included.
  const digest = contentDigest(
    input,
    files.map((f) => f.file.sha256),
  );
  const kind = complaint?.kind ?? 'tip';
  const permit = complaint?.permit ?? null;
  // §10 reminders start once the manual's deadline has passed (at once for a request already late).
  const firstNotice = permit
    ? toMinute(new Date(Math.max(now.getTime(), Date.parse(`${permit.manualDueOn}T00:00:00+07:00`) + 86_400_000)))
    : null;
  const ledger = makeEntry('submission', caseId, digest, now);
  const eventId = randomUUID();
  const sealedOpening = sealOpening(caseKey, caseId, eventId, ledger.opening);
  for (let attempt = 0; ; attempt++) {
    const receipt = generateReceipt();
    const reporter = await deriveReceiptKeys(receipt, receiptSalt, kdf);
    const shown = reveal?.(receipt) ?? null;
    try {
      // One statement, so one round trip and one atomic, synchronous commit: the case, its sealed
      // keys, the reporter's access and the attachments all exist, or none does. Foreign keys
      // between the CTEs are checked at the end of the statement.
      // The reference is numbered per agency and Buddhist Era year, so that a filer learns nothing
      // of the platform's volume; the global `number` only orders cases. The counter row is
      // incremented in this statement (insert … on conflict do update), so concurrent filings wait
      // on its row lock and each gets the next number, and a failed filing gives its number back.
      const year = buddhistYear(now);
      const prefix = `${agency.code}-${year}-`;
      const wrapped = wrapForReporter(reporter.key, caseId, { content: caseKey, identity: identityKey });
      const { rows } = await sql<{ reference: string }>`
        with y as (
          insert into case_counter (agency_id, year, last) values (${agency.id}::int, ${year}::int, 1)
          on conflict (agency_id, year) do update set last = case_counter.last + 1
          returning last
        ),
        c as (
          insert into report_case (id, reference, agency_id, category, channel, kind, has_identity, content, identity, team_public_key, ack_due_at, reply_due_at, feedback_due_at)
          select ${caseId}::uuid, ${prefix} || lpad(y.last::text, greatest(6, length(y.last::text)), '0'), ${agency.id}::int, ${input.category}, ${channel}, ${kind}, ${identity !== null}, ${content}::bytea, ${identity}::bytea,
            ${teamKeyPair(teamKey).publicKey}::bytea, ${due.ack_due_at}::timestamptz, ${due.reply_due_at}::timestamptz, ${due.feedback_due_at}::timestamptz from y
          returning reference
        ),
        g as (insert into case_agency (case_id, agency_id, is_owner) values (${caseId}::uuid, ${agency.id}::int, true)),
        p as (
          insert into permit_request (case_id, agency_id, filed_on, manual_due_on, next_notice_at)
          select ${caseId}::uuid, ${agency.id}::int, ${permit?.filedOn ?? null}::date, ${permit?.manualDueOn ?? null}::date, ${firstNotice}::timestamptz where ${permit !== null}
        ),
        k as (
          insert into case_key (case_id, user_id, purpose, sealed_key)
          select ${caseId}::uuid, t.u, t.p, t.s from unnest(${sealedKeys.map((k) => k.user_id)}::int[], ${sealedKeys.map((k) => k.purpose)}::text[], ${sealedKeys.map((k) => k.sealed_key)}::bytea[]) as t(u, p, s)
        ),
        a as (
          insert into attachment (id, case_id, blob_id, uploaded_by, meta)
          select t.a, ${caseId}::uuid, t.b, 'reporter', t.m from unnest(${files.map((f) => f.file.attachmentId)}::uuid[], ${files.map((f) => f.file.blobId)}::uuid[], ${files.map(({ file, meta }) => sealAttachmentMeta(caseKey, caseId, file.attachmentId, meta))}::bytea[]) as t(a, b, m)
        ),
        r as (insert into reporter_access (lookup, case_id, wrapped_keys) values (${reporter.lookup}, ${caseId}::uuid, ${wrapped})),
        v as (insert into receipt_reveal (id_hash, sealed, expires_at) select ${shown?.row.id_hash ?? null}::bytea, ${shown?.row.sealed ?? null}::bytea, ${revealExpiry} where ${shown !== null}),
        o as (insert into ledger_outbox (entry) values (${ledger.entry}) returning id),
        e as (insert into case_ledger_event (id, outbox_id, case_id, event, opening) select ${eventId}::uuid, o.id, ${caseId}::uuid, 'submission', ${sealedOpening}::bytea from o),
        u as (insert into filing_ticket_use (digest, expires_at) select ${ticket?.digest ?? null}::bytea, ${ticket?.expiresAt ?? null}::timestamptz where ${ticket !== null})
        select reference from c`.execute(db);
      const reference = rows[0].reference;
      return { receipt, reference, caseId, revealCookie: shown?.cookie ?? null };
    } catch (e) {
      // Two equal receipts (1 in 10^16) collide on the lookup key: draw again, never check-then-insert.
      const err = e as { code?: string; constraint?: string };
      if (err.code === '23505' && err.constraint === 'reporter_access_pkey' && attempt < 3) continue;
      if (err.code === '23505' && err.constraint === 'filing_ticket_use_pkey')
        throw new AppError(
          'conflict',
          'this filing ticket was used already: GET a new one',
          'error.filing_ticket_used',
        );
      throw e;
    }
  }
}
