-- A refused filing form given back after a redirect (issue 13, B.1): the post answers 303 to the
-- form's own page, which shows what was typed and the error from this one-time record, so going
-- back to it or reloading it never asks to send the form again and never files. Sealed as
-- receipt_reveal is, with a key that only the filer's browser holds (a cookie); 30 minutes at most,
-- and removed when the filing succeeds.
create table form_return (
  id_hash bytea primary key check (length(id_hash) = 32),
  sealed bytea not null,
  expires_at timestamptz not null
);
create index form_return_expiry on form_return (expires_at);
