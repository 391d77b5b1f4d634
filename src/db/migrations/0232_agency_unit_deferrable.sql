-- A unit names the staff member who made it (created_by) and a staff member names their unit
-- (staff_user_unit_fkey): a cycle of foreign keys. A restore loads tables parents first
-- (backup/write-backup.ts tablesOf), which a cycle defeats, so the unit's creator is checked at
-- commit instead: deferrable, still immediate in every other transaction.
alter table agency_unit alter constraint agency_unit_created_by_fkey deferrable initially immediate;
