import { createHash } from 'node:crypto';
import type { Principal } from '../core/auth/identity.js';
import { assertAllowed } from '../core/auth/policy.js';
import { keyValidAt, type StoredMessage } from '../core/exchange/agreements.js';
import { releaseFor, type Composed, type Released } from '../core/exchange/boundary.js';
import { canonicalBytes } from '../core/exchange/canonical-json.js';
import { buildEnvelope, sendingAgreement } from '../core/exchange/envelope.js';
import {
  ANSWER_TYPES,
  caseAfter,
  carriesNominal,
  NODE_MESSAGE_TYPES,
  normaliseTimes,
  validateBody,
  validateEnvelope,
  type BodyOf,
  type Envelope,
  type MessageType,
  type Receipt,
} from '../core/exchange/messages.js';
import type {
  EnvelopeSigner,
  JwsVerifier,
  PartnerAddress,
  PublishedKey,
  Transport,
} from '../core/exchange/ports.js';
import { DomainError } from '../core/errors.js';
import type { Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';

/** What a node needs to take part in the exchange; absent when the exchange is not configured. */
export interface ExchangeRuntime {
  /** This node's id (`BY/GTK`) and name. */
  nodeId: string;
  name: string;
  /** The administration this node is (its records are the ones the exchange shares). */
  administrationId: string;
  /** The agency that handles what partners send (the administration's customs agency). */
  customsAgencyId: string;
  signer: EnvelopeSigner;
  /**
   * Raw Ed25519 signing with the key current at `at` (the one `signer` signs envelopes with): the
   * node's cosignatures of partners' checkpoints, as their witness.
   */
  rawSigner(at: Date): { publicKey: Uint8Array; sign(message: Uint8Array): Promise<Uint8Array> };
  jws: JwsVerifier;
  /** RFC 7638 thumbprint of a public key (its `kid`). */
  kidOf(jwk: PublishedKey['jwk']): Promise<string>;
  transports: Partial<Record<'http' | 'nats', Transport>>;
  /** How long a message may wait for delivery before it expires. */
  messageTtlHours: number;
  /** How far in the future a partner's clock may be. */
  maxClockSkewMs: number;
}

export function exchangeOf(ctx: AppContext): ExchangeRuntime {
  if (!ctx.exchange)
    throw new DomainError('unavailable', 'the exchange with partner administrations is not set up');
  return ctx.exchange;
}

/** `sha-256:` and the base64url SHA-256 of a compact JWS, as receipts name it. */
export function digestOf(jws: string): string {
  return `sha-256:${createHash('sha256').update(jws, 'utf8').digest('base64url')}`;
}

/** The scope record of the exchange: every message and directory entry belongs to the node. */
export function nodeRecord(rt: ExchangeRuntime): { administrationId: string } {
  return { administrationId: rt.administrationId };
}

export interface ComposeInput<T extends MessageType = MessageType> extends Composed<T> {
  /**
   * Partner node ids (`KZ/KGD`: one signed envelope each, as agreements and so handling may
   * differ per partner) and codes of agencies of this administration (`BY-ENV`: delivered here,
   * never signed, never leaving the node).
   */
  to: readonly string[];
  /** Answers and follow-ups: the message answered (its conversation is continued). */
  refTo?: string | null;
  expiresAt?: string;
}

/** True for a partner node id, false for the code of an agency of this node. */
export const isNodeId = (to: string): boolean => to.includes('/');

/**
 * Composes, signs and queues a message to each partner, in one transaction with its audit event;
 * the sender delivers it from the queue. Messages to agencies of this node are delivered in the
 * same transaction. Refused as a whole (nothing queued) when any addressee is unknown, no
 * agreement covers the type for a partner, or content for a partner is national-only.
 */
export async function sendMessage(
  ctx: AppContext,
  principal: Principal,
  input: ComposeInput,
  options: { as?: 'author' } = {},
): Promise<StoredMessage[]> {
  const rt = exchangeOf(ctx);
  const addressees: unknown = input.to;
  if (
    !Array.isArray(addressees) ||
    !addressees.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 35)
  )
    throw new DomainError('invalid_input', 'name the partners and agencies to send to', [
      { path: '/to', reason: 'a list of partner node ids (KZ/KGD) or agency codes' },
    ]);
  if (NODE_MESSAGE_TYPES.has(input.type))
    throw new DomainError('invalid_input', `${input.type} messages are sent by the node itself`, [
      { path: '/type', reason: 'not a message users compose' },
    ]);
  const action = ANSWER_TYPES.has(input.type) ? 'respond' : 'send';
  if (options.as === 'author' || input.type === 'directory.update') {
    // The node's own directory entry goes out as its liaison officers keep it.
    assertAllowed(principal, 'author', 'partner-directory', nodeRecord(rt));
  } else {
    if (input.to.some(isNodeId))
      assertAllowed(principal, action, 'exchange-message', nodeRecord(rt));
    if (input.to.some((t) => !isNodeId(t)))
      assertAllowed(principal, action, 'agency-message', nodeRecord(rt));
  }
  if (input.body && typeof input.body === 'object')
    input = { ...input, body: normaliseTimes(input.type, input.body) };
  if (input.expiresAt !== undefined) {
    const t = Date.parse(input.expiresAt);
    if (Number.isNaN(t))
      throw new DomainError('invalid_input', 'expiresAt is not a date-time', [
        { path: '/expiresAt', reason: 'a date-time' },
      ]);
    input = { ...input, expiresAt: new Date(t).toISOString() };
  }
  if (input.to.length === 0)
    throw new DomainError('invalid_input', 'name at least one partner', [
      { path: '/to', reason: 'at least one partner' },
    ]);
  if (new Set(input.to).size !== input.to.length)
    throw new DomainError('invalid_input', 'a partner is named twice', [
      { path: '/to', reason: 'each partner once' },
    ]);
  return ctx.storage.write(async (tx) => {
    const out: StoredMessage[] = [];
    for (const [index, to] of input.to.entries()) {
      const path = `/to/${index}`;
      out.push(
        isNodeId(to)
          ? await queueOne(ctx, rt, tx, principal, input, to, path)
          : await deliverLocally(ctx, rt, tx, principal, input, to, path),
      );
    }
    return out;
  });
}

/**
 * A message between agencies of this administration: checked like any other, stored as sent by
 * one agency and received by the other in the same transaction, unsigned (it never leaves the
 * node; national information may go, nominal data too).
 */
async function deliverLocally(
  ctx: AppContext,
  rt: ExchangeRuntime,
  tx: Repositories,
  principal: Principal,
  input: ComposeInput,
  code: string,
  path: string,
): Promise<StoredMessage> {
  const [agency, own] = await Promise.all([
    tx.identity.findAgencyByCode(code),
    tx.identity.findAgency(principal.agencyId),
  ]);
  if (
    !agency ||
    !own ||
    agency.administrationId !== rt.administrationId ||
    agency.kind === 'trader' ||
    agency.id === own.id
  )
    throw new DomainError('invalid_input', `${code} is not another agency of this administration`, [
      { path, reason: 'a partner node id (KZ/KGD) or the code of another agency here' },
    ]);
  const body = validateBody(input.type, input.body);
  if (!body.ok)
    throw new DomainError(
      'invalid_input',
      'the message is not valid',
      body.issues.map((i) => ({ ...i, path: `/body${i.path}` })),
    );
  const at = ctx.clock.now().toISOString();
  const id = ctx.ids.next();
  let conversation = id;
  let refTo: string | null = null;
  if (input.refTo) {
    // Answering or following up a message this agency received from that agency.
    const [answered] = await tx.exchange.listMessages({
      id: input.refTo,
      agencyId: principal.agencyId,
      limit: 1,
    });
    const other = answered && (answered.direction === 'in' ? answered.from : answered.to);
    if (!answered || answered.binding !== 'local' || other !== code)
      throw new DomainError('invalid_input', `no message ${input.refTo} with ${code}`, [
        { path: '/refTo', reason: 'no such message with this agency' },
      ]);
    if (
      ANSWER_TYPES.has(input.type) &&
      (answered.direction !== 'in' || answered.type !== 'assistance.request')
    )
      throw new DomainError('invalid_input', `${answered.id} is not a request received`, [
        { path: '/refTo', reason: 'a request for assistance received from this agency' },
      ]);
    conversation = answered.conversation;
    refTo = answered.id;
    if (ANSWER_TYPES.has(input.type)) {
      const c = caseAfter(answerType(input.type), body.value as AnswerBody, at);
      for (const direction of ['in', 'out'] as const)
        await tx.exchange.setCase(direction, answered.from, answered.id, c);
    }
  } else if (ANSWER_TYPES.has(input.type)) {
    throw new DomainError('invalid_input', `a ${input.type} answers a request`, [
      { path: '/refTo', reason: 'required' },
    ]);
  }
  const request = input.type === 'assistance.request';
  const row: StoredMessage = {
    direction: 'out',
    id,
    from: own.code,
    to: code,
    type: input.type,
    conversation,
    refTo,
    createdAt: at,
    expiresAt:
      input.expiresAt ?? new Date(Date.parse(at) + rt.messageTtlHours * 3_600_000).toISOString(),
    legalBasis: 'domestic',
    handling: carriesNominal(body.value) ? 'nominal' : 'non-nominal',
    body: body.value,
    jws: '',
    digest: '',
    agencyId: own.id,
    createdBy: principal.userId,
    delivery: 'delivered',
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    binding: 'local',
    deliveredAt: at,
    receipt: null,
    receiptReason: null,
    caseStatus: request ? 'received' : null,
    deadline: request ? (body.value as { deadline: string }).deadline : null,
    answeredAt: null,
    adoptedAt: null,
  };
  await tx.exchange.insertMessage(row);
  await tx.exchange.insertMessage({
    ...row,
    direction: 'in',
    agencyId: agency.id,
    delivery: 'received',
    createdBy: principal.userId,
  });
  for (const [action, agencyId] of [
    ['exchange.sent', own.id],
    ['exchange.received', agency.id],
  ] as const)
    await tx.audit.append({
      at,
      agencyId,
      actorId: principal.userId,
      action,
      subjectType: 'exchange-message',
      subjectId: id,
      details: { local: true, from: own.code, to: code, type: input.type, conversation, refTo },
    });
  return row;
}

async function queueOne(
  ctx: AppContext,
  rt: ExchangeRuntime,
  tx: Repositories,
  principal: Principal,
  input: ComposeInput,
  to: string,
  path: string,
): Promise<StoredMessage> {
  const partner = await tx.exchange.findPartner(to);
  if (!partner || partner.status !== 'active')
    throw new DomainError('invalid_input', `${to} is not an active partner`, [
      { path, reason: 'not an active partner administration' },
    ]);
  const now = ctx.clock.now();
  const at = now.toISOString();
  let conversation: string | null = null;
  let refTo: string | null = input.refTo ?? null;
  let answeredRequest: StoredMessage | undefined;
  if (refTo !== null) {
    // A follow-up continues the thread of the message it answers, with the same partner.
    const answered = await tx.exchange.messageById(refTo);
    const other = answered && (answered.direction === 'in' ? answered.from : answered.to);
    if (!answered || other !== to)
      throw new DomainError('invalid_input', `no message ${refTo} with ${to}`, [
        { path: '/refTo', reason: 'no such message with this partner' },
      ]);
    conversation = answered.conversation;
    refTo = answered.id;
    if (
      ANSWER_TYPES.has(input.type) &&
      (answered.direction !== 'in' || answered.type !== 'assistance.request')
    )
      throw new DomainError('invalid_input', `${refTo} is not a request for assistance received`, [
        { path: '/refTo', reason: 'a request for assistance received from this partner' },
      ]);
    if (ANSWER_TYPES.has(input.type)) answeredRequest = answered;
  } else if (ANSWER_TYPES.has(input.type)) {
    throw new DomainError('invalid_input', `a ${input.type} answers a request`, [
      { path: '/refTo', reason: 'required' },
    ]);
  }
  const agreements = await tx.exchange.agreements(to);
  // A message naming parties goes under an agreement that allows it, if there is one (else the
  // parties are withheld); any other message under the first agreement that covers its type.
  const agreement = sendingAgreement(agreements, to, input.type, at, carriesNominal(input.body));
  if (!agreement)
    throw new DomainError('conflict', `no agreement with ${to} covers ${input.type} messages`, [
      { path, reason: `no agreement in force covers ${input.type}` },
    ]);
  const released = releaseFor(input, agreement);
  if (!released.ok)
    throw new DomainError(
      'invalid_input',
      'national-only information never leaves this node: mark it shareable to send it',
      [{ path: '/sharing', reason: 'national-only' }],
    );
  const m = await signAndQueue(ctx, rt, tx, {
    type: input.type,
    released,
    to,
    conversation,
    refTo,
    expiresAt: input.expiresAt,
    legalBasis: agreement.legalBasis,
    agencyId: principal.agencyId,
    userId: principal.userId,
  });
  if (answeredRequest) {
    // Answering a request received: it stands where the answer puts it, here as at the partner.
    await tx.exchange.setCase(
      'in',
      answeredRequest.from,
      answeredRequest.id,
      caseAfter(answerType(m.type), m.body as AnswerBody, at),
    );
  }
  return m;
}

/**
 * Queues a message the node sends by itself (NODE_MESSAGE_TYPES: its ledger's checkpoints to
 * witnesses, their answers) in the caller's transaction, as the customs agency and no user.
 * Undefined when the partner is not active or no agreement in force covers the type: nothing is
 * queued. `conversation` and `refTo` are taken as given (the caller answers a message it holds).
 */
export async function queueNodeMessage<T extends MessageType>(
  ctx: AppContext,
  tx: Repositories,
  input: {
    type: T;
    body: BodyOf[T];
    to: string;
    conversation?: string | null;
    refTo?: string | null;
  },
): Promise<StoredMessage | undefined> {
  const rt = exchangeOf(ctx);
  if (!NODE_MESSAGE_TYPES.has(input.type)) throw new Error(`${input.type} is composed by users`);
  const partner = await tx.exchange.findPartner(input.to);
  if (!partner || partner.status !== 'active') return undefined;
  const at = ctx.clock.now().toISOString();
  const agreements = await tx.exchange.agreements(input.to);
  const agreement = sendingAgreement(agreements, input.to, input.type, at, false);
  if (!agreement) return undefined;
  const released = releaseFor(
    { type: input.type, body: input.body, sharing: 'shareable' },
    agreement,
  );
  if (!released.ok) throw new Error('a node message is always shareable');
  return signAndQueue(ctx, rt, tx, {
    type: input.type,
    released,
    to: input.to,
    conversation: input.conversation ?? null,
    refTo: input.refTo ?? null,
    expiresAt: undefined,
    legalBasis: agreement.legalBasis,
    agencyId: rt.customsAgencyId,
    userId: null,
  });
}

/** Builds, checks, signs and stores one outgoing envelope with its `exchange.sent` event. */
async function signAndQueue(
  ctx: AppContext,
  rt: ExchangeRuntime,
  tx: Repositories,
  q: {
    type: MessageType;
    released: Extract<Released, { ok: true }>;
    to: string;
    conversation: string | null;
    refTo: string | null;
    expiresAt: string | undefined;
    legalBasis: string;
    agencyId: string;
    userId: string | null;
  },
): Promise<StoredMessage> {
  const now = ctx.clock.now();
  const at = now.toISOString();
  const id = ctx.ids.next();
  const envelope: Envelope = buildEnvelope(q.type, q.released, {
    id,
    from: rt.nodeId,
    to: q.to,
    conversation: q.conversation,
    refTo: q.refTo,
    now,
    expiresAt: q.expiresAt,
    ttlHours: rt.messageTtlHours,
    legalBasis: q.legalBasis,
  });
  const checked = validateEnvelope(envelope);
  if (!checked.ok)
    throw new DomainError('invalid_input', 'the message is not valid', checked.issues);
  // A directory update may announce a new key: it is signed with the key partners already trust.
  const jws = await rt.signer.sign(
    canonicalBytes(envelope),
    now,
    envelope.type === 'directory.update' ? { established: true } : undefined,
  );
  const request = envelope.type === 'assistance.request';
  const m: StoredMessage = {
    direction: 'out',
    id,
    from: rt.nodeId,
    to: q.to,
    type: envelope.type,
    conversation: envelope.conversation,
    refTo: q.refTo,
    createdAt: at,
    expiresAt: envelope.expiresAt,
    legalBasis: envelope.legalBasis,
    handling: envelope.handling,
    body: envelope.body,
    jws,
    digest: digestOf(jws),
    agencyId: q.agencyId,
    createdBy: q.userId,
    delivery: 'queued',
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    binding: null,
    deliveredAt: null,
    receipt: null,
    receiptReason: null,
    caseStatus: request ? 'sent' : null,
    deadline: request ? (envelope.body as { deadline: string }).deadline : null,
    answeredAt: null,
    adoptedAt: null,
  };
  await tx.exchange.insertMessage(m);
  await tx.audit.append({
    at,
    agencyId: q.agencyId,
    actorId: q.userId,
    action: 'exchange.sent',
    subjectType: 'exchange-message',
    subjectId: id,
    details: {
      to: q.to,
      type: envelope.type,
      conversation: envelope.conversation,
      legalBasis: q.legalBasis,
      handling: envelope.handling,
      ...(q.released.droppedParties > 0 ? { partiesWithheld: q.released.droppedParties } : {}),
    },
  });
  return m;
}

/** Where a partner is reached, and over which of the node's transports. */
export function transportFor(
  rt: ExchangeRuntime,
  partner: { id: string; httpEndpoint: string | null; nats: boolean },
): { transport: Transport; address: PartnerAddress } | undefined {
  const address: PartnerAddress = {
    nodeId: partner.id,
    httpEndpoint: partner.httpEndpoint,
    nats: partner.nats,
  };
  if (partner.nats && rt.transports.nats) return { transport: rt.transports.nats, address };
  if (partner.httpEndpoint && rt.transports.http) return { transport: rt.transports.http, address };
  return undefined;
}

/**
 * Reads a partner's receipt for a message this node sent: signed by a key of that partner valid
 * when it was made, naming the message and the digest of exactly what was sent.
 */
export async function verifyReceipt(
  rt: ExchangeRuntime,
  tx: Pick<Repositories, 'exchange'>,
  sent: Pick<StoredMessage, 'id' | 'to' | 'digest'>,
  receiptJws: string,
): Promise<Receipt> {
  const decoded = rt.jws.decode(receiptJws);
  const kid = decoded.header.kid;
  const key = kid === undefined ? undefined : await tx.exchange.findKey(sent.to, kid);
  if (!key || key.revokedAt)
    throw new Error(`receipt for ${sent.id} signed with a key of ${sent.to} not trusted`);
  const payload = await rt.jws.verify(receiptJws, key.jwk);
  const receipt = JSON.parse(new TextDecoder().decode(payload)) as Receipt;
  if (
    receipt.type !== 'receipt' ||
    receipt.messageId !== sent.id ||
    receipt.from !== sent.to ||
    receipt.to !== rt.nodeId ||
    receipt.digest !== sent.digest
  )
    throw new Error(`receipt for ${sent.id} does not match the message sent`);
  if (!keyValidAt(key, receipt.receivedAt))
    throw new Error(`receipt for ${sent.id} signed with a key not valid at ${receipt.receivedAt}`);
  return receipt;
}

type AnswerBody = BodyOf['assistance.status'] | BodyOf['assistance.reply'];

function answerType(type: MessageType): 'assistance.status' | 'assistance.reply' {
  if (type !== 'assistance.status' && type !== 'assistance.reply')
    throw new Error(`${type} does not answer a request`);
  return type;
}
