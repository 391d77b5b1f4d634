// Agency scorecards (after Colombia's anti-corruption portal): complaint handling against the
// deadlines, satisfaction, the ITA trend and late permits, each beside the median of agencies of
// the same type. Computed ONLY from the latest released datasets (never from the database's
// cases), so a scorecard publishes nothing the released tables do not: every share is a ratio of
// published cells, months with a hidden cell are left out of that share, and the number of months
// counted is shown.
import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import type { Cell } from './datasets.ts';
import { loadRelease } from './release.ts';

type Rec = Record<string, Cell>;
/** A share: counted over `months` whole published months (null: nothing to count). */
export type Share = { value: number | null; months: number; of: number };
export type Scorecard = {
  code: string;
  name: { th: string; en: string };
  agencyType: string;
  ministry: string;
  province: string;
  /** cases received in the published months of the last 12, and how many months had a hidden total */
  received: { sum: number; hiddenMonths: number };
  ack: Share;
  reply: Share;
  done: Share;
  satisfied: Share;
  permitsOnTime: Share;
  ita: { fiscalYear: number; score: number | null; grade: string | null }[];
};
export type Peer = {
  ack: number | null;
  reply: number | null;
  done: number | null;
  satisfied: number | null;
  permitsOnTime: number | null;
  agencies: number;
};
export type Scorecards = { month: string | null; cards: Map<string, Scorecard>; peers: Map<string, Peer> };

const num = (v: Cell): number | null => (typeof v === 'number' ? v : null);

/** Σ part / Σ whole over the records where every cell named is published. */
function share(records: Rec[], part: string[], whole: string[]): Share {
  let p = 0;
  let w = 0;
  let months = 0;
  for (const r of records) {
    const cells = [...new Set([...part, ...whole])].map((k) => num(r[k]));
    if (cells.some((c) => c === null)) continue;
    p += part.reduce((s, k) => s + (num(r[k]) as number), 0);
    w += whole.reduce((s, k) => s + (num(r[k]) as number), 0);
    months++;
  }
  return { value: w === 0 ? null : Math.round((p * 1000) / w) / 10, months, of: records.length };
}

function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : Math.round(((v[m - 1] + v[m]) / 2) * 10) / 10;
}

/** The twelve months ending at `month` (YYYY-MM), oldest first. */
export function lastTwelve(month: string): string[] {
  const [y, m] = month.split('-').map(Number);
  return Array.from({ length: 12 }, (_, i) => {
    const k = y * 12 + (m - 1) - (11 - i);
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  });
}

async function records(db: Db, dataset: string): Promise<{ month: string; records: Rec[] } | null> {
  try {
    const r = await loadRelease(db, dataset);
    return { month: r.month, records: (JSON.parse(r.json.toString('utf8')) as { records: Rec[] }).records };
  } catch (e) {
    if (e instanceof AppError && e.code === 'not_found') return null;
    throw e;
  }
}

function build(
  month: string | null,
  cases: Rec[],
  permits: Rec[],
  ratings: Rec[],
  ita: Rec[],
  agencies: {
    code: string;
    name_th: string;
    name_en: string;
    agency_type: string;
    ministry: string;
    province: string;
  }[],
): Scorecards {
  const window = new Set(month ? lastTwelve(month) : []);
  const byCode = (rows: Rec[]) => {
    const out = new Map<string, Rec[]>();
    for (const r of rows)
      if (window.has(String(r.month))) out.set(String(r.agency_code), [...(out.get(String(r.agency_code)) ?? []), r]);
    return out;
  };
  const c = byCode(cases);
  const p = byCode(permits);
  const s = byCode(ratings);
  const cards = new Map<string, Scorecard>();
  for (const a of agencies) {
    const rows = c.get(a.code) ?? [];
    const clock = (k: string) => share(rows, [`${k}_on_time`], [`${k}_on_time`, `${k}_late`, `${k}_overdue`]);
    cards.set(a.code, {
      code: a.code,
      name: { th: a.name_th, en: a.name_en },
      agencyType: a.agency_type,
      ministry: a.ministry,
      province: a.province,
      received: {
        sum: rows.reduce((n, r) => n + (num(r.received) ?? 0), 0),
        hiddenMonths: rows.filter((r) => num(r.received) === null).length,
      },
      ack: clock('ack'),
      reply: clock('reply'),
      done: clock('done'),
      satisfied: share(s.get(a.code) ?? [], ['score_4', 'score_5'], ['received']),
      permitsOnTime: share(
        p.get(a.code) ?? [],
        ['approved_on_time', 'rejected_on_time'],
        ['approved_on_time', 'rejected_on_time', 'approved_late', 'rejected_late', 'pending_late'],
      ),
      ita: ita
        .filter((r) => r.agency_code === a.code)
        .map((r) => ({
          fiscalYear: Number(r.fiscal_year),
          score: num(r.ita),
          grade: (r.grade as string | null) ?? null,
        }))
        .sort((x, y) => x.fiscalYear - y.fiscalYear),
    });
  }
  const peers = new Map<string, Peer>();
  for (const type of new Set(agencies.map((a) => a.agency_type))) {
    const same = [...cards.values()].filter((x) => x.agencyType === type);
    peers.set(type, {
      ack: median(same.map((x) => x.ack.value)),
      reply: median(same.map((x) => x.reply.value)),
      done: median(same.map((x) => x.done.value)),
      satisfied: median(same.map((x) => x.satisfied.value)),
      permitsOnTime: median(same.map((x) => x.permitsOnTime.value)),
      agencies: same.length,
    });
  }
  return { month, cards, peers };
}

const cache = new WeakMap<Db, { key: string; value: Promise<Scorecards> }>();

/**
 * Every agency's scorecard from the latest releases, computed once per set of releases (and per
 * database), shared by concurrent callers; a new release or an agency's new attributes compute it afresh.
 */
export async function scorecards(db: Db): Promise<Scorecards> {
  const { rows } = await sql<{ key: string }>`
    select coalesce((select max(created_at)::text from dataset_release), '') || '/' ||
      (select count(*) || '/' || coalesce(md5(string_agg(code || agency_type || ministry || province, ',' order by id)), '') from agency) as key`.execute(
    db,
  );
  const key = rows[0]?.key ?? '';
  const hit = cache.get(db);
  if (hit && hit.key === key) return hit.value;
  const value = (async () => {
    const [cases, permits, ratings, ita, agencies] = await Promise.all([
      records(db, 'complaints-and-tips'),
      records(db, 'late-permits'),
      records(db, 'ratings'),
      records(db, 'ita-results'),
      db
        .selectFrom('agency')
        .select(['code', 'name_th', 'name_en', 'agency_type', 'ministry', 'province'])
        .orderBy('code')
        .execute(),
    ]);
    return build(
      cases?.month ?? null,
      cases?.records ?? [],
      permits?.records ?? [],
      ratings?.records ?? [],
      ita?.records ?? [],
      agencies,
    );
  })();
  value.catch(() => {
    if (cache.get(db)?.value === value) cache.delete(db);
  });
  cache.set(db, { key, value });
  return value;
}

export async function scorecardOf(
  db: Db,
  code: string,
): Promise<{ card: Scorecard; peer: Peer; month: string | null }> {
  const all = await scorecards(db);
  const card = all.cards.get(code);
  if (!card) throw new AppError('not_found', 'no such agency', 'error.not_found');
  return { card, peer: all.peers.get(card.agencyType) as Peer, month: all.month };
}
