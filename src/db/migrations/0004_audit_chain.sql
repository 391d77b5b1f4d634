-- The audit trail becomes a hash chain: hash = SHA-256(prev_hash ‖ canonical row). Its head is
-- committed to the ledger at every batch (audit_anchor), so rewriting or deleting an audit row is
-- detectable by recomputing the chain.
alter table audit_event add column prev_hash bytea, add column hash bytea;
create unique index audit_event_hash on audit_event (hash);

create table audit_anchor (
  outbox_id bigint primary key,
  audit_id bigint not null references audit_event (id),
  head bytea not null,
  opening jsonb not null
);
