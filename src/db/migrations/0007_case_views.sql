-- Indexes for the case views at national scale (bench/cases.ts: 200,000 cases in 50 agencies).

-- The due views of one person's cases (`mine`, `assigned`: no agency to lead an index with):
-- the open cases whose clocks run, soonest due first, so that the first page walks this index and
-- probes the person's keys instead of sorting every open case (overdue, 40,000-case agency's
-- intake officer: 140 ms → 0.4 ms for the page).
create index report_case_due_running on report_case ((least(ack_due_at, reply_due_at, feedback_due_at)), number desc)
  where status <> 'closed' and paused_at is null;

-- The copies an agency received by referral, without the owners' rows: the `agency` scope's
-- second branch reads only these (largest agency: 40,000 owner rows no longer scanned for none).
create index case_agency_copies on case_agency (agency_id, case_id) where not is_owner;
