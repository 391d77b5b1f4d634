-- The optional agency escrow key: an agency administrator and an identity custodian together (two
-- people) restore the access of a staff member who lost their password or second factor. The escrow
-- private key exists only as two shares (XOR): one sealed to each agency administrator, the other to
-- each identity custodian. Staff private keys are sealed to the escrow public key at login.
alter table agency add column escrow_public_key bytea check (length(escrow_public_key) = 32);
create table escrow_share (
  agency_id integer not null references agency (id) on delete cascade,
  user_id integer not null references staff_user (id) on delete cascade,
  share smallint not null check (share in (1, 2)),
  sealed bytea not null,
  primary key (agency_id, user_id, share)
);
alter table staff_user
  add column escrowed_private_key bytea,
  add column escrowed_for bytea;
create table escrow_restore (
  id uuid primary key,
  agency_id integer not null references agency (id),
  user_id integer not null references staff_user (id),
  requested_by integer not null references staff_user (id),
  -- the administrator's share, sealed to each custodian who can complete it
  shares_for_custodians jsonb not null,
  state text not null default 'pending' check (state in ('pending', 'approved', 'refused')),
  decided_by integer references staff_user (id),
  requested_at timestamptz not null default now(),
  decided_at timestamptz
);
create index escrow_restore_pending on escrow_restore (agency_id) where state = 'pending';
-- A restore link carries the user's private key, wrapped under a key derived from the link.
alter table setup_token drop constraint setup_token_purpose_check;
alter table setup_token add constraint setup_token_purpose_check check (purpose in ('first_admin', 'account', 'restore'));
alter table setup_token add column wrapped_private_key bytea;
