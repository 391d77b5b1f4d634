-- Retention and legal hold (issue 15, item 5). An agency's retention rules live in agency.settings
-- (key `retention`). A case past its rule is crypto-shredded: its sealed keys and sealed content are
-- deleted and this content-free tombstone is kept beside the report_case row (which keeps only
-- routing metadata: reference, kind, category, status, outcome, dates). The ledger's entries stay.
create table case_tombstone (
  case_id uuid primary key references report_case (id),
  closed_at timestamptz,
  shredded_at timestamptz not null default now(),
  -- The rule applied: {"kind", "outcome", "months", "source": "agency" | "platform"} (no content).
  rule jsonb not null
);

-- A legal hold stops retention. The reason is sealed to the case team and the supervisor who set it.
create table case_hold (
  case_id uuid primary key references report_case (id),
  held_by integer not null references staff_user (id),
  held_at timestamptz not null default now(),
  reason bytea not null
);

-- The sealed identity (personal data) erased alone: by its own rule or on the data subject's request.
alter table report_case add column if not exists identity_erased_at timestamptz;

-- The job looks for closed cases still holding content.
create index if not exists report_case_closed_live on report_case (agency_id, id) where status = 'closed';
create index if not exists case_event_closing on case_event (case_id, at) where to_status = 'closed';
-- Shredding deletes a case's rows table by table: each needs an index on case_id.
create index if not exists case_witness_case on case_witness (case_id);
create index if not exists identity_request_case on identity_request (case_id);
create index if not exists case_grant_case on case_grant (case_id);
create index if not exists complainant_notice_case on complainant_notice (case_id);
