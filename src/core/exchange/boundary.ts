import type { SharingLevel } from '../risk/indicator.js';
import { exportShareable } from '../risk/sharing.js';
import type { Authored, Indicator, IndicatorMethod, ReferenceList } from '../risk/indicator.js';
import type { Agreement } from './agreements.js';
import { carriesNominal, type BodyOf, type Handling, type MessageType } from './messages.js';

/**
 * The node's boundary: the one place where what a user composed becomes what a partner receives.
 * A record marked national never leaves, whatever the message type; parties (nominal data) leave
 * only under an agreement that allows nominal data, and are dropped otherwise.
 */

/** What a user asks to send, with the sharing level of the information in it. */
export interface Composed<T extends MessageType = MessageType> {
  type: T;
  body: BodyOf[T];
  /** National: confidential, for this node only (refused at the boundary). */
  sharing: SharingLevel;
}

export type Released<T extends MessageType = MessageType> =
  | { ok: true; body: BodyOf[T]; handling: Handling; droppedParties: number }
  | { ok: false; reason: 'national-only' };

/** The body as the partner under `agreement` may receive it. */
export function releaseFor<T extends MessageType>(
  composed: Composed<T>,
  agreement: Pick<Agreement, 'nominal'>,
): Released<T> {
  if (composed.sharing !== 'shareable') return { ok: false, reason: 'national-only' };
  const body = structuredClone(composed.body);
  let dropped = 0;
  if (carriesNominal(body) && !agreement.nominal) {
    dropped = (body as { parties: unknown[] }).parties.length;
    delete (body as { parties?: unknown }).parties;
  }
  return {
    ok: true,
    body,
    handling: carriesNominal(body) ? 'nominal' : 'non-nominal',
    droppedParties: dropped,
  };
}

/** Shared risk information: the shareable indicators and lists only, copied field by field. */
export function riskShareBody(
  indicators: ReadonlyArray<Indicator & IndicatorMethod & Authored>,
  lists: ReadonlyArray<ReferenceList & Authored>,
  note?: string,
): BodyOf['risk.share'] {
  const shared = exportShareable(indicators, lists);
  return { ...(note ? { note } : {}), indicators: shared.indicators, lists: shared.lists };
}
