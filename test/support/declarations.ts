// A contract of an agency won by a business, seeded as the procurement import leaves it (one
// import, one release whose award names the supplier by its e-GP identifier "TH-DBD-<number>"),
// for the conflict-of-interest alerts of the declarations' tests and journey.
import { sql } from 'kysely';
import type { Db } from '../../src/db/connection.ts';

export async function seedContract(
  db: Db,
  c: { agencyCode: string; ocid: string; title: string; supplierId: string; supplierName: string },
): Promise<void> {
  const agency = await db.selectFrom('agency').select('id').where('code', '=', c.agencyCode).executeTakeFirstOrThrow();
  const imp = await db
    .insertInto('procurement_import')
    .values({
      agency_id: agency.id,
      source: 'egp',
      file_name: 'egp.csv',
      settings: '',
      lines: 1,
      releases: 1,
      skipped: 0,
      other_currency: 0,
      faults: '[]',
      imported_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const release = { ocid: c.ocid, awards: [{ suppliers: [{ id: `TH-DBD-${c.supplierId}`, name: c.supplierName }] }] };
  await sql`insert into procurement_release (import_id, ocid, title, buyer, release)
    values (${imp.id}, ${c.ocid}, ${c.title}, ${c.agencyCode}, ${JSON.stringify(release)}::jsonb)`.execute(db);
}
