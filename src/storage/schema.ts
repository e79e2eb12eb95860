import type { Generated } from 'kysely';

/** Table shapes as Kysely sees them; the same on SQLite and PostgreSQL (timestamps are ISO 8601 text). */
export interface DB {
  administrations: { id: string; country: string; name: string; created_at: string };
  agencies: {
    id: string;
    administration_id: string;
    kind: string;
    code: string;
    name: string;
    trader_id: string | null;
    created_at: string;
    /** 1: authorised to lodge simplified declarations. */
    simplified_procedures: Generated<number>;
  };
  representations: {
    id: string;
    representative_agency_id: string;
    trader_id: string;
    mode: string;
    valid_from: string;
    valid_to: string | null;
    created_at: string;
    created_by: string;
    revoked_at: string | null;
    revoked_by: string | null;
  };
  users: {
    id: string;
    agency_id: string;
    username: string;
    display_name: string;
    roles: string;
    password_hash: string | null;
    disabled: number;
    created_at: string;
  };
  tokens: {
    id: string;
    token_hash: string;
    kind: string;
    user_id: string;
    name: string;
    created_at: string;
    expires_at: string | null;
    revoked_at: string | null;
  };
  declarations: {
    id: string;
    agency_id: string;
    submitter_agency_id: string;
    submitted_by: string;
    kind: string;
    reference: string;
    /** `customs:` or `cargo:` and the reference; unique per (agency, submitter). */
    lrn_key: string | null;
    amends: string | null;
    submitted_at: string;
    received_at: string;
    office: string | null;
    declarant_id: string | null;
    consignor_id: string | null;
    consignee_id: string | null;
    dispatch_country: string | null;
    destination_country: string | null;
    transport_mode: string | null;
    item_count: number;
    channel: string | null;
    source_format: string;
    content: string;
    score: number | null;
    assessment: string | null;
    status: Generated<string>;
    released_at: string | null;
    assigned_to: string | null;
    random_selected: Generated<number>;
    version: Generated<number>;
  };
  declaration_versions: {
    declaration_id: string;
    version: number;
    event: string;
    content: string;
    channel: string | null;
    made_at: string;
    made_by: string;
    details: string;
  };
  declaration_hits: {
    declaration_id: string;
    indicator_id: string;
    version: number;
    priority_area: string;
  };
  inspections: {
    id: string;
    declaration_id: string;
    agency_id: string;
    officer_id: string;
    control_form: string;
    started_at: string;
    ended_at: string;
    result: string;
    findings: string;
    findings_text: string;
    items_affected: string;
    corrects: string | null;
    recorded_at: string;
  };
  seizures: {
    id: string;
    inspection_id: string;
    declaration_id: string;
    item_sequence: number;
    hs_code: string;
    species: string | null;
    quantity: number;
    unit: string;
    estimated_value: number;
    currency: string;
    storage_location: string;
    legal_basis: string;
    recorded_at: string;
  };
  referrals: {
    id: string;
    declaration_id: string;
    from_agency_id: string;
    to_agency_id: string;
    reason: string;
    referred_by: string;
    at: string;
  };
  indicators: {
    id: string;
    version: number;
    title: string;
    priority_area: string;
    condition: string;
    weight: number;
    direct_channel: string | null;
    control_form: string;
    rationale: string;
    valid_from: string | null;
    valid_to: string | null;
    status: string;
    owner_agency_id: string;
    created_at: string;
    created_by: string;
    co_author_agency_ids: string;
    sharing: string;
    expected_documents: string;
    sources: string;
  };
  reference_lists: {
    name: string;
    version: number;
    kind: string;
    title: string;
    entries: string;
    owner_agency_id: string;
    created_at: string;
    status: string;
    co_author_agency_ids: string;
    sharing: string;
    source: string;
    created_by: string | null;
  };
  approvals: {
    subject_type: string;
    subject_id: string;
    version: number;
    agency_id: string;
    user_id: string;
    at: string;
    comment: string;
  };
  certificates: {
    id: string;
    type: string;
    reference: string;
    holder_id: string;
    holder_name: string;
    issuer_agency_id: string;
    hs_scope: string;
    valid_from: string;
    valid_to: string | null;
    status: string;
    status_reason: string | null;
    created_at: string;
    created_by: string;
    updated_at: string;
  };
  trader_records: {
    trader_id: string;
    controls: number;
    findings: number;
    last_control_at: string | null;
    last_finding_at: string | null;
  };
  permits: {
    id: string;
    number: string | null;
    type: string;
    issuer_agency_id: string;
    holder_id: string;
    holder_name: string;
    applicant_agency_id: string;
    counterpart: string;
    hs_scope: string;
    species: string;
    unit: string;
    authorised_milli: number;
    remaining_milli: number;
    route: string;
    max_shipments: number | null;
    shipments: number;
    valid_from: string;
    valid_to: string;
    status: string;
    expedited: number;
    deadline: string;
    details: string;
    attachments: string;
    note: string | null;
    submitted_at: string;
    decided_at: string | null;
    processing_seconds: number | null;
    updated_at: string;
  };
  permit_usage: {
    permit_id: string;
    declaration_id: string;
    item_sequence: number;
    quantity_milli: number;
    at: string;
  };
  indicator_stats: {
    indicator_id: string;
    version: number;
    hits: number;
    controls: number;
    findings: number;
  };
  goods_items: {
    declaration_id: string;
    sequence: number;
    hs_code: string | null;
    origin_country: string | null;
    value: number | null;
    currency: string | null;
    net_mass: number | null;
  };
  outbox: {
    position: Generated<number>;
    txid: Generated<number>;
    kind: string;
    subject_type: string;
    subject_id: string;
    agency_id: string;
    actor_id: string | null;
    at: string;
    data: string;
  };
  outbox_cursors: {
    subscriber: string;
    txid: number;
    position: number;
    delivered: number;
    updated_at: string;
  };
  indicator_stat_deltas: {
    indicator_id: string;
    version: number;
    hits: number;
    controls: number;
    findings: number;
  };
  audit_events: {
    seq: Generated<number>;
    at: string;
    agency_id: string;
    actor_id: string | null;
    action: string;
    subject_type: string;
    subject_id: string;
    details: string;
  };
  idempotency_keys: {
    user_id: string;
    key: string;
    request_hash: string;
    status_code: number;
    body: string;
    created_at: string;
  };
  cargo_reports: {
    declaration_id: string;
    mrn: string;
    lrn: string;
    sender: string | null;
    version: number;
    lodged_at: string;
    amended_at: string | null;
    arrival_at: string | null;
    lodging: string;
    late: number;
    outcome: string;
    notes: string;
  };
  cargo_messages: {
    declaration_id: string;
    version: number;
    message_type: string;
    format: string;
    received_at: string;
    received_by: string;
    message: string;
  };
  cargo_referrals: {
    id: string;
    declaration_id: string;
    kind: string;
    status: string;
    reason: string;
    documents: string;
    indicators: string;
    office: string | null;
    deadline: string | null;
    created_at: string;
    replied_at: string | null;
    reply: string | null;
    closed_at: string | null;
    closed_reason: string | null;
  };
  rule_packs: {
    name: string;
    seq: number;
    version: string;
    document: string;
    loaded_at: string;
    loaded_by: string;
  };
}
