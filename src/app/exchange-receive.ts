import { agreementFor, keyValidAt, type StoredMessage } from '../core/exchange/agreements.js';
import { canonicalBytes, canonicalJson } from '../core/exchange/canonical-json.js';
import {
  caseAfter,
  validateEnvelope,
  type BodyOf,
  type Envelope,
  type Receipt,
  type RefusalReason,
} from '../core/exchange/messages.js';
import type { Repositories } from '../core/ports.js';
import { validateReport, type StoredFlowReport } from '../core/reconciliation/energy-point.js';
import type { AppContext } from './context.js';
import { digestOf, exchangeOf, queueNodeMessage, type ExchangeRuntime } from './exchange.js';
import { takeCosignature, witnessCheckpoint } from './ledger-witness.js';
import { raiseCases, spanOf } from './energy-cases.js';
import { readRateTable } from './currency-rates.js';
import { rateOf } from './manage-mirror.js';
import {
  validateMirrorRecord,
  type StoredMirrorRecord,
} from '../core/reconciliation/mirror-record.js';

/** The largest signed message a node accepts (a directory entry with many contacts fits). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface ReceiveOutcome {
  status: 'accepted' | 'refused';
  /** Why it was refused; `duplicate` when a repeat was answered with the stored receipt. */
  reason: RefusalReason | 'duplicate' | null;
  /** The signed receipt (compact JWS) to answer with. */
  receipt: string;
  /** Details of a refusal, for the sender's logs (never stored). */
  detail?: string;
}

class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Takes one signed message from a partner. It is checked (signature by a key of the sender valid
 * when the message was made, addressed to this node, not expired, under an agreement in force,
 * a valid body), then its effect and its inbox row are written in ONE transaction, so that a
 * message is applied exactly once however often the network repeats it: a repeat is answered
 * with the stored receipt and changes nothing. A refused message changes nothing either.
 */
export async function receiveMessage(ctx: AppContext, jws: string): Promise<ReceiveOutcome> {
  const rt = exchangeOf(ctx);
  const now = ctx.clock.now();
  const receivedAt = now.toISOString();
  const digest = digestOf(jws);
  let envelope: Envelope | undefined;
  try {
    envelope = await check(ctx, rt, jws, now);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return refuse(rt, error, envelope ?? peek(rt, jws), digest, now);
  }
  const e = envelope;
  const accepted: Receipt = {
    v: 1,
    type: 'receipt',
    messageId: e.id,
    from: rt.nodeId,
    to: e.from,
    digest,
    receivedAt,
    status: 'accepted',
    reason: null,
  };
  const receipt = await rt.signer.sign(canonicalBytes(accepted), now);
  try {
    return await ctx.storage.write(async (tx) => {
      const stored = await tx.exchange.findMessage('in', e.from, e.id);
      if (stored) return repeat(stored, digest);
      await applyEffect(ctx, rt, tx, e, receivedAt);
      const inserted = await tx.exchange.insertMessage(inboxRow(rt, e, jws, digest, receipt));
      if (!inserted) {
        // A concurrent delivery of the same message committed first: roll this one back.
        throw new Repeated();
      }
      await tx.audit.append({
        at: receivedAt,
        agencyId: rt.customsAgencyId,
        actorId: null,
        action: 'exchange.received',
        subjectType: 'exchange-message',
        subjectId: e.id,
        details: {
          from: e.from,
          type: e.type,
          conversation: e.conversation,
          refTo: e.refTo,
          legalBasis: e.legalBasis,
        },
      });
      return { status: 'accepted' as const, reason: null, receipt };
    });
  } catch (error) {
    if (error instanceof Refusal) return refuse(rt, error, e, digest, now);
    if (!(error instanceof Repeated)) throw error;
    const stored = await ctx.storage.read.exchange.findMessage('in', e.from, e.id);
    if (!stored) throw error;
    try {
      return repeat(stored, digest);
    } catch (again) {
      if (again instanceof Refusal) return refuse(rt, again, e, digest, now);
      throw again;
    }
  }
}

class Repeated extends Error {}

/**
 * A partner's metered figures, recorded as the partner's for our point it names (by the partner's
 * id for it, or ours): in the message's transaction, so that they are recorded exactly once. A
 * point we do not have with that partner, or a figure that is not one, refuses the message.
 */
async function recordPartnerFigures(
  ctx: AppContext,
  tx: Repositories,
  administrationId: string,
  e: Envelope<'energy.report'>,
  at: string,
): Promise<void> {
  const b = e.body;
  const points = await tx.energy.listPoints(administrationId);
  const point = points.find(
    (p) =>
      p.partner === e.from &&
      ((p.partnerPointId !== undefined && p.partnerPointId === b.point) ||
        (b.receiverPointId !== undefined && p.id === b.receiverPointId)),
  );
  if (!point)
    throw new Refusal('unknown-reference', `no interconnection point ${b.point} with ${e.from}`);
  const reports: StoredFlowReport[] = [];
  for (const [i, f] of b.figures.entries()) {
    const checked = validateReport({ ...f, source: 'partner', pointId: point.id });
    if (!checked.ok)
      throw new Refusal(
        'invalid-envelope',
        `figure ${i}: ${checked.issues.map((x) => `${x.path} ${x.reason}`).join('; ')}`,
      );
    reports.push({
      id: f.id,
      source: 'partner',
      pointId: point.id,
      direction: f.direction,
      start: new Date(f.start).toISOString(),
      end: new Date(f.end).toISOString(),
      quantity: f.quantity,
      unit: f.unit,
      ...(f.provisional ? { provisional: true } : {}),
      administrationId,
      receivedAt: at,
      recordedBy: `node:${e.from}`,
      messageId: e.id,
    });
  }
  await tx.energy.insertReports(reports);
  // The partner's figures open cases as ours do, in the transaction that accepts them.
  await raiseCases(ctx, tx, point, spanOf(reports), {
    actorId: `node:${e.from}`,
    agencyId: ctx.exchange!.customsAgencyId,
  });
}

/**
 * A partner's exports to us, recorded as its side of the mirror comparison (the partner is the
 * sender's country), converted to the comparison currency; a month sent again replaces it.
 */
async function recordPartnerExports(
  ctx: AppContext,
  tx: Repositories,
  administrationId: string,
  e: Envelope<'trade.exports'>,
  at: string,
): Promise<void> {
  const table = ctx.settings.exchangeRates ?? (await readRateTable());
  const b = e.body;
  const rate = rateOf(table, b.currency);
  if (rate === undefined || !(rate > 0))
    throw new Refusal(
      'invalid-envelope',
      `no exchange rate for ${b.currency} to ${table.currency}`,
    );
  const partner = e.from.slice(0, 2);
  const seen = new Set<string>();
  const records: StoredMirrorRecord[] = [];
  for (const [i, r] of b.records.entries()) {
    const key = `${r.hs6}|${r.month}`;
    if (seen.has(key))
      throw new Refusal('invalid-envelope', `record ${i}: HS6 ${r.hs6} in ${r.month} comes twice`);
    seen.add(key);
    const checked = validateMirrorRecord({
      side: 'partner-export',
      partner,
      hs6: r.hs6,
      month: r.month,
      value: Math.round((r.value / rate) * 100) / 100 || 0.01,
      ...(r.quantity !== undefined ? { quantity: r.quantity } : {}),
      ...(r.unit !== undefined ? { unit: r.unit } : {}),
    });
    if (!checked.ok)
      throw new Refusal(
        'invalid-envelope',
        `record ${i}: ${checked.issues.map((x) => `${x.path} ${x.reason}`).join('; ')}`,
      );
    records.push({
      ...checked.value,
      administrationId,
      receivedAt: at,
      recordedBy: `node:${e.from}`,
    });
  }
  await tx.mirror.upsertRecords(records);
}

function repeat(stored: StoredMessage, digest: string): ReceiveOutcome {
  // The same id with other bytes is not a repeat but a second message under a used id.
  if (stored.digest !== digest) throw new Refusal('id-reused', `id ${stored.id} was used before`);
  return { status: 'accepted', reason: 'duplicate', receipt: stored.receipt! };
}

async function check(
  ctx: AppContext,
  rt: ExchangeRuntime,
  jws: string,
  now: Date,
): Promise<Envelope> {
  if (jws.length > MAX_MESSAGE_BYTES)
    throw new Refusal('too-large', `over ${MAX_MESSAGE_BYTES} bytes`);
  let decoded;
  try {
    decoded = rt.jws.decode(jws);
  } catch (error) {
    throw new Refusal('malformed', error instanceof Error ? error.message : 'not a compact JWS');
  }
  const parsed = canonicalPayload(decoded.payload);
  if (!parsed) throw new Refusal('not-canonical', 'the payload is not RFC 8785 canonical JSON');
  const checked = validateEnvelope(parsed.value);
  if (!checked.ok)
    throw new Refusal(
      'invalid-envelope',
      checked.issues.map((i) => `${i.path}: ${i.reason}`).join('; '),
    );
  const e = checked.value;
  const read = ctx.storage.read.exchange;
  const partner = await read.findPartner(e.from);
  if (!partner || partner.status !== 'active')
    throw new Refusal('unknown-sender', `${e.from} is not an active partner`);
  const kid = decoded.header.kid;
  const key = kid === undefined ? undefined : await read.findKey(e.from, kid);
  if (!key || key.revokedAt)
    throw new Refusal('unknown-key', `no trusted key ${kid ?? '(none)'} of ${e.from}`);
  try {
    await rt.jws.verify(jws, key.jwk);
  } catch {
    throw new Refusal('bad-signature', 'the signature does not verify');
  }
  if (!keyValidAt(key, e.createdAt))
    throw new Refusal('key-not-valid', `key ${key.kid} is not valid at ${e.createdAt}`);
  if (e.to !== rt.nodeId) throw new Refusal('wrong-recipient', `addressed to ${e.to}`);
  const at = now.toISOString();
  if (e.expiresAt <= at) throw new Refusal('expired', `expired at ${e.expiresAt}`);
  if (Date.parse(e.createdAt) > now.getTime() + rt.maxClockSkewMs)
    throw new Refusal('from-the-future', `created at ${e.createdAt}`);
  const agreements = await read.agreements(e.from);
  if (!agreementFor(agreements, e.from, e.type, e.handling, at, e.legalBasis))
    throw new Refusal(
      'no-agreement',
      `no agreement ${e.legalBasis} with ${e.from} covers ${e.handling} ${e.type}`,
    );
  return e;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The payload, parsed, when it is UTF-8 JSON in exactly its canonical form; what `isCanonical`
 * decides, with the text decoded and parsed once rather than twice (here and again to read it).
 * Comparing the canonical text with the text received is comparing the bytes: the decoding is
 * strict, so the text re-encodes to exactly the bytes received, and the canonical form has no
 * lone surrogate (canonicalJson refuses one).
 */
function canonicalPayload(bytes: Uint8Array): { value: unknown } | undefined {
  let text: string;
  let value: unknown;
  try {
    text = strictUtf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  try {
    return canonicalJson(value) === text ? { value } : undefined;
  } catch {
    return undefined;
  }
}

/** The effect of a message beside its inbox row, in the same transaction. */
async function applyEffect(
  ctx: AppContext,
  rt: ExchangeRuntime,
  tx: Repositories,
  e: Envelope,
  at: string,
): Promise<void> {
  switch (e.type) {
    case 'energy.report': {
      await recordPartnerFigures(ctx, tx, rt.administrationId, e as Envelope<'energy.report'>, at);
      return;
    }
    case 'trade.exports': {
      await recordPartnerExports(ctx, tx, rt.administrationId, e as Envelope<'trade.exports'>, at);
      return;
    }
    case 'ledger.checkpoint': {
      // The answer goes back in this transaction: the witness must be able to send it.
      const agreements = await tx.exchange.agreements(e.from);
      const covered = agreementFor(agreements, e.from, 'ledger.cosignature', 'non-nominal', at);
      if (!covered)
        throw new Refusal('no-agreement', `no agreement with ${e.from} covers ledger.cosignature`);
      const answer = await witnessCheckpoint(rt, tx, e as Envelope<'ledger.checkpoint'>, at);
      const queued = await queueNodeMessage(ctx, tx, {
        type: 'ledger.cosignature',
        body: answer,
        to: e.from,
        conversation: e.conversation,
        refTo: e.id,
      });
      if (!queued) throw new Refusal('no-agreement', `cannot answer ${e.from}`);
      return;
    }
    case 'ledger.cosignature': {
      const offer = await tx.exchange.findMessage('out', rt.nodeId, e.refTo!);
      if (!offer || offer.to !== e.from || offer.type !== 'ledger.checkpoint')
        throw new Refusal('unknown-reference', `no checkpoint ${e.refTo} offered to ${e.from}`);
      await takeCosignature(ctx, tx, e as Envelope<'ledger.cosignature'>, offer, at);
      return;
    }
    case 'assistance.status':
    case 'assistance.reply': {
      const request = await tx.exchange.findMessage('out', rt.nodeId, e.refTo!);
      if (!request || request.to !== e.from || request.type !== 'assistance.request')
        throw new Refusal('unknown-reference', `no request ${e.refTo} sent to ${e.from}`);
      await tx.exchange.setCase(
        'out',
        rt.nodeId,
        request.id,
        caseAfter(e.type, e.body as BodyOf['assistance.reply' | 'assistance.status'], at),
      );
      return;
    }
    case 'directory.update': {
      const b = e.body as BodyOf['directory.update'];
      if (b.administration.id !== e.from)
        throw new Refusal('invalid-envelope', 'a directory entry describes its sender only');
      const partner = (await tx.exchange.findPartner(e.from))!;
      await tx.exchange.upsertPartner({
        ...partner,
        name: b.administration.name,
        country: b.administration.country,
        httpEndpoint: b.endpoints.http,
        nats: b.endpoints.nats,
        updatedAt: at,
      });
      // New keys arrive signed by a key already trusted: the chain of trust of a rotation.
      for (const k of b.keys) {
        const known = await tx.exchange.findKey(e.from, k.kid);
        // A key an administrator revoked stays revoked, whatever an update says.
        if (known?.revokedAt) continue;
        await tx.exchange.putKey({
          ...k,
          partnerId: e.from,
          trustedBy: known?.trustedBy ?? `directory:${e.id}`,
          addedAt: known?.addedAt ?? at,
        });
      }
      await tx.exchange.replaceContacts(
        e.from,
        b.contacts.map((c) => ({ ...c, nodeId: e.from, updatedAt: at })),
      );
      return;
    }
    default:
      return;
  }
}

function inboxRow(
  rt: ExchangeRuntime,
  e: Envelope,
  jws: string,
  digest: string,
  receipt: string,
): StoredMessage {
  const request = e.type === 'assistance.request';
  return {
    direction: 'in',
    id: e.id,
    from: e.from,
    to: e.to,
    type: e.type,
    conversation: e.conversation,
    refTo: e.refTo,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    legalBasis: e.legalBasis,
    handling: e.handling,
    body: e.body,
    jws,
    digest,
    agencyId: rt.customsAgencyId,
    createdBy: null,
    delivery: 'received',
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    binding: null,
    deliveredAt: null,
    receipt,
    receiptReason: null,
    caseStatus: request ? 'received' : null,
    deadline: request ? (e.body as BodyOf['assistance.request']).deadline : null,
    answeredAt: null,
    adoptedAt: null,
  };
}

/** What can be read of a message that was refused before its envelope was checked. */
function peek(rt: ExchangeRuntime, jws: string): Pick<Envelope, 'id' | 'from'> | undefined {
  try {
    const p = JSON.parse(new TextDecoder().decode(rt.jws.decode(jws).payload)) as {
      id?: unknown;
      from?: unknown;
    };
    return typeof p.id === 'string' && typeof p.from === 'string'
      ? { id: p.id.slice(0, 64), from: p.from.slice(0, 20) }
      : undefined;
  } catch {
    return undefined;
  }
}

async function refuse(
  rt: ExchangeRuntime,
  refusal: Refusal,
  e: Pick<Envelope, 'id' | 'from'> | undefined,
  digest: string,
  now: Date,
): Promise<ReceiveOutcome> {
  const r: Receipt = {
    v: 1,
    type: 'receipt',
    messageId: e?.id ?? null,
    from: rt.nodeId,
    to: e?.from ?? null,
    digest,
    receivedAt: now.toISOString(),
    status: 'refused',
    reason: refusal.reason,
  };
  return {
    status: 'refused',
    reason: refusal.reason,
    receipt: await rt.signer.sign(canonicalBytes(r), now),
    detail: refusal.message,
  };
}
