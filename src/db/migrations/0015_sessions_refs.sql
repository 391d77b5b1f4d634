-- Reporter logout: the tokens are stateless (sealed, not stored), so a logged-out token is kept
-- here until it would have expired anyway. Only a hash of the sealed token and its expiry rounded
-- up to the hour: no case, no client, no login time finer than the hour.
create table revoked_reporter_token (
  token_hash bytea primary key,
  expires_at timestamptz not null
);
create index revoked_reporter_token_expiry on revoked_reporter_token (expires_at);
