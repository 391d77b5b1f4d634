-- Corruption-risk management (issue 16, items 1, 2, 4, 5): an agency's risk register per fiscal year
-- (Buddhist Era), its risks (cause → event → consequence, rated on a matrix defined as data), their
-- treatment actions, every change kept as history, each publication committed to the ledger, and
-- the independent review by an overseeing agency. A register is meant to be published (the ITA's
-- open-data checklist asks for it): nothing here is sealed, and nothing here is case content.

alter table staff_role drop constraint staff_role_role_check;
alter table staff_role add constraint staff_role_role_check check (role in (
  'platform_admin', 'agency_admin', 'intake_officer', 'investigator', 'supervisor', 'identity_custodian', 'auditor',
  'ita_assessor', 'risk_officer', 'risk_reviewer'));

create table risk_register (
  id serial primary key,
  agency_id integer not null references agency (id),
  fiscal_year integer not null check (fiscal_year between 2500 and 2800),
  -- the matrix the risks are rated on (src/risk/matrix.ts), kept so a later default changes no register
  matrix_name text not null,
  created_by integer not null references staff_user (id),
  created_at timestamptz not null default now(),
  unique (agency_id, fiscal_year)
);

create table risk_item (
  id serial primary key,
  register_id integer not null references risk_register (id),
  number integer not null check (number > 0),
  -- 'candidate': made from a signal or a red flag, not yet assessed
  state text not null default 'assessed' check (state in ('candidate', 'assessed', 'withdrawn')),
  area text not null,
  process text not null default '',
  unit text not null default '',
  owner text not null default '',
  cause text not null default '',
  event text not null,
  consequence text not null default '',
  controls text not null default '',
  inherent_likelihood smallint check (inherent_likelihood between 1 and 9),
  inherent_impact smallint check (inherent_impact between 1 and 9),
  residual_likelihood smallint check (residual_likelihood between 1 and 9),
  residual_impact smallint check (residual_impact between 1 and 9),
  treatment text check (treatment in ('reduce', 'accept', 'avoid', 'transfer')),
  reviewed_on date,
  next_review_on date,
  -- what it was made from: [{source, ...metadata}] (aggregate figures only, never case content)
  evidence jsonb not null default '[]',
  updated_by integer not null references staff_user (id),
  updated_at timestamptz not null default now(),
  unique (register_id, number)
);

create table risk_action (
  id serial primary key,
  risk_id integer not null references risk_item (id),
  title text not null,
  owner text not null default '',
  due_on date,
  budget numeric(14, 2) not null default 0 check (budget >= 0),
  progress_6 text not null default '',
  progress_12 text not null default '',
  done_on date,
  -- the same action kept once: an ITA measure of the agency stands for it (its dates, budget, progress)
  ita_measure_id integer references ita_measure (id),
  updated_by integer not null references staff_user (id),
  updated_at timestamptz not null default now()
);
create index risk_action_risk on risk_action (risk_id);

-- Every change of a register, its risks and actions: what it became, who, when. Only appended.
create table risk_history (
  id bigserial primary key,
  register_id integer not null references risk_register (id),
  risk_id integer,
  kind text not null,
  snapshot jsonb not null,
  actor_user_id integer not null references staff_user (id),
  at timestamptz not null default now()
);
create index risk_history_register on risk_history (register_id, id);

-- A publication: the register as published (canonical JSON), its SHA-256, and the ledger entry's
-- opening (public: the register is public), so anyone can check the entry commits to it.
create table risk_publication (
  id serial primary key,
  register_id integer not null references risk_register (id),
  outbox_id integer not null,
  digest bytea not null check (length(digest) = 32),
  snapshot text not null,
  opening jsonb not null,
  published_by integer not null references staff_user (id),
  published_at timestamptz not null default now()
);
create index risk_publication_register on risk_publication (register_id, id);

-- Which agencies a reviewer oversees, granted by the platform administrator.
create table risk_oversight (
  reviewer_user_id integer not null references staff_user (id),
  agency_id integer not null references agency (id),
  granted_by integer not null references staff_user (id),
  granted_at timestamptz not null default now(),
  primary key (reviewer_user_id, agency_id)
);

-- A reviewer's scoring against the checklist (src/risk/review.ts), and the agency's answers. Only appended.
create table risk_review (
  id serial primary key,
  register_id integer not null references risk_register (id),
  reviewer_user_id integer not null references staff_user (id),
  scores jsonb not null,
  comment text not null default '',
  at timestamptz not null default now()
);
create table risk_review_answer (
  id serial primary key,
  review_id integer not null references risk_review (id),
  answer text not null,
  answered_by integer not null references staff_user (id),
  at timestamptz not null default now()
);

-- The signals count an agency's cases by period: one index serves them all.
create index report_case_agency_created on report_case (agency_id, created_at) include (kind, category, channel, outcome);
