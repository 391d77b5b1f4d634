-- Issues 16 and 18: an agency's units (divisions, offices), one level of nesting. Staff belong to a
-- unit (the ethics results per unit) and a case concerns one (the risk signals per unit). A unit is
-- metadata like a category: its code and names are in the clear, never content. Units are never
-- deleted, only deactivated: the staff and cases that name one keep it.
create table agency_unit (
  id serial primary key,
  agency_id integer not null references agency(id),
  code text not null check (code ~ '^[A-Z0-9][A-Z0-9_-]{0,15}$'),
  name_th text not null check (length(name_th) between 1 and 200),
  name_en text not null check (length(name_en) between 1 and 200),
  parent_id integer,
  is_active boolean not null default true,
  created_by integer references staff_user(id),
  created_at timestamptz not null default now(),
  unique (agency_id, code),
  -- the key the references below name: a unit of another agency cannot be named at all
  unique (agency_id, id),
  foreign key (agency_id, parent_id) references agency_unit (agency_id, id),
  check (parent_id is null or parent_id <> id)
);

-- A staff member's unit, of their own agency (null: no unit).
alter table staff_user add column unit_id integer;
alter table staff_user add constraint staff_user_unit_fkey
  foreign key (agency_id, unit_id) references agency_unit (agency_id, id);

-- The unit a case concerns (whose process the complaint is about), of the owning agency; a transfer
-- to another agency clears it (cases/referral.ts).
alter table report_case add column unit_id integer;
alter table report_case add constraint report_case_unit_fkey
  foreign key (agency_id, unit_id) references agency_unit (agency_id, id);

-- The unit named by a history event of a case (`unit_set`: the unit concerned set or cleared).
alter table case_event add column unit_id integer references agency_unit(id);
