-- Reporting: agencies, staff recipients, cases with sealed content, messages, attachments, audit.
-- Only routing metadata is in the clear. Every time a reporter action writes is truncated to the
-- minute by the application (date_trunc below is the default for rows written without one).

create table agency (
  id serial primary key,
  code text not null unique check (code ~ '^[A-Z0-9][A-Z0-9_-]{1,15}$'),
  name_th text not null check (length(name_th) between 1 and 300),
  name_en text not null check (length(name_en) between 1 and 300),
  is_intake_office boolean not null default false,
  created_at timestamptz not null default now()
);
-- At most one platform intake office receives reports whose reporter does not know the agency.
create unique index agency_one_intake_office on agency (is_intake_office) where is_intake_office;

create table staff_user (
  id serial primary key,
  agency_id integer not null references agency (id),
  email text not null check (email = lower(email) and length(email) between 3 and 320),
  role text not null check (role in ('recipient')),
  -- Argon2id(password, kdf_salt) -> HKDF -> (verifier key, wrapping key). Only the SHA-256 of the
  -- verifier key is stored; the X25519 private key is stored only wrapped (ChaCha20-Poly1305).
  kdf_salt bytea not null,
  kdf_params jsonb not null,
  password_verifier bytea not null,
  public_key bytea not null check (length(public_key) = 32),
  wrapped_private_key bytea not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (email)
);

create table staff_session (
  token_hash bytea primary key,
  user_id integer not null references staff_user (id) on delete cascade,
  -- the user's private key, sealed under a key that only the session cookie holds
  sealed_private_key bytea not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index staff_session_expiry on staff_session (expires_at);

create sequence case_number_seq;

create table report_case (
  id uuid primary key,
  number bigint not null unique default nextval('case_number_seq'),
  reference text not null unique,
  agency_id integer not null references agency (id),
  category text not null check (category in ('bribery', 'procurement_fraud', 'abuse_of_authority', 'misuse_of_state_property', 'conflict_of_interest', 'other')),
  channel text not null check (channel in ('web', 'api')),
  status text not null default 'new' check (status in ('new', 'acknowledged', 'in_progress', 'closed')),
  has_identity boolean not null,
  -- sealed with the case key: what, when, where, who (a JSON document)
  content bytea not null,
  -- sealed with the separate identity key, or null when the reporter stayed anonymous
  identity bytea,
  created_at timestamptz not null default date_trunc('minute', now()),
  updated_at timestamptz not null default date_trunc('minute', now())
);
create index report_case_agency_newest on report_case (agency_id, number desc);

-- The case key (and the identity key) sealed to each recipient's X25519 public key.
create table case_key (
  case_id uuid not null references report_case (id) on delete cascade,
  user_id integer not null references staff_user (id),
  purpose text not null check (purpose in ('content', 'identity')),
  sealed_key bytea not null,
  primary key (case_id, user_id, purpose)
);
create index case_key_user on case_key (user_id);

-- The reporter's access: lookup = HKDF(Argon2id(receipt)), the keys wrapped by the reporter key.
create table reporter_access (
  lookup bytea primary key check (length(lookup) = 32),
  case_id uuid not null unique references report_case (id) on delete cascade,
  wrapped_keys bytea not null
);

create table case_message (
  id uuid primary key,
  case_id uuid not null references report_case (id) on delete cascade,
  author_kind text not null check (author_kind in ('reporter', 'staff')),
  author_user_id integer references staff_user (id),
  author_role text check (author_role in ('recipient')),
  body bytea not null,
  number bigserial not null,
  created_at timestamptz not null default date_trunc('minute', now()),
  check ((author_kind = 'staff') = (author_user_id is not null))
);
create index case_message_case on case_message (case_id, number);

-- Encrypted attachment payloads, written chunk by chunk while the upload streams in, before the
-- case exists. A blob no attachment points to is an abandoned upload and is swept.
create table blob (
  id uuid primary key,
  created_at timestamptz not null default date_trunc('minute', now())
);
create table blob_chunk (
  blob_id uuid not null references blob (id) on delete cascade,
  seq integer not null,
  data bytea not null,
  primary key (blob_id, seq)
);
alter table blob_chunk alter column data set storage external;

create table attachment (
  id uuid primary key,
  case_id uuid not null references report_case (id) on delete cascade,
  message_id uuid references case_message (id) on delete cascade,
  blob_id uuid not null unique references blob (id),
  uploaded_by text not null check (uploaded_by in ('reporter', 'staff')),
  -- sealed with the case key: file name, media type, size, what metadata was removed
  meta bytea not null,
  created_at timestamptz not null default date_trunc('minute', now())
);
create index attachment_case on attachment (case_id);

-- Every opening of content by staff, and every refused attempt. Append-only for the application.
create table audit_event (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_user_id integer references staff_user (id),
  action text not null,
  case_id uuid,
  case_reference text,
  detail jsonb not null default '{}'::jsonb
);
create index audit_event_case on audit_event (case_id);
