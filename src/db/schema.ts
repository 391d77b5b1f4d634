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
    settings: ColumnType<AgencySettings, string | undefined, string>;
    created_at: Stamp;
  };
  staff_user: {
    id: Generated<number>;
    agency_id: number | null;
    email: string;
    display_name: Generated<string>;
    kdf_salt: Buffer | null;
    kdf_params: ColumnType<{ memoryKiB: number; iterations: number; parallelism: number } | null, string | null, string | null>;
    password_verifier: Buffer | null;
    public_key: Buffer | null;
    wrapped_private_key: Buffer | null;
    is_active: Generated<boolean>;
    totp_sealed: Buffer | null;
    totp_last_step: number | null;
    recovery_hashes: ColumnType<Buffer[], Buffer[] | undefined, Buffer[]>;
    password_changed_at: Stamp;
    created_at: Stamp;
  };
  staff_role: { user_id: number; role: StaffRole; granted_at: Stamp };
  setup_token: { token_hash: Buffer; purpose: 'first_admin' | 'account'; user_id: number | null; expires_at: Date; created_at: Stamp };
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
    channel: CaseChannel;
    status: ColumnType<CaseStatus, CaseStatus | undefined, CaseStatus>;
    outcome: CaseOutcome | null;
    duplicate_of: string | null;
    team_public_key: Buffer | null;
    has_identity: boolean;
    content: Buffer;
    identity: Buffer | null;
    ack_due_at: Date | null;
    reply_due_at: Date | null;
    feedback_due_at: Date | null;
    paused_at: Date | null;
    first_reply_at: Date | null;
    created_at: Stamp;
    updated_at: Stamp;
  };
  case_key: { case_id: string; user_id: number; purpose: KeyPurpose; sealed_key: Buffer };
  case_agency: { case_id: string; agency_id: number; is_owner: boolean };
  case_assignment: { case_id: string; user_id: number; assigned_by: number | null; assigned_at: Stamp };
  case_grant: {
    id: string;
    case_id: string;
    user_id: number;
    purpose: 'content' | 'identity';
    requested_by: number | null;
    requested_at: Stamp;
    state: ColumnType<'pending' | 'sealed' | 'refused_named' | 'cancelled', string | undefined, string>;
    settled_by: number | null;
    settled_at: Date | null;
    referral_id: string | null;
  };
  case_event: {
    id: Generated<number>;
    case_id: string;
    at: Stamp;
    actor_user_id: number | null;
    actor_role: string | null;
    kind: string;
    from_status: string | null;
    to_status: string | null;
    outcome: string | null;
    agency_id: number | null;
    reason: Buffer | null;
    for_reporter: Generated<boolean>;
  };
  identity_request: {
    id: string;
    case_id: string;
    requester_id: number;
    reason: Buffer;
    requested_at: Stamp;
    state: ColumnType<'pending' | 'approved' | 'refused', string | undefined, string>;
    decided_by: number | null;
    decided_at: Date | null;
    decision_reason: Buffer | null;
  };
  case_referral: { id: string; case_id: string; from_agency_id: number; to_agency_id: number; mode: 'transfer' | 'copy'; sender_keeps_access: boolean; referred_by: number; referred_at: Stamp };
  case_witness: {
    id: string;
    case_id: string;
    invited_by: number;
    label: Buffer;
    invitation_hash: Buffer | null;
    invitation_expires_at: Date | null;
    wrapped_for_invitation: Buffer | null;
    lookup: Buffer | null;
    wrapped_for_witness: Buffer | null;
    key_for_team: Buffer;
    created_at: Stamp;
    redeemed_at: Date | null;
  };
  deadline_notice: { case_id: string; clock: 'ack' | 'reply' | 'feedback'; kind: 'due_soon' | 'overdue'; sent_at: Stamp };
  reporter_access: { lookup: Buffer; case_id: string; wrapped_keys: Buffer };
  case_message: {
    id: string;
    case_id: string;
    author_kind: 'reporter' | 'staff' | 'witness';
    author_user_id: number | null;
    author_role: string | null;
    thread: ColumnType<MessageThread, MessageThread | undefined, MessageThread>;
    witness_id: string | null;
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
    uploaded_by: 'reporter' | 'staff' | 'witness';
    meta: Buffer;
    created_at: Stamp;
  };
  ledger_outbox: { id: Generated<number>; entry: Buffer };
  ledger_entry: { idx: number; outbox_id: number; entry: Buffer };
  ledger_tile: { level: number; idx: number; hashes: Buffer };
  ledger_state: { singleton: Generated<boolean>; format_version: number; origin: string; tree_size: number; tree_root: Buffer; signed_size: number; checkpoint: string };
  case_ledger_event: { id: string; outbox_id: number; case_id: string; event: string; opening: Buffer; sealing: ColumnType<'content' | 'team', 'content' | 'team' | undefined, never> };
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

export const CASE_STATUSES = ['new', 'acknowledged', 'screening', 'investigating', 'referred', 'concluded', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const SCREENING_OUTCOMES = ['out_of_scope', 'insufficient_information', 'duplicate', 'unfounded_or_malicious'] as const;
export const CONCLUSIONS = ['substantiated', 'partly_substantiated', 'not_substantiated'] as const;
export type CaseOutcome = (typeof SCREENING_OUTCOMES)[number] | (typeof CONCLUSIONS)[number];
export const CASE_CHANNELS = ['web', 'api', 'line', 'phone', 'walk_in', 'hotline_1111', 'hotline_1206', 'referral'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];
export type KeyPurpose = 'content' | 'identity' | 'team';
export type MessageThread = 'reporter' | 'internal' | 'witness';
export const STAFF_ROLES = ['platform_admin', 'agency_admin', 'intake_officer', 'investigator', 'supervisor', 'identity_custodian', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Per-agency settings (agency.settings). Deadline days per clock; `categories` overrides per category. */
export type DeadlinePolicy = { ackDays: number; replyDays: number; feedbackMonths: number; pauseWhileWaiting: boolean };
export type AgencySettings = { deadlines?: Partial<DeadlinePolicy>; categoryDeadlines?: Record<string, Partial<DeadlinePolicy>>; notifyReporterOfDisclosure?: boolean };
