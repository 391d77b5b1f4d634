// Row types of the tables in migrations/, for Kysely.
import type { ColumnType, Generated } from 'kysely';

type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type Database = {
  procurement_import: {
    id: Generated<string>;
    agency_id: number;
    source: 'ocds' | 'egp';
    file_name: string;
    settings: string;
    lines: number;
    releases: number;
    skipped: number;
    other_currency: number;
    faults: ColumnType<{ line: number; reason: string }[], string, string>;
    imported_by: number | null;
    imported_at: Generated<Date>;
  };
  procurement_release: {
    import_id: string;
    ocid: string;
    title: string | null;
    buyer: string | null;
    release: ColumnType<unknown, string, string>;
  };
  procurement_flag: {
    import_id: string;
    grp: 'OCID' | 'Buyer' | 'ProcuringEntity' | 'Tenderer';
    key: string;
    code: string;
    value: number | null;
  };
  agency: {
    id: Generated<number>;
    code: string;
    name_th: string;
    name_en: string;
    is_intake_office: Generated<boolean>;
    settings: ColumnType<AgencySettings, string | undefined, string>;
    escrow_public_key: Buffer | null;
    ministry: Generated<string>;
    province: Generated<string>;
    agency_type: Generated<AgencyType>;
    created_at: Stamp;
  };
  overseer_agency: { user_id: number; agency_id: number; granted_by: number | null; granted_at: Stamp };
  dataset_release: {
    dataset: string;
    month: string;
    created_at: Stamp;
    csv: Buffer;
    json: Buffer;
    sha256: Buffer;
    outbox_id: number;
    opening: ColumnType<Record<string, unknown>, string, never>;
  };
  staff_user: {
    id: Generated<number>;
    agency_id: number | null;
    email: string;
    display_name: Generated<string>;
    kdf_salt: Buffer | null;
    kdf_params: ColumnType<
      { memoryKiB: number; iterations: number; parallelism: number } | null,
      string | null,
      string | null
    >;
    password_verifier: Buffer | null;
    public_key: Buffer | null;
    wrapped_private_key: Buffer | null;
    is_active: Generated<boolean>;
    totp_sealed: Buffer | null;
    totp_last_step: number | null;
    recovery_hashes: ColumnType<Buffer[], Buffer[] | undefined, Buffer[]>;
    password_changed_at: Stamp;
    escrowed_private_key: Buffer | null;
    escrowed_for: Buffer | null;
    /** The staff member's unit of their agency (0230). */
    unit_id: ColumnType<number | null, number | null | undefined, number | null>;
    created_at: Stamp;
  };
  /** An agency's units, one level of nesting; deactivated, never deleted (0230). */
  agency_unit: {
    id: Generated<number>;
    agency_id: number;
    code: string;
    name_th: string;
    name_en: string;
    parent_id: number | null;
    is_active: Generated<boolean>;
    created_by: number | null;
    created_at: Generated<Date>;
  };
  staff_role: { user_id: number; role: StaffRole; granted_at: Stamp };
  receipt_reveal: { id_hash: Buffer; sealed: Buffer; expires_at: Date };
  form_return: { id_hash: Buffer; sealed: Buffer; expires_at: Date };
  role_grant: {
    id: string;
    user_id: number;
    role: KeyRole;
    requested_by: number | null;
    requested_at: Stamp;
    state: Generated<'pending' | 'confirmed' | 'refused' | 'cancelled'>;
    decided_by: number | null;
    decided_at: Date | null;
  };
  setup_token: {
    token_hash: Buffer;
    purpose: 'first_admin' | 'account' | 'restore';
    user_id: number | null;
    expires_at: Date;
    created_at: Stamp;
    wrapped_private_key: Buffer | null;
  };
  escrow_share: { agency_id: number; user_id: number; share: 1 | 2; sealed: Buffer };
  escrow_restore: {
    id: string;
    agency_id: number;
    user_id: number;
    requested_by: number;
    shares_for_custodians: ColumnType<Record<string, string>, string, string>;
    state: ColumnType<'pending' | 'approved' | 'refused', string | undefined, string>;
    decided_by: number | null;
    requested_at: Stamp;
    decided_at: Date | null;
  };
  staff_session: {
    token_hash: Buffer;
    user_id: number;
    sealed_private_key: Buffer;
    expires_at: Date;
    created_at: Stamp;
  };
  revoked_reporter_token: { token_hash: Buffer; expires_at: Date };
  case_counter: { agency_id: number; year: number; last: number };
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
    /** When the case first left 'new', and first reached 'concluded' or 'closed' (kept by a trigger on case_event, migration 0262). */
    first_ack_at: ColumnType<Date | null, never, never>;
    first_done_at: ColumnType<Date | null, never, never>;
    kind: ColumnType<CaseKind, CaseKind | undefined, CaseKind>;
    /** The sealed identity erased alone (its retention rule or the data subject's request). */
    identity_erased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    /** The unit the case concerns, of the owning agency (0230): metadata, like the category. */
    unit_id: ColumnType<number | null, number | null | undefined, number | null>;
    created_at: Stamp;
    updated_at: Stamp;
  };
  /** A shredded case: what is left of it besides its report_case metadata (migration 0120). */
  case_tombstone: {
    case_id: string;
    closed_at: Date | null;
    shredded_at: Stamp;
    rule: ColumnType<Record<string, unknown>, string, string>;
  };
  /** A legal hold: the case is not shredded while it lasts. The reason is sealed (sealReason). */
  case_hold: { case_id: string; held_by: number; held_at: Stamp; reason: Buffer };
  case_key: {
    case_id: string;
    user_id: number;
    purpose: KeyPurpose;
    sealed_key: Buffer;
    /** The same key wrapped under the holder's ring key (cases/key-ring.ts), written by a search (0140). */
    ring_key: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  };
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
    /** A conclusion's reason sealed to the owning agency's supervisors (JSON: user id → sealed box). */
    reason_for_supervisors: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
    for_reporter: Generated<boolean>;
    /** The unit a `unit_set` event named (0230). */
    unit_id: ColumnType<number | null, number | null | undefined, number | null>;
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
  case_referral: {
    id: string;
    case_id: string;
    from_agency_id: number;
    to_agency_id: number;
    mode: 'transfer' | 'copy';
    sender_keeps_access: boolean;
    referred_by: number;
    referred_at: Stamp;
  };
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
  deadline_notice: {
    case_id: string;
    clock: 'ack' | 'reply' | 'feedback';
    kind: 'due_soon' | 'overdue';
    sent_at: Stamp;
  };
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
  blob: { id: string; created_at: Stamp; held_until: Date | null };
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
  filing_ticket_use: { digest: Buffer; expires_at: Date };
  ledger_entry: { idx: number; outbox_id: number; entry: Buffer };
  ledger_tile: { level: number; idx: number; hashes: Buffer };
  ledger_state: {
    singleton: Generated<boolean>;
    format_version: number;
    origin: string;
    tree_size: number;
    tree_root: Buffer;
    signed_size: number;
    checkpoint: string;
  };
  case_ledger_event: {
    id: string;
    outbox_id: number;
    case_id: string;
    event: string;
    opening: Buffer;
    sealing: ColumnType<'content' | 'team', 'content' | 'team' | undefined, never>;
  };
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
  permit_request: {
    case_id: string;
    agency_id: number;
    filed_on: string;
    manual_due_on: string;
    decision: 'approved' | 'rejected' | null;
    decided_on: string | null;
    next_notice_at: Date | null;
  };
  permit_notice: {
    id: Generated<number>;
    case_id: string;
    kind: 'reminder' | 'reason_told';
    at: Stamp;
    recipients: ColumnType<number, number | undefined, number>;
  };
  case_rating: {
    case_id: string;
    agency_id: number;
    score: number;
    comment: Buffer | null;
    channel: 'web' | 'line';
    rated_on: ColumnType<string, string | undefined, string>;
  };
  line_event: {
    seq: Generated<number>;
    webhook_event_id: string;
    user_hash: Buffer | null;
    received_at: Stamp;
    body: Buffer | null;
    state: ColumnType<
      'pending' | 'done' | 'failed',
      'pending' | 'done' | 'failed' | undefined,
      'pending' | 'done' | 'failed'
    >;
    attempts: ColumnType<number, number | undefined, number>;
    next_attempt_at: Stamp;
    last_error: string | null;
    redeliveries: ColumnType<number, number | undefined, number>;
    processed_at: Date | null;
  };
  line_conversation: { user_hash: Buffer; state: Buffer; updated_at: Stamp };
  line_contact: { case_id: string; user_hash: Buffer; sealed: Buffer; created_at: Stamp };
  line_staff_link: {
    user_id: number;
    staff_hash: Buffer;
    sealed: Buffer;
    state: Buffer | null;
    linked_at: Stamp;
    /** A date (Thailand): 'YYYY-MM-DD'. */
    lesson_pushed_on: ColumnType<string | null, string | null | undefined, string | null>;
  };
  line_link_code: {
    id: Generated<number>;
    user_id: number;
    code_hash: Buffer;
    created_at: Stamp;
    expires_at: Date;
    used_at: Date | null;
  };
  line_link_failure: { id: Generated<string>; staff_hash: Buffer; at: Stamp };
  ethics_lesson_read: { lesson_id: number; user_id: number; channel: 'web' | 'line'; read_at: Stamp };
  line_outbox: {
    id: string;
    seq: Generated<number>;
    body: Buffer | null;
    state: ColumnType<
      'pending' | 'sent' | 'failed',
      'pending' | 'sent' | 'failed' | undefined,
      'pending' | 'sent' | 'failed'
    >;
    attempts: ColumnType<number, number | undefined, number>;
    next_attempt_at: Stamp;
    last_error: string | null;
    created_at: Stamp;
    sent_at: Date | null;
  };
  complainant_notice: {
    id: Generated<number>;
    case_id: string;
    kind: 'status' | 'reply';
    ref_id: string;
    created_at: Stamp;
    done_at: Date | null;
  };
  audit_anchor: {
    outbox_id: number;
    audit_id: number;
    head: Buffer;
    opening: ColumnType<Record<string, unknown>, string, string>;
  };
  ita_cycle: {
    id: Generated<number>;
    agency_id: number;
    fiscal_year: number;
    framework_name: string;
    framework: ColumnType<unknown, string, string>;
    public_code: string;
    staff_count: number;
    links_issued: Generated<number>;
    iit_responses: Generated<number>;
    eit_responses: Generated<number>;
    state: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
    oit_due_on: string | null;
    opened_by: number;
    opened_at: Stamp;
    closed_at: Date | null;
    /** Null: the results are not public (never published, or withdrawn). */
    published_at: Date | null;
  };
  ita_link: { token_hash: Buffer; cycle_id: number };
  ita_tally: { cycle_id: number; question_id: string; answer: number; count: number };
  ita_oit_item: {
    cycle_id: number;
    item_id: string;
    evidence_url: string | null;
    evidence_note: string | null;
    file_name: string | null;
    file_type: string | null;
    file_bytes: Buffer | null;
    updated_by: number | null;
    updated_at: Date | null;
    verdict: 'yes' | 'no' | null;
    assessor_comment: string | null;
    assessed_by: number | null;
    assessed_at: Date | null;
  };
  ita_reminder: { cycle_id: number; sent_on: string; missing: number; recipients: number };
  /** Interest and asset declarations (migration 0220, src/declarations). */
  declaration_policy: {
    agency_id: number;
    entry_days: ColumnType<number, number | undefined, number>;
    leaving_days: ColumnType<number, number | undefined, number>;
    yearly_due: ColumnType<string, string | undefined, string>;
    remind_days: ColumnType<number, number | undefined, number>;
    public_summary: ColumnType<boolean, boolean | undefined, boolean>;
    updated_by: number | null;
    updated_at: Stamp;
  };
  declaration_position: {
    id: Generated<number>;
    agency_id: number;
    category: 'procurement' | 'finance' | 'permits' | 'executive' | 'other';
    name: string;
    created_by: number | null;
    created_at: Stamp;
  };
  declaration_holder: { position_id: number; user_id: number; started_on: string; left_on: string | null };
  declaration: {
    id: string;
    agency_id: number;
    user_id: number;
    occasion: 'entry' | 'yearly' | 'leaving';
    filing_token: string;
    content: Buffer;
    flags: ColumnType<string[], string[] | undefined, string[]>;
    public_totals: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
    /** the declarant's figures for the checks, sealed (declarations/summary.ts); on their latest declaration only */
    summary: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
    filed_at: Stamp;
  };
  declaration_key: {
    declaration_id: string;
    user_id: number;
    sealed_key: Buffer;
    ring_key: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  };
  declaration_alert: {
    id: Generated<string>;
    declaration_id: string;
    kind: 'contract' | 'case';
    case_id: string | null;
    detail: Buffer;
    recused_at: Date | null;
  };
  case_business: {
    case_id: string;
    juristic_id: string;
    added_by: number | null;
    name: Generated<string>;
    added_at: Generated<Date>;
  };
  declaration_reminder: { user_id: number; occasion: 'entry' | 'yearly' | 'leaving'; due_on: string; sent_at: Stamp };
  ita_measure: {
    id: Generated<number>;
    cycle_id: number;
    indicator: number;
    title: string;
    objective: string;
    steps: string;
    responsible_unit: string;
    starts_on: string;
    ends_on: string;
    /** numeric(14,2): read as a string such as '12500.00' */
    budget: ColumnType<string, string | number | undefined, string | number>;
    created_by: number;
    created_at: Stamp;
    updated_at: Stamp;
  };
  ita_progress: {
    measure_id: number;
    round: 6 | 12;
    progress: string;
    percent: number;
    budget_used: ColumnType<string, string | number | undefined, string | number>;
    problems: ColumnType<string, string | undefined, string>;
    suggestions: ColumnType<string, string | undefined, string>;
    recorded_by: number;
    recorded_at: Stamp;
  };
  ethics_kb_document: {
    id: Generated<number>;
    agency_id: number;
    kind: 'code' | 'regulation' | 'guidance' | 'faq';
    title: string;
    source: string;
    url: Generated<string>;
    sample_key: string | null;
    created_by: number | null;
    created_at: Stamp;
  };
  ethics_kb_passage: {
    id: Generated<number>;
    document_id: number;
    position: number;
    label: Generated<string>;
    body: string;
    found_at: Generated<string>;
    is_confirmed: Generated<boolean>;
    sample_key: string | null;
  };
  ethics_kb_version: { agency_id: number; version: ColumnType<string, number | undefined, unknown> };
  ethics_question: {
    id: Generated<string>;
    agency_id: number;
    asker_user_id: number | null;
    code_lookup: Buffer | null;
    code_sealed_key: Buffer | null;
    asker_sealed_key: Buffer | null;
    sealed_question: Buffer;
    sealed_answer: Buffer | null;
    channel: Generated<'web' | 'line'>;
    /** A date (no time of day): PostgreSQL's date, read as 'YYYY-MM-DD'. */
    asked_on: ColumnType<string | Date, never, never>;
    answered_at: Date | null;
    answered_by: number | null;
    /** A question asked on LINE: the LINE user id sealed under the channel key, then under the question's key. */
    line_route: Buffer | null;
  };
  ethics_question_key: { question_id: string; user_id: number; sealed_key: Buffer };
  risk_register: {
    id: Generated<number>;
    agency_id: number;
    fiscal_year: number;
    matrix_name: string;
    created_by: number;
    created_at: Stamp;
  };
  risk_item: {
    id: Generated<number>;
    register_id: number;
    number: number;
    state: ColumnType<RiskState, RiskState | undefined, RiskState>;
    area: string;
    process: ColumnType<string, string | undefined, string>;
    unit: ColumnType<string, string | undefined, string>;
    owner: ColumnType<string, string | undefined, string>;
    cause: ColumnType<string, string | undefined, string>;
    event: string;
    consequence: ColumnType<string, string | undefined, string>;
    controls: ColumnType<string, string | undefined, string>;
    inherent_likelihood: number | null;
    inherent_impact: number | null;
    residual_likelihood: number | null;
    residual_impact: number | null;
    treatment: RiskTreatment | null;
    /** date columns: read as YYYY-MM-DD strings */
    reviewed_on: string | null;
    next_review_on: string | null;
    evidence: ColumnType<Record<string, unknown>[], string | undefined, string>;
    updated_by: number;
    updated_at: Stamp;
  };
  risk_action: {
    id: Generated<number>;
    risk_id: number;
    title: string;
    owner: ColumnType<string, string | undefined, string>;
    due_on: string | null;
    /** numeric(14,2): read as a string such as '12500.00' */
    budget: ColumnType<string, string | number | undefined, string | number>;
    progress_6: ColumnType<string, string | undefined, string>;
    progress_12: ColumnType<string, string | undefined, string>;
    done_on: string | null;
    ita_measure_id: number | null;
    updated_by: number;
    updated_at: Stamp;
  };
  risk_history: {
    id: Generated<number>;
    register_id: number;
    risk_id: number | null;
    kind: string;
    snapshot: ColumnType<Record<string, unknown>, string, never>;
    actor_user_id: number;
    at: Stamp;
  };
  risk_publication: {
    id: Generated<number>;
    register_id: number;
    outbox_id: number;
    digest: Buffer;
    snapshot: string;
    opening: ColumnType<Record<string, unknown>, string, string>;
    published_by: number;
    published_at: Stamp;
  };
  risk_oversight: { reviewer_user_id: number; agency_id: number; granted_by: number; granted_at: Stamp };
  ethics_course: {
    id: Generated<number>;
    agency_id: number;
    title_th: string;
    title_en: string;
    pass_mark: number;
    attempts_allowed: number;
    delay_minutes: number;
    grading: 'highest' | 'average' | 'first' | 'last';
    state: Generated<'draft' | 'published'>;
    published_at: Stamp | null;
    created_by: number;
    updated_at: Generated<Date>;
  };
  ethics_lesson: {
    id: Generated<number>;
    course_id: number;
    position: number;
    title_th: string;
    title_en: string;
    body_th: string;
    body_en: string;
  };
  ethics_bank: { id: Generated<number>; agency_id: number; name: string; created_by: number };
  ethics_image: {
    id: Generated<number>;
    course_id: number;
    mime: 'image/png' | 'image/jpeg';
    data: Buffer;
    created_by: number;
    created_at: Generated<Date>;
  };
  ethics_item: {
    id: Generated<number>;
    bank_id: number;
    category: string;
    kind: 'single' | 'multiple' | 'truefalse';
    stem_th: string;
    stem_en: string;
    options: ColumnType<
      { th: string; en: string; correct: boolean; feedbackTh: string; feedbackEn: string }[],
      string,
      string
    >;
    created_by: number;
    created_at: Generated<Date>;
  };
  ethics_blueprint: { course_id: number; bank_id: number; category: string; count: number };
  ethics_test_item: { course_id: number; test: 'pre' | 'post'; position: number; item_id: number };
  ethics_attempt: {
    id: Generated<number>;
    course_id: number;
    user_id: number;
    test: 'pre' | 'post';
    number: number;
    answers: ColumnType<Record<string, number[]>, string | undefined, string>;
    started_at: Generated<Date>;
    submitted_at: Stamp | null;
    item_scores: ColumnType<number[] | null, string | null, string | null>;
    percent: ColumnType<string | null, number | null, number | null>;
  };
  ethics_certificate: {
    id: Generated<number>;
    code: string;
    course_id: number;
    user_id: number;
    shown_name: string;
    course_th: string;
    course_en: string;
    percent: ColumnType<string, number, number>;
    issued_at: Generated<Date>;
    digest: Buffer;
    outbox_id: number;
    opening: ColumnType<Record<string, unknown>, string, string>;
  };
  risk_review: {
    id: Generated<number>;
    register_id: number;
    reviewer_user_id: number;
    scores: ColumnType<Record<string, number>, string, never>;
    comment: ColumnType<string, string | undefined, never>;
    at: Stamp;
  };
  risk_review_answer: { id: Generated<number>; review_id: number; answer: string; answered_by: number; at: Stamp };
  ita_history: {
    agency_id: number;
    fiscal_year: number;
    iit: number | null;
    eit: number | null;
    oit: number | null;
    ita: number | null;
    recorded_by: number;
    recorded_at: Stamp;
  };
  /** Each backup made (by the schedule or the command): when it finished, no content (0110). */
  backup_run: {
    id: Generated<number>;
    started_at: Date;
    finished_at: Generated<Date>;
    made_by: 'schedule' | 'command';
    file_name: string;
    bytes: number;
    table_count: number;
    row_count: number;
  };
};

export type RiskState = 'candidate' | 'assessed' | 'withdrawn';
export type RiskTreatment = 'reduce' | 'accept' | 'avoid' | 'transfer';

export const CASE_STATUSES = [
  'new',
  'acknowledged',
  'screening',
  'investigating',
  'referred',
  'concluded',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const SCREENING_OUTCOMES = [
  'out_of_scope',
  'insufficient_information',
  'duplicate',
  'unfounded_or_malicious',
] as const;
export const CONCLUSIONS = ['substantiated', 'partly_substantiated', 'not_substantiated'] as const;
/** How a service complaint or a late permit ends, told to the complainant at closure (a tip's conclusions are not). */
export const COMPLAINT_OUTCOMES = ['resolved', 'partly_resolved', 'not_resolved', 'referred'] as const;
export type CaseOutcome =
  | (typeof SCREENING_OUTCOMES)[number]
  | (typeof CONCLUSIONS)[number]
  | (typeof COMPLAINT_OUTCOMES)[number];
export const CASE_CHANNELS = [
  'web',
  'api',
  'line',
  'phone',
  'walk_in',
  'hotline_1111',
  'hotline_1206',
  'referral',
] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];
export const CASE_KINDS = ['tip', 'complaint', 'permit'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export type KeyPurpose = 'content' | 'identity' | 'team';
export type MessageThread = 'reporter' | 'internal' | 'witness';
export const STAFF_ROLES = [
  'platform_admin',
  'agency_admin',
  'intake_officer',
  'investigator',
  'supervisor',
  'identity_custodian',
  'auditor',
  'ita_assessor',
  'risk_officer',
  'risk_reviewer',
  'overseer',
  'ethics_officer',
  'declaration_reviewer',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** What kind of body an agency is, for comparing like with like (scorecards) and the oversight filters. */
export const AGENCY_TYPES = [
  'central',
  'provincial',
  'local',
  'state_enterprise',
  'public_organisation',
  'independent',
  'other',
] as const;
export type AgencyType = (typeof AGENCY_TYPES)[number];
/** Roles that bring case keys: given by an administrator, they take effect once a key holder confirms them. */
export const KEY_ROLES = ['intake_officer', 'investigator', 'supervisor', 'identity_custodian'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];
/** Roles that manage accounts and settings: never held together with a key role (separation of duties). */
export const ADMIN_ROLES = ['platform_admin', 'agency_admin'] as const;
/** Per-agency settings (agency.settings). Deadline days per clock; `categories` overrides per category. */
export type DeadlinePolicy = { ackDays: number; replyDays: number; feedbackMonths: number; pauseWhileWaiting: boolean };
export type AgencySettings = {
  deadlines?: Partial<DeadlinePolicy>;
  categoryDeadlines?: Record<string, Partial<DeadlinePolicy>>;
  notifyReporterOfDisclosure?: boolean;
  retention?: RetentionSettings;
};
/** Months after closure: `caseMonths` by `<kind>.<outcome>` (the whole case), `identityMonths` by kind (the sealed identity). */
export type RetentionSettings = {
  caseMonths?: Record<string, number>;
  identityMonths?: Partial<Record<CaseKind, number>>;
};
