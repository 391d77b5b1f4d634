// The certificate of a passed course: issued at the learner's request with the name they choose to
// show, under a random verification code; its digest (canonical JSON of what it certifies) goes to
// the ledger's outbox in the issuing transaction (event 11, `ethics_certificate`). Anyone may verify
// a code on the public page: what it certifies, and whether the stored certificate still hashes to
// what the ledger committed. A wrong guess spends the public lookup budget; a right one gives it back.
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson, recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { LoginThrottle } from '../intake/login-throttle.ts';
import { bangkokToday } from '../intake/validate-complaint.ts';
import { makeEntry, opens, type Opening } from '../ledger/events.ts';
import type { StaffActor } from '../staff/session.ts';
import { text } from './courses.ts';
import { lockLearner, publishedCourse, standing } from './taking.ts';

// Crockford's base32 without I, L, O, U: read aloud and typed from paper without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** "ETH-" and 3 groups of 4 symbols: 60 random bits. */
export const CODE_PATTERN = /^ETH-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

export function newCode(): string {
  const bytes = randomBytes(12);
  const symbols = [...bytes].map((b) => ALPHABET[b & 31]).join('');
  return `ETH-${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8, 12)}`;
}

/** A typed code made canonical (case, spaces, O for 0, I and L for 1), or null when it cannot be one. */
export function normaliseCode(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 40) return null;
  const s = raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const body = s.startsWith('ETH') ? s.slice(3) : s;
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(body)) return null;
  return `ETH-${body.slice(0, 4)}-${body.slice(4, 8)}-${body.slice(8, 12)}`;
}

export type CertifiedFacts = {
  code: string;
  agency: string;
  courseTh: string;
  courseEn: string;
  name: string;
  issuedOn: string;
  percent: number;
};

/** What the ledger commits to: SHA-256 of the certificate's canonical JSON. */
export function certificateDigest(f: CertifiedFacts): Buffer {
  return createHash('sha256')
    .update(canonicalJson({ kind: 'sujarit/ethics-certificate/v1', ...f }), 'utf8')
    .digest();
}

/**
 * Issues the actor's certificate of a course they passed (its code). Asking again gives the same
 * certificate: one per learner and course.
 */
export async function issueCertificate(db: Db, actor: StaffActor, courseId: number, rawName: unknown): Promise<string> {
  const name = text(rawName, 'shownName', 200);
  return db.transaction().execute(async (trx) => {
    const course = await publishedCourse(trx, actor, courseId);
    await lockLearner(trx, course.id, actor.id);
    const s = await standing(trx, actor, course);
    if (s.certificate) return s.certificate.code;
    if (!s.passed || s.grade === null) throw new AppError('conflict', 'not passed', 'ethics.error.not_passed');
    const agency = await trx
      .selectFrom('agency')
      .select('code')
      .where('id', '=', course.agency_id)
      .executeTakeFirstOrThrow();
    const now = new Date();
    const facts: CertifiedFacts = {
      code: newCode(),
      agency: agency.code,
      courseTh: course.title_th,
      courseEn: course.title_en,
      name,
      issuedOn: bangkokToday(now),
      percent: Math.round(s.grade * 100) / 100,
    };
    const digest = certificateDigest(facts);
    const { entry, opening } = makeEntry('ethics_certificate', `ethics-certificate/${facts.code}`, digest, now);
    const { id: outboxId } = await trx
      .insertInto('ledger_outbox')
      .values({ entry })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('ethics_certificate')
      .values({
        code: facts.code,
        course_id: course.id,
        user_id: actor.id,
        shown_name: name,
        course_th: facts.courseTh,
        course_en: facts.courseEn,
        percent: facts.percent,
        issued_at: now,
        digest,
        outbox_id: Number(outboxId),
        opening: JSON.stringify(opening),
      })
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'ethics_certificate_issued',
      detail: { course: course.id, outbox: Number(outboxId) },
    });
    return facts.code;
  });
}

export type VerifiedCertificate = CertifiedFacts & {
  agencyTh: string;
  agencyEn: string;
  /** The stored certificate hashes to its digest and the digest is the one committed. */
  intact: boolean;
  /** The ledger has sequenced its entry (and it opens to the digest). */
  inLog: boolean;
};

async function certificateByCode(db: Db, code: string): Promise<VerifiedCertificate | null> {
  const row = await db
    .selectFrom('ethics_certificate as c')
    .innerJoin('ethics_course as k', 'k.id', 'c.course_id')
    .innerJoin('agency as a', 'a.id', 'k.agency_id')
    .leftJoin('ledger_entry as l', 'l.outbox_id', 'c.outbox_id')
    .select([
      'c.code',
      'c.shown_name',
      'c.course_th',
      'c.course_en',
      'c.percent',
      'c.issued_at',
      'c.digest',
      'c.opening',
    ])
    .select(['a.code as agency', 'a.name_th', 'a.name_en', 'l.entry'])
    .where('c.code', '=', code)
    .executeTakeFirst();
  if (!row) return null;
  const facts: CertifiedFacts = {
    code: row.code,
    agency: row.agency,
    courseTh: row.course_th,
    courseEn: row.course_en,
    name: row.shown_name,
    issuedOn: bangkokToday(row.issued_at),
    percent: Number(row.percent),
  };
  const opening = row.opening as unknown as Opening;
  const intact =
    certificateDigest(facts).equals(row.digest) && Buffer.from(opening.detailValue, 'base64').equals(row.digest);
  return {
    ...facts,
    agencyTh: row.name_th,
    agencyEn: row.name_en,
    intact,
    inLog: row.entry ? opens(row.entry, opening) : false,
  };
}

export type Verification =
  | { result: 'malformed' }
  | { result: 'unknown' }
  | { result: 'found'; certificate: VerifiedCertificate };

/**
 * Verifies a typed code (public). A code that cannot be one is refused before any lookup; a
 * well-formed code takes a guess from `throttle` (429 when spent) and gives it back when it is found.
 */
export async function verifyCertificate(db: Db, throttle: LoginThrottle, raw: unknown): Promise<Verification> {
  const code = normaliseCode(raw);
  if (!code) return { result: 'malformed' };
  const refund = throttle.reserve('ethics-certificate');
  const certificate = await certificateByCode(db, code);
  if (!certificate) return { result: 'unknown' };
  refund();
  return { result: 'found', certificate };
}

/** The actor's own certificate of a course, for its PDF. */
export async function ownCertificate(db: Db, actor: StaffActor, courseId: number): Promise<VerifiedCertificate> {
  const course = await publishedCourse(db, actor, courseId);
  const row = await db
    .selectFrom('ethics_certificate')
    .select('code')
    .where('course_id', '=', course.id)
    .where('user_id', '=', actor.id)
    .executeTakeFirst();
  const cert = row ? await certificateByCode(db, row.code) : null;
  if (!cert) throw new AppError('not_found', 'no certificate', 'error.not_found');
  return cert;
}
