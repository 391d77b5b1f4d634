-- The Integrity and Transparency Assessment (issue 6): an agency's assessment cycles, the staff and
-- stakeholder surveys (kept as counts only), the open-data self-check, measures and their progress,
-- and published scores of earlier years. Scores are hundredths (8341 = 83.41): exact integers.

alter table staff_role drop constraint staff_role_role_check;
alter table staff_role add constraint staff_role_role_check check (role in (
  'platform_admin', 'agency_admin', 'intake_officer', 'investigator', 'supervisor', 'identity_custodian', 'auditor', 'ita_assessor'));

-- One assessment of one agency for one fiscal year (Buddhist Era). The framework is copied in when the
-- cycle opens, so a later framework file never changes the questions or the scores of a cycle.
create table ita_cycle (
  id serial primary key,
  agency_id integer not null references agency (id),
  fiscal_year integer not null check (fiscal_year between 2500 and 2800),
  framework_name text not null,
  framework jsonb not null,
  -- the EIT survey's public address (/ita/e/<code>): random, unguessable, not a secret
  public_code text not null unique,
  -- staff of the agency, given when the cycle opens: the IIT minimum sample is a share of it
  staff_count integer not null check (staff_count >= 0),
  links_issued integer not null default 0 check (links_issued >= 0),
  -- completed questionnaires per instrument; the answers themselves are only in ita_tally
  iit_responses integer not null default 0 check (iit_responses >= 0),
  eit_responses integer not null default 0 check (eit_responses >= 0),
  state text not null default 'open' check (state in ('open', 'closed')),
  oit_due_on date,
  opened_by integer not null references staff_user (id),
  opened_at timestamptz not null default now(),
  closed_at timestamptz,
  unique (agency_id, fiscal_year)
);

-- IIT one-time links not yet used: SHA-256 of the token, nothing else. Answering deletes the row in
-- the transaction that adds the answers to the counts: no row, time or order links a link to answers.
create table ita_link (
  token_hash bytea primary key,
  cycle_id integer not null references ita_cycle (id)
);
create index ita_link_cycle on ita_link (cycle_id);

-- Survey answers as counts per question and answer (levels 1–4, or 0 = no / 1 = yes). No row ever
-- holds one person's set of answers.
create table ita_tally (
  cycle_id integer not null references ita_cycle (id),
  question_id text not null,
  answer smallint not null,
  count integer not null check (count >= 0),
  primary key (cycle_id, question_id, answer)
);

-- The open-data self-check (OIT): per checklist item, where the agency discloses it (an address or a
-- file), and the assessor's verdict with a comment.
create table ita_oit_item (
  cycle_id integer not null references ita_cycle (id),
  item_id text not null,
  evidence_url text,
  evidence_note text,
  file_name text,
  file_type text,
  file_bytes bytea,
  updated_by integer references staff_user (id),
  updated_at timestamptz,
  verdict text check (verdict in ('yes', 'no')),
  assessor_comment text,
  assessed_by integer references staff_user (id),
  assessed_at timestamptz,
  primary key (cycle_id, item_id)
);

-- Reminders sent for checklist items still missing, one a day at most per cycle.
create table ita_reminder (
  cycle_id integer not null references ita_cycle (id),
  sent_on date not null,
  missing integer not null,
  recipients integer not null,
  primary key (cycle_id, sent_on)
);

-- The measures plan (seed 004): per indicator, a measure (project) with its steps, responsible unit,
-- dates and budget; progress at six and twelve months (seed 003's monitoring report).
create table ita_measure (
  id serial primary key,
  cycle_id integer not null references ita_cycle (id),
  indicator integer not null,
  title text not null,
  objective text not null,
  steps text not null,
  responsible_unit text not null,
  starts_on date not null,
  ends_on date not null check (ends_on >= starts_on),
  budget numeric(14, 2) not null default 0 check (budget >= 0),
  created_by integer not null references staff_user (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index ita_measure_cycle on ita_measure (cycle_id, indicator);

create table ita_progress (
  measure_id integer not null references ita_measure (id),
  round smallint not null check (round in (6, 12)),
  progress text not null,
  percent smallint not null check (percent between 0 and 100),
  budget_used numeric(14, 2) not null default 0 check (budget_used >= 0),
  problems text not null default '',
  suggestions text not null default '',
  recorded_by integer not null references staff_user (id),
  recorded_at timestamptz not null default now(),
  primary key (measure_id, round)
);

-- Scores published for years assessed outside Sujarit (NACC's ITAS), for the year-over-year table.
create table ita_history (
  agency_id integer not null references agency (id),
  fiscal_year integer not null check (fiscal_year between 2500 and 2800),
  iit integer check (iit between 0 and 10000),
  eit integer check (eit between 0 and 10000),
  oit integer check (oit between 0 and 10000),
  ita integer check (ita between 0 and 10000),
  recorded_by integer not null references staff_user (id),
  recorded_at timestamptz not null default now(),
  primary key (agency_id, fiscal_year)
);
