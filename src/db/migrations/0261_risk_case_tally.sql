-- The risk signals' case counts kept as they change (src/risk/tally.ts), so that counting them for
-- an agency's year reads a few thousand rows instead of every case (issue 16: 200 ms over 200,000
-- cases). Cases per agency, Bangkok day received, kind, category and outcome: metadata only, as
-- the signals read it. A change to a case adds a row to risk_case_delta (-1 for what it was, +1
-- for what it is) from a trigger, in the transaction of the change: a plain insert, so concurrent
-- filings and handling never wait on one another's counter. Counting reads risk_case_day plus the
-- agency's deltas; it first folds the agency's deltas into risk_case_day when no one else is.
create table risk_case_day (
  agency_id integer not null,
  day date not null,
  kind text not null,
  category text not null,
  outcome text,
  n integer not null,
  constraint risk_case_day_key unique nulls not distinct (agency_id, day, kind, category, outcome)
);

create table risk_case_delta (
  agency_id integer not null,
  day date not null,
  kind text not null,
  category text not null,
  outcome text,
  n integer not null
);
create index risk_case_delta_agency on risk_case_delta (agency_id, day);

insert into risk_case_day (agency_id, day, kind, category, outcome, n)
select agency_id, (created_at at time zone 'Asia/Bangkok')::date, kind, category, outcome, count(*)
from report_case group by 1, 2, 3, 4, 5;

-- Statement triggers with transition tables: a statement adds one delta row per (agency, day, kind,
-- category, outcome) it changed, however many cases (a filing adds one; a bulk load a few thousand).
create or replace function risk_case_tally_inserted() returns trigger language plpgsql as $$
begin
  insert into risk_case_delta (agency_id, day, kind, category, outcome, n)
  select agency_id, (created_at at time zone 'Asia/Bangkok')::date, kind, category, outcome, count(*)
  from inserted group by 1, 2, 3, 4, 5;
  return null;
end $$;

create or replace function risk_case_tally_deleted() returns trigger language plpgsql as $$
begin
  insert into risk_case_delta (agency_id, day, kind, category, outcome, n)
  select agency_id, (created_at at time zone 'Asia/Bangkok')::date, kind, category, outcome, -count(*)
  from deleted group by 1, 2, 3, 4, 5;
  return null;
end $$;

-- an update counts only where a counted column changed: a status change, a deadline or a message none
create or replace function risk_case_tally_updated() returns trigger language plpgsql as $$
begin
  insert into risk_case_delta (agency_id, day, kind, category, outcome, n)
  select agency_id, day, kind, category, outcome, sum(n) from (
    select o.agency_id, (o.created_at at time zone 'Asia/Bangkok')::date as day, o.kind, o.category, o.outcome, -1 as n,
      (o.agency_id, o.created_at, o.kind, o.category, o.outcome)
        is distinct from (u.agency_id, u.created_at, u.kind, u.category, u.outcome) as changed
    from before_rows o join after_rows u on u.id = o.id
    union all
    select u.agency_id, (u.created_at at time zone 'Asia/Bangkok')::date, u.kind, u.category, u.outcome, 1,
      (o.agency_id, o.created_at, o.kind, o.category, o.outcome)
        is distinct from (u.agency_id, u.created_at, u.kind, u.category, u.outcome)
    from before_rows o join after_rows u on u.id = o.id) x
  where changed
  group by 1, 2, 3, 4, 5 having sum(n) <> 0;
  return null;
end $$;

drop trigger if exists risk_case_tally_insert on report_case;
create trigger risk_case_tally_insert after insert on report_case
  referencing new table as inserted for each statement execute function risk_case_tally_inserted();
drop trigger if exists risk_case_tally_delete on report_case;
create trigger risk_case_tally_delete after delete on report_case
  referencing old table as deleted for each statement execute function risk_case_tally_deleted();
drop trigger if exists risk_case_tally_update on report_case;
create trigger risk_case_tally_update after update on report_case
  referencing old table as before_rows new table as after_rows for each statement execute function risk_case_tally_updated();

-- The deadline signal counts clocks running past due now, which no stored count can keep: it reads
-- this index of the cases still running (not closed, not paused), covering what it counts.
create index report_case_running_created on report_case (agency_id, created_at)
  include (kind, ack_due_at, reply_due_at, feedback_due_at) where status <> 'closed' and paused_at is null;
