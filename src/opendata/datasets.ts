// The open datasets: a registry other modules add to (registerDataset), the built-in datasets of
// complaints and tips, late permits, ratings, published ITA results and the ledger's checkpoints,
// and building them for a month. Every count passes disclosure control together (one system, so a
// total two datasets share is protected in both); dates are months; no free text is published.
import type { Db } from '../db/connection.ts';
import { translator, type Lang } from '../i18n/messages.ts';
import { publishedResults } from '../ita/publish.ts';
import { readCheckpoint } from '../ledger/read-log.ts';
import {
  CASE_GROUPS,
  caseCounts,
  CLOCK_NAMES,
  type CaseRow,
  type CountRow,
  PERMIT_COLUMNS,
  permitCounts,
  RATING_COLUMNS,
  ratingCounts,
} from './counts.ts';
import { type Constraint, rowConstraints, suppress } from './disclosure.ts';

export type Cell = string | number | null;
export type ColumnType = 'string' | 'integer' | 'number';
export type Column = { name: string; type: ColumnType; label: Record<Lang, string> };
export type Texts = Record<Lang, string>;

/** What a build is given: the month released (YYYY-MM), the time, and a memo shared by the datasets of one run. */
export type BuildRun = {
  db: Db;
  month: string;
  now: Date;
  memo: <T>(key: string, make: () => Promise<T>) => Promise<T>;
};

export type DatasetDef = {
  /** lower-case letters, digits and hyphens: the CKAN package name and the file name */
  id: string;
  title: Texts;
  description: Texts;
  keywords: string[];
  /** DCAT frequency (EU vocabulary): monthly for every built-in dataset */
  frequency: 'monthly' | 'annual';
  /** Whether counts in it pass disclosure control (shown in the data dictionary). */
  isControlled: boolean;
  columns: () => Column[];
  build: (run: BuildRun) => Promise<Cell[][]>;
};

const registry = new Map<string, DatasetDef>();

/** Adds a dataset to the catalogue (a module's own, such as risk-register summaries). Its rows MUST already be disclosure-controlled. */
export function registerDataset(def: DatasetDef): void {
  if (!/^[a-z0-9-]{1,40}$/.test(def.id)) throw new Error(`dataset id ${def.id}: lower-case letters, digits, hyphens`);
  if (registry.has(def.id)) throw new Error(`dataset ${def.id} registered twice`);
  registry.set(def.id, def);
}

export function datasets(): DatasetDef[] {
  return [...registry.values()];
}

export function datasetOf(id: string): DatasetDef | undefined {
  return registry.get(id);
}

const T = { th: translator('th'), en: translator('en') };
export const both = (key: string, params?: Record<string, string | number>): Texts => ({
  th: T.th(key, params),
  en: T.en(key, params),
});
export const col = (name: string, type: ColumnType, key: string, params?: Record<string, string | number>): Column => ({
  name,
  type,
  label: both(key, params),
});

const AGENCY_COLUMNS = (): Column[] => [
  col('month', 'string', 'opendata.col.month'),
  col('agency_code', 'string', 'opendata.col.agency_code'),
  col('agency_name_th', 'string', 'opendata.col.agency_name_th'),
  col('agency_name_en', 'string', 'opendata.col.agency_name_en'),
  col('agency_type', 'string', 'opendata.col.agency_type'),
  col('ministry', 'string', 'opendata.col.ministry'),
  col('province', 'string', 'opendata.col.province'),
];

/** The label of one count column: its group and its value, from the texts the pages use. */
function countLabel(name: string): Texts {
  const value = (lang: Lang, group: string, v: string): string => {
    const t = T[lang];
    if (group === 'kind') return t(`kind.${v}`);
    if (group === 'channel') return t(`console.channel.${v}`);
    if (group === 'category') return v === 'unlisted' ? t('opendata.value.unlisted') : t(`category.${v}`);
    if ((CLOCK_NAMES as readonly string[]).includes(group)) return t(`opendata.value.clock.${v}`);
    return t(`opendata.value.${group}.${v}`);
  };
  const [group, ...rest] = name.split('_');
  const v = rest.join('_');
  return {
    th: T.th('opendata.col.count', { group: T.th(`opendata.group.${group}`), value: value('th', group, v) }),
    en: T.en('opendata.col.count', { group: T.en(`opendata.group.${group}`), value: value('en', group, v) }),
  };
}

export type AgencyInfo = {
  code: string;
  name_th: string;
  name_en: string;
  agency_type: string;
  ministry: string;
  province: string;
};

async function agencyInfo(run: BuildRun): Promise<Map<number, AgencyInfo>> {
  return run.memo('agencies', async () => {
    const rows = await run.db
      .selectFrom('agency')
      .select(['id', 'code', 'name_th', 'name_en', 'agency_type', 'ministry', 'province'])
      .execute();
    return new Map(rows.map((r) => [r.id, r]));
  });
}

/** The controlled counts of one run: every table's rows with suppressed cells as null. */
type Controlled = { cases: Cell[][]; permits: Cell[][]; ratings: Cell[][] };

const CASE_COUNT_COLUMNS = ['received', ...CASE_GROUPS.flatMap((g) => g.columns)];
const MEDIANS = CLOCK_NAMES.map((c) => `median_days_${c}`);

/**
 * Builds the three count tables as one system: a row's groups each sum to its total, the permits'
 * total is the same cell as the cases' kind_permit (same agency, same month), and the cells are
 * suppressed together (disclosure.ts). A median is published only when both counts it is drawn
 * from (on time, late) are published and add up to at least 5, so its presence says nothing new.
 */
export async function controlledCounts(run: BuildRun): Promise<Controlled> {
  return run.memo('controlled', async () => {
    const [cases, permits, ratings, agencies] = await Promise.all([
      caseCounts(run.db, run.month, run.now),
      permitCounts(run.db, run.month, run.now),
      ratingCounts(run.db, run.month),
      agencyInfo(run),
    ]);
    return controlTables(cases, permits, ratings, agencies);
  });
}

/** The three count tables as published (pure): counted rows in, rows with suppressed cells as null out. */
export function controlTables(
  cases: CaseRow[],
  permits: CountRow[],
  ratings: CountRow[],
  agencies: Map<number, AgencyInfo>,
): Controlled {
  const values: number[] = [];
  const constraints: Constraint[] = [];
  /** Cells for a group of a row's columns, one after another, and the constraint that they sum to `total`; the first one's number. */
  const addGroup = (r: CountRow, names: readonly string[], total: number): number => {
    const from = values.length;
    for (const n of names) values.push(Number(r[n]));
    constraints.push(...rowConstraints(total, [names.map((_, i) => from + i)]));
    return from;
  };
  // A case row's cells follow one another in CASE_COUNT_COLUMNS' order: received, then each group's columns.
  const caseFirst = cases.map((r) => {
    const first = values.push(r.received) - 1;
    for (const g of CASE_GROUPS) addGroup(r, g.columns, first);
    return first;
  });
  const offset = new Map(CASE_COUNT_COLUMNS.map((c, i) => [c, i]));
  const caseCell = (k: number, column: string) => (caseFirst[k] as number) + (offset.get(column) as number);
  // The permits' total is the same cell as the cases' kind_permit (same agency, same month).
  const permitTotal = new Map(cases.map((r, k) => [`${r.agency_id}/${r.month}`, caseCell(k, 'kind_permit')]));
  const permitCells = permits.map((r) => {
    const total = permitTotal.get(`${r.agency_id}/${r.month}`) ?? values.push(r.received) - 1;
    const from = addGroup(r, PERMIT_COLUMNS, total);
    return [total, ...PERMIT_COLUMNS.map((_, i) => from + i)];
  });
  const ratingCells = ratings.map((r) => {
    const total = values.push(r.received) - 1;
    const from = addGroup(r, RATING_COLUMNS, total);
    return [total, ...RATING_COLUMNS.map((_, i) => from + i)];
  });
  const hidden = suppress(values, constraints);
  const shown = (i: number): number | null => (hidden[i] ? null : (values[i] as number));
  const lead = (r: CountRow): Cell[] => {
    const a = agencies.get(r.agency_id);
    return [
      r.month,
      a?.code ?? '',
      a?.name_th ?? '',
      a?.name_en ?? '',
      a?.agency_type ?? '',
      a?.ministry ?? '',
      a?.province ?? '',
    ];
  };
  return {
    cases: cases.map((r, k) => {
      const first = caseFirst[k] as number;
      const medians = CLOCK_NAMES.map((c) => {
        const on = caseCell(k, `${c}_on_time`);
        const late = caseCell(k, `${c}_late`);
        const m = r[`median_${c}`] as number | null;
        return hidden[on] || hidden[late] || (values[on] as number) + (values[late] as number) < 5 || m === null
          ? null
          : Math.round(m * 10) / 10;
      });
      return [...lead(r), ...CASE_COUNT_COLUMNS.map((_, i) => shown(first + i)), ...medians];
    }),
    permits: permits.map((r, k) => [...lead(r), ...(permitCells[k] as number[]).map(shown)]),
    ratings: ratings.map((r, k) => [...lead(r), ...(ratingCells[k] as number[]).map(shown)]),
  };
}

registerDataset({
  id: 'complaints-and-tips',
  title: both('opendata.ds.cases.title'),
  description: both('opendata.ds.cases.description'),
  keywords: ['complaints', 'corruption', 'tips', 'deadlines'],
  frequency: 'monthly',
  isControlled: true,
  columns: () => [
    ...AGENCY_COLUMNS(),
    col('received', 'integer', 'opendata.col.received'),
    ...CASE_GROUPS.flatMap((g) => g.columns.map((c) => ({ name: c, type: 'integer' as const, label: countLabel(c) }))),
    ...MEDIANS.map((m, i) => col(m, 'number', `opendata.col.median.${CLOCK_NAMES[i]}`)),
  ],
  build: async (run) => (await controlledCounts(run)).cases,
});

registerDataset({
  id: 'late-permits',
  title: both('opendata.ds.permits.title'),
  description: both('opendata.ds.permits.description'),
  keywords: ['permits', 'licensing facilitation act', 'deadlines'],
  frequency: 'monthly',
  isControlled: true,
  columns: () => [
    ...AGENCY_COLUMNS(),
    col('received', 'integer', 'opendata.col.received'),
    ...PERMIT_COLUMNS.map((c) => col(c, 'integer', `opendata.col.permit.${c}`)),
  ],
  build: async (run) => (await controlledCounts(run)).permits,
});

registerDataset({
  id: 'ratings',
  title: both('opendata.ds.ratings.title'),
  description: both('opendata.ds.ratings.description'),
  keywords: ['satisfaction', 'ratings'],
  frequency: 'monthly',
  isControlled: true,
  columns: () => [
    ...AGENCY_COLUMNS(),
    col('received', 'integer', 'opendata.col.rated'),
    ...RATING_COLUMNS.map((c, i) => col(c, 'integer', 'opendata.col.score', { score: i + 1 })),
  ],
  build: async (run) => (await controlledCounts(run)).ratings,
});

registerDataset({
  id: 'ita-results',
  title: both('opendata.ds.ita.title'),
  description: both('opendata.ds.ita.description'),
  keywords: ['ITA', 'integrity', 'transparency'],
  frequency: 'monthly',
  isControlled: false,
  columns: () => [
    col('fiscal_year', 'integer', 'opendata.col.fiscal_year'),
    col('agency_code', 'string', 'opendata.col.agency_code'),
    col('agency_name_th', 'string', 'opendata.col.agency_name_th'),
    col('agency_name_en', 'string', 'opendata.col.agency_name_en'),
    ...['iit', 'eit', 'oit', 'ita'].map((s) => col(s, 'number', `opendata.col.ita.${s}`)),
    col('grade', 'string', 'opendata.col.ita.grade'),
  ],
  build: async (run) => {
    const score = (n: number | null) => (n === null ? null : n / 100);
    const agencies = await publishedResults({ db: run.db, now: run.now.getTime() });
    return agencies.flatMap((a) =>
      a.years.map((y) => [
        y.fiscalYear,
        a.code,
        a.name.th,
        a.name.en,
        score(y.iit),
        score(y.eit),
        score(y.oit),
        score(y.ita),
        y.grade,
      ]),
    );
  },
});

registerDataset({
  id: 'ledger-checkpoints',
  title: both('opendata.ds.checkpoints.title'),
  description: both('opendata.ds.checkpoints.description'),
  keywords: ['transparency log', 'checkpoint'],
  frequency: 'monthly',
  isControlled: false,
  columns: () => [
    col('month', 'string', 'opendata.col.month'),
    col('tree_size', 'integer', 'opendata.col.tree_size'),
    col('checkpoint', 'string', 'opendata.col.checkpoint'),
  ],
  build: async (run) => {
    // The checkpoint each earlier release recorded, then today's: the log's growth month by month.
    const earlier = await run.db
      .selectFrom('dataset_release')
      .select(['month', 'json'])
      .where('dataset', '=', 'ledger-checkpoints')
      .where('month', '<', run.month)
      .orderBy('month', 'desc')
      .limit(1)
      .executeTakeFirst();
    const rows: Cell[][] = earlier
      ? (JSON.parse(earlier.json.toString('utf8')) as { records: Record<string, Cell>[] }).records.map((r) => [
          r.month,
          r.tree_size,
          r.checkpoint,
        ])
      : [];
    const now = await readCheckpoint(run.db);
    if (now) rows.push([run.month, now.size, now.note]);
    return rows;
  },
});

/** The columns every controlled count table has, for tests and the scorecards. */
export const COUNT_COLUMNS = {
  cases: CASE_COUNT_COLUMNS,
  permits: ['received', ...PERMIT_COLUMNS],
  ratings: ['received', ...RATING_COLUMNS],
};
