-- Issue 19: the case team records on the case page the businesses a case concerns (case_business,
-- migration 0220). Each gets an optional short name (the registered name, never text of the report:
-- 200 characters at most) and the time it was added, shown on the case page. Both are metadata in the
-- clear, like the juristic-person number itself, which is public registry data (docs/declarations.md).
alter table case_business add column name text not null default '' check (length(name) <= 200);
alter table case_business add column added_at timestamptz not null default now();
