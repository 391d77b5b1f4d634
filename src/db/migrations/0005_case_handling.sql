-- Case handling across agencies: staff roles and second factor, case teams (need-to-know by sealed
-- keys), the workflow with reasons, deadlines, referral, identity escrow and witnesses.

-- Staff: one person may hold several roles. Platform administrators belong to no agency.
create table staff_role (
  user_id integer not null references staff_user (id) on delete cascade,
  role text not null check (role in ('platform_admin', 'agency_admin', 'intake_officer', 'investigator', 'supervisor', 'identity_custodian', 'auditor')),
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);
create index staff_role_role on staff_role (role, user_id);
-- The first workflow's recipients received and handled new cases: they become intake officers.
insert into staff_role (user_id, role) select id, 'intake_officer' from staff_user;
alter table staff_user drop column role;
alter table staff_user alter column agency_id drop not null;
alter table staff_user
  add column display_name text not null default '' check (length(display_name) <= 200),
  -- the TOTP secret sealed to the user's own public key: opened at login after the password
  add column totp_sealed bytea,
  add column totp_last_step bigint,
  -- SHA-256 of each unused recovery code
  add column recovery_hashes bytea[] not null default '{}',
  add column password_changed_at timestamptz not null default now();

-- One-time links: first platform administrator, new staff account setup.
create table setup_token (
  token_hash bytea primary key,
  purpose text not null check (purpose in ('first_admin', 'account')),
  user_id integer references staff_user (id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

-- Agency settings: deadline clocks per category and whether reporters are told of a disclosure.
alter table agency add column settings jsonb not null default '{}'::jsonb;

-- The workflow.
alter table report_case drop constraint report_case_status_check;
update report_case set status = 'investigating' where status = 'in_progress';
alter table report_case
  add constraint report_case_status_check check (status in ('new', 'acknowledged', 'screening', 'investigating', 'referred', 'concluded', 'closed')),
  add column outcome text check (outcome in ('out_of_scope', 'insufficient_information', 'duplicate', 'unfounded_or_malicious', 'substantiated', 'partly_substantiated', 'not_substantiated')),
  add column duplicate_of uuid references report_case (id),
  -- the X25519 public key of the case team (derived from the team key): anyone may seal to the
  -- team (transition reasons, event openings); the reporter never holds the team key
  add column team_public_key bytea check (length(team_public_key) = 32),
  -- deadline clocks: null when met (or not running)
  add column ack_due_at timestamptz,
  add column reply_due_at timestamptz,
  add column feedback_due_at timestamptz,
  -- set while the case waits for the reporter and the agency pauses clocks then
  add column paused_at timestamptz,
  add column first_reply_at timestamptz;
alter table report_case drop constraint report_case_channel_check;
alter table report_case add constraint report_case_channel_check check (channel in ('web', 'api', 'line', 'phone', 'walk_in', 'hotline_1111', 'hotline_1206', 'referral'));
update report_case set ack_due_at = created_at + interval '7 days', reply_due_at = created_at + interval '15 days', feedback_due_at = created_at + interval '3 months' where status = 'new';
create index report_case_due on report_case (agency_id, (least(ack_due_at, reply_due_at, feedback_due_at))) where status <> 'closed';

-- The agencies a case is shared with (the owner and any copies referred): metadata views.
create table case_agency (
  case_id uuid not null references report_case (id) on delete cascade,
  agency_id integer not null references agency (id),
  is_owner boolean not null,
  primary key (case_id, agency_id)
);
create index case_agency_agency on case_agency (agency_id, case_id);
insert into case_agency (case_id, agency_id, is_owner) select id, agency_id, true from report_case;

-- Keys: 'team' keys open internal notes, witness statements and transition reasons.
alter table case_key drop constraint case_key_purpose_check;
alter table case_key add constraint case_key_purpose_check check (purpose in ('content', 'identity', 'team'));

-- Who works a case (metadata): the investigators assigned, and who assigned them.
create table case_assignment (
  case_id uuid not null references report_case (id) on delete cascade,
  user_id integer not null references staff_user (id),
  assigned_by integer references staff_user (id),
  assigned_at timestamptz not null default now(),
  primary key (case_id, user_id)
);
create index case_assignment_user on case_assignment (user_id, case_id);

-- Keys asked for but not yet sealed: the server never holds a case key, so a grant waits for a
-- session of someone who holds the key (and, for content, who can check the person is not named).
create table case_grant (
  id uuid primary key,
  case_id uuid not null references report_case (id) on delete cascade,
  user_id integer not null references staff_user (id),
  purpose text not null check (purpose in ('content', 'identity')),
  requested_by integer references staff_user (id),
  requested_at timestamptz not null default now(),
  state text not null default 'pending' check (state in ('pending', 'sealed', 'refused_named', 'cancelled')),
  settled_by integer references staff_user (id),
  settled_at timestamptz,
  -- set when the grant hands a referred case to the receiving agency
  referral_id uuid
);
create unique index case_grant_one_pending on case_grant (case_id, user_id, purpose) where state = 'pending';
create index case_grant_pending on case_grant (case_id) where state = 'pending';

-- The case's history: every transition, assignment, referral and disclosure, with its reason
-- sealed to the team. `for_reporter` marks what the reporter's status page shows (roles, no names).
create table case_event (
  id bigserial primary key,
  case_id uuid not null references report_case (id) on delete cascade,
  at timestamptz not null default date_trunc('minute', now()),
  actor_user_id integer references staff_user (id),
  actor_role text,
  kind text not null,
  from_status text,
  to_status text,
  outcome text,
  agency_id integer references agency (id),
  reason bytea,
  for_reporter boolean not null default false
);
create index case_event_case on case_event (case_id, id);

-- Identity disclosure requests (escrow): requested with a reason, decided by a custodian.
create table identity_request (
  id uuid primary key,
  case_id uuid not null references report_case (id) on delete cascade,
  requester_id integer not null references staff_user (id),
  reason bytea not null,
  requested_at timestamptz not null default now(),
  state text not null default 'pending' check (state in ('pending', 'approved', 'refused')),
  decided_by integer references staff_user (id),
  decided_at timestamptz,
  decision_reason bytea
);
create index identity_request_pending on identity_request (case_id) where state = 'pending';

create table case_referral (
  id uuid primary key,
  case_id uuid not null references report_case (id) on delete cascade,
  from_agency_id integer not null references agency (id),
  to_agency_id integer not null references agency (id),
  mode text not null check (mode in ('transfer', 'copy')),
  sender_keeps_access boolean not null,
  referred_by integer not null references staff_user (id),
  referred_at timestamptz not null default now()
);

-- Witnesses: invited by the team with a one-time link; a receipt of their own; their statements
-- sealed under a witness key that the team opens (sealed to the team key) and the reporter never holds.
create table case_witness (
  id uuid primary key,
  case_id uuid not null references report_case (id) on delete cascade,
  invited_by integer not null references staff_user (id),
  label bytea not null,
  invitation_hash bytea unique,
  invitation_expires_at timestamptz,
  wrapped_for_invitation bytea,
  lookup bytea unique check (length(lookup) = 32),
  wrapped_for_witness bytea,
  key_for_team bytea not null,
  created_at timestamptz not null default date_trunc('minute', now()),
  redeemed_at timestamptz
);

-- Messages now belong to a thread: with the reporter (content key), internal notes (team key) or
-- with one witness (that witness's key).
alter table case_message drop constraint case_message_author_kind_check;
alter table case_message drop constraint case_message_author_role_check;
alter table case_message drop constraint case_message_check;
update case_message set author_role = 'intake_officer' where author_role = 'recipient';
alter table case_message
  add column thread text not null default 'reporter' check (thread in ('reporter', 'internal', 'witness')),
  add column witness_id uuid references case_witness (id) on delete cascade,
  add constraint case_message_author_kind_check check (author_kind in ('reporter', 'staff', 'witness')),
  add constraint case_message_author_check check ((author_kind = 'staff') = (author_user_id is not null)),
  add constraint case_message_witness_check check ((thread = 'witness') = (witness_id is not null));
alter table attachment drop constraint attachment_uploaded_by_check;
alter table attachment add constraint attachment_uploaded_by_check check (uploaded_by in ('reporter', 'staff', 'witness'));

-- Ledger openings sealed to the team's public key (for events recorded by someone without the
-- content key) or, as before, under the content key.
alter table case_ledger_event add column sealing text not null default 'content' check (sealing in ('content', 'team'));

-- The auditors' page filters the trail by the actors of their agency.
create index audit_event_actor on audit_event (actor_user_id, id);

-- Deadline notices sent by email (one per case, clock and kind), so none is sent twice.
create table deadline_notice (
  case_id uuid not null references report_case (id) on delete cascade,
  clock text not null check (clock in ('ack', 'reply', 'feedback')),
  kind text not null check (kind in ('due_soon', 'overdue')),
  sent_at timestamptz not null default now(),
  primary key (case_id, clock, kind)
);

-- An account made by an administrator has no keys until its owner follows the setup link.
alter table staff_user
  alter column kdf_salt drop not null,
  alter column kdf_params drop not null,
  alter column password_verifier drop not null,
  alter column public_key drop not null,
  alter column wrapped_private_key drop not null;
alter table staff_user add constraint staff_user_active_has_keys check (not is_active or public_key is not null);

-- The audit trail is append-only for the application: an update or delete is refused by the
-- database itself. (An attacker with the database owner's rights can drop this; the hash chain
-- anchored in the ledger still shows it.)
create function audit_event_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the audit trail is append-only';
end $$;
create trigger audit_event_append_only before update or delete on audit_event for each row execute function audit_event_append_only();
