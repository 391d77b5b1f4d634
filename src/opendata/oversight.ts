// National oversight (OPDC, NACC, PACC): an overseer sees, for the agencies the platform
// administrator granted them, each agency's ITA cycle progress, measures-plan progress, complaint
// handling against the deadlines and late permits; filters by ministry, province and type; one
// agency's metadata; a CSV; and the cross-agency six-month monitoring report (seed 003). Counts
// and plans only: no case content, no reporter, no staff name is read here. Every grant and every
// attribute change is audited in its transaction; so is every oversight export.
import { sql } from 'kysely';
import { recordAudit } from '../audit/record-audit.ts';
import { csvField } from '../cases/export.ts';
import { currentFiscalYear } from '../cases/figures.ts';
import { bangkokToday } from '../cases/permit-dates.ts';
import type { Db } from '../db/connection.ts';
import { AGENCY_TYPES, type AgencyType } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { translator } from '../i18n/messages.ts';
import { publishedResults } from '../ita/publish.ts';
import { type CrossAgencyPart, renderCrossAgencyPdf } from '../ita/report-pdf.ts';
import { hasRole, type StaffActor } from '../staff/session.ts';

type Actor = Pick<StaffActor, 'id' | 'roles'>;

export type OversightFilter = { ministry?: string; province?: string; agencyType?: string };

export type AgencyGlance = {
  code: string;
  name: { th: string; en: string };
  ministry: string;
  province: string;
  agencyType: AgencyType;
  ita: {
    fiscalYear: number;
    state: 'open' | 'closed';
    linksIssued: number;
    answered: number;
    oitDone: number;
    oitTotal: number;
  } | null;
  measures: { count: number; reported: number; meanPercent: number | null };
  complaints: { received: number; ackOnTime: number; ackDue: number; replyOnTime: number; replyDue: number };
  permits: { received: number; late: number };
  /** The corruption-risk register of the fiscal year (src/risk/): published or not, and its independent reviews. */
  risk: { published: boolean; reviews: number } | null;
};

function needOverseer(actor: Actor): void {
  if (!hasRole(actor, 'overseer')) throw new AppError('forbidden', 'needs the overseer role', 'error.forbidden');
}
function needPlatformAdmin(actor: Actor): void {
  if (!hasRole(actor, 'platform_admin'))
    throw new AppError('forbidden', 'needs the platform_admin role', 'error.forbidden');
}

const clean = (v: unknown, max: number): string =>
  (typeof v === 'string' ? v.replace(/\s+/g, ' ').trim() : '').slice(0, max);

/**
 * Sets the agencies an overseer sees (platform administrator): the account gets the overseer role
 * with a non-empty set and loses it with an empty one. Unknown codes are invalid_input. Audited.
 */
export async function setOversight({
  db,
  actor,
  email,
  agencyCodes,
}: {
  db: Db;
  actor: Actor;
  email: string;
  agencyCodes: string[];
}): Promise<{ userId: number; agencies: number }> {
  needPlatformAdmin(actor);
  const user = await db
    .selectFrom('staff_user')
    .select(['id'])
    .where('email', '=', clean(email, 320).toLowerCase())
    .executeTakeFirst();
  if (!user)
    throw new AppError('invalid_input', 'no such staff account', 'error.form', { email: 'oversight.error.email' });
  const codes = [...new Set(agencyCodes.map((c) => clean(c, 40)).filter(Boolean))];
  const agencies = codes.length
    ? await db.selectFrom('agency').select(['id', 'code']).where('code', 'in', codes).execute()
    : [];
  if (agencies.length !== codes.length)
    throw new AppError('invalid_input', 'unknown agency code', 'error.form', { agencies: 'oversight.error.agencies' });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('overseer_agency').where('user_id', '=', user.id).execute();
    if (agencies.length > 0) {
      await trx
        .insertInto('overseer_agency')
        .values(agencies.map((a) => ({ user_id: user.id, agency_id: a.id, granted_by: actor.id })))
        .execute();
      await trx
        .insertInto('staff_role')
        .values({ user_id: user.id, role: 'overseer' })
        .onConflict((oc) => oc.doNothing())
        .execute();
    } else {
      await trx.deleteFrom('staff_role').where('user_id', '=', user.id).where('role', '=', 'overseer').execute();
    }
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'oversight_granted',
      detail: { user: user.id, agencies: agencies.map((a) => a.code).sort() },
    });
  });
  return { userId: user.id, agencies: agencies.length };
}

export type Overseer = { id: number; email: string; agencies: string[] };

/** Every overseer and the codes of their agencies (platform administrator). */
export async function listOverseers({ db, actor }: { db: Db; actor: Actor }): Promise<Overseer[]> {
  needPlatformAdmin(actor);
  const rows = await sql<{ id: number; email: string; codes: string[] }>`
    select u.id, u.email, coalesce(array_agg(a.code order by a.code) filter (where a.code is not null), '{}') as codes
    from staff_user u join staff_role r on r.user_id = u.id and r.role = 'overseer'
    left join overseer_agency o on o.user_id = u.id left join agency a on a.id = o.agency_id
    group by u.id, u.email order by u.email`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, email: r.email, agencies: r.codes }));
}

/** Sets an agency's ministry, province and type (platform administrator), audited. */
export async function setAgencyAttributes({
  db,
  actor,
  code,
  input,
}: {
  db: Db;
  actor: Actor;
  code: string;
  input: Record<string, unknown>;
}): Promise<void> {
  needPlatformAdmin(actor);
  const ministry = clean(input.ministry, 201);
  const province = clean(input.province, 101);
  const agencyType = clean(input.agencyType, 40);
  const fields: Record<string, string> = {};
  if (ministry.length > 200) fields.ministry = 'error.field.too_long';
  if (province.length > 100) fields.province = 'error.field.too_long';
  if (!(AGENCY_TYPES as readonly string[]).includes(agencyType)) fields.agencyType = 'error.field.invalid';
  if (Object.keys(fields).length > 0)
    throw new AppError('invalid_input', 'invalid agency attributes', 'error.form', fields);
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('agency')
      .set({ ministry, province, agency_type: agencyType as AgencyType })
      .where('code', '=', clean(code, 40))
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 'no such agency', 'error.not_found');
    await recordAudit(trx, {
      actorUserId: actor.id,
      action: 'agency_attributes_changed',
      detail: { agency: clean(code, 40), ministry, province, type: agencyType },
    });
  });
}

/** The ministries, provinces and types among the actor's agencies, for the filters. */
export type FilterChoices = { ministries: string[]; provinces: string[]; types: string[] };

/**
 * Every agency the overseer was granted, at a glance, filtered; the ITA cycle of `fiscalYear`
 * (default: the current one), measures of that cycle with their latest reported progress, and
 * complaints and permits of the twelve months before `now`. Forbidden without the overseer role.
 */
export async function overseenAgencies({
  db,
  actor,
  filter = {},
  fiscalYear = currentFiscalYear(),
  now = new Date(),
  page,
  code,
}: {
  db: Db;
  actor: Actor;
  filter?: OversightFilter;
  fiscalYear?: number;
  now?: Date;
  /** Only these of the filtered agencies (by code): the console's page of them; absent: all (the CSV, the report). */
  page?: { offset: number; limit: number };
  /** Only this agency (its drill-down page). */
  code?: string;
}): Promise<{ agencies: AgencyGlance[]; choices: FilterChoices; total: number; offset: number }> {
  needOverseer(actor);
  const since = new Date(now.getTime() - 365 * 86_400_000);
  // The granted agencies the filter keeps, counted apart, then only the page asked for is counted:
  // the figures below read every case of 12 months, so an overseer of thousands of agencies gets a page.
  const granted = sql`a.id in (select agency_id from overseer_agency where user_id = ${actor.id})`;
  const where = sql.join(
    [
      granted,
      ...(filter.ministry ? [sql`a.ministry = ${filter.ministry}`] : []),
      ...(filter.province ? [sql`a.province = ${filter.province}`] : []),
      ...(filter.agencyType ? [sql`a.agency_type = ${filter.agencyType}`] : []),
      ...(code !== undefined ? [sql`a.code = ${code}`] : []),
    ],
    sql` and `,
  );
  const [choiceRows, counted] = await Promise.all([
    sql<{ ministry: string; province: string; agency_type: string }>`
      select distinct a.ministry, a.province, a.agency_type from agency a where ${granted}`.execute(db),
    sql<{ n: number }>`select count(*)::int as n from agency a where ${where}`.execute(db),
  ]);
  const choices: FilterChoices = {
    ministries: [...new Set(choiceRows.rows.map((a) => a.ministry).filter(Boolean))].sort(),
    provinces: [...new Set(choiceRows.rows.map((a) => a.province).filter(Boolean))].sort(),
    types: [...new Set(choiceRows.rows.map((a) => a.agency_type))].sort(),
  };
  const total = counted.rows[0]?.n ?? 0;
  // a page past the last is the last
  const offset = page ? Math.max(0, Math.min(page.offset, Math.floor((total - 1) / page.limit) * page.limit)) : 0;
  const limit = page ? sql`limit ${page.limit} offset ${offset}` : sql``;
  const { rows } = await sql<{
    code: string;
    name_th: string;
    name_en: string;
    ministry: string;
    province: string;
    agency_type: AgencyType;
    cycle_state: 'open' | 'closed' | null;
    links_issued: number | null;
    answered: number | null;
    oit_done: number | null;
    oit_total: number | null;
    measures: number;
    reported: number;
    mean_percent: number | null;
    received: number;
    ack_on_time: number;
    ack_due: number;
    reply_on_time: number;
    reply_due: number;
    permits: number;
    permits_late: number;
    risk_register: number | null;
    risk_publications: number | null;
    risk_reviews: number | null;
  }>`
    with mine as materialized (select a.* from agency a where ${where} order by a.code ${limit}),
    cyc as (select distinct on (agency_id) * from ita_cycle where fiscal_year = ${fiscalYear} and agency_id in (select id from mine) order by agency_id, id desc),
    oit as (select cycle_id, count(*) filter (where evidence_url is not null or file_bytes is not null or evidence_note is not null)::int as done from ita_oit_item where cycle_id in (select id from cyc) group by cycle_id),
    mea as (select m.cycle_id, count(*)::int as n, count(p.percent)::int as reported, avg(p.percent)::float8 as mean
      from ita_measure m left join lateral (select percent from ita_progress where measure_id = m.id order by round desc limit 1) p on true
      where m.cycle_id in (select id from cyc) group by m.cycle_id),
    cs as (select c.agency_id, count(*)::int as received,
        count(*) filter (where c.first_ack_at is not null and c.first_ack_at <= c.created_at + coalesce((a.settings #>> '{deadlines,ackDays}')::numeric, 7) * interval '1 day')::int as ack_on_time,
        count(*) filter (where c.first_ack_at is not null or c.ack_due_at < ${now})::int as ack_due,
        count(*) filter (where c.first_reply_at is not null and c.first_reply_at <= c.created_at + coalesce((a.settings #>> '{deadlines,replyDays}')::numeric, 15) * interval '1 day')::int as reply_on_time,
        count(*) filter (where c.first_reply_at is not null or c.reply_due_at < ${now})::int as reply_due
      from report_case c join mine a on a.id = c.agency_id
      where c.created_at >= ${since} group by c.agency_id),
    pm as (select p.agency_id, count(*)::int as n,
        count(*) filter (where p.decided_on > p.manual_due_on or (p.decision is null and p.manual_due_on < (${now}::timestamptz at time zone 'Asia/Bangkok')::date))::int as late
      from permit_request p join report_case c on c.id = p.case_id where p.agency_id in (select id from mine) and c.created_at >= ${since} group by p.agency_id),
    rr as (select r.agency_id, r.id,
        (select count(*) from risk_publication p where p.register_id = r.id)::int as publications,
        (select count(*) from risk_review v where v.register_id = r.id)::int as reviews
      from risk_register r where r.fiscal_year = ${fiscalYear} and r.agency_id in (select id from mine))
    select a.code, a.name_th, a.name_en, a.ministry, a.province, a.agency_type,
      cyc.state as cycle_state, cyc.links_issued, (cyc.iit_responses + cyc.eit_responses)::int as answered,
      coalesce(oit.done, 0) as oit_done, jsonb_array_length(coalesce(cyc.framework -> 'checklist', '[]'::jsonb))::int as oit_total,
      coalesce(mea.n, 0) as measures, coalesce(mea.reported, 0) as reported, mea.mean as mean_percent,
      coalesce(cs.received, 0) as received, coalesce(cs.ack_on_time, 0) as ack_on_time, coalesce(cs.ack_due, 0) as ack_due,
      coalesce(cs.reply_on_time, 0) as reply_on_time, coalesce(cs.reply_due, 0) as reply_due,
      coalesce(pm.n, 0) as permits, coalesce(pm.late, 0) as permits_late,
      rr.id as risk_register, rr.publications as risk_publications, rr.reviews as risk_reviews
    from mine a left join cyc on cyc.agency_id = a.id left join oit on oit.cycle_id = cyc.id left join mea on mea.cycle_id = cyc.id
      left join cs on cs.agency_id = a.id left join pm on pm.agency_id = a.id left join rr on rr.agency_id = a.id
    order by a.code`.execute(db);
  const agencies: AgencyGlance[] = rows.map((r) => ({
    code: r.code,
    name: { th: r.name_th, en: r.name_en },
    ministry: r.ministry,
    province: r.province,
    agencyType: r.agency_type,
    ita: r.cycle_state
      ? {
          fiscalYear,
          state: r.cycle_state,
          linksIssued: r.links_issued ?? 0,
          answered: r.answered ?? 0,
          oitDone: r.oit_done ?? 0,
          oitTotal: r.oit_total ?? 0,
        }
      : null,
    measures: {
      count: r.measures,
      reported: r.reported,
      meanPercent: r.mean_percent === null ? null : Math.round(r.mean_percent * 10) / 10,
    },
    complaints: {
      received: r.received,
      ackOnTime: r.ack_on_time,
      ackDue: r.ack_due,
      replyOnTime: r.reply_on_time,
      replyDue: r.reply_due,
    },
    permits: { received: r.permits, late: r.permits_late },
    risk: r.risk_register === null ? null : { published: (r.risk_publications ?? 0) > 0, reviews: r.risk_reviews ?? 0 },
  }));
  return { agencies, choices, total, offset };
}

/** The filter from a query string (unknown values match nothing; long values are cut). */
export function filterOf(q: Record<string, unknown>): OversightFilter {
  return { ministry: clean(q.ministry, 200), province: clean(q.province, 100), agencyType: clean(q.type, 40) };
}

/** The text key of an agency's risk-register state: none, opened but not published, published. */
export const riskKey = (a: Pick<AgencyGlance, 'risk'>): string =>
  `oversight.risk.${a.risk === null ? 'none' : a.risk.published ? 'published' : 'draft'}`;

const pct = (n: number, d: number) => (d === 0 ? '' : String(Math.round((n * 1000) / d) / 10));

/** The glance as CSV (UTF-8 with a byte order mark, CRLF), headers in `lang`; audited oversight_exported. */
export async function oversightCsv({
  db,
  actor,
  agencies,
  lang,
}: {
  db: Db;
  actor: Actor;
  agencies: AgencyGlance[];
  lang: 'th' | 'en';
}): Promise<Buffer> {
  const t = translator(lang);
  const head = [
    'code',
    'name',
    'ministry',
    'province',
    'type',
    'fiscal_year',
    'cycle',
    'links_issued',
    'answered',
    'oit_done',
    'oit_total',
    'measures',
    'measures_reported',
    'measures_percent',
    'received',
    'ack_on_time_pct',
    'reply_on_time_pct',
    'permits',
    'permits_late',
    'risk_register',
    'risk_reviews',
  ].map((k) => t(`oversight.col.${k}`));
  const lines = [
    head,
    ...agencies.map((a) => [
      a.code,
      a.name[lang],
      a.ministry,
      a.province,
      t(`agency.type.${a.agencyType}`),
      a.ita ? String(a.ita.fiscalYear) : '',
      a.ita ? t(`oversight.cycle.${a.ita.state}`) : t('oversight.cycle.none'),
      String(a.ita?.linksIssued ?? ''),
      String(a.ita?.answered ?? ''),
      String(a.ita?.oitDone ?? ''),
      String(a.ita?.oitTotal ?? ''),
      String(a.measures.count),
      String(a.measures.reported),
      a.measures.meanPercent === null ? '' : String(a.measures.meanPercent),
      String(a.complaints.received),
      pct(a.complaints.ackOnTime, a.complaints.ackDue),
      pct(a.complaints.replyOnTime, a.complaints.replyDue),
      String(a.permits.received),
      String(a.permits.late),
      t(riskKey(a)),
      a.risk ? String(a.risk.reviews) : '',
    ]),
  ];
  await recordAudit(db, { actorUserId: actor.id, action: 'oversight_exported', detail: { agencies: agencies.length } });
  return Buffer.from(`\uFEFF${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`, 'utf8');
}

/** One overseen agency's metadata (never case content): the glance, its deadline policy and its ITA cycles. Not found outside the grant. */
export async function overseenAgency({
  db,
  actor,
  code,
  fiscalYear,
}: {
  db: Db;
  actor: Actor;
  code: string;
  fiscalYear?: number;
}): Promise<{
  glance: AgencyGlance;
  cycles: { fiscalYear: number; state: string; published: boolean }[];
  deadlines: Record<string, unknown>;
}> {
  const { agencies } = await overseenAgencies({ db, actor, fiscalYear, code });
  const glance = agencies.find((a) => a.code === code);
  if (!glance) throw new AppError('not_found', 'no such overseen agency', 'error.not_found');
  const agency = await db
    .selectFrom('agency')
    .select(['id', 'settings'])
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  const cycles = await db
    .selectFrom('ita_cycle')
    .select(['fiscal_year', 'state', 'published_at'])
    .where('agency_id', '=', agency.id)
    .orderBy('fiscal_year', 'desc')
    .execute();
  await recordAudit(db, { actorUserId: actor.id, action: 'oversight_viewed', detail: { agency: code } });
  return {
    glance,
    cycles: cycles.map((c) => ({ fiscalYear: c.fiscal_year, state: c.state, published: c.published_at !== null })),
    deadlines: { ...(agency.settings?.deadlines ?? {}) },
  };
}

/**
 * The cross-agency monitoring report (seed 003's structure, per agency) of the overseer's agencies
 * (filtered), for `fiscalYear` and `round`, as a PDF: each agency's published ITA scores and its
 * measures with the progress of that round. Audited oversight_exported.
 */
export async function crossAgencyReportPdf({
  db,
  actor,
  filter,
  fiscalYear,
  round,
  lang,
  body,
  now = new Date(),
}: {
  db: Db;
  actor: Actor;
  filter: OversightFilter;
  fiscalYear: number;
  round: 6 | 12;
  lang: 'th' | 'en';
  body: string;
  now?: Date;
}): Promise<Buffer> {
  const { agencies } = await overseenAgencies({ db, actor, filter, fiscalYear, now });
  const codes = agencies.map((a) => a.code);
  const measures = codes.length
    ? await sql<{
        code: string;
        framework: { indicators?: { number: number; name: Record<string, string> }[] };
        indicator: number;
        title: string;
        objective: string;
        steps: string;
        responsible_unit: string;
        starts_on: string;
        ends_on: string;
        budget: string;
        progress: string | null;
        percent: number | null;
        budget_used: string | null;
        problems: string | null;
        suggestions: string | null;
      }>`
        select a.code, c.framework, m.indicator, m.title, m.objective, m.steps, m.responsible_unit,
          to_char(m.starts_on, 'YYYY-MM-DD') as starts_on, to_char(m.ends_on, 'YYYY-MM-DD') as ends_on, m.budget::text as budget,
          p.progress, p.percent, p.budget_used::text as budget_used, p.problems, p.suggestions
        from ita_cycle c join agency a on a.id = c.agency_id join ita_measure m on m.cycle_id = c.id
          left join ita_progress p on p.measure_id = m.id and p.round = ${round}
        where c.fiscal_year = ${fiscalYear} and a.code in (${sql.join(codes)})
        order by a.code, m.indicator, m.id`.execute(db)
    : { rows: [] };
  const scores = new Map((await publishedResults({ db, now: now.getTime() })).map((p) => [p.code, p.years]));
  const parts: CrossAgencyPart[] = agencies.map((a) => ({
    lang,
    thaiDigits: lang === 'th',
    agencyName: a.name[lang],
    fiscalYear,
    round,
    generatedOn: bangkokToday(now),
    scores: (scores.get(a.code) ?? []).map((y) => ({
      fiscalYear: y.fiscalYear,
      iit: y.iit,
      eit: y.eit,
      oit: y.oit,
      ita: y.ita,
      grade: y.grade,
    })),
    meanPercent: a.measures.meanPercent,
    ackOnTimePercent: a.complaints.ackDue === 0 ? null : (a.complaints.ackOnTime * 100) / a.complaints.ackDue,
    projects: measures.rows
      .filter((m) => m.code === a.code)
      .map((m) => ({
        indicator: m.indicator,
        indicatorName: m.framework.indicators?.find((i) => i.number === m.indicator)?.name[lang] ?? String(m.indicator),
        title: m.title,
        objective: m.objective,
        steps: m.steps,
        responsibleUnit: m.responsible_unit,
        startsOn: m.starts_on,
        endsOn: m.ends_on,
        budget: m.budget,
        progress:
          m.percent === null
            ? null
            : {
                text: m.progress ?? '',
                percent: m.percent,
                budgetUsed: m.budget_used ?? '0',
                problems: m.problems ?? '',
                suggestions: m.suggestions ?? '',
              },
      })),
  }));
  const pdf = await renderCrossAgencyPdf({
    lang,
    thaiDigits: lang === 'th',
    fiscalYear,
    round,
    generatedOn: bangkokToday(now),
    body,
    agencies: parts,
  });
  await recordAudit(db, {
    actorUserId: actor.id,
    action: 'oversight_exported',
    detail: { agencies: parts.length, report: `${fiscalYear}/${round}` },
  });
  return pdf;
}
