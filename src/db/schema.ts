// Row types of the tables in migrations/, for Kysely.
import type { ColumnType, Generated } from 'kysely';

type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type Database = {
  agency: {
    id: Generated<number>;
    code: string;
    name_th: string;
    name_en: string;
    is_intake_office: Generated<boolean>;
    created_at: Stamp;
  };
  staff_user: {
    id: Generated<number>;
    agency_id: number;
    email: string;
    role: 'recipient';
    kdf_salt: Buffer;
    kdf_params: ColumnType<{ memoryKiB: number; iterations: number; parallelism: number }, string, string>;
    password_verifier: Buffer;
    public_key: Buffer;
    wrapped_private_key: Buffer;
    is_active: Generated<boolean>;
    created_at: Stamp;
  };
  staff_session: {
    token_hash: Buffer;
    user_id: number;
    sealed_private_key: Buffer;
    expires_at: Date;
    created_at: Stamp;
  };
  report_case: {
    id: string;
    number: Generated<number>;
    reference: string;
    agency_id: number;
    category: string;
    channel: 'web' | 'api';
    status: ColumnType<CaseStatus, CaseStatus | undefined, CaseStatus>;
    has_identity: boolean;
    content: Buffer;
    identity: Buffer | null;
    created_at: Stamp;
    updated_at: Stamp;
  };
  case_key: { case_id: string; user_id: number; purpose: 'content' | 'identity'; sealed_key: Buffer };
  reporter_access: { lookup: Buffer; case_id: string; wrapped_keys: Buffer };
  case_message: {
    id: string;
    case_id: string;
    author_kind: 'reporter' | 'staff';
    author_user_id: number | null;
    author_role: 'recipient' | null;
    body: Buffer;
    number: Generated<number>;
    created_at: Stamp;
  };
  blob: { id: string; created_at: Stamp };
  blob_chunk: { blob_id: string; seq: number; data: Buffer };
  attachment: {
    id: string;
    case_id: string;
    message_id: string | null;
    blob_id: string;
    uploaded_by: 'reporter' | 'staff';
    meta: Buffer;
    created_at: Stamp;
  };
  ledger_outbox: { id: Generated<number>; entry: Buffer };
  ledger_entry: { idx: number; outbox_id: number; entry: Buffer };
  ledger_tile: { level: number; idx: number; hashes: Buffer };
  ledger_state: { singleton: Generated<boolean>; format_version: number; origin: string; tree_size: number; tree_root: Buffer; signed_size: number; checkpoint: string };
  case_ledger_event: { id: string; outbox_id: number; case_id: string; event: string; opening: Buffer };
  audit_event: {
    id: Generated<number>;
    at: Stamp;
    actor_user_id: number | null;
    action: string;
    case_id: string | null;
    case_reference: string | null;
    detail: ColumnType<Record<string, unknown>, string | undefined, string>;
    prev_hash: Buffer | null;
    hash: Buffer | null;
  };
  audit_anchor: { outbox_id: number; audit_id: number; head: Buffer; opening: ColumnType<Record<string, unknown>, string, string> };
};

export type CaseStatus = 'new' | 'acknowledged' | 'in_progress' | 'closed';
export const CASE_STATUSES: readonly CaseStatus[] = ['new', 'acknowledged', 'in_progress', 'closed'];
