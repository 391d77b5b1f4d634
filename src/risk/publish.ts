// Publishing a year's register: the register as published (canonical JSON of its risks and actions),
// its SHA-256 appended to the ledger in the same transaction, and a check that shows a later
// rewrite: of the register since (it no longer hashes to what was published), of the stored
// publication (it no longer hashes to its digest), or of the digest (the ledger entry does not open).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { makeEntry, opens, type Opening } from '../ledger/events.ts';
import type { StaffActor } from '../staff/session.ts';
import { notFound, riskAccess } from './access.ts';
import { matrixOf } from './matrix.ts';
import { recordChange, risksOf, type Risk } from './register.ts';

/** What a publication commits to: the register's content, with nothing that changes by itself (no "late" flags, no levels). */
export function publishedForm(r: { agencyCode: string; fiscalYear: number; matrix: string; risks: Risk[] }) {
  return {
    agency: r.agencyCode,
    fiscalYear: r.fiscalYear,
    matrix: r.matrix,
    risks: r.risks
      .filter((k) => k.state !== 'withdrawn')
      .map((k) => ({
        number: k.number,
        state: k.state,
        area: k.area,
        process: k.process,
        unit: k.unit,
        owner: k.owner,
        cause: k.cause,
        event: k.event,
        consequence: k.consequence,
        controls: k.controls,
        inherent: [k.inherent.likelihood, k.inherent.impact],
        residual: [k.residual.likelihood, k.residual.impact],
        treatment: k.treatment,
        reviewedOn: k.reviewedOn,
        nextReviewOn: k.nextReviewOn,
        actions: k.actions.map((a) => ({
          title: a.title,
          owner: a.owner,
          dueOn: a.dueOn,
          budget: a.budget,
          progress6: a.progress6,
          progress12: a.progress12,
          doneOn: a.doneOn,
          itaMeasure: a.measure?.id ?? null,
        })),
      })),
  };
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The register's canonical text and digest as it stands now. */
/** The register as it stands: its row, canonical text and digest (what a publication would commit to). */
export async function currentForm(db: Db, registerId: number) {
  const row = await db
    .selectFrom('risk_register as r')
    .innerJoin('agency as a', 'a.id', 'r.agency_id')
    .select(['r.id', 'r.agency_id', 'r.fiscal_year', 'r.matrix_name', 'a.code'])
    .where('r.id', '=', registerId)
    .executeTakeFirst();
  if (!row) throw notFound();
  const risks = await risksOf(db, row.id, matrixOf(row.matrix_name));
  const text = canonicalJson(
    publishedForm({ agencyCode: row.code, fiscalYear: row.fiscal_year, matrix: row.matrix_name, risks }),
  );
  return { row, text, digest: sha256(text) };
}

/** Publishes the register (risk officers): its digest goes to the ledger's outbox in this transaction; an unchanged register is not published twice. */
export async function publishRegister({
  db,
  actor,
  registerId,
}: {
  db: Db;
  actor: StaffActor;
  registerId: number;
}): Promise<{ digest: string }> {
  if (!Number.isSafeInteger(registerId) || registerId <= 0) throw notFound();
  const { row, text, digest } = await currentForm(db, registerId);
  if ((await riskAccess(db, actor, row.agency_id)) !== 'edit')
    throw new AppError('forbidden', 'read only', 'error.forbidden');
  if (!text.includes('"number":'))
    throw new AppError('invalid_input', 'an empty register', 'risk.error.empty', { publish: 'risk.error.empty' });
  await db.transaction().execute(async (trx) => {
    // Unchanged since its last publication (a button pressed twice): already in the ledger, nothing to add.
    await trx.selectFrom('risk_register').select('id').where('id', '=', row.id).forUpdate().execute();
    const last = await trx
      .selectFrom('risk_publication')
      .select('digest')
      .where('register_id', '=', row.id)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (last?.digest.equals(digest)) return;
    const { entry, opening } = makeEntry(
      'risk_register',
      `risk-register/${row.code}/${row.fiscal_year}`,
      digest,
      new Date(),
    );
    const { id } = await trx.insertInto('ledger_outbox').values({ entry }).returning('id').executeTakeFirstOrThrow();
    await trx
      .insertInto('risk_publication')
      .values({
        register_id: row.id,
        outbox_id: id,
        digest,
        snapshot: text,
        opening: JSON.stringify(opening),
        published_by: actor.id,
      })
      .execute();
    await recordChange(trx, actor, {
      registerId: row.id,
      action: 'risk_register_published',
      snapshot: { digest: digest.toString('hex'), outbox: id },
    });
  });
  return { digest: digest.toString('hex') };
}

export type RegisterCheck = {
  published: boolean;
  /** The register still hashes to the last publication (false: changed since, or rewritten). */
  unchangedSince: boolean;
  /** Every publication's stored text hashes to its digest and its ledger entry (once sequenced) opens to it. */
  publicationsIntact: boolean;
  publications: number;
  inLog: number;
  problems: string[];
};

/** Checks a register against its publications and the ledger (anyone who may read the register). */
export async function verifyRegister({
  db,
  actor,
  registerId,
}: {
  db: Db;
  actor: StaffActor;
  registerId: number;
}): Promise<RegisterCheck> {
  if (!Number.isSafeInteger(registerId) || registerId <= 0) throw notFound();
  const { row, digest } = await currentForm(db, registerId);
  await riskAccess(db, actor, row.agency_id);
  return checkPublications(db, row.id, digest);
}

/** The check itself, without access control: also run by the ledger's own tests and tools. */
export async function checkPublications(db: Db, registerId: number, current: Buffer): Promise<RegisterCheck> {
  const pubs = await db
    .selectFrom('risk_publication as p')
    .leftJoin('ledger_entry as l', 'l.outbox_id', 'p.outbox_id')
    .select(['p.id', 'p.digest', 'p.snapshot', 'p.opening', 'l.entry'])
    .where('p.register_id', '=', registerId)
    .orderBy('p.id')
    .execute();
  const problems: string[] = [];
  let inLog = 0;
  for (const p of pubs) {
    if (!sha256(p.snapshot).equals(p.digest))
      problems.push(`publication ${p.id}: its text does not hash to its digest`);
    const opening = p.opening as unknown as Opening;
    if (Buffer.from(opening.detailValue, 'base64').compare(p.digest) !== 0)
      problems.push(`publication ${p.id}: its digest is not the one committed`);
    if (p.entry) {
      if (opens(p.entry, opening)) inLog++;
      else problems.push(`publication ${p.id}: the ledger entry does not open to it`);
    }
  }
  const last = pubs.at(-1);
  return {
    published: last !== undefined,
    unchangedSince: last?.digest.equals(current) ?? false,
    publicationsIntact: problems.length === 0,
    publications: pubs.length,
    inLog,
    problems,
  };
}
