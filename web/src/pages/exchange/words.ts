import type {
  AssistanceStatus,
  BodyOf,
  RefusalReason,
} from '../../../../src/core/exchange/messages.js';
import { formatDateTime } from '../../format.js';
import { priorityAreaWords } from '../../words.js';
import type { Message, MessageType } from './types.js';

/** The exchange's codes in words: nothing on these pages shows a code to read. */

export const MESSAGE_TYPE_WORDS: Readonly<Record<MessageType, string>> = {
  alert: 'Alert',
  'assistance.request': 'Request for assistance',
  'assistance.status': 'Status of a request',
  'assistance.reply': 'Answer to a request',
  'seizure.report': 'Seizure report',
  'ipr.report': 'Intellectual-property detention report',
  'energy.report': 'Metered energy figures',
  'trade.exports': 'Export figures for the mirror comparison',
  'risk.share': 'Shared risk information',
  'directory.update': 'Directory update',
  'ledger.checkpoint': 'Ledger checkpoint for the witness',
  'ledger.cosignature': 'Witness answer on a checkpoint',
};

/** How far an IPR case had come when a partner reported it. */
export const IPR_STAGE_WORDS: Readonly<Record<BodyOf['ipr.report']['stage'], string>> = {
  detained: 'detained, awaiting the right holder',
  'infringement-confirmed': 'infringement confirmed by the right holder',
  proceedings: 'court proceedings started',
  destroyed: 'goods destroyed',
  released: 'goods released',
};

export const DELIVERY_WORDS: Readonly<Record<Message['delivery'], string>> = {
  queued: 'queued',
  delivered: 'delivered',
  refused: 'refused',
  expired: 'expired',
  received: 'received',
};

export const CASE_STATUS_WORDS: Readonly<Record<AssistanceStatus, string>> = {
  sent: 'sent, not yet received',
  received: 'received, not yet acknowledged',
  acknowledged: 'acknowledged',
  'in-progress': 'in progress',
  answered: 'answered',
  refused: 'refused',
};

export const caseStatusWords = (s: string | null): string =>
  s ? (CASE_STATUS_WORDS[s as AssistanceStatus] ?? s) : '—';

/** Why a partner refused a message, from its signed receipt. */
export const REFUSAL_WORDS: Readonly<Record<RefusalReason | 'duplicate', string>> = {
  malformed: 'the partner could not read the message',
  'too-large': 'the message is too large for the partner',
  'not-canonical': 'the message was not in the canonical form the protocol requires',
  'invalid-envelope': 'the message does not follow the exchange protocol',
  'unknown-sender': 'the partner does not know this administration',
  'unknown-key': 'the partner does not know the key it was signed with',
  'bad-signature': 'the signature did not verify at the partner',
  'key-not-valid': 'the key it was signed with was not valid at that time',
  'wrong-recipient': 'it was addressed to another administration',
  expired: 'it had expired before it arrived',
  'from-the-future': "its time was ahead of the partner's clock",
  'no-agreement': 'no agreement in force with the partner covers it',
  'unknown-reference': 'the partner does not know the message it answers',
  'id-reused': 'its id had been used before for another message',
  duplicate: 'a repeat of a message received before',
};

export const refusalWords = (reason: string | null): string =>
  reason ? (REFUSAL_WORDS[reason as RefusalReason] ?? reason) : 'no reason given';

export const BINDING_WORDS: Readonly<Record<'http' | 'nats' | 'local', string>> = {
  http: 'over HTTP',
  nats: 'over NATS',
  local: 'within this administration',
};

export const REFERENCE_TYPES = [
  'declaration',
  'mrn',
  'container',
  'seizure',
  'permit',
  'other',
] as const;
export const REFERENCE_WORDS: Readonly<Record<(typeof REFERENCE_TYPES)[number], string>> = {
  declaration: 'Declaration',
  mrn: 'Movement reference number (MRN)',
  container: 'Container',
  seizure: 'Seizure',
  permit: 'Permit',
  other: 'Other',
};

export const CONVEYANCE_MODES = ['sea', 'air', 'road', 'rail', 'post', 'other'] as const;
export const ROUTE_MODES = ['sea', 'air', 'road', 'rail', 'post', 'pipeline', 'other'] as const;
export const MODE_WORDS: Readonly<Record<(typeof ROUTE_MODES)[number], string>> = {
  sea: 'Sea',
  air: 'Air',
  road: 'Road',
  rail: 'Rail',
  post: 'Post',
  pipeline: 'Pipeline',
  other: 'Other',
};

export const DETECTION_METHODS = [
  'risk-profile',
  'random-selection',
  'intelligence',
  'scanning',
  'detector-dog',
  'documentary-check',
  'physical-inspection',
  'other',
] as const;
export const DETECTION_WORDS: Readonly<Record<(typeof DETECTION_METHODS)[number], string>> = {
  'risk-profile': 'Risk profile',
  'random-selection': 'Random selection',
  intelligence: 'Intelligence',
  scanning: 'Scanning (X-ray)',
  'detector-dog': 'Detector dog',
  'documentary-check': 'Documentary check',
  'physical-inspection': 'Physical inspection',
  other: 'Other',
};

export const CHANNEL_KINDS = ['email', 'phone', 'exchange', 'other'] as const;
export const CHANNEL_WORDS: Readonly<Record<(typeof CHANNEL_KINDS)[number], string>> = {
  email: 'E-mail',
  phone: 'Telephone',
  exchange: 'Exchange message',
  other: 'Other',
};

export const PARTY_ROLE_WORDS: Readonly<Record<string, string>> = {
  consignor: 'Consignor',
  consignee: 'Consignee',
  declarant: 'Declarant',
  carrier: 'Carrier',
  owner: 'Owner',
  other: 'Other',
};

export const HANDLING_WORDS: Readonly<Record<Message['handling'], string>> = {
  'non-nominal': 'no persons or companies named',
  nominal: 'names persons or companies',
};

/** How a partner's key came to be trusted here, in words. */
export function trustWords(trustedBy: string): string {
  if (trustedBy.startsWith('administrator:')) return 'confirmed by an administrator of this node';
  if (trustedBy.startsWith('entry-of:'))
    return "from the partner's signed directory entry, thumbprint confirmed";
  if (trustedBy.startsWith('directory:')) return "announced in the partner's directory update";
  return trustedBy;
}

export const modeWords = (m: string | undefined): string =>
  m ? (MODE_WORDS[m as keyof typeof MODE_WORDS] ?? m) : '';

/** Who the other side of a message is: the sender of what came in, the addressee of what went out. */
export const partnerOf = (m: Pick<Message, 'direction' | 'from' | 'to'>): string =>
  m.direction === 'in' ? m.from : m.to;

const cut = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** One line that says what a message is about. */
export function summaryOf(m: Pick<Message, 'type' | 'body'>): string {
  switch (m.type) {
    case 'alert': {
      const b = m.body as BodyOf['alert'];
      return `${b.summary} (${priorityAreaWords(b.priorityArea)})`;
    }
    case 'assistance.request': {
      const b = m.body as BodyOf['assistance.request'];
      return `${b.subject} (${priorityAreaWords(b.priorityArea)})`;
    }
    case 'assistance.status': {
      const b = m.body as BodyOf['assistance.status'];
      return `The request is ${caseStatusWords(b.status)}${b.note ? `: ${cut(b.note)}` : ''}`;
    }
    case 'assistance.reply': {
      const b = m.body as BodyOf['assistance.reply'];
      return `${b.final ? 'Final answer' : 'Partial answer, more to follow'}: ${cut(b.answers[0] ?? '')}`;
    }
    case 'seizure.report': {
      const b = m.body as BodyOf['seizure.report'];
      return `${b.description}, seized on ${b.seizedOn} in ${b.place.country}`;
    }
    case 'ipr.report': {
      const b = m.body as BodyOf['ipr.report'];
      const marks = b.rights.map((r) => r.mark).join(', ');
      return `Goods bearing ${marks}, detained on ${b.detainedOn} in ${b.place.country} (${IPR_STAGE_WORDS[b.stage]})`;
    }
    case 'energy.report': {
      const b = m.body as BodyOf['energy.report'];
      const first = b.figures[0]!.start.slice(0, 10);
      const last = b.figures[b.figures.length - 1]!.end.slice(0, 10);
      return `${b.figures.length} metered figure${b.figures.length === 1 ? '' : 's'} of point ${b.point}, ${first} to ${last}`;
    }
    case 'trade.exports': {
      const b = m.body as BodyOf['trade.exports'];
      const months = [...new Set(b.records.map((r) => r.month))].sort();
      return `${b.records.length} export figure${b.records.length === 1 ? '' : 's'} by HS6, ${months[0]}${months.length > 1 ? ` to ${months[months.length - 1]}` : ''} (FOB, ${b.currency})`;
    }
    case 'risk.share': {
      const b = m.body as BodyOf['risk.share'];
      const n = b.indicators.length;
      const l = b.lists.length;
      return `${n} indicator${n === 1 ? '' : 's'}${l > 0 ? ` and ${l} list${l === 1 ? '' : 's'}` : ''}${b.note ? `: ${cut(b.note)}` : ''}`;
    }
    case 'directory.update': {
      const b = m.body as BodyOf['directory.update'];
      return `Directory entry of ${b.administration.name}`;
    }
    case 'ledger.checkpoint': {
      const b = m.body as BodyOf['ledger.checkpoint'];
      const size = /\n(\d+)\n/.exec(b.checkpoint)?.[1] ?? '?';
      return `Checkpoint of ${b.origin} at ${size} entries, to be cosigned`;
    }
    case 'ledger.cosignature': {
      const b = m.body as BodyOf['ledger.cosignature'];
      return b.outcome === 'cosigned'
        ? `Cosigned the checkpoint of ${b.origin} at ${b.size} entries`
        : `Refused the checkpoint of ${b.origin} at ${b.size} entries (${b.reason}): ${cut(b.detail)}`;
    }
  }
}

/** Where a message stands on its way, after its state word: attempts, receipt, arrival. */
export function deliveryDetail(m: Message): string {
  switch (m.delivery) {
    case 'queued': {
      const tried =
        m.attempts === 0 ? 'not tried yet' : `${m.attempts} attempt${m.attempts === 1 ? '' : 's'}`;
      const next = m.nextAttemptAt ? `, next attempt ${formatDateTime(m.nextAttemptAt)}` : '';
      const last = m.lastError ? `; last error: ${m.lastError}` : '';
      return `${tried}${next}${last}`;
    }
    case 'delivered':
      return `${m.binding ? `${BINDING_WORDS[m.binding]} ` : ''}${formatDateTime(m.deliveredAt)}`;
    case 'refused':
      return refusalWords(m.receiptReason);
    case 'expired':
      return `not delivered by ${formatDateTime(m.expiresAt)}`;
    case 'received':
      return `sent ${formatDateTime(m.createdAt)}`;
  }
}

/** The state and its detail in one line: "delivered over HTTP 2 Nov 2025, 10:32". */
export const deliveryWords = (m: Message): string =>
  `${DELIVERY_WORDS[m.delivery]}${m.delivery === 'refused' ? ':' : ''} ${deliveryDetail(m)}`;
