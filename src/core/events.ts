import type { Channel } from './declaration/declaration.js';
import type { IprEvent } from './ipr/procedure.js';

type IprEventType = IprEvent['type'];

/**
 * Every kind of state change GreenLane records. Each is written, in the transaction of the change,
 * to the audit log and to the outbox, from which subscribers (the console's live stream, engine
 * reloads in every process, later the ledger and the exchange with partners) receive it.
 */
export type EventKind =
  | 'administration.created'
  | 'agency.created'
  | 'user.created'
  | 'user.signed-in'
  | 'api-token.issued'
  | 'api-token.revoked'
  | `user.${'roles-changed' | 'disabled' | 'enabled'}`
  | 'session.ended'
  | 'representation.registered'
  | 'representation.revoked'
  | 'simplified-procedures.granted'
  | 'simplified-procedures.withdrawn'
  | 'declaration.submitted'
  | 'declaration.amended'
  | 'declaration.cancelled'
  | 'declaration.assigned'
  | 'declaration.inspected'
  | 'declaration.seized'
  | 'declaration.referred'
  | 'declaration.held'
  | 'declaration.released'
  | 'cargo-report.lodged'
  | 'cargo-report.amended'
  | 'cargo-referral.replied'
  | 'cargo-referral.closed'
  | `${'indicator' | 'reference-list'}.${'created' | 'revised' | 'submitted' | 'approved' | 'activated' | 'rejected' | 'retirement-requested' | 'retirement-agreed' | 'retired'}`
  | 'certificate.issued'
  | 'certificate.suspended'
  | 'certificate.reinstated'
  | 'certificate.revoked'
  | `permit.${'applied' | 'under-review' | 'information-requested' | 'information-provided' | 'issued' | 'refused' | 'suspended' | 'reinstated' | 'revoked' | 'drawn'}`
  | `rule-pack.${'proposed' | 'rejected' | 'loaded'}`
  | `exchange.${'sent' | 'delivered' | 'refused' | 'expired' | 'received' | 'case-updated' | 'adopted'}`
  | `partner.${'registered' | 'updated' | 'key-trusted' | 'suspended' | 'reinstated' | 'key-revoked'}`
  | 'agreement.recorded'
  | 'node.key-rotated'
  | `ledger.${'split-view' | 'inconsistent' | 'witness-refused' | 'cosignature-invalid'}`
  | `liaison-contact.${'updated' | 'removed'}`
  | `ipr-application.${'submitted' | 'completed' | 'accept' | 'request-information' | 'refuse' | 'extend'}`
  | 'ipr-case.opened'
  | `ipr-case.${IprEventType}`
  | 'working-calendar.set'
  | `energy-point.${'defined' | 'updated'}`
  | 'energy-flow.recorded'
  | 'energy-statement.countersigned'
  | `energy-case.${'opened' | 'close' | 'reopen' | 'note' | 'alert-sent'}`
  | 'trade-mirror.recorded'
  | `risk-model.${'trained' | 'submitted' | 'approved' | 'rejected' | 'activated' | 'retired'}`;

/** What the events that put a declaration on a worklist carry (and the live stream shows). */
export interface LodgingData {
  reference: string;
  channel: Channel | null;
  score: number | null;
  [more: string]: unknown;
}

/** The data of the kinds whose shape subscribers rely on; the others carry free details. */
export interface EventDataOf {
  'declaration.submitted': LodgingData;
  'declaration.amended': LodgingData;
  'cargo-report.lodged': LodgingData;
  'cargo-report.amended': LodgingData;
}

export type EventData<K extends EventKind> = K extends keyof EventDataOf
  ? EventDataOf[K]
  : Record<string, unknown>;

/** A change as it is recorded: who did what to which subject, for which agency, when. */
export interface NewDomainEvent<K extends EventKind = EventKind> {
  kind: K;
  subjectType: string;
  subjectId: string;
  agencyId: string;
  actorId: string | null;
  at: string;
  data: EventData<K>;
}

/** An event as the outbox delivers it: in commit order, identified by its position. */
export interface DomainEvent<K extends EventKind = EventKind> extends NewDomainEvent<K> {
  /** Unique and stable; the outbox delivers in (txid, position) order. */
  position: number;
  /** The committing transaction on PostgreSQL (0 on SQLite). */
  txid: number;
}

/** Where a reader of the outbox is: after the event at (txid, position); (0, 0) is the beginning. */
export interface OutboxCursor {
  txid: number;
  position: number;
}

export const OUTBOX_START: OutboxCursor = Object.freeze({ txid: 0, position: 0 });

/** True when `a` comes after `b` in delivery order. */
export function isAfter(a: OutboxCursor, b: OutboxCursor): boolean {
  return a.txid > b.txid || (a.txid === b.txid && a.position > b.position);
}

/** Lodgings, amendments and re-screenings: what changes a worklist. */
export const LODGING_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([
  'declaration.submitted',
  'declaration.amended',
  'cargo-report.lodged',
  'cargo-report.amended',
  'cargo-referral.replied',
]);

/** Changes after which a process must rebuild its risk engine. */
export function changesIndicators(kind: EventKind): boolean {
  return (
    kind.startsWith('indicator.') ||
    kind.startsWith('reference-list.') ||
    kind === 'risk-model.activated' ||
    kind === 'risk-model.retired'
  );
}

/** A durable outbox subscriber: it gets every event at least once, in order, from its cursor. */
export interface OutboxSubscriber {
  /** Stable: the stored cursor is kept under this name. */
  readonly name: string;
  /** Handles a page of events; the cursor moves past them only when this resolves. */
  deliver(events: readonly DomainEvent[]): Promise<void>;
}
