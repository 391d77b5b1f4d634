-- Times to the minute. A case's deadlines were filing time + N days to the millisecond, and the
-- pause, the first reply and the permit reminders kept the second the server saw: nothing finer
-- than the minute is kept of a case (the code now truncates at the source). Every statement here
-- can run twice.
-- audit_event.at is left as it is: each row's hash covers its time, and the table is append-only.
update report_case set
  ack_due_at = date_trunc('minute', ack_due_at),
  reply_due_at = date_trunc('minute', reply_due_at),
  feedback_due_at = date_trunc('minute', feedback_due_at),
  paused_at = date_trunc('minute', paused_at),
  first_reply_at = date_trunc('minute', first_reply_at),
  created_at = date_trunc('minute', created_at),
  updated_at = date_trunc('minute', updated_at)
where ack_due_at <> date_trunc('minute', ack_due_at) or reply_due_at <> date_trunc('minute', reply_due_at)
  or feedback_due_at <> date_trunc('minute', feedback_due_at) or paused_at <> date_trunc('minute', paused_at)
  or first_reply_at <> date_trunc('minute', first_reply_at) or created_at <> date_trunc('minute', created_at)
  or updated_at <> date_trunc('minute', updated_at);
update case_event set at = date_trunc('minute', at) where at <> date_trunc('minute', at);
update permit_request set next_notice_at = date_trunc('minute', next_notice_at) where next_notice_at <> date_trunc('minute', next_notice_at);
update permit_notice set at = date_trunc('minute', at) where at <> date_trunc('minute', at);

-- Complaint outcomes: a service complaint or a late permit is concluded as resolved, partly
-- resolved, not resolved or referred to the competent body; a tip keeps the tip outcomes.
alter table report_case drop constraint if exists report_case_outcome_check;
alter table report_case add constraint report_case_outcome_check check (outcome in (
  'out_of_scope', 'insufficient_information', 'duplicate', 'unfounded_or_malicious',
  'substantiated', 'partly_substantiated', 'not_substantiated',
  'resolved', 'partly_resolved', 'not_resolved', 'referred'));
alter table report_case drop constraint if exists report_case_tip_outcome_check;
alter table report_case add constraint report_case_tip_outcome_check check (kind <> 'tip' or outcome is null or outcome not in ('resolved', 'partly_resolved', 'not_resolved', 'referred'));
