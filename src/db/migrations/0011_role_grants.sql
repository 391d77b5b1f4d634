-- Separation of duties (issue 12): a role that brings case keys (intake officer, investigator,
-- supervisor, identity custodian) given by an administrator takes effect only once an existing key
-- holder of the agency confirms it (the platform administrator, for an agency that has none yet).
-- staff_role keeps only the roles in effect; this table keeps the requests and their decisions.
create table role_grant (
  id uuid primary key,
  user_id integer not null references staff_user (id) on delete cascade,
  role text not null check (role in ('intake_officer', 'investigator', 'supervisor', 'identity_custodian')),
  requested_by integer references staff_user (id),
  requested_at timestamptz not null default date_trunc('minute', now()),
  state text not null default 'pending' check (state in ('pending', 'confirmed', 'refused', 'cancelled')),
  decided_by integer references staff_user (id),
  decided_at timestamptz
);
create unique index role_grant_one_pending on role_grant (user_id, role) where state = 'pending';
create index role_grant_pending on role_grant (state, user_id) where state = 'pending';
