-- When each case's acknowledgement and conclusion clocks were first met, kept on the case (issue 17):
-- the open-data counts read them from report_case instead of grouping every status event of every
-- case (at 1,000,000 cases that grouping was hashed by each parallel worker, 6.5 s each). They are
-- what the counts computed before: the first status event out of 'new', and the first into
-- 'concluded' or 'closed'. Events are never deleted or moved (retention only clears their reasons),
-- so an insert trigger keeps them exact; least() ignores a null.
alter table report_case add column first_ack_at timestamptz, add column first_done_at timestamptz;

-- The risk tally's update trigger (0261) compares every updated row's counted columns, none of which
-- this update changes: it is set aside for the fill, which then writes each case once and nothing else.
alter table report_case disable trigger risk_case_tally_update;
update report_case c set first_ack_at = e.ack_at, first_done_at = e.done_at
from (
  select case_id,
    min(at) filter (where from_status = 'new' and to_status is not null) as ack_at,
    min(at) filter (where to_status in ('concluded', 'closed')) as done_at
  from case_event where to_status is not null group by case_id
) e
where e.case_id = c.id and (e.ack_at is not null or e.done_at is not null);
alter table report_case enable trigger risk_case_tally_update;

create or replace function case_clock_times() returns trigger language plpgsql as $$
begin
  update report_case set
    first_ack_at = case when new.from_status = 'new' and new.to_status is not null
      then least(first_ack_at, new.at) else first_ack_at end,
    first_done_at = case when new.to_status in ('concluded', 'closed')
      then least(first_done_at, new.at) else first_done_at end
  where id = new.case_id;
  return null;
end $$;

drop trigger if exists case_clock_times on case_event;
create trigger case_clock_times after insert on case_event for each row
  when ((new.from_status = 'new' and new.to_status is not null) or new.to_status in ('concluded', 'closed'))
  execute function case_clock_times();
