-- The cost of anonymous filing under load (src/intake/filing-cost.ts). A filing ticket lives in the
-- form only; once a ticket is used under load, the SHA-256 of its random nonce is kept here until
-- the ticket would have expired anyway, so that it files once. Nothing about the client is kept, no
-- case is named, and the expiry is rounded up to the hour (never a time finer than the minute).
create table filing_ticket_use (
  digest bytea primary key check (length(digest) = 32),
  expires_at timestamptz not null check (expires_at = date_trunc('hour', expires_at))
);
create index filing_ticket_use_expiry on filing_ticket_use (expires_at);
