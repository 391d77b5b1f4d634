-- Issue 18, item 3: the ethics question service. Each agency's knowledge base (documents split into
-- passages, written by its ethics officers, in the clear: they are the agency's published rules),
-- a version counter the in-memory search index is rebuilt against, and the questions sent on to the
-- ethics officers. A question and its answer are sealed (AEAD) under a key of the question, itself
-- sealed to each ethics officer of the agency (ethics_question_key) and to the asker: to a named
-- asker's public key, or under the key derived from an anonymous asker's code. An anonymous
-- question holds no user id, no session and only the day it was asked (no time to match against
-- the staff request log); its id is random, not a sequence in the order of asking.
create table ethics_kb_document (
  id serial primary key,
  agency_id integer not null references agency (id),
  kind text not null check (kind in ('code', 'regulation', 'guidance', 'faq')),
  title text not null check (length(title) between 1 and 300),
  source text not null check (length(source) <= 1000),
  url text not null default '' check (length(url) <= 1000),
  sample_key text,
  created_by integer references staff_user (id),
  created_at timestamptz not null default now(),
  unique (agency_id, sample_key)
);
create index ethics_kb_document_agency on ethics_kb_document (agency_id);

create table ethics_kb_passage (
  id serial primary key,
  document_id integer not null references ethics_kb_document (id) on delete cascade,
  position integer not null,
  label text not null default '' check (length(label) <= 300),
  body text not null check (length(body) between 1 and 8000),
  found_at text not null default '' check (length(found_at) <= 1000),
  is_confirmed boolean not null default true,
  sample_key text,
  unique (document_id, position)
);

create table ethics_kb_version (
  agency_id integer primary key references agency (id),
  version bigint not null default 0
);

create table ethics_question (
  id uuid primary key default gen_random_uuid(),
  agency_id integer not null references agency (id),
  asker_user_id integer references staff_user (id),
  code_lookup bytea unique,
  code_sealed_key bytea,
  asker_sealed_key bytea,
  sealed_question bytea not null,
  sealed_answer bytea,
  channel text not null default 'web' check (channel in ('web', 'line')),
  asked_on date not null default current_date,
  answered_at timestamptz,
  answered_by integer references staff_user (id),
  check ((asker_user_id is null) = (code_lookup is not null)),
  check ((code_lookup is null) = (code_sealed_key is null)),
  check ((asker_user_id is null) = (asker_sealed_key is null))
);
create index ethics_question_agency on ethics_question (agency_id, answered_at);
create index ethics_question_asker on ethics_question (asker_user_id) where asker_user_id is not null;

create table ethics_question_key (
  question_id uuid not null references ethics_question (id) on delete cascade,
  user_id integer not null references staff_user (id),
  sealed_key bytea not null,
  primary key (question_id, user_id)
);
