import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Checked } from '../errors.js';
import { RIGHT_TYPES } from '../ipr/application.js';
import { PRIORITY_AREAS } from '../risk/indicator.js';
import { schemaIssues } from '../schema-issues.js';
import { NODE_ID_PATTERN } from './ports.js';

/**
 * The messages administrations exchange: one envelope (docs/exchange-protocol.md) around a typed
 * body. Each body type has its own schema; a receiver refuses a body that does not match it.
 */

export const MESSAGE_TYPES = [
  'alert',
  'assistance.request',
  'assistance.status',
  'assistance.reply',
  'seizure.report',
  'ipr.report',
  'energy.report',
  'trade.exports',
  'risk.share',
  'directory.update',
  'ledger.checkpoint',
  'ledger.cosignature',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * Types the node sends by itself, never composed by a user: its ledger's checkpoints offered to
 * partners as witnesses, and their answers (C2SP tlog-cosignature).
 */
export const NODE_MESSAGE_TYPES: ReadonlySet<MessageType> = new Set([
  'ledger.checkpoint',
  'ledger.cosignature',
]);

/**
 * What an envelope may carry: `non-nominal` (no person or company can be identified) or
 * `nominal` (names, identifiers of parties), which needs an agreement that allows it. Records
 * marked national never leave the node at all, so there is no handling level for them.
 */
export const HANDLING_LEVELS = ['non-nominal', 'nominal'] as const;
export type Handling = (typeof HANDLING_LEVELS)[number];

const text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });
/**
 * Times are UTC with milliseconds (`2026-12-02T10:00:00.000Z`, what `toISOString` gives): one
 * spelling per instant, so that they compare as strings (see normaliseTimes for composing).
 */
export const UTC_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';
const dateTime = Type.String({ format: 'date-time', pattern: UTC_TIME, maxLength: 24 });
const date = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const country = Type.String({ pattern: '^[A-Z]{2}$' });
const hsCode = Type.String({ pattern: '^[0-9]{4,10}$' });
const nodeId = Type.String({ pattern: NODE_ID_PATTERN.source.replaceAll('\\/', '/') });
const closed = <T extends Record<string, TSchema>>(props: T) =>
  Type.Object(props, { additionalProperties: false });

const Goods = closed({ hsCode: Type.Optional(hsCode), description: text(500) });
const RouteLeg = closed({
  from: Type.Optional(text(35)),
  to: Type.Optional(text(35)),
  via: Type.Optional(Type.Array(text(35), { maxItems: 10 })),
  mode: Type.Optional(Type.Enum(['sea', 'air', 'road', 'rail', 'post', 'pipeline', 'other'])),
});
const Conveyance = closed({
  mode: Type.Enum(['sea', 'air', 'road', 'rail', 'post', 'other']),
  identifier: text(70),
});
/** A person or company named in a message: nominal data. */
const Party = closed({
  role: Type.Enum(['consignor', 'consignee', 'declarant', 'carrier', 'owner', 'other']),
  name: text(200),
  identifier: Type.Optional(text(35)),
  country: Type.Optional(country),
});

export const AlertBody = closed({
  priorityArea: Type.Enum(PRIORITY_AREAS),
  summary: text(300, 3),
  details: text(5000),
  goods: Type.Array(Goods, { maxItems: 50 }),
  routes: Type.Array(RouteLeg, { maxItems: 20 }),
  conveyances: Type.Array(Conveyance, { maxItems: 20 }),
  parties: Type.Optional(Type.Array(Party, { maxItems: 20 })),
  validUntil: Type.Optional(dateTime),
});

export const AssistanceRequestBody = closed({
  subject: text(300, 3),
  priorityArea: Type.Enum(PRIORITY_AREAS),
  questions: Type.Array(text(2000), { minItems: 1, maxItems: 30 }),
  references: Type.Array(
    closed({
      type: Type.Enum(['declaration', 'mrn', 'container', 'seizure', 'permit', 'other']),
      value: text(100),
    }),
    { maxItems: 30 },
  ),
  parties: Type.Optional(Type.Array(Party, { maxItems: 20 })),
  /** The answer is due by then. */
  deadline: dateTime,
});

/** Where a request for assistance stands at the requested administration. */
export const ASSISTANCE_STATUSES = [
  'sent',
  'received',
  'acknowledged',
  'in-progress',
  'answered',
  'refused',
] as const;
export type AssistanceStatus = (typeof ASSISTANCE_STATUSES)[number];

/**
 * Where a request for assistance stands after an answer to it (a status or a reply), and when it
 * was answered if the answer is final: the same on both sides, between nodes or agencies.
 */
export function caseAfter(
  type: 'assistance.status' | 'assistance.reply',
  body: BodyOf['assistance.status'] | BodyOf['assistance.reply'],
  at: string,
): { caseStatus: AssistanceStatus; answeredAt?: string } {
  if (type === 'assistance.status')
    return { caseStatus: (body as BodyOf['assistance.status']).status };
  return (body as BodyOf['assistance.reply']).final
    ? { caseStatus: 'answered', answeredAt: at }
    : { caseStatus: 'in-progress' };
}

export const AssistanceStatusBody = closed({
  status: Type.Enum(['acknowledged', 'in-progress', 'refused']),
  note: Type.Optional(text(2000)),
});

export const AssistanceReplyBody = closed({
  answers: Type.Array(text(5000), { minItems: 1, maxItems: 30 }),
  parties: Type.Optional(Type.Array(Party, { maxItems: 20 })),
  /** False: a partial answer, more will follow (a follow-up under the same request). */
  final: Type.Boolean(),
});

export const SeizureReportBody = closed({
  seizedOn: date,
  place: closed({
    country,
    locode: Type.Optional(text(5, 5)),
    description: Type.Optional(text(200)),
  }),
  priorityArea: Type.Enum(PRIORITY_AREAS),
  hsCode,
  description: text(500),
  species: Type.Optional(text(200)),
  quantity: closed({ value: Type.Number({ minimum: 0, maximum: 1e12 }), unit: text(10) }),
  concealment: Type.Optional(text(500)),
  route: Type.Array(RouteLeg, { maxItems: 20 }),
  detectionMethod: Type.Enum([
    'risk-profile',
    'random-selection',
    'intelligence',
    'scanning',
    'detector-dog',
    'documentary-check',
    'physical-inspection',
    'other',
  ]),
  parties: Type.Optional(Type.Array(Party, { maxItems: 20 })),
});

/** How far an IPR case had come when it was reported. */
export const IPR_REPORT_STAGES = [
  'detained',
  'infringement-confirmed',
  'proceedings',
  'destroyed',
  'released',
] as const;

/**
 * A detention or infringement report on goods suspected of infringing intellectual-property rights
 * (the SCO customs services' IPR memorandum of 2012): the marks, the goods and the route, for the
 * partner to watch the same marks and routes. The right holder, the declarant and known infringers
 * travel only in `parties`, which needs an agreement that allows nominal data.
 */
export const IprReportBody = closed({
  detainedOn: date,
  stage: Type.Enum(IPR_REPORT_STAGES),
  procedure: Type.Enum(['standard', 'small-consignment', 'ex-officio']),
  place: closed({ country, locode: Type.Optional(text(5, 5)) }),
  rights: Type.Array(
    closed({
      type: Type.Enum(RIGHT_TYPES),
      mark: text(120),
      registrationNumber: Type.Optional(text(60)),
    }),
    { minItems: 1, maxItems: 20 },
  ),
  goods: Type.Array(
    closed({
      hsCode,
      description: text(500),
      brand: Type.Optional(text(200)),
      quantity: Type.Optional(
        closed({ value: Type.Number({ minimum: 0, maximum: 1e12 }), unit: text(10) }),
      ),
    }),
    { minItems: 1, maxItems: 50 },
  ),
  route: closed({
    dispatchCountry: Type.Optional(country),
    originCountries: Type.Array(country, { maxItems: 20 }),
    transportMode: Type.Optional(text(20)),
  }),
  note: Type.Optional(text(2000)),
  parties: Type.Optional(Type.Array(Party, { maxItems: 20 })),
});

const SharedIndicatorSchema = closed({
  id: text(64),
  version: Type.Integer({ minimum: 1 }),
  title: text(200),
  priorityArea: Type.Enum(PRIORITY_AREAS),
  condition: text(4000),
  weight: Type.Number({ minimum: 0, maximum: 1000 }),
  directChannel: Type.Union([Type.Enum(['yellow', 'red']), Type.Null()]),
  controlForm: text(40),
  rationale: text(2000),
  validFrom: Type.Union([dateTime, Type.Null()]),
  validTo: Type.Union([dateTime, Type.Null()]),
  expectedDocuments: Type.Array(closed({ type: text(35), title: text(200) }), { maxItems: 20 }),
  sources: Type.Array(text(500), { maxItems: 20 }),
});
const SharedListSchema = closed({
  name: text(64),
  version: Type.Integer({ minimum: 1 }),
  kind: text(40),
  title: text(200),
  entries: Type.Array(text(200), { maxItems: 10_000 }),
});
export const RiskShareBody = closed({
  note: Type.Optional(text(2000)),
  indicators: Type.Array(SharedIndicatorSchema, { maxItems: 500 }),
  lists: Type.Array(SharedListSchema, { maxItems: 100 }),
});

const PublishedKeySchema = closed({
  kid: text(64),
  jwk: closed({ kty: Type.Literal('OKP'), crv: Type.Literal('Ed25519'), x: text(64) }),
  validFrom: dateTime,
  validTo: Type.Union([dateTime, Type.Null()]),
});
export const ContactSchema = closed({
  id: text(64),
  agency: text(200),
  name: text(200),
  function: text(200),
  languages: Type.Array(Type.String({ pattern: '^[a-z]{2,3}$' }), { maxItems: 10 }),
  priorityAreas: Type.Array(Type.Enum(PRIORITY_AREAS), { maxItems: PRIORITY_AREAS.length }),
  channels: Type.Array(
    closed({ kind: Type.Enum(['email', 'phone', 'exchange', 'other']), value: text(200) }),
    { maxItems: 10 },
  ),
  availability: Type.Optional(text(200)),
  deputyId: Type.Optional(text(64)),
});
export type LiaisonContact = Static<typeof ContactSchema>;

export const DirectoryUpdateBody = closed({
  administration: closed({ id: nodeId, name: text(200), country }),
  endpoints: closed({ http: Type.Union([text(500), Type.Null()]), nats: Type.Boolean() }),
  keys: Type.Array(PublishedKeySchema, { minItems: 1, maxItems: 10 }),
  contacts: Type.Array(ContactSchema, { maxItems: 500 }),
});

/** A tree size: leaves of a log, as a JSON number (GreenLane counts up to 2^53 − 1). */
const treeSize = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** One SHA-256 hash in standard base64 with padding (32 bytes: 43 characters and `=`). */
const hash = Type.String({ pattern: '^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$' });

/** A log's checkpoint offered to a witness, with the proof from the last one it cosigned. */
export const LedgerCheckpointBody = closed({
  /** The log's name, `greenlane.ledger/<node id>`: the checkpoint's first line. */
  origin: text(200),
  /** The C2SP signed note: checkpoint text, blank line, the log's signature line. */
  checkpoint: text(4000),
  /** The size the log believes this witness last cosigned; 0: none. */
  fromSize: treeSize,
  /** The RFC 9162 consistency proof from `fromSize` to the checkpoint's size. */
  proof: Type.Array(hash, { maxItems: 128 }),
});

/** Why a witness does not cosign a checkpoint. */
export const WITNESS_REFUSALS = [
  'stale',
  'inconsistent',
  'split-view',
  'bad-signature',
  'unknown-log',
] as const;
export type WitnessRefusal = (typeof WITNESS_REFUSALS)[number];

/** A witness's answer to a checkpoint: its cosignature, or why it refuses. */
export const LedgerCosignatureBody = Type.Union([
  closed({
    origin: text(200),
    size: treeSize,
    outcome: Type.Literal('cosigned'),
    /** The C2SP cosignature/v1 line, `— <witness> <base64>`, without a newline. */
    cosignature: text(300),
  }),
  closed({
    origin: text(200),
    size: treeSize,
    outcome: Type.Literal('refused'),
    reason: Type.Enum(WITNESS_REFUSALS),
    /** The size the witness has cosigned (0: none), when it matters to the log; else null. */
    knownSize: Type.Union([treeSize, Type.Null()]),
    detail: Type.String({ maxLength: 500 }),
  }),
]);

/**
 * Metered figures of an interconnection point (the SCO Protocol on the exchange of information on
 * energy transfer control, 2008): the sender's own meter readings for a period, each with the
 * sender's reference, direction as the sender sees it (its export is the receiver's import),
 * period in UTC, quantity and unit. `point` is the sender's id for the point; `receiverPointId`
 * the receiver's, when the sender knows it. The receiver records them as the partner's figures
 * and reconciles them with its own; sending a figure again under its reference changes nothing.
 */
export const EnergyReportBody = closed({
  point: text(64),
  receiverPointId: Type.Optional(text(64)),
  commodity: Type.Enum(['electricity', 'natural-gas', 'crude-oil', 'oil-products']),
  figures: Type.Array(
    closed({
      id: text(64),
      direction: Type.Enum(['import', 'export']),
      start: Type.String({ format: 'date-time', maxLength: 40 }),
      end: Type.String({ format: 'date-time', maxLength: 40 }),
      quantity: Type.Number({ minimum: 0, maximum: 1e15 }),
      unit: Type.Enum(['kWh', 'MWh', 'GWh', 'GJ', 'TJ', 'm3', 'kg', 't', 'bbl']),
      provisional: Type.Optional(Type.Boolean()),
    }),
    { minItems: 1, maxItems: 3000 },
  ),
  note: Type.Optional(text(2000)),
});

/**
 * The sender's exports to the receiver, aggregated by HS6 and month (FOB, in `currency`), for the
 * receiver's mirror comparison with its own imports (UN Comtrade's bilateral asymmetries). The
 * receiver records them, in the message's transaction, as its partner's exports (the partner
 * being the sender's country), converted to its comparison currency; a month sent again
 * replaces the figure.
 */
export const TradeExportsBody = closed({
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  records: Type.Array(
    closed({
      hs6: Type.String({ pattern: '^[0-9]{6}$' }),
      month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }),
      value: Type.Number({ exclusiveMinimum: 0, maximum: 1e15 }),
      quantity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e15 })),
      unit: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{1,10}$' })),
    }),
    { minItems: 1, maxItems: 5000 },
  ),
  note: Type.Optional(text(2000)),
});

export const BODY_SCHEMAS = {
  alert: AlertBody,
  'assistance.request': AssistanceRequestBody,
  'assistance.status': AssistanceStatusBody,
  'assistance.reply': AssistanceReplyBody,
  'seizure.report': SeizureReportBody,
  'ipr.report': IprReportBody,
  'energy.report': EnergyReportBody,
  'trade.exports': TradeExportsBody,
  'risk.share': RiskShareBody,
  'directory.update': DirectoryUpdateBody,
  'ledger.checkpoint': LedgerCheckpointBody,
  'ledger.cosignature': LedgerCosignatureBody,
} as const satisfies Record<MessageType, TSchema>;

export interface BodyOf {
  alert: Static<typeof AlertBody>;
  'assistance.request': Static<typeof AssistanceRequestBody>;
  'assistance.status': Static<typeof AssistanceStatusBody>;
  'assistance.reply': Static<typeof AssistanceReplyBody>;
  'seizure.report': Static<typeof SeizureReportBody>;
  'ipr.report': Static<typeof IprReportBody>;
  'energy.report': Static<typeof EnergyReportBody>;
  'trade.exports': Static<typeof TradeExportsBody>;
  'risk.share': Static<typeof RiskShareBody>;
  'directory.update': Static<typeof DirectoryUpdateBody>;
  'ledger.checkpoint': Static<typeof LedgerCheckpointBody>;
  'ledger.cosignature': Static<typeof LedgerCosignatureBody>;
}
export type MessageBody = BodyOf[MessageType];

/** Types that answer an earlier message and so must name it in `refTo`. */
export const ANSWER_TYPES: ReadonlySet<MessageType> = new Set([
  'assistance.status',
  'assistance.reply',
  'ledger.cosignature',
]);

/** Types whose body may name parties (nominal data) in a `parties` list. */
export const NOMINAL_FIELD = 'parties';

/** The signed envelope around every message, as it is canonicalised (RFC 8785) and signed. */
export const EnvelopeSchema = closed({
  v: Type.Literal(1),
  id: Type.String({ pattern: '^[0-9A-Za-z_-]{10,64}$' }),
  from: nodeId,
  to: nodeId,
  type: Type.Enum(MESSAGE_TYPES),
  /** The thread: the id of its first message. */
  conversation: Type.String({ pattern: '^[0-9A-Za-z_-]{10,64}$' }),
  refTo: Type.Union([Type.String({ pattern: '^[0-9A-Za-z_-]{10,64}$' }), Type.Null()]),
  createdAt: dateTime,
  expiresAt: dateTime,
  /** The agreement the message is sent under (its legal basis code). */
  legalBasis: text(100),
  handling: Type.Enum(HANDLING_LEVELS),
  body: Type.Object({}, { additionalProperties: true }),
});
export type Envelope<T extends MessageType = MessageType> = Omit<
  Static<typeof EnvelopeSchema>,
  'type' | 'body'
> & { type: T; body: BodyOf[T] };

const envelopeCheck = Compile(EnvelopeSchema);
const bodyChecks = Object.fromEntries(
  MESSAGE_TYPES.map((t) => [t, Compile(BODY_SCHEMAS[t] as TSchema)]),
) as Record<MessageType, ReturnType<typeof Compile>>;

/** Checks the body of a message of a type. */
export function validateBody<T extends MessageType>(type: T, body: unknown): Checked<BodyOf[T]> {
  const check = bodyChecks[type];
  if (!check.Check(body)) return { ok: false, issues: schemaIssues(check, body, `a ${type} body`) };
  const issues: { path: string; reason: string }[] = [];
  if (type === 'directory.update') {
    const b = body as BodyOf['directory.update'];
    const kids = new Set(b.keys.map((k) => k.kid));
    if (kids.size !== b.keys.length) issues.push({ path: '/keys', reason: 'duplicate kid' });
  }
  if (type === 'ledger.checkpoint') {
    const b = body as BodyOf['ledger.checkpoint'];
    if (b.fromSize === 0 && b.proof.length > 0)
      issues.push({ path: '/proof', reason: 'empty when fromSize is 0 (first contact)' });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: body as BodyOf[T] };
}

/** Checks a whole envelope: its frame, then the body of its type, then the answer reference. */
export function validateEnvelope(input: unknown): Checked<Envelope> {
  if (!envelopeCheck.Check(input)) {
    return { ok: false, issues: schemaIssues(envelopeCheck, input, 'a message envelope') };
  }
  const e = input as Envelope;
  const body = validateBody(e.type, e.body);
  if (!body.ok)
    return { ok: false, issues: body.issues.map((i) => ({ ...i, path: `/body${i.path}` })) };
  if (ANSWER_TYPES.has(e.type) && e.refTo === null)
    return { ok: false, issues: [{ path: '/refTo', reason: `a ${e.type} answers a message` }] };
  if (e.expiresAt <= e.createdAt)
    return { ok: false, issues: [{ path: '/expiresAt', reason: 'must be after createdAt' }] };
  if (carriesNominal(e.body) && e.handling !== 'nominal')
    return {
      ok: false,
      issues: [{ path: '/handling', reason: 'the body names parties: handling must be nominal' }],
    };
  return { ok: true, value: e };
}

/** True when a body names parties (persons or companies). */
export function carriesNominal(body: object): boolean {
  const parties = (body as { parties?: unknown[] }).parties;
  return Array.isArray(parties) && parties.length > 0;
}

/** What the receiver answers: signed, naming the digest of exactly what it received. */
export interface Receipt {
  v: 1;
  type: 'receipt';
  messageId: string | null;
  /** The receiver. */
  from: string;
  /** The sender of the message, as the envelope claimed (null when it could not be read). */
  to: string | null;
  /** `sha-256:` and the base64url SHA-256 of the compact JWS as received. */
  digest: string;
  receivedAt: string;
  status: 'accepted' | 'refused';
  /** Why it was refused (REFUSAL_REASONS), or `duplicate` for a repeat answered again. */
  reason: string | null;
}

/** Why a receiver refuses a message; the same words in receipts, logs and the protocol document. */
export const REFUSAL_REASONS = [
  'malformed',
  'too-large',
  'not-canonical',
  'invalid-envelope',
  'unknown-sender',
  'unknown-key',
  'bad-signature',
  'key-not-valid',
  'wrong-recipient',
  'expired',
  'from-the-future',
  'no-agreement',
  'unknown-reference',
  'id-reused',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * What a user composed, with its times in the one spelling the protocol allows: any RFC 3339
 * date-time the user gave becomes UTC with milliseconds; anything else is left for validation
 * to refuse.
 */
export function normaliseTimes<T extends MessageType>(type: T, body: BodyOf[T]): BodyOf[T] {
  const field = type === 'assistance.request' ? 'deadline' : type === 'alert' ? 'validUntil' : null;
  if (field === null) return body;
  const value = (body as Record<string, unknown>)[field];
  if (typeof value !== 'string') return body;
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return body;
  return { ...body, [field]: new Date(t).toISOString() };
}
