-- A declarant's summary for the automatic checks (src/declarations/summary.ts): the figures the
-- checks read of each of their declarations in the agency, sealed under the content key of the
-- latest one and kept on that row only (null elsewhere, and on rows filed before this migration
-- until a recheck writes it). A recheck reads one small record per declarant, not every content.
alter table declaration add column summary bytea;
-- Room on each page for a recheck's flag updates to stay heap-only (HOT: flags are in no index),
-- so rewriting flags does not touch the table's five indexes. Applies to pages written from now on.
alter table declaration set (fillfactor = 85);
