-- Reporter logout: the tokens are stateless (sealed, not stored), so a logged-out token is kept
-- here until it would have expired anyway. Only a hash of the sealed token and its expiry rounded
-- up to the hour: no case, no client, no login time finer than the hour.
create table revoked_reporter_token (
  token_hash bytea primary key,
  expires_at timestamptz not null
);
create index revoked_reporter_token_expiry on revoked_reporter_token (expires_at);

-- Case references are numbered per agency and Buddhist Era year (OPDC-2569-000001), so that a
-- filer learns nothing of the platform's volume. The global `number` stays, for ordering only.
create table case_counter (
  agency_id integer not null references agency (id),
  year integer not null,
  last bigint not null,
  primary key (agency_id, year)
);
-- Existing references were numbered from one global sequence: continue each agency's year after
-- its highest stored number, so that no new reference can equal a stored one.
insert into case_counter (agency_id, year, last)
select a.id, m.p[2]::int, max(m.p[3]::bigint)
from report_case c
cross join lateral regexp_match(c.reference, '^(.+)-(\d{4})-(\d+)$') as m(p)
join agency a on a.code = m.p[1]
group by a.id, m.p[2];
