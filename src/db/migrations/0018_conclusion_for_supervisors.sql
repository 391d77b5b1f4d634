-- The reason a case was concluded, sealed also to each supervisor of the owning agency (a JSON
-- object: user id → sealed box, as identity requests seal theirs): the supervisor who approves the
-- closure reads the findings without holding the case's keys. Null for every other event.
alter table case_event add column if not exists reason_for_supervisors bytea;
