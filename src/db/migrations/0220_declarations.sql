-- Issue 18, item 4: interest and asset declarations (src/declarations). An agency designates
-- positions and who holds them; holders declare on taking up a position, yearly and on leaving. A
-- declaration's content (every figure, asset, interest and juristic-person number) is sealed under a
-- random content key, itself sealed to the declarant and to each declaration reviewer of the agency
-- (declaration_key): the database alone shows no declared figure. The automatic checks' flag codes
-- are stored in the clear (no figure); a conflict alert's detail is sealed like the content.

-- The agency's own policy (deadlines in days, the yearly due day, the public summary).
create table declaration_policy (
  agency_id integer primary key references agency(id),
  entry_days integer not null default 30 check (entry_days between 1 and 365),
  leaving_days integer not null default 30 check (leaving_days between 1 and 365),
  yearly_due text not null default '10-30' check (yearly_due ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
  remind_days integer not null default 7 check (remind_days between 1 and 60),
  public_summary boolean not null default false,
  updated_by integer references staff_user(id),
  updated_at timestamptz not null default now()
);

create table declaration_position (
  id serial primary key,
  agency_id integer not null references agency(id),
  category text not null check (category in ('procurement', 'finance', 'permits', 'executive', 'other')),
  name text not null check (length(name) between 1 and 200),
  created_by integer references staff_user(id),
  created_at timestamptz not null default now(),
  unique (agency_id, name)
);

-- Who holds a designated position, from when, and until when (left_on set when they leave).
create table declaration_holder (
  position_id integer not null references declaration_position(id) on delete cascade,
  user_id integer not null references staff_user(id),
  started_on date not null,
  left_on date,
  primary key (position_id, user_id)
);
create index declaration_holder_user on declaration_holder (user_id);

create table declaration (
  id uuid primary key,
  agency_id integer not null references agency(id),
  user_id integer not null references staff_user(id),
  occasion text not null check (occasion in ('entry', 'yearly', 'leaving')),
  -- the form's one-time token: a reload or a second press of the button files nothing new
  filing_token uuid not null unique,
  content bytea not null,
  flags text[] not null default '{}',
  -- totals in the clear only while the agency's policy publishes summaries (else null)
  public_totals jsonb,
  filed_at timestamptz not null default now()
);
create index declaration_agency on declaration (agency_id, filed_at desc);
create index declaration_user on declaration (user_id, filed_at desc);
-- rechecking an agency's declarations reads them in (declarant, filing time) order, a batch at a time
create index declaration_recheck on declaration (agency_id, user_id, filed_at, id);

-- The declaration's content key sealed to each person who may read it (the declarant, the reviewers).
create table declaration_key (
  declaration_id uuid not null references declaration(id) on delete cascade,
  user_id integer not null references staff_user(id),
  sealed_key bytea not null,
  -- the same key wrapped under the holder's ring key (HKDF of their private key), written when a
  -- recheck first opens the box: AEAD opens in microseconds where the sealed box takes one X25519
  -- operation (as case_key.ring_key, migration 0140)
  ring_key bytea,
  primary key (declaration_id, user_id)
);

-- A conflict-of-interest alert: a declared business that won a contract of the agency, or is named
-- in a case the declarant handles. The detail (number, name, contract) is sealed with the content key.
create table declaration_alert (
  id bigserial primary key,
  declaration_id uuid not null references declaration(id) on delete cascade,
  kind text not null check (kind in ('contract', 'case')),
  case_id uuid references report_case(id),
  detail bytea not null,
  recused_at timestamptz
);
create index declaration_alert_declaration on declaration_alert (declaration_id);

-- What the case team records, in the clear, of a business a case concerns (its juristic-person
-- number): the only place a case names a business without unsealing its content.
create table case_business (
  case_id uuid not null references report_case(id) on delete cascade,
  juristic_id text not null check (juristic_id ~ '^[0-9]{13}$'),
  added_by integer references staff_user(id),
  primary key (case_id, juristic_id)
);
create index case_business_juristic on case_business (juristic_id);

-- A reminder claimed before it is mailed: one per holder, occasion and due day, across processes.
create table declaration_reminder (
  user_id integer not null references staff_user(id),
  occasion text not null check (occasion in ('entry', 'yearly', 'leaving')),
  due_on date not null,
  sent_at timestamptz not null default now(),
  primary key (user_id, occasion, due_on)
);
