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
}
