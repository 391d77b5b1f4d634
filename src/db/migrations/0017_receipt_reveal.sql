-- Reload-safe receipts (issue 13, B.1): after a filing the browser is redirected to a page that
-- shows the receipt from this one-time record, written in the filing's own statement. The record is
-- sealed with a key that only the filer's browser holds (a cookie), so the database alone opens
-- nothing; it lives 30 minutes at most, or until the filer removes it.
create table receipt_reveal (
  id_hash bytea primary key check (length(id_hash) = 32),
  sealed bytea not null,
  expires_at timestamptz not null
);
create index receipt_reveal_expiry on receipt_reveal (expires_at);
