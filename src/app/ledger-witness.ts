import { agreementFor, type StoredMessage } from '../core/exchange/agreements.js';
import type { BodyOf, Envelope, WitnessRefusal } from '../core/exchange/messages.js';
import { decodeBase64, encodeBase64 } from '../core/ledger/bytes.js';
import { parseCheckpoint, type Checkpoint } from '../core/ledger/checkpoint.js';
import { verifyCosignature, type Cosignature } from '../core/ledger/cosignature.js';
import { cosign } from '../core/ledger/cosignature.js';
import { hashesEqual, verifyConsistency, type Hash } from '../core/ledger/merkle.js';
import {
  ed25519PublicKeyFromJwkX,
  ed25519Verifier,
  NoteError,
  openNote,
  parseNote,
} from '../core/ledger/note.js';
import type { StoredCheckpoint, WitnessedCheckpoint } from '../core/ledger/records.js';
import type { EventKind } from '../core/events.js';
import type { Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';
import { Rounds } from './rounds.js';
import { exchangeOf, queueNodeMessage, type ExchangeRuntime } from './exchange.js';
import { consistencyProof, ledgerOrigin } from './ledger.js';

/**
 * Partner administrations witness each other's ledgers (C2SP tlog-cosignature, protocol section
 * 16): a node offers each checkpoint it signs to its witnesses (`ledger.checkpoint`, with the
 * consistency proof from the last one each cosigned), and a witness answers
 * (`ledger.cosignature`) with its cosignature once it has checked the log's signature and that
 * the new tree extends the one it cosigned before; a log that shows two trees of one size, or a
 * tree that does not extend the last, is caught, recorded and raised as an alert. Both sides work
 * in the transaction of the received message, answers and follow-ups queued in it.
 */

type Answer = BodyOf['ledger.cosignature'];

/** How long the log waits for a witness's answer before it offers its latest checkpoint again. */
export const DEFAULT_RESEND_AFTER_MS = 60_000;

const b64 = (b: Uint8Array) => encodeBase64(b);
const unixSeconds = (at: string) => Math.floor(Date.parse(at) / 1000);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ---------------------------------------------------------------------------------------------
// The witness.

/**
 * The witness's answer to a partner's checkpoint, every checkpoint seen recorded beside it (in
 * the receive transaction). Refused: a checkpoint not of the sender's log (`unknown-log`) or not
 * signed by its trusted keys (`bad-signature`), one older than the last cosigned or with a proof
 * from another size than the one this node cosigned (`stale`, naming that size), a second root
 * for a size seen (`split-view`) and a tree that does not extend the last cosigned one
 * (`inconsistent`) — the last two recorded as conflicts and raised as alerts. First contact is
 * trust on first use; the same checkpoint again gets the same cosignature.
 */
export async function witnessCheckpoint(
  rt: ExchangeRuntime,
  tx: Repositories,
  e: Envelope<'ledger.checkpoint'>,
  at: string,
): Promise<Answer> {
  const log = e.from;
  const origin = ledgerOrigin(log);
  const b = e.body;
  let size = 0;
  let knownSize: number | null = null;
  const refuse = (reason: WitnessRefusal, detail: string): Answer => ({
    origin: b.origin,
    size,
    outcome: 'refused',
    reason,
    knownSize,
    detail: detail.slice(0, 500),
  });
  if (b.origin !== origin)
    return refuse('unknown-log', `${log} keeps the log ${origin}, not ${b.origin}`);
  let text: string;
  let c: Checkpoint;
  try {
    const keys = (await tx.exchange.keysOf(log)).filter((k) => !k.revokedAt);
    const verifiers = keys.map((k) => ed25519Verifier(origin, ed25519PublicKeyFromJwkX(k.jwk.x)));
    const opened = openNote(b.checkpoint, verifiers);
    if (opened.unverified.length > 0)
      return refuse('bad-signature', `the note carries signatures by other keys than ${log}'s`);
    text = opened.text;
    c = parseCheckpoint(text);
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    return refuse('bad-signature', error.message);
  }
  if (c.origin !== origin)
    return refuse('unknown-log', `the checkpoint is of ${c.origin}, not of ${origin}`);
  size = c.size;

  const last = await tx.ledger.latestCosigned(log);
  const cosigned = last?.size ?? 0;
  knownSize = cosigned;
  const seen = await tx.ledger.witnessedAt(log, c.size);
  const same = seen.find((w) => hashesEqual(w.root, c.root));
  const record: WitnessedCheckpoint = {
    logNode: log,
    origin,
    size: c.size,
    root: c.root,
    note: b.checkpoint,
    seenAt: at,
    cosignedAt: null,
    cosignature: null,
    conflict: null,
  };
  if (!same) await tx.ledger.insertWitnessed(record);
  // A checkpoint once caught stays caught: the same refusal again, and no second alert.
  if (same?.conflict) return refuse(conflictReason(same.conflict), same.conflict);
  const other = seen.find((w) => !hashesEqual(w.root, c.root));
  if (other) {
    const detail =
      `two checkpoints of ${c.size} leaves signed by ${log}: root ${b64(other.root)} ` +
      `(seen ${other.seenAt}${other.cosignedAt ? ', cosigned' : ''}) and now ${b64(c.root)}`;
    await raiseConflict(rt, tx, record, 'split-view', detail, at);
    return refuse('split-view', detail);
  }
  if (same?.cosignature)
    return { origin, size: c.size, outcome: 'cosigned', cosignature: same.cosignature };
  if (c.size <= cosigned)
    return refuse(
      'stale',
      `this witness has cosigned ${cosigned} leaves of ${origin}; ${c.size} is not newer`,
    );
  if (b.fromSize !== cosigned)
    return refuse(
      'stale',
      `this witness last cosigned ${cosigned} leaves, not ${b.fromSize}: prove ${c.size} from ${cosigned}`,
    );
  if (last) {
    const proof = b.proof.map(decodeBase64);
    let problem: string | null = null;
    if (proof.some((p) => p === null)) problem = 'a hash of the proof is not canonical base64';
    else
      try {
        verifyConsistency(cosigned, c.size, last.root, c.root, proof as Hash[]);
      } catch (error) {
        problem = message(error);
      }
    if (problem !== null) {
      const detail = `the checkpoint of ${c.size} leaves does not extend the one of ${cosigned} this witness cosigned (${problem})`;
      await raiseConflict(rt, tx, record, 'inconsistent', detail, at);
      return refuse('inconsistent', detail);
    }
  }
  // Without a checkpoint cosigned before (first contact), the first one is trusted as it is.
  const line = await cosign(text, unixSeconds(at), {
    name: rt.nodeId,
    ...rt.rawSigner(new Date(at)),
  });
  await tx.ledger.markCosigned(log, c.size, c.root, { at, line });
  return { origin, size: c.size, outcome: 'cosigned', cosignature: line };
}

function conflictReason(conflict: string): 'split-view' | 'inconsistent' {
  return conflict.startsWith('split-view') ? 'split-view' : 'inconsistent';
}

/** Records the conflict on the checkpoint seen and raises the alert, once per checkpoint. */
async function raiseConflict(
  rt: ExchangeRuntime,
  tx: Repositories,
  w: WitnessedCheckpoint,
  reason: 'split-view' | 'inconsistent',
  detail: string,
  at: string,
): Promise<void> {
  if (!(await tx.ledger.markConflict(w.logNode, w.size, w.root, `${reason}: ${detail}`))) return;
  await alert(rt, tx, `ledger.${reason}`, w.origin, at, {
    log: w.logNode,
    size: w.size,
    root: b64(w.root),
    detail,
  });
}

async function alert(
  rt: ExchangeRuntime,
  tx: Repositories,
  kind: Extract<EventKind, `ledger.${string}`>,
  subjectId: string,
  at: string,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.audit.append({
    at,
    agencyId: rt.customsAgencyId,
    actorId: null,
    action: kind,
    subjectType: 'ledger',
    subjectId,
    details,
  });
}

// ---------------------------------------------------------------------------------------------
// The log.

/**
 * The log's effect of a witness's answer to `offer` (a `ledger.checkpoint` it sent): a
 * cosignature that verifies against the stored checkpoint and the witness's keys is kept (and
 * the latest checkpoint offered next if it is newer); `stale` with the size the witness cosigned
 * is answered with the latest checkpoint and the proof from that size; anything else is raised as
 * an alert (`ledger.witness-refused`, `ledger.cosignature-invalid`).
 */
export async function takeCosignature(
  ctx: AppContext,
  tx: Repositories,
  e: Envelope<'ledger.cosignature'>,
  offer: StoredMessage,
  at: string,
): Promise<void> {
  const rt = exchangeOf(ctx);
  const witness = e.from;
  const origin = ledgerOrigin(rt.nodeId);
  const b = e.body;
  const invalid = (detail: string) =>
    alert(rt, tx, 'ledger.cosignature-invalid', origin, at, {
      witness,
      size: b.size,
      message: e.id,
      detail,
    });
  if (b.origin !== origin) return invalid(`the answer is about ${b.origin}, not ${origin}`);
  if (b.outcome === 'cosigned') {
    const c = await checkpointOf(tx, b.size);
    if (!c) return invalid(`a cosignature of ${b.size} leaves, a size this log never signed`);
    const text = parseNote(c.note).text;
    let verified: Cosignature | undefined;
    let problem = `${witness} has no trusted key`;
    for (const k of (await tx.exchange.keysOf(witness)).filter((k) => !k.revokedAt)) {
      try {
        const publicKey = ed25519PublicKeyFromJwkX(k.jwk.x);
        verified = verifyCosignature(text, b.cosignature, { name: witness, publicKey });
        break;
      } catch (error) {
        if (!(error instanceof NoteError)) throw error;
        problem = error.message;
      }
    }
    if (!verified) return invalid(problem);
    await tx.ledger.insertCosignature({
      size: c.size,
      witness,
      line: verified.line,
      time: verified.time,
      receivedAt: at,
    });
    const next = await nextOffer(tx, witness, at, { answered: offer.id });
    if (next) await offerCheckpoint(ctx, tx, witness, next.checkpoint, next.fromSize);
    return;
  }
  const refused = (detail: string) =>
    alert(rt, tx, 'ledger.witness-refused', origin, at, {
      witness,
      reason: b.reason,
      size: b.size,
      knownSize: b.knownSize,
      message: e.id,
      detail,
    });
  if (b.reason !== 'stale' || b.knownSize === null) return refused(b.detail);
  // The witness cosigned another size than this log believed (an answer lost): prove from it.
  const known = b.knownSize;
  const offered = offer.body as BodyOf['ledger.checkpoint'];
  if (offered.fromSize === known)
    return refused(`${b.detail} (though the proof offered was from ${known})`);
  const latest = await tx.ledger.latestCheckpoint();
  if (!latest || known > latest.size || (known > 0 && !(await checkpointOf(tx, known))))
    return refused(`${b.detail} (${known} leaves is not a checkpoint of this log)`);
  await offerCheckpoint(ctx, tx, witness, latest, known, {
    conversation: e.conversation,
    refTo: e.id,
  });
}

/** This node's checkpoint of exactly `size` leaves. */
async function checkpointOf(tx: Repositories, size: number): Promise<StoredCheckpoint | undefined> {
  if (size < 1) return undefined;
  const [c] = await tx.ledger.checkpoints(size - 1, 1);
  return c?.size === size ? c : undefined;
}

/** Queues the checkpoint to the witness with the consistency proof from `fromSize`. */
async function offerCheckpoint(
  ctx: AppContext,
  tx: Repositories,
  witness: string,
  c: StoredCheckpoint,
  fromSize: number,
  thread: { conversation: string; refTo: string } | undefined = undefined,
): Promise<StoredMessage | undefined> {
  const proof =
    fromSize === 0 || fromSize >= c.size ? [] : await consistencyProof(tx, fromSize, c.size);
  return queueNodeMessage(ctx, tx, {
    type: 'ledger.checkpoint',
    to: witness,
    body: {
      origin: ledgerOrigin(exchangeOf(ctx).nodeId),
      checkpoint: c.note,
      fromSize,
      proof: proof.map(b64),
    },
    ...(thread ?? {}),
  });
}

/**
 * The checkpoint to offer the witness now, if any: the latest, unless the witness cosigned it,
 * or the last offer is still on its way, or it was answered and no newer checkpoint is signed
 * since, or it is unanswered and younger than `resendAfterMs` (at most one unanswered offer per
 * witness). `answered` names an offer whose answer is being taken (not stored yet).
 */
export async function nextOffer(
  read: Repositories,
  witness: string,
  at: string,
  options: { answered?: string; resendAfterMs?: number } = {},
): Promise<{ checkpoint: StoredCheckpoint; fromSize: number } | undefined> {
  const latest = await read.ledger.latestCheckpoint();
  if (!latest) return undefined;
  const cosigned = await read.ledger.lastCosignedBy(witness);
  if (cosigned >= latest.size) return undefined;
  const [last] = await read.exchange.listMessages({
    direction: 'out',
    type: 'ledger.checkpoint',
    partner: witness,
    limit: 1,
  });
  if (last) {
    // An answer may come before the receipt of the offer it answers.
    const answered = last.id === options.answered || (await isAnswered(read, witness, last));
    if (answered) {
      if (offeredSize(last) >= latest.size) return undefined;
    } else if (
      last.delivery === 'queued' ||
      Date.parse(at) - Date.parse(last.createdAt) <
        (options.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS)
    )
      return undefined;
  }
  return { checkpoint: latest, fromSize: cosigned };
}

async function isAnswered(read: Repositories, witness: string, offer: StoredMessage) {
  const answers = await read.exchange.listMessages({
    direction: 'in',
    type: 'ledger.cosignature',
    partner: witness,
    conversation: offer.conversation,
    limit: 100,
  });
  return answers.some((a) => a.refTo === offer.id);
}

function offeredSize(offer: StoredMessage): number {
  try {
    const body = offer.body as BodyOf['ledger.checkpoint'];
    return parseCheckpoint(parseNote(body.checkpoint).text).size;
  } catch {
    return 0;
  }
}

/** Partners that witness this node's ledger: active, with an agreement covering checkpoints. */
export async function witnessesOf(read: Repositories, at: string): Promise<string[]> {
  const agreements = await read.exchange.agreements();
  return (await read.exchange.listPartners())
    .filter(
      (p) =>
        p.status === 'active' &&
        agreementFor(agreements, p.id, 'ledger.checkpoint', 'non-nominal', at) !== undefined,
    )
    .map((p) => p.id);
}

/**
 * Offers the latest checkpoint to every witness that is due one (`nextOffer`), each in its own
 * transaction; the messages queued. Called after each signed checkpoint and on a timer.
 */
export async function requestCosignatures(
  ctx: AppContext,
  options: { resendAfterMs?: number } = {},
): Promise<StoredMessage[]> {
  if (!ctx.exchange || !ctx.ledger) return [];
  const at = ctx.clock.now().toISOString();
  const out: StoredMessage[] = [];
  for (const witness of await witnessesOf(ctx.storage.read, at)) {
    const held = await ctx.storage.exclusive(`ledger-witness:${witness}`, () =>
      ctx.storage.write(async (tx) => {
        const next = await nextOffer(tx, witness, at, options);
        return next && offerCheckpoint(ctx, tx, witness, next.checkpoint, next.fromSize);
      }),
    );
    if (held?.value) out.push(held.value);
  }
  return out;
}

/**
 * Offers checkpoints to witnesses when told a checkpoint was signed (`kick`) and on a timer (an
 * offer unanswered for `resendAfterMs` is made again with the latest checkpoint).
 */
export class CosignatureRequester extends Rounds {
  constructor(
    ctx: AppContext,
    options: { pollMs: number; resendAfterMs?: number; onError?: (error: unknown) => void },
  ) {
    super(() => requestCosignatures(ctx, options), options);
  }
}
