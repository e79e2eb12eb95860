import type {
  Agreement,
  MessageFilter,
  Partner,
  PartnerKey,
  StoredContact,
  StoredMessage,
} from './exchange/agreements.js';
import type { Administration, Agency, AgencyKind, Representation, Role } from './auth/identity.js';
import type { DomainEvent, EventKind, OutboxCursor } from './events.js';
import type {
  LedgerAppend,
  LedgerEntry,
  LedgerLeaf,
  LedgerNode,
  LedgerState,
  LedgerVerification,
  StoredCheckpoint,
  StoredCosignature,
  WitnessedCheckpoint,
} from './ledger/records.js';
import type { Assessment } from './risk/assess.js';
import type { Certificate, TraderRecord } from './traders/certificate.js';
import type { Permit } from './permits/permit.js';
import type { PermitOnFile } from './permits/check.js';
import type { LodgingCheck } from './cargo/lodging.js';
import type { ApplicationForAction, ApplicationStatus } from './ipr/application.js';
import type { IprCase, StoredIprEvent } from './ipr/case.js';
import type { WorkingDayCalendar } from './ipr/working-days.js';
import type { PreArrivalOutcome, PreArrivalReferral } from './cargo/referral.js';
import type { ControlStatus, InspectionRecord, SeizureRecord } from './controls/inspection.js';
import type { EnergyPoint, StoredFlowReport } from './reconciliation/energy-point.js';
import type { EnergyCase, EnergyCaseKind, EnergyCaseStatus } from './reconciliation/energy-case.js';
import type { StoredMirrorRecord } from './reconciliation/mirror-record.js';
import type { StoredTariffRate } from './reconciliation/tariff-schedule.js';
import type {
  Authored,
  Indicator,
  IndicatorMethod,
  IndicatorStatus,
  ReferenceList,
} from './risk/indicator.js';
import type {
  Channel,
  Declaration,
  DeclarationContent,
  DeclarationKind,
  SourceFormat,
} from './declaration/declaration.js';

/** The outside world the use cases need, implemented by src/storage (and fakes in tests). */

/** Wall-clock time as an ISO 8601 string; injected so that use cases stay reproducible. */
export interface Clock {
  now(): Date;
}

/** Identifiers for new records. */
export interface IdGenerator {
  next(): string;
}

export interface StoredUser {
  id: string;
  agencyId: string;
  username: string;
  displayName: string;
  roles: Role[];
  passwordHash: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface StoredToken {
  id: string;
  userId: string;
  kind: 'session' | 'api';
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** A state change as use cases record it: it becomes an audit row and an outbox row. */
export interface NewAuditEvent {
  at: string;
  agencyId: string;
  actorId: string | null;
  action: EventKind;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}

export interface AuditEvent extends NewAuditEvent {
  seq: number;
}

export interface DeclarationRecord extends Declaration {
  submitterAgencyId: string;
  /** The risk engine's decision, stored with the declaration; null when not screened. */
  assessment: Assessment | null;
  /** 1 on lodging, +1 per amendment or cancellation (read from storage; absent on a new record). */
  version?: number;
  /** Where it stands between lodging and release (read from storage; absent on a new record). */
  status?: ControlStatus;
}

/** What made a declaration version. */
export const DECLARATION_EVENTS = ['lodged', 'amended', 'cancelled'] as const;
export type DeclarationEvent = (typeof DECLARATION_EVENTS)[number];

/** One version of a declaration's content, kept for good. */
export interface DeclarationVersion {
  declarationId: string;
  version: number;
  event: DeclarationEvent;
  content: DeclarationContent;
  /** The channel the version was screened to; null when not screened. */
  channel: Channel | null;
  at: string;
  /** The user who lodged, amended or cancelled. */
  by: string;
  /** Why: the reason codes and statements given, and what was kept but not applied. */
  details: Record<string, unknown>;
}

/** What a declaration says, without the record keeping (who lodged it, when, the decision). */
export function declarationContent(d: DeclarationRecord): DeclarationContent {
  const {
    id: _id,
    receivedAt: _receivedAt,
    agencyId: _agencyId,
    submitterAgencyId: _submitterAgencyId,
    submittedBy: _submittedBy,
    sourceFormat: _sourceFormat,
    channel: _channel,
    assessment: _assessment,
    version: _version,
    status: _status,
    ...content
  } = d;
  return content;
}

export interface StoredIndicator extends Indicator, IndicatorMethod, Authored {
  createdAt: string;
  createdBy: string;
}

export interface StoredReferenceList extends ReferenceList, Authored {
  /** Where the entries come from. */
  source: string;
  createdAt: string;
  createdBy: string;
}

export interface WorklistFilter {
  agencyId: string;
  statuses: readonly ControlStatus[];
  office?: string;
  trader?: string;
  indicatorId?: string;
  priorityArea?: string;
  assignedTo?: string;
  /** Lodged at or before this time (older than an age). */
  submittedBefore?: string;
  limit: number;
}

export interface WorklistEntry {
  id: string;
  /** `cargo-report` for an entry summary declaration. */
  kind: DeclarationKind;
  reference: string;
  office: string | null;
  channel: Channel | null;
  score: number | null;
  submittedAt: string;
  status: ControlStatus;
  assignedTo: string | null;
  declarantId: string | null;
  consigneeId: string | null;
  itemCount: number;
}

export interface Referral {
  id: string;
  declarationId: string;
  fromAgencyId: string;
  toAgencyId: string;
  reason: string;
  referredBy: string;
  at: string;
}

/** What the metrics need of a declaration. */
export interface MetricDeclaration {
  id: string;
  agencyId: string;
  office: string | null;
  channel: Channel | null;
  itemCount: number;
  randomSelected: boolean;
  submittedAt: string;
  releasedAt: string | null;
  status: string;
  /** A certificate lowered its score (from the stored Assessment). */
  certified: boolean;
}

export interface MetricInspection extends InspectionRecord {
  office: string | null;
  channel: Channel | null;
  randomSelected: boolean;
}

export interface PermitFilter {
  holderId?: string;
  applicantAgencyId?: string;
  issuerAgencyId?: string;
  /** What the principal may read (issuerAdministrationId: issued by an agency of it). */
  scope?: AccessScope<'applicantAgencyId' | 'issuerAgencyId' | 'issuerAdministrationId'>;
  statuses?: readonly string[];
  expedited?: boolean;
  type?: string;
  limit?: number;
}

/** One goods item's draw on a permit at release. */
export interface PermitUsage {
  permitId: string;
  declarationId: string;
  itemSequence: number;
  quantityMilli: number;
  at: string;
}

/** Effectiveness counters of one indicator version. */
export interface IndicatorStats {
  indicatorId: string;
  version: number;
  /** Declarations the version hit. */
  hits: number;
  /** Controls performed on declarations it hit. */
  controls: number;
  /** Controls that found something. */
  findings: number;
}

/** What an approval agrees to: the version going into force, or the subject going out of use. */
export type ApprovalPurpose = 'activation' | 'retirement';

/** One agency's approval of one version of an indicator or reference list. */
export interface Approval {
  subjectType: 'indicator' | 'reference-list';
  subjectId: string;
  version: number;
  purpose: ApprovalPurpose;
  agencyId: string;
  userId: string;
  at: string;
  comment: string;
}

/**
 * The access policy as a storage filter (core/auth/policy `scopeOf`): a record qualifies when it
 * matches every field of some alternative; an empty list matches nothing.
 */
export type AccessScope<F extends string> = ReadonlyArray<Partial<Record<F, string>>>;

export interface DeclarationFilter {
  /** Restrict to one owning agency (customs staff) … */
  agencyId?: string;
  /** … or to one submitting company (traders). */
  submitterAgencyId?: string;
  /** What the principal may read: alternatives of owning agency and submitting company. */
  scope?: AccessScope<'agencyId' | 'submitterAgencyId'>;
  from?: string;
  to?: string;
  office?: string;
  hsPrefix?: string;
  trader?: string;
  channel?: Channel | 'unscreened';
  kind?: string;
  /** The declarant's own reference (LRN), exactly. */
  reference?: string;
  /** A movement reference: a GreenLane declaration id, or the MRN of a cargo report. */
  mrn?: string;
  /** Any container the goods travel in, exactly (ISO 6346 number). */
  container?: string;
  status?: ControlStatus;
  /** Keyset cursor: continue after this (submittedAt, id). */
  after?: { submittedAt: string; id: string };
  limit: number;
}

/** One message as the metrics count it. */
export interface ExchangeActivity {
  direction: 'out' | 'in';
  /** The sending agency (out) or the agency handling it (in). */
  agencyId: string;
  partner: string;
  type: string;
  createdAt: string;
  caseStatus: string | null;
  deadline: string | null;
  answeredAt: string | null;
  /** Records carried: indicators and lists of shared risk information, else 1. */
  records: number;
}

export interface StoredIdempotentResponse {
  requestHash: string;
  statusCode: number;
  body: string;
}

/** Read and write access to the records; inside `Storage.write` all of it is one transaction. */
/** A cargo report's advance-cargo record, beside its declaration. */
export interface CargoReport {
  declarationId: string;
  /** Movement reference number given on acceptance. */
  mrn: string;
  /** The declarant's local reference number. */
  lrn: string;
  sender: string | null;
  /** 1 for the report as filed, +1 per amendment. */
  version: number;
  lodgedAt: string;
  amendedAt: string | null;
  arrivalAt: string | null;
  lodging: LodgingCheck;
  outcome: PreArrivalOutcome;
  /** What the message carried that could not be mapped. */
  notes: string[];
}

/** One message received for a cargo report, exactly as sent. */
export interface CargoMessage {
  declarationId: string;
  version: number;
  messageType: string;
  format: 'xml' | 'json';
  receivedAt: string;
  receivedBy: string;
  message: string;
}

/** A version of a message rule pack loaded over the shipped one. */
export interface StoredRulePack {
  name: string;
  /** 1, 2, 3… per name, in loading order. */
  seq: number;
  /** The pack's own version label. */
  version: string;
  /** The pack document as loaded (JSON text). */
  document: string;
  loadedAt: string;
  /** Who approved it (and so put it in force). */
  loadedBy: string;
  /** Who proposed it; null for versions loaded before four eyes. */
  proposedBy: string | null;
}

export type RulePackProposalStatus = 'pending' | 'approved' | 'rejected';

/** A replacement of a rule pack, proposed by one analyst, in force once a second one approves it. */
export interface RulePackProposal {
  id: string;
  name: string;
  /** The proposed pack's own version label. */
  version: string;
  /** The pack document (JSON text). */
  document: string;
  proposedAt: string;
  proposedBy: string;
  proposerAgencyId: string;
  comment: string;
  status: RulePackProposalStatus;
  decidedAt: string | null;
  decidedBy: string | null;
  reason: string | null;
  /** The loaded version's sequence number, once approved. */
  seq: number | null;
}

export interface CargoReportFilter {
  agencyId?: string;
  submitterAgencyId?: string;
  outcome?: PreArrivalOutcome;
  limit: number;
}

export interface Repositories {
  identity: {
    insertAdministration(a: Administration & { createdAt: string }): Promise<void>;
    insertAgency(a: Agency & { createdAt: string }): Promise<void>;
    insertUser(u: StoredUser): Promise<void>;
    insertToken(t: StoredToken & { tokenHash: string }): Promise<void>;
    revokeToken(tokenHash: string, at: string): Promise<boolean>;
    findUserByUsername(username: string): Promise<StoredUser | undefined>;
    findUserById(id: string): Promise<StoredUser | undefined>;
    /** Users of an agency, oldest first. */
    listUsers(agencyId: string): Promise<StoredUser[]>;
    /** The live token with this hash, with its user and agency. */
    findToken(
      tokenHash: string,
    ): Promise<{ token: StoredToken; user: StoredUser; agency: Agency } | undefined>;
    findAgency(id: string): Promise<Agency | undefined>;
    findAgencyByCode(code: string): Promise<Agency | undefined>;
    listAgencies(administrationId?: string): Promise<Agency[]>;
    listAdministrations(): Promise<Administration[]>;
    /** The customs agency of an administration (declarations lodged there belong to it). */
    findCustomsAgency(administrationId: string): Promise<Agency | undefined>;
    countUsers(): Promise<number>;
    /** Grants or withdraws the authorisation for simplified declarations; false: no such agency. */
    setSimplifiedProcedures(agencyId: string, authorised: boolean): Promise<boolean>;
    insertRepresentation(r: Representation): Promise<void>;
    findRepresentation(id: string): Promise<Representation | undefined>;
    /** Registrations, revoked ones included, oldest first. */
    listRepresentations(filter: {
      representativeAgencyId?: string;
      traderId?: string;
    }): Promise<Representation[]>;
    /** Revokes a live registration; false when it was revoked already. */
    revokeRepresentation(id: string, at: string, by: string): Promise<boolean>;
    /** Users of every agency of an administration, with their agency, oldest first. */
    listUsersOf(administrationId: string): Promise<Array<StoredUser & { agency: Agency }>>;
    /** Replaces a user's roles; false: no such user. */
    setUserRoles(userId: string, roles: readonly Role[]): Promise<boolean>;
    /** Disables or enables a user; false when it already was so. */
    setUserDisabled(userId: string, disabled: boolean): Promise<boolean>;
    /** Revokes every live token (sessions and API tokens) of a user; how many. */
    revokeTokensOfUser(userId: string, at: string): Promise<number>;
    /** Active administrators (not disabled, holding `admin`) of an administration. */
    countActiveAdmins(administrationId: string): Promise<number>;
    /**
     * Tokens of one kind held by users of an administration, newest first, at most `limit`;
     * with `liveAt`, only those neither revoked nor expired then.
     */
    listTokensOf(
      administrationId: string,
      kind: StoredToken['kind'],
      options: { liveAt?: string; limit: number },
    ): Promise<Array<StoredToken & { user: StoredUser; agency: Agency }>>;
    /** A token by its id (never by its secret), with its user and agency. */
    findTokenById(
      id: string,
    ): Promise<{ token: StoredToken; user: StoredUser; agency: Agency } | undefined>;
    /** Revokes a live token by id; false when it was revoked already (or does not exist). */
    revokeTokenById(id: string, at: string): Promise<boolean>;
  };
  declarations: {
    /** Throws `conflict` when the declarant's reference is taken (see lrn uniqueness). */
    insert(d: DeclarationRecord): Promise<void>;
    /**
     * The declaration an organisation lodged with an administration's customs agency under a
     * reference: goods declarations and cargo reports are separate families of references.
     */
    findByReference(
      agencyId: string,
      submitterAgencyId: string,
      family: 'customs' | 'cargo',
      reference: string,
    ): Promise<{ id: string; kind: string; receivedAt: string } | undefined>;
    findById(id: string): Promise<DeclarationRecord | undefined>;
    list(filter: DeclarationFilter): Promise<DeclarationRecord[]>;
    count(): Promise<number>;
    /** lodged, awaiting or under control, or held → released; false otherwise (nothing changed). */
    markReleased(id: string, at: string): Promise<boolean>;
    /**
     * Replaces an amended declaration's content and assessment (same id, owner and receipt), and
     * its goods items and hits, if its status is one of `from`; false otherwise.
     */
    amend(d: DeclarationRecord, from: readonly ControlStatus[]): Promise<boolean>;
    /** The declarations an organisation lodged under a local reference number, newest first. */
    listByReference(submitterAgencyId: string, reference: string): Promise<DeclarationRecord[]>;
    /**
     * Makes `d` version `expected + 1` of its declaration, with its goods items, hits and version
     * row, in one conditional update: only if the stored version is `expected` and its status one
     * of `from`. False when it did not apply (nothing changed).
     */
    amendVersion(
      d: DeclarationRecord,
      expected: number,
      from: readonly ControlStatus[],
      entry: Pick<DeclarationVersion, 'at' | 'by' | 'details'>,
    ): Promise<boolean>;
    /** Cancels the declaration as version `expected + 1`, on the same conditions as amendVersion. */
    cancel(
      id: string,
      expected: number,
      from: readonly ControlStatus[],
      entry: Pick<DeclarationVersion, 'at' | 'by' | 'details'>,
    ): Promise<boolean>;
    /** Every version of a declaration, oldest first. */
    versions(id: string): Promise<DeclarationVersion[]>;
    status(id: string): Promise<
      | {
          status: ControlStatus;
          releasedAt: string | null;
          assignedTo: string | null;
          version: number;
        }
      | undefined
    >;
    /** Moves the status if it is one of `from`; false otherwise. */
    setStatus(id: string, from: readonly ControlStatus[], to: ControlStatus): Promise<boolean>;
    assign(id: string, userId: string | null): Promise<void>;
    worklist(filter: WorklistFilter): Promise<WorklistEntry[]>;
    /** The indicator versions that hit the declaration (one row each). */
    hitVersions(id: string): Promise<Array<{ id: string; version: number; priorityArea: string }>>;
  };
  indicators: {
    insert(i: StoredIndicator): Promise<void>;
    /** The newest version of an indicator. */
    latest(id: string): Promise<StoredIndicator | undefined>;
    version(id: string, version: number): Promise<StoredIndicator | undefined>;
    versions(id: string): Promise<StoredIndicator[]>;
    /** The newest version of every indicator. */
    listLatest(): Promise<StoredIndicator[]>;
    /** Every active version (at most one per indicator). */
    listActive(): Promise<StoredIndicator[]>;
    setStatus(id: string, version: number, status: IndicatorStatus): Promise<void>;
  };
  referenceLists: {
    insert(l: StoredReferenceList): Promise<void>;
    latest(name: string): Promise<StoredReferenceList | undefined>;
    version(name: string, version: number): Promise<StoredReferenceList | undefined>;
    versions(name: string): Promise<StoredReferenceList[]>;
    /** The newest version of every list. */
    listLatest(): Promise<StoredReferenceList[]>;
    /** Every active version (at most one per list). */
    listActive(): Promise<StoredReferenceList[]>;
    setStatus(name: string, version: number, status: IndicatorStatus): Promise<void>;
  };
  certificates: {
    insert(c: Certificate): Promise<void>;
    find(id: string): Promise<Certificate | undefined>;
    setStatus(id: string, status: Certificate['status'], reason: string, at: string): Promise<void>;
    /** Every certificate of a holder, whatever its status (screening decides what counts). */
    ofHolder(holderId: string): Promise<Certificate[]>;
    list(filter: { holderId?: string; issuerAgencyId?: string }): Promise<Certificate[]>;
  };
  traderRecords: {
    find(traderId: string): Promise<TraderRecord | undefined>;
    list(): Promise<TraderRecord[]>;
    /**
     * Adds (or, for a correction, takes back) controls and findings. In a write transaction the
     * change is applied when the transaction commits: a read in the same transaction does not
     * see it yet.
     */
    adjust(traderId: string, controls: number, findings: number, at: string): Promise<void>;
  };
  indicatorStats: {
    /** Counts one hit declaration for each indicator version. */
    addHits(versions: ReadonlyArray<{ id: string; version: number }>): Promise<void>;
    forIndicator(id: string): Promise<IndicatorStats[]>;
    /** Adds (or takes back) controls and findings for each version. */
    adjust(
      versions: ReadonlyArray<{ id: string; version: number }>,
      controls: number,
      findings: number,
    ): Promise<void>;
  };
  permits: {
    insert(p: Permit): Promise<void>;
    find(id: string): Promise<Permit | undefined>;
    /**
     * Writes the workflow fields of a permit (status, number, note, validity, quantities, times)
     * if its status and balance are still those read (`expected`); false otherwise.
     */
    update(p: Permit, expected: Pick<Permit, 'status' | 'remainingMilli'>): Promise<boolean>;
    list(filter: PermitFilter): Promise<Permit[]>;
    /** Permits a declaration may rely on: the holder's, and those quoted by number (not refused). */
    forScreening(holderId: string, numbers: readonly string[]): Promise<PermitOnFile[]>;
    /** Issued permits, for batch screening. */
    listIssued(): Promise<PermitOnFile[]>;
    /** Permits an issuer has numbered in a year, to number the next one. */
    countNumbered(issuerAgencyId: string, prefix: string): Promise<number>;
    /**
     * Draws `quantityMilli` if and only if the permit is issued, valid on `date`, has that much
     * left (and a shipment left when `shipment`); marks it exhausted when it reaches zero.
     * False when nothing was drawn.
     */
    draw(
      permitId: string,
      quantityMilli: number,
      shipment: boolean,
      date: string,
      at: string,
    ): Promise<boolean>;
    addUsage(u: PermitUsage): Promise<void>;
    usage(permitId: string): Promise<PermitUsage[]>;
  };
  cargo: {
    insert(r: CargoReport): Promise<void>;
    /** Writes `r` if the stored report is still at `expectedVersion`; false otherwise (nothing written). */
    update(r: CargoReport, expectedVersion: number): Promise<boolean>;
    find(declarationId: string): Promise<CargoReport | undefined>;
    findByMrn(mrn: string): Promise<CargoReport | undefined>;
    /** The report an organisation lodged under its local reference number. */
    findByLrn(submitterAgencyId: string, lrn: string): Promise<CargoReport | undefined>;
    list(filter: CargoReportFilter): Promise<CargoReport[]>;
    addMessage(m: CargoMessage): Promise<void>;
    messages(declarationId: string): Promise<CargoMessage[]>;
    insertReferral(r: PreArrivalReferral): Promise<void>;
    /** Writes `r` if the stored referral's status is one of `from`; false otherwise. */
    updateReferral(
      r: PreArrivalReferral,
      from: readonly PreArrivalReferral['status'][],
    ): Promise<boolean>;
    /** Closes a referral that is open or answered, touching only the closing fields; false otherwise. */
    closeReferral(id: string, at: string, reason: string): Promise<boolean>;
    findReferral(id: string): Promise<PreArrivalReferral | undefined>;
    referralsOf(declarationId: string): Promise<PreArrivalReferral[]>;
  };
  rulePacks: {
    insert(p: StoredRulePack): Promise<void>;
    /** The newest version of each name, or of one name. */
    latest(name: string): Promise<StoredRulePack | undefined>;
    /** Every version of a name, newest first. */
    versions(name: string): Promise<StoredRulePack[]>;
    insertProposal(p: RulePackProposal): Promise<void>;
    findProposal(id: string): Promise<RulePackProposal | undefined>;
    /** A pack's proposals, newest first; only those in `status` when given. */
    proposals(name: string, status?: RulePackProposalStatus): Promise<RulePackProposal[]>;
    /**
     * Records the decision on a pending proposal; false when it is no longer pending (someone
     * decided first: nothing written).
     */
    decideProposal(
      id: string,
      decision: Pick<RulePackProposal, 'status' | 'decidedAt' | 'decidedBy' | 'reason' | 'seq'>,
    ): Promise<boolean>;
  };
  controls: {
    insertInspection(r: InspectionRecord): Promise<void>;
    inspectionsOf(declarationId: string): Promise<InspectionRecord[]>;
    insertSeizure(s: SeizureRecord): Promise<void>;
    seizuresOf(declarationId: string): Promise<SeizureRecord[]>;
    insertReferral(r: Referral): Promise<void>;
    referralsOf(declarationId: string): Promise<Referral[]>;
  };
  metrics: {
    declarations(from: string, to: string): Promise<MetricDeclaration[]>;
    inspections(from: string, to: string): Promise<MetricInspection[]>;
    /** Every inspection record of the given declarations, for their effective outcome. */
    inspectionsOfDeclarations(ids: readonly string[]): Promise<InspectionRecord[]>;
    hitsOf(
      ids: readonly string[],
    ): Promise<
      Array<{ declarationId: string; indicatorId: string; version: number; priorityArea: string }>
    >;
    permitsDecided(from: string, to: string): Promise<Permit[]>;
    auditBetween(from: string, to: string, actions: readonly string[]): Promise<AuditEvent[]>;
    /** Every seizure from the given declarations. */
    seizuresOfDeclarations(ids: readonly string[]): Promise<SeizureRecord[]>;
  };
  approvals: {
    insert(a: Approval): Promise<void>;
    /** Approvals of a subject, oldest first: of one version and one purpose when given. */
    listFor(
      subjectType: Approval['subjectType'],
      subjectId: string,
      version?: number,
      purpose?: ApprovalPurpose,
    ): Promise<Approval[]>;
    /** Withdraws a version's approvals of one purpose (on rejection: a resubmission needs them all again). */
    deleteFor(
      subjectType: Approval['subjectType'],
      subjectId: string,
      version: number,
      purpose?: ApprovalPurpose,
    ): Promise<void>;
  };
  audit: {
    /** Appends the event to the audit log and to the outbox, in the caller's transaction. */
    append(e: NewAuditEvent): Promise<void>;
    listFor(subjectType: string, subjectId: string): Promise<AuditEvent[]>;
  };
  outbox: {
    /**
     * Committed events after `cursor`, in delivery order. Never returns an event while an earlier
     * one may still commit, so a reader that moves its cursor to the last event read skips none.
     */
    after(cursor: OutboxCursor, limit: number): Promise<DomainEvent[]>;
    /** Where the readable outbox ends now (a new reader that wants only what comes next starts here). */
    head(): Promise<OutboxCursor>;
    /** The cursor of the event at `position`, to resume after it (a `Last-Event-ID`). */
    cursorOf(position: number): Promise<OutboxCursor | undefined>;
    /** The event at `position`, committed or not yet readable by subscribers. */
    byPosition(position: number): Promise<DomainEvent | undefined>;
    /** A durable subscriber's stored cursor (the beginning when it has none yet). */
    subscriberCursor(subscriber: string): Promise<OutboxCursor & { delivered: number }>;
    /**
     * Moves a subscriber's cursor from `from` to `to`, counting `delivered` events; false when the
     * stored cursor is no longer at `from` (another dispatcher moved it: nothing written).
     */
    advance(
      subscriber: string,
      from: OutboxCursor,
      to: OutboxCursor,
      delivered: number,
      at: string,
    ): Promise<boolean>;
    /** Every subscriber's cursor, for operators. */
    subscribers(): Promise<
      Array<OutboxCursor & { subscriber: string; delivered: number; updatedAt: string }>
    >;
  };
  ledger: {
    state(): Promise<LedgerState>;
    /**
     * Writes leaves [from, to), their nodes and the new cursor; false when the log no longer holds
     * `from` leaves (another writer appended first: nothing written).
     */
    append(a: LedgerAppend): Promise<boolean>;
    /** Stored hashes of perfect subtrees, by `level/index` (level 0: the leaves). */
    hashes(ids: readonly { level: number; index: number }[]): Promise<Map<string, Uint8Array>>;
    leafOf(position: number): Promise<LedgerLeaf | undefined>;
    /** Leaves from `fromIdx` in index order, each with the outbox event at its position. */
    entries(fromIdx: number, limit: number): Promise<LedgerEntry[]>;
    /** Stored nodes of one level with index in [fromIdx, toIdx), in index order. */
    nodesIn(level: number, fromIdx: number, toIdx: number): Promise<LedgerNode[]>;
    latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
    /** Checkpoints with size above `afterSize`, smallest first. */
    checkpoints(afterSize: number, limit: number): Promise<StoredCheckpoint[]>;
    /** False when a checkpoint of that size exists (nothing written). */
    insertCheckpoint(c: StoredCheckpoint): Promise<boolean>;
    /** False when the witness's cosignature of that size exists (nothing written). */
    insertCosignature(c: StoredCosignature): Promise<boolean>;
    cosignaturesOf(sizes: readonly number[]): Promise<StoredCosignature[]>;
    /** The largest of this node's checkpoints the witness has cosigned (0: none). */
    lastCosignedBy(witness: string): Promise<number>;
    /** Cosignatures of checkpoints the ledger does not hold (deleted ones), smallest size first. */
    cosignaturesWithoutCheckpoint(limit: number): Promise<StoredCosignature[]>;
    /** The partner's checkpoints this node has seen as witness, largest first. */
    witnessed(logNode: string, limit: number): Promise<WitnessedCheckpoint[]>;
    /** Records a seen checkpoint; false when that (log, size, root) was recorded already. */
    insertWitnessed(w: WitnessedCheckpoint): Promise<boolean>;
    /** Every partner's checkpoints seen at one size (more than one root is a split view). */
    witnessedAt(logNode: string, size: number): Promise<WitnessedCheckpoint[]>;
    /** The largest of the partner's checkpoints this node has cosigned. */
    latestCosigned(logNode: string): Promise<WitnessedCheckpoint | undefined>;
    /** Records this node's cosignature of a seen checkpoint; false when it was cosigned already. */
    markCosigned(
      logNode: string,
      size: number,
      root: Uint8Array,
      cosignature: { at: string; line: string },
    ): Promise<boolean>;
    /** Records why a seen checkpoint was refused; false when it had a conflict already. */
    markConflict(
      logNode: string,
      size: number,
      root: Uint8Array,
      conflict: string,
    ): Promise<boolean>;
    /** Refused checkpoints (split views, failed proofs) of every partner, newest first. */
    conflicts(limit: number): Promise<WitnessedCheckpoint[]>;
    insertVerification(v: LedgerVerification): Promise<void>;
    lastVerification(): Promise<LedgerVerification | undefined>;
  };
  exchange: {
    node(): Promise<{ nodeId: string; name: string; httpEndpoint: string | null } | undefined>;
    /** Sets this node's id on first start; false when it is already set (to anything). */
    initNode(n: {
      nodeId: string;
      name: string;
      httpEndpoint: string | null;
      at: string;
    }): Promise<boolean>;
    upsertPartner(p: Partner): Promise<void>;
    findPartner(id: string): Promise<Partner | undefined>;
    listPartners(): Promise<Partner[]>;
    /** Adds a key; an existing (partner, kid) keeps its row but takes the new validity. */
    putKey(k: PartnerKey): Promise<void>;
    findKey(partnerId: string, kid: string): Promise<PartnerKey | undefined>;
    keysOf(partnerId: string): Promise<PartnerKey[]>;
    /** Revokes a key for good; false when it was revoked already or is not known. */
    revokeKey(partnerId: string, kid: string, at: string, by: string): Promise<boolean>;
    setPartnerStatus(id: string, status: Partner['status'], at: string): Promise<boolean>;
    insertAgreement(a: Agreement): Promise<void>;
    agreements(partnerId?: string): Promise<Agreement[]>;
    /** Replaces every contact of a node (own or partner's) with these. */
    replaceContacts(nodeId: string, contacts: StoredContact[]): Promise<void>;
    putContact(c: StoredContact): Promise<void>;
    deleteContact(nodeId: string, id: string): Promise<boolean>;
    contacts(filter: {
      nodeId?: string;
      country?: string;
      area?: string;
    }): Promise<StoredContact[]>;
    /** Stores a message; false when (direction, from, id) exists (nothing written). */
    insertMessage(m: StoredMessage): Promise<boolean>;
    findMessage(
      direction: 'out' | 'in',
      from: string,
      id: string,
    ): Promise<StoredMessage | undefined>;
    /** A message by id in either direction (outgoing first). */
    messageById(id: string): Promise<StoredMessage | undefined>;
    listMessages(filter: MessageFilter): Promise<StoredMessage[]>;
    /**
     * Outgoing messages waiting for delivery to a partner: per conversation only the oldest one
     * (the next may go only after it), oldest first, due at `at`.
     */
    dueForDelivery(partnerId: string, at: string, limit: number): Promise<StoredMessage[]>;
    /** Partners with queued messages. */
    partnersWithQueue(): Promise<string[]>;
    /** Writes the delivery fields of an outgoing message while it is still queued; false otherwise. */
    updateDelivery(
      id: string,
      d: Pick<
        StoredMessage,
        | 'delivery'
        | 'attempts'
        | 'nextAttemptAt'
        | 'lastError'
        | 'binding'
        | 'deliveredAt'
        | 'receipt'
        | 'receiptReason'
      >,
    ): Promise<boolean>;
    setCase(
      direction: 'out' | 'in',
      from: string,
      id: string,
      c: { caseStatus: string; answeredAt?: string | null },
    ): Promise<boolean>;
    markAdopted(from: string, id: string, at: string): Promise<boolean>;
    /** Messages created in [from, to) that were delivered or received, for the metrics. */
    activity(from: string, to: string): Promise<ExchangeActivity[]>;
  };
  energy: {
    /** Inserts a point; false when the administration already has one with that id. */
    insertPoint(p: EnergyPoint): Promise<boolean>;
    /** Replaces a point at the version read; false when it changed meanwhile. */
    updatePoint(p: EnergyPoint, expectedVersion: number): Promise<boolean>;
    findPoint(administrationId: string, id: string): Promise<EnergyPoint | undefined>;
    listPoints(administrationId: string): Promise<EnergyPoint[]>;
    /**
     * Records the reports; one already recorded under the same point, source and reference is
     * left as it was. Answers how many were new.
     */
    insertReports(reports: readonly StoredFlowReport[]): Promise<number>;
    /** The reports of a point whose period starts in [from, to), by period start; at most `limit`. */
    listReports(f: {
      administrationId: string;
      pointId: string;
      from: string;
      to: string;
      limit: number;
    }): Promise<StoredFlowReport[]>;
    /**
     * Holds the point until the transaction ends (a no-op update: a row lock on PostgreSQL; the
     * write transaction already is exclusive on SQLite), so that the cases of one point are raised
     * by one transaction at a time, each seeing the figures the one before it committed.
     */
    lockPoint(administrationId: string, id: string): Promise<boolean>;
    /** Inserts a case; false when the point already has one under that key (left as it was). */
    insertCase(c: EnergyCase): Promise<boolean>;
    /** Replaces a case at the version read; false when it changed meanwhile. */
    updateCase(c: EnergyCase, expectedVersion: number): Promise<boolean>;
    findCase(administrationId: string, id: string): Promise<EnergyCase | undefined>;
    /** The cases under these keys of one point. */
    findCasesByKey(
      administrationId: string,
      pointId: string,
      keys: readonly string[],
    ): Promise<EnergyCase[]>;
    /** Newest first. */
    listCases(f: {
      administrationId: string;
      status?: EnergyCaseStatus;
      pointId?: string;
      kind?: EnergyCaseKind;
      limit: number;
    }): Promise<EnergyCase[]>;
  };
  mirror: {
    /** Records each figure, replacing one held for the same side, partner, HS6 and month. */
    upsertRecords(records: readonly StoredMirrorRecord[]): Promise<void>;
    /** Records each duty rate, replacing one held for the same HS code. */
    upsertTariffs(rates: readonly StoredTariffRate[]): Promise<void>;
    /** The administration's duty rates, by HS code. */
    listTariffs(administrationId: string): Promise<StoredTariffRate[]>;
    /**
     * Both sides' figures of months [fromMonth, toMonth], optionally of one partner and HS6; of
     * every administration the database holds when none is named (what screening reads).
     */
    listRecords(f: {
      administrationId?: string;
      fromMonth: string;
      toMonth: string;
      partner?: string;
      hs6?: string;
      limit: number;
    }): Promise<StoredMirrorRecord[]>;
    /**
     * Replaces the administration's own-import figures of months [fromMonth, toMonth] with these
     * (loaded or computed before, all of them go); answers how many were removed.
     */
    replaceOwnImports(
      administrationId: string,
      fromMonth: string,
      toMonth: string,
      records: readonly StoredMirrorRecord[],
    ): Promise<number>;
    /**
     * Goods items of the administration's import declarations in `statuses` declared in months
     * [fromMonth, toMonth], summed by HS6 × month × partner (country of dispatch, else of
     * origin) × currency. Items without an HS code of six digits or a partner are left out.
     */
    declaredImports(f: DeclaredImportFilter): Promise<DeclaredImportAggregate[]>;
    /** The same goods items one by one, by declaration date, id and item; at most `limit`. */
    declaredImportItems(
      f: DeclaredImportFilter & {
        after?: { submittedAt: string; declarationId: string; sequence: number };
        limit: number;
      },
    ): Promise<DeclaredImportItem[]>;
  };
  ipr: {
    insertApplication(a: ApplicationForAction): Promise<void>;
    findApplication(id: string): Promise<ApplicationForAction | undefined>;
    /** Writes the application if it is still at `expectedVersion`; false: someone changed it first. */
    updateApplication(a: ApplicationForAction, expectedVersion: number): Promise<boolean>;
    /** Newest first. */
    listApplications(f: {
      administrationId?: string;
      applicantAgencyId?: string;
      status?: ApplicationStatus;
      limit: number;
    }): Promise<ApplicationForAction[]>;
    /** Every accepted application (in force or not yet or no longer): what the register is built from. */
    listAccepted(): Promise<ApplicationForAction[]>;
    /** Inserts a case; false when the declaration already has one. */
    insertCase(c: IprCase): Promise<boolean>;
    findCase(id: string): Promise<IprCase | undefined>;
    findCaseByDeclaration(declarationId: string): Promise<IprCase | undefined>;
    /** Newest first; `open`: only cases not closed. */
    listCases(f: {
      administrationId?: string;
      holderAgencyId?: string;
      declarantAgencyId?: string;
      open?: boolean;
      limit: number;
    }): Promise<IprCase[]>;
    /**
     * Appends the event at its position (`event.seq`, one past the last) and records whether it
     * closed the case; false when another event took that position first.
     */
    appendEvent(
      caseId: string,
      event: StoredIprEvent,
      summary: {
        closed: boolean;
        applicationId?: string;
        holderAgencyId?: string;
        holderName?: string;
      },
    ): Promise<boolean>;
    findCalendar(administrationId: string): Promise<WorkingDayCalendar | undefined>;
    saveCalendar(
      administrationId: string,
      calendar: WorkingDayCalendar,
      at: string,
      by: string,
    ): Promise<void>;
  };
  /**
   * Versions of the learned risk model (issue 20), one family per administration: trained by an
   * analyst, submitted, approved by a second person, then active until a newer version
   * supersedes it or it is retired. At most one version of an administration is active.
   */
  riskModels: {
    /** The number the administration's next trained version gets (1 for the first). */
    nextVersion(administrationId: string): Promise<number>;
    /** Stores a new version; a version taken meanwhile is a `conflict` DomainError. */
    insert(record: RiskModelRecord): Promise<void>;
    find(administrationId: string, version: number): Promise<RiskModelRecord | undefined>;
    /** The administration's versions, newest first, without the model JSON. */
    list(administrationId: string): Promise<RiskModelSummary[]>;
    /** The active version of every administration that has one: cheap, for the screening runtime. */
    listActive(): Promise<Array<{ administrationId: string; version: number }>>;
    /**
     * Moves a version from status `from` to `to` with the given fields, only if it is still
     * `from` (compare and set); false when it was not (nothing written). Making a second version
     * of an administration active is a `conflict` DomainError.
     */
    transition(
      administrationId: string,
      version: number,
      from: RiskModelStatus,
      to: RiskModelStatus,
      fields: RiskModelTransitionFields,
    ): Promise<boolean>;
  };
  idempotency: {
    find(userId: string, key: string): Promise<StoredIdempotentResponse | undefined>;
    /** Records the response; false when the key was taken meanwhile (nothing written). */
    save(userId: string, key: string, r: StoredIdempotentResponse, at: string): Promise<boolean>;
  };
}

/** Transactional access: reads go straight through; writes are grouped and committed durably. */
export interface Storage {
  readonly read: Repositories;
  /**
   * Runs `work` in a transaction (a savepoint of a group commit); resolves only after the commit
   * is durable. A throw rolls back `work` alone. A unique or check violation arrives as a
   * `conflict` DomainError, a lost database as `unavailable`.
   */
  write<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Runs `work` while holding the named lock across every process sharing the database (a session
   * advisory lock on PostgreSQL, the process itself on SQLite), or returns undefined at once when
   * another holder has it. For outbox subscribers: one dispatcher per subscriber at a time.
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<{ value: T } | undefined>;
  /** Resolves when the database answers within `timeoutMs`; rejects (`unavailable`) otherwise. */
  ready(timeoutMs?: number): Promise<void>;
}

export type { DeclarationContent, SourceFormat, AgencyKind };

export interface DeclaredImportFilter {
  administrationId: string;
  fromMonth: string;
  toMonth: string;
  statuses: readonly ControlStatus[];
  partner?: string;
  hs6?: string;
}

/** Goods items of one HS6, month, partner and currency, summed. */
export interface DeclaredImportAggregate {
  partner: string;
  hs6: string;
  month: string;
  currency: string | null;
  items: number;
  /** Sum of the items' values, in `currency`; items without a value count in `items` only. */
  value: number;
  itemsWithValue: number;
  /** Sum of the items' net mass (kg). */
  netMass: number;
  itemsWithMass: number;
}

/** One goods item of an import declaration, as the mirror drill-down lists it. */
export interface DeclaredImportItem {
  declarationId: string;
  reference: string;
  submittedAt: string;
  status: ControlStatus;
  declarant: { id: string | null; name: string | null };
  sequence: number;
  hsCode: string;
  partner: string;
  dispatchCountry: string | null;
  originCountry: string | null;
  value: number | null;
  currency: string | null;
  netMass: number | null;
}

export const RISK_MODEL_STATUSES = [
  'draft',
  'awaiting-approval',
  'active',
  'superseded',
  'rejected',
  'retired',
] as const;
export type RiskModelStatus = (typeof RISK_MODEL_STATUSES)[number];

/** A version of the learned risk model without its trees: what lists and the console show. */
export interface RiskModelSummary {
  /** The administration whose declarations it screens. */
  administrationId: string;
  version: number;
  status: RiskModelStatus;
  /** The user who trained it and their agency. */
  trainedBy: string;
  trainedByAgencyId: string;
  trainedAt: string;
  submittedBy: string | null;
  submittedAt: string | null;
  /** Who approved or rejected it (never the trainer), when, and why. */
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  activatedAt: string | null;
  /** When it stopped being active (superseded or retired). */
  endedAt: string | null;
  /** The model card (JSON object): data window, features, figures on the held-back period. */
  card: Record<string, unknown>;
}

export interface RiskModelRecord extends RiskModelSummary {
  /** The model file (JSON object): feature statistics and trees. */
  model: Record<string, unknown>;
}

export type RiskModelTransitionFields = Partial<
  Pick<
    RiskModelSummary,
    | 'submittedBy'
    | 'submittedAt'
    | 'decidedBy'
    | 'decidedAt'
    | 'decisionNote'
    | 'activatedAt'
    | 'endedAt'
  >
>;
