-- Procurement red flags (src/procurement): an agency's imports of public procurement data (OCDS or
-- e-GP open data), the releases of the flagged processes, and every flag computed. Public data:
-- nothing here is sealed.
create table procurement_import (
  id bigserial primary key,
  agency_id integer not null references agency(id),
  source text not null check (source in ('ocds', 'egp')),
  file_name text not null,
  settings text not null,
  lines integer not null,
  releases integer not null,
  skipped integer not null,
  other_currency integer not null,
  faults jsonb not null default '[]',
  imported_by integer references staff_user(id),
  imported_at timestamptz not null default now()
);
create index procurement_import_agency on procurement_import (agency_id, imported_at desc);

-- The release of each flagged contracting process (ocid) of an import, for the drill-down.
create table procurement_release (
  import_id bigint not null references procurement_import(id) on delete cascade,
  ocid text not null,
  title text,
  buyer text,
  release jsonb not null,
  primary key (import_id, ocid)
);

-- A flag: Cardinal's groups (OCID, Buyer, ProcuringEntity, Tenderer), the identifier, the indicator.
create table procurement_flag (
  import_id bigint not null references procurement_import(id) on delete cascade,
  grp text not null check (grp in ('OCID', 'Buyer', 'ProcuringEntity', 'Tenderer')),
  key text not null,
  code text not null,
  value double precision,
  primary key (import_id, grp, key, code)
);
