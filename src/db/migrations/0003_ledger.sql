-- The integrity ledger: a C2SP tlog-tiles transparency log of content-free case events.
-- Appends go to the outbox in the transaction of the event itself; the sequencer moves them into
-- the tree in batches (integrate), then signs the committed tree (sign). Both advance by
-- compare-and-swap on their size, so two servers on one database never fork the log.

create table ledger_outbox (
  id bigserial primary key,
  entry bytea not null check (length(entry) <= 65535)
);

create table ledger_entry (
  idx bigint primary key check (idx >= 0),
  outbox_id bigint not null unique,
  entry bytea not null check (length(entry) <= 65535)
);

-- Tiles as they grow: `hashes` is the tile's content so far (a prefix of the full tile), so a
-- partial tile of every signed size stays available until the tile is full.
create table ledger_tile (
  level smallint not null check (level >= 0),
  idx bigint not null check (idx >= 0),
  hashes bytea not null check (length(hashes) % 32 = 0 and length(hashes) between 32 and 8192),
  primary key (level, idx)
);

-- One row: the integrated tree (size and root), and the latest signed checkpoint.
create table ledger_state (
  singleton boolean primary key default true check (singleton),
  format_version smallint not null,
  origin text not null,
  tree_size bigint not null,
  tree_root bytea not null,
  signed_size bigint not null,
  checkpoint text not null
);

-- The opening of each case event's commitments, sealed with the case key: only the case's
-- recipients and its reporter can show which public entry is theirs.
create table case_ledger_event (
  id uuid primary key,
  outbox_id bigint not null unique,
  case_id uuid not null references report_case (id) on delete cascade,
  event text not null,
  opening bytea not null
);
create index case_ledger_event_case on case_ledger_event (case_id);
