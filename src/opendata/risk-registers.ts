// The dataset of published corruption-risk registers' summaries (issue 17, from the risk work of
// src/risk/): for each agency and fiscal year, its latest publication up to the month released,
// counted from the register as published (the snapshot whose SHA-256 the ledger holds, event 9):
// the risks by residual level on the register's matrix, the actions and those done, and that
// digest, so anyone can tie the row to the log. Counts of risks and actions are about an agency's
// plan, not about people: no disclosure control; no free text (titles, causes and owners stay out).
import { sql } from 'kysely';
import { levelOf, matrixOf } from '../risk/matrix.ts';
import { monthEnd } from './counts.ts';
import { both, type Cell, col, registerDataset } from './datasets.ts';

export const RISK_LEVELS = ['very_high', 'high', 'medium', 'low'] as const;

type Snapshot = {
  matrix?: string;
  risks?: { state?: string; residual?: [number | null, number | null]; actions?: { doneOn?: string | null }[] }[];
};

/** One published register's row: its counts from the snapshot, after the agency and year. */
export function summaryOf(snapshot: Snapshot): Cell[] {
  const matrix = matrixOf(snapshot.matrix ?? '');
  const risks = (snapshot.risks ?? []).filter((r) => r.state !== 'withdrawn');
  const levels = risks.map((r) => levelOf(matrix, r.residual?.[0] ?? null, r.residual?.[1] ?? null)?.key ?? null);
  const actions = risks.flatMap((r) => r.actions ?? []);
  return [
    risks.length,
    ...RISK_LEVELS.map((k) => levels.filter((l) => l === k).length),
    levels.filter((l) => l === null).length,
    actions.length,
    actions.filter((a) => typeof a.doneOn === 'string' && a.doneOn !== '').length,
  ];
}

registerDataset({
  id: 'risk-registers',
  title: both('opendata.ds.risk.title'),
  description: both('opendata.ds.risk.description'),
  keywords: ['corruption risk', 'risk register', 'integrity'],
  frequency: 'monthly',
  isControlled: false,
  columns: () => [
    col('fiscal_year', 'integer', 'opendata.col.fiscal_year'),
    col('agency_code', 'string', 'opendata.col.agency_code'),
    col('agency_name_th', 'string', 'opendata.col.agency_name_th'),
    col('agency_name_en', 'string', 'opendata.col.agency_name_en'),
    col('published_month', 'string', 'opendata.col.risk.published_month'),
    col('risks', 'integer', 'opendata.col.risk.risks'),
    ...RISK_LEVELS.map((k) => col(`risks_${k}`, 'integer', `opendata.col.risk.level.${k}`)),
    col('risks_unrated', 'integer', 'opendata.col.risk.unrated'),
    col('actions', 'integer', 'opendata.col.risk.actions'),
    col('actions_done', 'integer', 'opendata.col.risk.actions_done'),
    col('register_sha256', 'string', 'opendata.col.risk.sha256'),
  ],
  build: async (run) => {
    const { rows } = await sql<{
      fiscal_year: number;
      code: string;
      name_th: string;
      name_en: string;
      month: string;
      snapshot: string;
      digest: Buffer;
    }>`
      select distinct on (r.id) r.fiscal_year, a.code, a.name_th, a.name_en,
        to_char(p.published_at at time zone 'Asia/Bangkok', 'YYYY-MM') as month, p.snapshot, p.digest
      from risk_publication p join risk_register r on r.id = p.register_id join agency a on a.id = r.agency_id
      where p.published_at < ${monthEnd(run.month)}::timestamptz
      order by r.id, p.id desc`.execute(run.db);
    return rows
      .sort((x, y) => x.fiscal_year - y.fiscal_year || x.code.localeCompare(y.code))
      .map((r) => [
        r.fiscal_year,
        r.code,
        r.name_th,
        r.name_en,
        r.month,
        ...summaryOf(JSON.parse(r.snapshot) as Snapshot),
        r.digest.toString('hex'),
      ]);
  },
});
