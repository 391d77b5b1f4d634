-- Publishing an assessment cycle's results on the public /ita pages (agency administrators). Null:
-- not published, or withdrawn; the time of the latest publication otherwise.
alter table ita_cycle add column published_at timestamptz;
