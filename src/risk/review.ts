// Independent review (seed 000 §2.1): a reviewer at an overseeing agency, granted agencies one by
// one by the platform administrator, scores a register against a checklist defined as data, with a
// comment; the agency answers. Reviews and answers are only appended (the history is kept), and
// every one is audited. A reviewer reads registers, never cases.
import { recordAudit } from '../audit/record-audit.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';
import { notFound, riskAccess } from './access.ts';
import { RISK_AREAS } from './matrix.ts';
import { recordChange, type Register } from './register.ts';

/** The checklist: each item scored 0 (not met), 1 (partly) or 2 (met). */
export const REVIEW_CHECKLIST = [
  { key: 'areas_covered', max: 2 },
  { key: 'evidence_used', max: 2 },
  { key: 'controls_actions', max: 2 },
  { key: 'actions_on_time', max: 2 },
] as const;
export type ChecklistKey = (typeof REVIEW_CHECKLIST)[number]['key'];

export const REVIEW_LIMITS = { comment: 4000, answer: 4000 } as const;

/** What the register itself shows for each item, as a hint to the reviewer (they score; this does not). */
export function checklistHints(r: Pick<Register, 'risks'>): Record<ChecklistKey, { met: number; of: number }> {
  const live = r.risks.filter((k) => k.state !== 'withdrawn');
  const areas = new Set(live.map((k) => k.area));
  const actions = live.flatMap((k) => k.actions);
  return {
    areas_covered: { met: RISK_AREAS.filter((a) => areas.has(a)).length, of: RISK_AREAS.length },
    evidence_used: { met: live.filter((k) => k.evidence.length > 0).length, of: live.length },
    controls_actions: {
      met: live.filter((k) => k.controls !== '' && (k.treatment !== 'reduce' || k.actions.length > 0)).length,
      of: live.length,
    },
    actions_on_time: { met: actions.filter((a) => !a.isLate).length, of: actions.length },
  };
}

/** Grants (or, with `revoke`, takes back) a reviewer's oversight of an agency. Platform administrators only. */
export async function setOversight({
  db,
  actor,
  reviewerEmail,
  agencyCode,
  revoke = false,
}: {
  db: Db;
  actor: StaffActor;
  reviewerEmail: unknown;
  agencyCode: unknown;
  revoke?: boolean;
}): Promise<void> {
  if (!hasRole(actor, 'platform_admin'))
    throw new AppError('forbidden', 'platform administrators only', 'error.forbidden');
  const email = typeof reviewerEmail === 'string' ? reviewerEmail.trim().toLowerCase().slice(0, 320) : '';
  // Codes are kept in capitals (agencies/add-agency.ts): 'town' is TOWN, as the CLI reads it.
  const code = typeof agencyCode === 'string' ? agencyCode.trim().toUpperCase().slice(0, 40) : '';
  const reviewer = await db
    .selectFrom('staff_user as u')
    .innerJoin('staff_role as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.agency_id'])
    .where('u.email', '=', email)
    .where('r.role', '=', 'risk_reviewer')
    .where('u.is_active', '=', true)
    .executeTakeFirst();
  const agency = await db.selectFrom('agency').select('id').where('code', '=', code).executeTakeFirst();
  const fields = {
    ...(reviewer ? {} : { reviewerEmail: 'risk.error.reviewer' }),
    ...(agency ? {} : { agencyCode: 'risk.error.agency' }),
    ...(reviewer && agency && reviewer.agency_id === agency.id ? { agencyCode: 'risk.error.own_agency' } : {}),
  };
  if (!reviewer || !agency || Object.keys(fields).length > 0)
    throw new AppError('invalid_input', 'no such reviewer or agency', 'error.form', fields);
  await db.transaction().execute(async (trx) => {
    if (revoke)
      await trx
        .deleteFrom('risk_oversight')
        .where('reviewer_user_id', '=', reviewer.id)
        .where('agency_id', '=', agency.id)
        .execute();
    else
      await trx
        .insertInto('risk_oversight')
        .values({ reviewer_user_id: reviewer.id, agency_id: agency.id, granted_by: actor.id })
        .onConflict((oc) => oc.doNothing())
        .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: revoke ? 'risk_oversight_revoked' : 'risk_oversight_granted',
      detail: { user: reviewer.id, agency: code },
    });
  });
}

/** Every grant, for the platform administrator's page. */
export async function listOversight({ db, actor }: { db: Db; actor: StaffActor }) {
  if (!hasRole(actor, 'platform_admin'))
    throw new AppError('forbidden', 'platform administrators only', 'error.forbidden');
  return db
    .selectFrom('risk_oversight as o')
    .innerJoin('staff_user as u', 'u.id', 'o.reviewer_user_id')
    .innerJoin('agency as a', 'a.id', 'o.agency_id')
    .select(['u.email', 'a.code', 'o.granted_at'])
    .orderBy('a.code')
    .orderBy('u.email')
    .execute();
}

async function registerAgency(db: Db, registerId: number): Promise<number> {
  const row = Number.isSafeInteger(registerId)
    ? await db.selectFrom('risk_register').select('agency_id').where('id', '=', registerId).executeTakeFirst()
    : undefined;
  if (!row) throw notFound();
  return row.agency_id;
}

/** A reviewer's scoring of a register (reviewers overseeing its agency). */
export async function saveReview({
  db,
  actor,
  registerId,
  scores,
  comment,
}: {
  db: Db;
  actor: StaffActor;
  registerId: number;
  scores: Record<string, unknown>;
  comment: unknown;
}): Promise<number> {
  if ((await riskAccess(db, actor, await registerAgency(db, registerId))) !== 'review')
    throw new AppError('forbidden', 'reviewers only', 'error.forbidden');
  const fields: Record<string, string> = {};
  const out: Record<string, number> = {};
  for (const item of REVIEW_CHECKLIST) {
    const raw = scores[item.key];
    const n = typeof raw === 'string' && /^\d$/.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (n >= 0 && n <= item.max) out[item.key] = n;
    else fields[`score.${item.key}`] = 'risk.error.score';
  }
  const text = typeof comment === 'string' ? comment.trim() : '';
  if (text.length > REVIEW_LIMITS.comment) fields.comment = 'risk.error.too_long';
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'invalid review', 'error.form', fields);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('risk_review')
      .values({ register_id: registerId, reviewer_user_id: actor.id, scores: JSON.stringify(out), comment: text })
      .returning(['id', 'at'])
      .executeTakeFirstOrThrow();
    await recordChange(trx, actor, {
      registerId,
      action: 'risk_review_saved',
      snapshot: { review: row.id, scores: out, comment: text },
    });
    return row.id;
  });
}

/** The agency's answer to a review (its risk officers). */
export async function answerReview({
  db,
  actor,
  reviewId,
  answer,
}: {
  db: Db;
  actor: StaffActor;
  reviewId: number;
  answer: unknown;
}): Promise<void> {
  const review = Number.isSafeInteger(reviewId)
    ? await db.selectFrom('risk_review').select(['id', 'register_id']).where('id', '=', reviewId).executeTakeFirst()
    : undefined;
  if (!review) throw notFound();
  if ((await riskAccess(db, actor, await registerAgency(db, review.register_id))) !== 'edit')
    throw new AppError('forbidden', 'the agency answers', 'error.forbidden');
  const text = typeof answer === 'string' ? answer.trim() : '';
  if (text === '' || text.length > REVIEW_LIMITS.answer)
    throw new AppError('invalid_input', 'invalid answer', 'error.form', {
      answer: text === '' ? 'risk.error.required' : 'risk.error.too_long',
    });
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('risk_review_answer')
      .values({ review_id: review.id, answer: text, answered_by: actor.id })
      .execute();
    await recordChange(trx, actor, {
      registerId: review.register_id,
      action: 'risk_review_answered',
      snapshot: { review: review.id, answer: text },
    });
  });
}

export type Review = {
  id: number;
  reviewer: string;
  at: Date;
  scores: Record<string, number>;
  total: number;
  max: number;
  comment: string;
  answers: { answer: string; by: string; at: Date }[];
};

/** The reviews of a register with their answers, oldest first (the caller loaded the register, so may see it). */
export async function reviewsOf(db: Db, registerId: number): Promise<Review[]> {
  const reviews = await db
    .selectFrom('risk_review as r')
    .innerJoin('staff_user as u', 'u.id', 'r.reviewer_user_id')
    .select(['r.id', 'r.at', 'r.scores', 'r.comment', 'u.display_name'])
    .where('r.register_id', '=', registerId)
    .orderBy('r.id')
    .execute();
  const answers =
    reviews.length === 0
      ? []
      : await db
          .selectFrom('risk_review_answer as a')
          .innerJoin('staff_user as u', 'u.id', 'a.answered_by')
          .select(['a.review_id', 'a.answer', 'a.at', 'u.display_name'])
          .where(
            'a.review_id',
            'in',
            reviews.map((r) => r.id),
          )
          .orderBy('a.id')
          .execute();
  const max = REVIEW_CHECKLIST.reduce((a, i) => a + i.max, 0);
  return reviews.map((r) => ({
    id: r.id,
    reviewer: r.display_name,
    at: r.at,
    scores: r.scores,
    total: Object.values(r.scores).reduce((a, n) => a + n, 0),
    max,
    comment: r.comment,
    answers: answers
      .filter((a) => a.review_id === r.id)
      .map((a) => ({ answer: a.answer, by: a.display_name, at: a.at })),
  }));
}
