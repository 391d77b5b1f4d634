// PostgreSQL advisory lock keys, in one place so no two mechanisms share one by accident.
export const MIGRATION_LOCK = 7265102;
export const LEDGER_SEQUENCER_LOCK = 7265103;
export const AUDIT_CHAIN_LOCK = 7265104;
/** Held by the one server process that writes a scheduled backup (backup/schedule.ts). */
export const BACKUP_LOCK = 7265110;
/** With an agency's id as the second key: one process folds that agency's risk count deltas (risk/tally.ts). */
export const RISK_TALLY_LOCK = 7265120;
