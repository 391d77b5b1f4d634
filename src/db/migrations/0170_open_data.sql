-- Open integrity data and national oversight (issue 17): the agency attributes the oversight console
-- filters by, the overseer role and the agencies each overseer is granted, and the immutable monthly
-- releases of the open datasets, each committed to the ledger (its opening is public: so is the data).

alter table agency add column if not exists ministry text not null default '' check (length(ministry) <= 200);
alter table agency add column if not exists province text not null default '' check (length(province) <= 100);
alter table agency add column if not exists agency_type text not null default 'other' check (agency_type in (
  'central', 'provincial', 'local', 'state_enterprise', 'public_organisation', 'independent', 'other'));

alter table staff_role drop constraint staff_role_role_check;
alter table staff_role add constraint staff_role_role_check check (role in (
  'platform_admin', 'agency_admin', 'intake_officer', 'investigator', 'supervisor', 'identity_custodian', 'auditor',
  'ita_assessor', 'risk_officer', 'risk_reviewer', 'overseer'));

-- Which agencies an overseer sees (granted by the platform administrator, audited).
create table if not exists overseer_agency (
  user_id integer not null references staff_user (id) on delete cascade,
  agency_id integer not null references agency (id) on delete cascade,
  granted_by integer references staff_user (id),
  granted_at timestamptz not null default now(),
  primary key (user_id, agency_id)
);

-- One immutable release of one dataset: the files as published and the ledger entry committing to
-- their digest. `month` is the last month the release covers (YYYY-MM).
create table if not exists dataset_release (
  dataset text not null check (dataset ~ '^[a-z0-9-]{1,40}$'),
  month text not null check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  created_at timestamptz not null default now(),
  csv bytea not null,
  json bytea not null,
  sha256 bytea not null check (length(sha256) = 32),
  outbox_id integer not null, -- ledger_outbox id, then ledger_entry.outbox_id once sequenced
  opening jsonb not null,
  primary key (dataset, month)
);

-- A release is never rewritten: an update or delete is refused by the database itself.
create or replace function dataset_release_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'dataset releases are immutable';
end $$;
drop trigger if exists dataset_release_immutable on dataset_release;
create trigger dataset_release_immutable before update or delete on dataset_release
  for each row execute function dataset_release_immutable();
