-- Citizen complaints (issue 5): complaints and late-permit complaints are cases of the same store,
-- with a kind; ratings after closure; the LINE channel's durable webhook store, conversations,
-- contacts and outbox. Everything a LINE user said is sealed with the platform's channel key
-- (kept in secrets.json, never in the database).

alter table report_case add column kind text not null default 'tip' check (kind in ('tip', 'complaint', 'permit'));
-- The categories of a complaint beside those of a tip (src/intake/limits.ts lists them all).
alter table report_case drop constraint report_case_category_check;
alter table report_case add constraint report_case_category_check check (category in (
  'bribery', 'procurement_fraud', 'abuse_of_authority', 'misuse_of_state_property', 'conflict_of_interest', 'other',
  'service_delay', 'staff_conduct', 'service_quality', 'infrastructure', 'public_nuisance', 'fees', 'other_service', 'late_permit'));
create index report_case_agency_kind on report_case (agency_id, kind);
-- The public figures count cases received in a period by agency, kind, channel and status.
create index report_case_received on report_case (created_at) include (agency_id, kind, channel, status);

-- A permit request that is late against the citizen manual (Licensing Facilitation Act B.E. 2558).
-- The dates are metadata: the §10 reminders and the figures need them without a case key.
create table permit_request (
  case_id uuid primary key references report_case (id),
  agency_id integer not null references agency (id),
  filed_on date not null,
  manual_due_on date not null check (manual_due_on >= filed_on),
  decision text check (decision in ('approved', 'rejected')),
  decided_on date,
  -- when the agency is next reminded to tell the applicant why it is late (§10); null once decided
  next_notice_at timestamptz,
  check ((decision is null) = (decided_on is null))
);
create index permit_request_due on permit_request (next_notice_at) where decision is null;
create index permit_request_agency on permit_request (agency_id);

-- Every §10 reminder the platform sent, and every time staff told the applicant the reason.
create table permit_notice (
  id bigserial primary key,
  case_id uuid not null references permit_request (case_id),
  kind text not null check (kind in ('reminder', 'reason_told')),
  at timestamptz not null default now(),
  recipients integer not null default 0
);
create index permit_notice_case on permit_notice (case_id, id);

-- One rating per case, after closure. Linked to the agency, never to staff; the comment is sealed
-- to the case's team.
create table case_rating (
  case_id uuid primary key references report_case (id),
  agency_id integer not null references agency (id),
  score smallint not null check (score between 1 and 5),
  comment bytea,
  channel text not null check (channel in ('web', 'line')),
  rated_on date not null default current_date
);
create index case_rating_agency on case_rating (agency_id);

-- LINE webhook events, stored before the webhook answers 200; processed once, in order of arrival.
create table line_event (
  seq bigserial primary key,
  webhook_event_id text not null unique,
  -- HMAC of the LINE user id (null for events without one): a user's events are processed in order
  user_hash bytea,
  received_at timestamptz not null default now(),
  -- the event JSON sealed with the channel key; dropped once processed
  body bytea,
  state text not null default 'pending' check (state in ('pending', 'done', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  redeliveries integer not null default 0,
  processed_at timestamptz
);
create index line_event_pending on line_event (seq) where state = 'pending';
create index line_event_pending_user on line_event (user_hash, seq) where state = 'pending';

-- A LINE user's conversation, keyed by HMAC(channel key, user id); the state is sealed.
create table line_conversation (
  user_hash bytea primary key,
  state bytea not null,
  updated_at timestamptz not null default now()
);

-- The LINE user who filed a case, so that status changes and replies reach them.
create table line_contact (
  case_id uuid primary key references report_case (id),
  user_hash bytea not null,
  -- {userId, lang, content key} sealed with the channel key
  sealed bytea not null,
  created_at timestamptz not null default now()
);
create index line_contact_user on line_contact (user_hash, created_at);

-- Messages to send on LINE. The id is the X-Line-Retry-Key of a push, so a retried push is sent once.
create table line_outbox (
  id uuid primary key,
  seq bigserial not null,
  -- {to, replyToken?, messages} sealed with the channel key; dropped once sent
  body bytea,
  state text not null default 'pending' check (state in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index line_outbox_pending on line_outbox (seq) where state = 'pending';

-- What a complainant on LINE is to be told: filled by triggers, so every path that changes a case
-- (web, API, CLI) is covered in the same transaction as the change.
create table complainant_notice (
  id bigserial primary key,
  case_id uuid not null references report_case (id),
  kind text not null check (kind in ('status', 'reply')),
  ref_id text not null,
  created_at timestamptz not null default now(),
  done_at timestamptz,
  unique (kind, ref_id)
);
create index complainant_notice_pending on complainant_notice (id) where done_at is null;

create function notice_complainant_of_event() returns trigger language plpgsql as $$
begin
  if new.for_reporter and exists (select 1 from line_contact where case_id = new.case_id) then
    insert into complainant_notice (case_id, kind, ref_id) values (new.case_id, 'status', new.id::text);
  end if;
  return null;
end $$;
create trigger case_event_notice after insert on case_event for each row execute function notice_complainant_of_event();

create function notice_complainant_of_message() returns trigger language plpgsql as $$
begin
  if new.thread = 'reporter' and new.author_kind = 'staff' and exists (select 1 from line_contact where case_id = new.case_id) then
    insert into complainant_notice (case_id, kind, ref_id) values (new.case_id, 'reply', new.id::text);
  end if;
  return null;
end $$;
create trigger case_message_notice after insert on case_message for each row execute function notice_complainant_of_message();

-- A blob may be held past the hour the orphan sweep allows (photos of a LINE conversation in progress).
alter table blob add column held_until timestamptz;
