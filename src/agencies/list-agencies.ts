import { sql } from 'kysely';
import type { Db } from '../db/connection.ts';

export type AgencyChoice = { id: number; code: string; nameTh: string; nameEn: string; isIntakeOffice: boolean };

/**
 * Agencies a reporter can choose: those with at least one active intake officer, since a report sealed
 * to nobody could never be read. Ordered by Thai name.
 */
export async function listReportableAgencies({ db }: { db: Db }): Promise<AgencyChoice[]> {
  const rows = await db
    .selectFrom('agency as a')
    .select(['a.id', 'a.code', 'a.name_th', 'a.name_en', 'a.is_intake_office'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('staff_user as u')
          .innerJoin('staff_role as r', 'r.user_id', 'u.id')
          .select(sql`1`.as('one'))
          .whereRef('u.agency_id', '=', 'a.id')
          .where('u.is_active', '=', true)
          .where('r.role', '=', 'intake_officer'),
      ),
    )
    .orderBy('a.name_th')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    nameTh: r.name_th,
    nameEn: r.name_en,
    isIntakeOffice: r.is_intake_office,
  }));
}

/**
 * The agencies a form offers. With the database down, a form coming back with what was typed still
 * offers the agency chosen (so nothing typed is lost); a fresh form needs the list, and the error
 * (a 503) is thrown.
 */
export async function agenciesForForm(db: Db, chosen: string | undefined): Promise<AgencyChoice[]> {
  return listReportableAgencies({ db }).catch((e: unknown) => {
    if (!chosen) throw e;
    return [{ id: 0, code: chosen, nameTh: chosen, nameEn: chosen, isIntakeOffice: false }];
  });
}
