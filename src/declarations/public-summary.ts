// The public summary of an agency's declarations, only where its policy says so (off by default):
// the declarant's name, their designated positions, the occasion, the day and three totals (assets,
// liabilities, income). The totals are kept in the clear only for declarations filed while the policy
// was on (store.ts), so turning it off stops publication of later ones, and nothing else is shown.
// The idea is Indonesia's online asset disclosure (LHKPN) for officials in high-risk posts such as
// procurement, open to public scrutiny (seed 002).
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { bangkokToday } from '../intake/validate-complaint.ts';
import type { Occasion } from './content.ts';
import { policyOf } from './positions.ts';

export type PublicRow = {
  name: string;
  positions: string[];
  occasion: Occasion;
  filedOn: string;
  totals: { assets: number; liabilities: number; income: number };
};

/** The published summary of `agencyCode`, or not found when it publishes none (or does not exist). */
export async function publicSummary(db: Db, agencyCode: string) {
  const agency = await db
    .selectFrom('agency')
    .select(['id', 'code', 'name_th', 'name_en'])
    .where('code', '=', agencyCode.slice(0, 32))
    .executeTakeFirst();
  if (!agency || !(await policyOf(db, agency.id)).publicSummary)
    throw new AppError('not_found', 'no public summary', 'error.notFound');
  const rows = await db
    .selectFrom('declaration as d')
    .innerJoin('staff_user as u', 'u.id', 'd.user_id')
    .select((eb) => [
      'd.user_id',
      'd.occasion',
      'd.filed_at',
      'd.public_totals',
      'u.display_name',
      eb
        .selectFrom('declaration_holder as h')
        .innerJoin('declaration_position as p', 'p.id', 'h.position_id')
        .whereRef('h.user_id', '=', 'd.user_id')
        .select((e2) => e2.fn.agg<string[]>('array_agg', ['p.name']).as('names'))
        .as('positions'),
    ])
    .where('d.agency_id', '=', agency.id)
    .where('d.public_totals', 'is not', null)
    .orderBy('d.filed_at', 'desc')
    .limit(1000)
    .execute();
  return {
    agency: { code: agency.code, nameTh: agency.name_th, nameEn: agency.name_en },
    rows: rows.map(
      (r): PublicRow => ({
        name: r.display_name,
        positions: r.positions ?? [],
        occasion: r.occasion,
        filedOn: bangkokToday(r.filed_at),
        totals: r.public_totals as PublicRow['totals'],
      }),
    ),
  };
}
