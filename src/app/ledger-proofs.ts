import { canAdminister, canReadDeclaration } from '../core/auth/access.js';
import type { Principal } from '../core/auth/identity.js';
import { assertAllowed, can } from '../core/auth/policy.js';
import { DomainError } from '../core/errors.js';
import { ledgerEventOf, type LedgerEvent } from '../core/ledger/leaf.js';
import { addSignatures, ed25519PublicKeyFromJwkX, verifierKey } from '../core/ledger/note.js';
import type {
  LedgerVerification,
  StoredCheckpoint,
  WitnessedCheckpoint,
} from '../core/ledger/records.js';
import type { Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';
import { getIndicator } from './read-indicators.js';
import { getPermit } from './manage-permits.js';
import { consistencyProof, inclusionProof, ledgerOf, rootAt } from './ledger.js';
import { verifyLedger, type LedgerReport, type VerifyKeys } from './verify-ledger.js';

/** What anyone may check a record against: the proof of one event, self-contained. */
export interface ProofBundle {
  bundle: 'greenlane-ledger-proof/v1';
  origin: string;
  /** The event exactly as the leaf commits to it. */
  event: LedgerEvent;
  /** base64; null for a public event (its leaf data is the canonical event itself). */
  salt: string | null;
  leafIdx: number;
  treeSize: number;
  leafHash: string;
  root: string;
  proof: string[];
  /** The signed checkpoint of `treeSize` leaves with the witnesses' cosignature lines. */
  checkpoint: string;
  /** The node's note verifier keys (C2SP vkey), every key it has signed with. */
  logKeys: string[];
  /** The witnesses' cosignature keys: key name and raw Ed25519 key (base64). */
  witnesses: Array<{ name: string; publicKey: string }>;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** The checkpoint as a verifier reads it: the node's signed note plus every cosignature line. */
export async function publishedCheckpoint(
  read: Repositories,
  c: StoredCheckpoint,
): Promise<string> {
  const lines = (await read.ledger.cosignaturesOf([c.size])).map((x) => x.line);
  return lines.length === 0 ? c.note : addSignatures(c.note, lines);
}

/** The latest checkpoint with its cosignatures (public: it shows only a size and a root). */
export async function latestCheckpoint(ctx: AppContext): Promise<string> {
  const c = await ctx.storage.read.ledger.latestCheckpoint();
  if (!c) throw new DomainError('not_found', 'the ledger has no checkpoint yet');
  return publishedCheckpoint(ctx.storage.read, c);
}

/**
 * The consistency proof between two sizes of the log, in the form of the transparency-dev test
 * vectors (so `greenlane ledger verify-proof` reads it). Public: it holds only subtree hashes, and
 * confidential leaves are salted commitments.
 */
export async function publicConsistencyProof(ctx: AppContext, size1: number, size2: number) {
  const read = ctx.storage.read;
  const { size } = await read.ledger.state();
  const field = (name: string, v: number, max: number) => {
    if (!Number.isSafeInteger(v) || v < 1 || v > max)
      throw new DomainError('invalid_input', `${name} must be a whole number from 1 to ${max}`, [
        { path: `/${name}`, reason: `must be from 1 to ${max}` },
      ]);
  };
  field('size2', size2, size);
  field('size1', size1, size2);
  return {
    size1,
    size2,
    root1: b64(await rootAt(read, size1)),
    root2: b64(await rootAt(read, size2)),
    proof: (await consistencyProof(read, size1, size2)).map(b64),
  };
}

/**
 * The ledger is the node's: it belongs to the administration the node is (the first one where
 * the node takes no part in the exchange), and only its staff read it.
 */
async function assertLedgerReader(
  ctx: AppContext,
  p: Principal,
  action: 'read' | 'run' = 'read',
): Promise<void> {
  const administrationId =
    ctx.exchange?.administrationId ??
    (await ctx.storage.read.identity.listAdministrations())[0]?.id;
  assertAllowed(p, action, 'ledger', { administrationId });
}

/** Throws not_found unless the principal may read the record the event is about. */
async function assertMayReadEventOf(ctx: AppContext, p: Principal, e: LedgerEvent): Promise<void> {
  const read = ctx.storage.read;
  const none = () => new DomainError('not_found', `no ledger event ${e.position}`);
  const agency = await read.identity.findAgency(e.agencyId);
  if (!agency || agency.administrationId !== p.administrationId) throw none();
  try {
    if (e.subjectType === 'declaration') {
      const d = await read.declarations.findById(e.subjectId);
      if (!d || !canReadDeclaration(p, d)) throw none();
    } else if (e.subjectType === 'permit') {
      await getPermit(ctx, p, e.subjectId);
    } else if (e.subjectType === 'indicator') {
      await getIndicator(ctx, p, e.subjectId);
    } else if (e.subjectType === 'exchange-message') {
      if (!can(p, 'read', 'exchange-message', { administrationId: agency.administrationId }))
        throw none();
    } else if (!canAdminister(p)) {
      // Users, agencies, tokens, partners, rule packs: the administration's own affairs.
      throw none();
    }
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'not_found' || error.code === 'forbidden'))
      throw none();
    throw error;
  }
}

/** The node's own verifier keys and the witnesses' keys, as a bundle names them. */
async function keysFor(ctx: AppContext, witnesses: readonly string[]) {
  const ledger = ledgerOf(ctx);
  const logKeys = ledger.keys.publicKeys().map((k) => verifierKey(ledger.origin, k));
  const out: Array<{ name: string; publicKey: string }> = [];
  for (const w of witnesses)
    for (const k of await ctx.storage.read.exchange.keysOf(w))
      out.push({ name: w, publicKey: b64(ed25519PublicKeyFromJwkX(k.jwk.x)) });
  return { logKeys, witnesses: out };
}

/**
 * The proof bundle of one event (by outbox position): the event, its salt, its leaf, the
 * inclusion proof in the latest checkpoint and that checkpoint with its cosignatures. Only for
 * whoever may read the record; `pending` while no checkpoint covers the event yet.
 */
export async function eventProof(
  ctx: AppContext,
  principal: Principal,
  position: number,
): Promise<
  { status: 'pending'; leafIdx: number | null } | { status: 'proved'; bundle: ProofBundle }
> {
  await assertLedgerReader(ctx, principal);
  const read = ctx.storage.read;
  const event = await read.outbox.byPosition(position);
  if (!event) throw new DomainError('not_found', `no ledger event ${position}`);
  await assertMayReadEventOf(ctx, principal, event);
  const leaf = await read.ledger.leafOf(position);
  if (!leaf) return { status: 'pending', leafIdx: null };
  const checkpoint = await read.ledger.latestCheckpoint();
  if (!checkpoint || checkpoint.size <= leaf.idx) return { status: 'pending', leafIdx: leaf.idx };
  const cosignatures = await read.ledger.cosignaturesOf([checkpoint.size]);
  const keys = await keysFor(
    ctx,
    cosignatures.map((c) => c.witness),
  );
  return {
    status: 'proved',
    bundle: {
      bundle: 'greenlane-ledger-proof/v1',
      origin: ledgerOf(ctx).origin,
      event: ledgerEventOf(event),
      salt: leaf.salt === null ? null : b64(leaf.salt),
      leafIdx: leaf.idx,
      treeSize: checkpoint.size,
      leafHash: b64(leaf.hash),
      root: b64(checkpoint.root),
      proof: (await inclusionProof(read, leaf.idx, checkpoint.size)).map(b64),
      checkpoint: await publishedCheckpoint(read, checkpoint),
      ...keys,
    },
  };
}

/** Where each event of one record stands in the ledger: its leaf, and whether a checkpoint covers it. */
export interface RecordProof {
  position: number;
  kind: string;
  at: string;
  leafIdx: number | null;
  /** The checkpoint that covers it (the latest), with how many witnesses cosigned it. */
  checkpoint: { size: number; signedAt: string; cosignatures: number } | null;
}

/** The ledger entries of one record the principal may read (for the console's "proof"). */
export async function recordProofs(
  ctx: AppContext,
  principal: Principal,
  subjectType: string,
  subjectId: string,
): Promise<RecordProof[]> {
  await assertLedgerReader(ctx, principal);
  const read = ctx.storage.read;
  const events = await read.audit.listFor(subjectType, subjectId);
  const ledgered = events.filter((e) => e.seq > 0);
  if (ledgered.length === 0) return [];
  await assertMayReadEventOf(ctx, principal, {
    position: ledgered[0]!.seq,
    kind: ledgered[0]!.action,
    at: ledgered[0]!.at,
    agencyId: ledgered[0]!.agencyId,
    actorId: ledgered[0]!.actorId,
    subjectType,
    subjectId,
    data: ledgered[0]!.details,
  });
  const latest = await read.ledger.latestCheckpoint();
  const cosigned = latest ? (await read.ledger.cosignaturesOf([latest.size])).length : 0;
  const out: RecordProof[] = [];
  for (const e of ledgered) {
    const leaf = await read.ledger.leafOf(e.seq);
    out.push({
      position: e.seq,
      kind: e.action,
      at: e.at,
      leafIdx: leaf?.idx ?? null,
      checkpoint:
        leaf && latest && latest.size > leaf.idx
          ? { size: latest.size, signedAt: latest.signedAt, cosignatures: cosigned }
          : null,
    });
  }
  return out;
}

export interface LedgerStatus {
  origin: string | null;
  size: number;
  checkpoint: {
    size: number;
    root: string;
    signedAt: string;
    note: string;
    cosignatures: Array<{ witness: string; time: number; receivedAt: string }>;
  } | null;
  lastVerification: LedgerVerification | null;
  /** Partners' checkpoints this node refused as their witness (split views, failed proofs). */
  conflicts: Array<Pick<WitnessedCheckpoint, 'logNode' | 'size' | 'seenAt' | 'conflict'>>;
}

/** The ledger page: size, latest checkpoint and its witnesses, last verification, conflicts. */
export async function ledgerStatus(ctx: AppContext, principal: Principal): Promise<LedgerStatus> {
  await assertLedgerReader(ctx, principal);
  const read = ctx.storage.read;
  const { size } = await read.ledger.state();
  const c = await read.ledger.latestCheckpoint();
  const cosignatures = c ? await read.ledger.cosignaturesOf([c.size]) : [];
  return {
    origin: ctx.ledger?.origin ?? null,
    size,
    checkpoint: c
      ? {
          size: c.size,
          root: b64(c.root),
          signedAt: c.signedAt,
          note: await publishedCheckpoint(read, c),
          cosignatures: cosignatures.map((x) => ({
            witness: x.witness,
            time: x.time,
            receivedAt: x.receivedAt,
          })),
        }
      : null,
    lastVerification: (await read.ledger.lastVerification()) ?? null,
    conflicts: (await read.ledger.conflicts(20)).map((w) => ({
      logNode: w.logNode,
      size: w.size,
      seenAt: w.seenAt,
      conflict: w.conflict,
    })),
  };
}

/** The keys `verifyLedger` checks against: the node's from its keyring, witnesses' from the directory. */
export function verifyKeysOf(ctx: AppContext): VerifyKeys {
  const ledger = ledgerOf(ctx);
  return {
    origin: ledger.origin,
    logKeys: ledger.keys.publicKeys(),
    witnessKeys: async (w) =>
      (await ctx.storage.read.exchange.keysOf(w)).map((k) => ed25519PublicKeyFromJwkX(k.jwk.x)),
  };
}

/** Verifies the whole log now (administrators) and records the outcome for the ledger page. */
export async function runLedgerVerification(
  ctx: AppContext,
  principal: Principal | 'cli',
): Promise<LedgerReport> {
  if (principal !== 'cli') await assertLedgerReader(ctx, principal, 'run');
  // One verification at a time across the processes: it reads the whole log.
  const held = await ctx.storage.exclusive('ledger:verify', async () => {
    const startedAt = ctx.clock.now().toISOString();
    const report = await verifyLedger(ctx.storage.read, verifyKeysOf(ctx));
    await ctx.storage.write((tx) =>
      tx.ledger.insertVerification({
        startedAt,
        finishedAt: ctx.clock.now().toISOString(),
        size: report.size,
        checkpoints: report.checkpoints,
        ok: report.ok,
        problem: report.problem,
        by: principal === 'cli' ? 'cli' : principal.username,
      }),
    );
    return report;
  });
  if (!held)
    throw new DomainError('conflict', 'a verification of the ledger is running: wait for it');
  const report = held.value;
  return report;
}
