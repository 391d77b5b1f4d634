-- Each backup made, by the schedule or `sujarit backup`: when it finished (the metrics show the age
-- of the last one) and how big it was. No content: the file's name is the only thing it says of it.
create table backup_run (
  id bigserial primary key,
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  made_by text not null check (made_by in ('schedule', 'command')),
  file_name text not null,
  bytes bigint not null,
  table_count int not null,
  row_count bigint not null
);
create index backup_run_finished on backup_run (finished_at desc);
