import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../core/exchange/canonical-json.js';
import { buildEnvelope } from '../core/exchange/envelope.js';
import type { BodyOf } from '../core/exchange/messages.js';
import type { StoredMessage } from '../core/exchange/agreements.js';
import { formatCheckpoint } from '../core/ledger/checkpoint.js';
import { cosignaturesOf, verifyCosignature } from '../core/ledger/cosignature.js';
import { ed25519PublicKeyFromJwkX, parseNote, signNote } from '../core/ledger/note.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  ALL_TYPES,
  connectNodes,
  eventually,
  keyringOf,
  natsSpace,
  outsiderKeys,
  postToInbox,
  startNode,
  WITNESS_TYPES,
  type Binding,
  type TestNode,
} from '../test-support/exchange-nodes.js';
import { ulidGenerator } from './context.js';
import { sendMessage } from './exchange.js';
import { listMessages } from './exchange-directory.js';
import { createAgency } from './manage-identity.js';
import { LedgerAppender, ledgerOrigin } from './ledger.js';
import { latestCheckpoint, ledgerStatus, verifyKeysOf } from './ledger-proofs.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { verifyLedger } from './verify-ledger.js';

const ids = ulidGenerator();
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** A node whose ledger is appended to and checkpointed when the test says so. */
interface LedgerNode {
  node: TestNode;
  dispatcher: OutboxDispatcher;
}

/** Writes `n` events through a real use case (agencies created by the administrator). */
async function addEvents(node: TestNode, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++)
    await node.ctx.storage.write((tx) =>
      createAgency(node.ctx, tx, {
        administrationId: node.users.admin.administrationId,
        kind: 'environment',
        code: `ENV-${tag}-${i}`,
        name: `Environmental inspectorate ${tag} ${i}`,
      }),
    );
}

/** New events, appended, and a checkpoint signed through the node's own signer (its hook offers it). */
async function checkpoint(l: LedgerNode, tag: string): Promise<number> {
  await addEvents(l.node, 2, tag);
  await l.dispatcher.drain();
  const o = await l.node.exchange.checkpoints.tick();
  if (!o.signed) throw new Error(`no checkpoint signed at ${l.node.id}: ${o.reason}`);
  return o.checkpoint.size;
}

/** Waits until `witness` has cosigned the checkpoint of `size` leaves of `log`, as `log` holds it. */
async function cosignedBy(log: TestNode, witness: TestNode, size: number) {
  return eventually(`${witness.id}'s cosignature of ${size} leaves at ${log.id}`, async () => {
    const [c] = await log.ctx.storage.read.ledger.cosignaturesOf([size]);
    return c?.witness === witness.id ? c : undefined;
  });
}

function witnessKey(node: TestNode): Uint8Array {
  return ed25519PublicKeyFromJwkX(node.exchange.runtime.signer.publicKeys()[0]!.jwk.x);
}

async function events(node: TestNode, kind: string) {
  const all = await node.ctx.storage.read.outbox.after({ txid: 0, position: 0 }, 100_000);
  return all.filter((e) => e.kind === kind);
}

/**
 * Delivers a `ledger.checkpoint` made outside the node's own path (a forked log, a forged note)
 * from `from` to `to` over HTTP, its envelope signed with `from`'s real exchange key; resolves
 * with the witness's answer once it is queued.
 */
async function deliverCheckpoint(
  from: TestNode,
  keys: Awaited<ReturnType<typeof keyringOf>>,
  to: TestNode,
  body: BodyOf['ledger.checkpoint'],
): Promise<StoredMessage> {
  const now = new Date();
  const envelope = buildEnvelope(
    'ledger.checkpoint',
    { body, handling: 'non-nominal' },
    {
      id: ids.next(),
      from: from.id,
      to: to.id,
      conversation: null,
      refTo: null,
      now,
      ttlHours: 1,
      legalBasis: 'SCO-CUSTOMS-2007',
    },
  );
  const jws = await keys.sign(canonicalBytes(envelope), now);
  await postToInbox(to, envelope.id, jws);
  return eventually(`${to.id}'s answer to ${envelope.id}`, async () => {
    const out = await to.ctx.storage.read.exchange.listMessages({
      direction: 'out',
      type: 'ledger.cosignature',
      partner: from.id,
      limit: 100,
    });
    return out.find((m) => m.refTo === envelope.id);
  });
}

/** A checkpoint note of the log of `node` with the given size and root, signed with `sign`. */
async function forgedNote(
  node: TestNode,
  size: number,
  root: Uint8Array,
  signer: { publicKey: Uint8Array; sign(m: Uint8Array): Promise<Uint8Array> },
): Promise<string> {
  const origin = ledgerOrigin(node.id);
  return signNote(formatCheckpoint({ origin, size, root, extensions: [] }), [
    { name: origin, ...signer },
  ]);
}

const bodyOf = (m: StoredMessage) => m.body as BodyOf['ledger.cosignature'];

const VARIANTS: Array<{ backend: (typeof BACKENDS)[number]; binding: Binding }> = [
  ...BACKENDS.map((backend) => ({ backend, binding: 'http' as const })),
  // One NATS variant: the same rounds over JetStream.
  { backend: 'sqlite', binding: 'nats' },
];

for (const { backend, binding } of VARIANTS) {
  describe(`partners witness each other's ledgers (${backend}, ${binding})`, () => {
    let by: LedgerNode, kz: LedgerNode;
    const nats = binding === 'nats' ? natsSpace() : undefined;
    beforeAll(async () => {
      const start = async (id: string): Promise<LedgerNode> => {
        const node = await startNode(backend, id, {
          binding,
          ...(nats ? { nats } : {}),
          // A checkpoint at every tick with a new leaf; the test ticks, the timer does not.
          ledger: { checkpointEvery: 1, pollMs: 3_600_000 },
        });
        await node.exchange.checkpoints.stop();
        const dispatcher = new OutboxDispatcher(node.ctx.storage, node.ctx.clock, [
          new LedgerAppender(node.ctx.storage, node.ctx.clock),
        ]);
        return { node, dispatcher };
      };
      [by, kz] = await Promise.all([start('BY/GTK'), start('KZ/KGD')]);
      await connectNodes([by.node, kz.node], {
        binding,
        types: [...ALL_TYPES, ...WITNESS_TYPES],
      });
    }, 60_000);
    afterAll(async () => {
      // Each node's close deletes the NATS stream of the test.
      await Promise.all([by, kz].map((l) => l?.node.close()));
    });

    it('cosign each other’s checkpoints over several rounds; the cosignatures verify and are published', async () => {
      const sizes: Record<string, number[]> = { 'BY/GTK': [], 'KZ/KGD': [] };
      for (let round = 0; round < 3; round++) {
        const [a, b] = await Promise.all([
          checkpoint(by, `r${round}`),
          checkpoint(kz, `r${round}`),
        ]);
        sizes['BY/GTK']!.push(a);
        sizes['KZ/KGD']!.push(b);
        await Promise.all([cosignedBy(by.node, kz.node, a), cosignedBy(kz.node, by.node, b)]);
      }
      for (const [log, witness] of [
        [by.node, kz.node],
        [kz.node, by.node],
      ] as const) {
        const read = log.ctx.storage.read;
        const stored = await read.ledger.cosignaturesOf(sizes[log.id]!);
        expect(stored.map((c) => c.size)).toEqual(sizes[log.id]);
        for (const c of stored) {
          const [checkpoint] = await read.ledger.checkpoints(c.size - 1, 1);
          const text = parseNote(checkpoint!.note).text;
          const v = verifyCosignature(text, c.line, {
            name: witness.id,
            publicKey: witnessKey(witness),
          });
          expect(v.time).toBe(c.time);
        }
        const report = await verifyLedger(read, verifyKeysOf(log.ctx));
        expect(report).toMatchObject({ ok: true, problem: null });
        expect(report.cosignatures).toBe(3);
        // The published checkpoint carries the witness's line, and it verifies.
        const published = await latestCheckpoint(log.ctx);
        const found = cosignaturesOf(published, [
          { name: witness.id, publicKey: witnessKey(witness) },
        ]);
        expect(found.valid.map((c) => c.name)).toEqual([witness.id]);
        const status = await ledgerStatus(log.ctx, log.users.admin);
        expect(status.checkpoint?.cosignatures.map((c) => c.witness)).toEqual([witness.id]);
        expect(status.conflicts).toEqual([]);
        // The witness kept every checkpoint it saw, each cosigned.
        const seen = await witness.ctx.storage.read.ledger.witnessed(log.id, 100);
        expect(seen.map((w) => w.size).sort((x, y) => x - y)).toEqual(sizes[log.id]);
        expect(seen.every((w) => w.cosignedAt !== null && w.conflict === null)).toBe(true);
      }
      // The second and third offers came with the proof from the size cosigned before.
      const offers = await by.node.ctx.storage.read.exchange.listMessages({
        direction: 'out',
        type: 'ledger.checkpoint',
        limit: 10,
      });
      expect(offers.map((m) => (m.body as BodyOf['ledger.checkpoint']).fromSize).reverse()).toEqual(
        [0, ...sizes['BY/GTK']!.slice(0, 2)],
      );
      // None of it shows in the officers' message lists.
      expect(await listMessages(by.node.ctx, by.node.users.liaison, { limit: 100 })).toEqual([]);
    });

    if (binding !== 'http') return;

    it('refuses to let users compose ledger messages', async () => {
      await expect(
        sendMessage(by.node.ctx, by.node.users.liaison, {
          to: ['KZ/KGD'],
          type: 'ledger.checkpoint',
          sharing: 'shareable',
          body: { origin: ledgerOrigin('BY/GTK'), checkpoint: 'x', fromSize: 0, proof: [] },
        }),
      ).rejects.toThrow(/sent by the node itself/);
    });

    it('recovers when the log missed an answer: the witness says what it cosigned and the log proves from there', async () => {
      const read = by.node.ctx.storage.read;
      const missed = (await read.ledger.latestCheckpoint())!.size;
      // The answer lost: the log no longer knows that KZ cosigned its latest checkpoint.
      await sql`delete from ledger_cosignatures where size = ${missed} and witness = 'KZ/KGD'`.execute(
        by.node.db.db.kysely,
      );
      const before = await read.ledger.lastCosignedBy('KZ/KGD');
      expect(before).toBeLessThan(missed);
      const size = await checkpoint(by, 'missed');
      await cosignedBy(by.node, kz.node, size);
      const offers = await read.exchange.listMessages({
        direction: 'out',
        type: 'ledger.checkpoint',
        limit: 2,
      });
      const [resent, first] = offers.map((m) => m.body as BodyOf['ledger.checkpoint']);
      expect(first!.fromSize).toBe(before);
      expect(resent!.fromSize).toBe(missed);
      // In one thread: the offer, the refusal as stale naming the size, the offer again.
      expect(offers[0]!.conversation).toBe(offers[1]!.conversation);
      const answers = await read.exchange.listMessages({
        direction: 'in',
        type: 'ledger.cosignature',
        conversation: offers[1]!.conversation,
        limit: 10,
      });
      expect(answers.map((m) => bodyOf(m)).reverse()).toMatchObject([
        { outcome: 'refused', reason: 'stale', knownSize: missed },
        { outcome: 'cosigned', size },
      ]);
      expect(await events(by.node, 'ledger.witness-refused')).toEqual([]);
    });

    it('refuses a checkpoint not signed by the log’s key, or of another log, and records nothing', async () => {
      const keys = await keyringOf(by.node);
      const stranger = await outsiderKeys('BY/GTK');
      try {
        const read = kz.node.ctx.storage.read;
        const seenBefore = await read.ledger.witnessed('BY/GTK', 1000);
        const latest = (await read.ledger.latestCosigned('BY/GTK'))!;
        const forged = await forgedNote(
          by.node,
          latest.size + 1,
          randomBytes(32),
          stranger.keys.rawSigner(new Date()),
        );
        const answer = await deliverCheckpoint(by.node, keys, kz.node, {
          origin: ledgerOrigin('BY/GTK'),
          checkpoint: forged,
          fromSize: latest.size,
          proof: [],
        });
        expect(bodyOf(answer)).toMatchObject({
          outcome: 'refused',
          reason: 'bad-signature',
          knownSize: null,
        });
        const otherLog = await deliverCheckpoint(by.node, keys, kz.node, {
          origin: ledgerOrigin('UZ/DTK'),
          checkpoint: latest.note,
          fromSize: 0,
          proof: [],
        });
        expect(bodyOf(otherLog)).toMatchObject({ outcome: 'refused', reason: 'unknown-log' });
        expect(await read.ledger.witnessed('BY/GTK', 1000)).toEqual(seenBefore);
        expect(await read.ledger.conflicts(10)).toEqual([]);
      } finally {
        stranger.drop();
      }
    });

    it('catches a forked log shown to it: a second root for a size it cosigned, a tree that does not extend the last', async () => {
      // Whoever holds BY's key (and so signs as its log) shows KZ another history.
      const keys = await keyringOf(by.node);
      const read = kz.node.ctx.storage.read;
      const cosigned = (await read.ledger.witnessed('BY/GTK', 1000)).filter((w) => w.cosignedAt);
      const earlier = cosigned[cosigned.length - 1]!;
      const last = cosigned[0]!;
      const split = await deliverCheckpoint(by.node, keys, kz.node, {
        origin: ledgerOrigin('BY/GTK'),
        checkpoint: await forgedNote(
          by.node,
          earlier.size,
          randomBytes(32),
          keys.rawSigner(new Date()),
        ),
        fromSize: last.size,
        proof: [],
      });
      expect(bodyOf(split)).toMatchObject({
        outcome: 'refused',
        reason: 'split-view',
        size: earlier.size,
        knownSize: last.size,
      });
      const forkSize = last.size + 1000;
      const forked = {
        origin: ledgerOrigin('BY/GTK'),
        checkpoint: await forgedNote(
          by.node,
          forkSize,
          randomBytes(32),
          keys.rawSigner(new Date()),
        ),
        fromSize: last.size,
        proof: Array.from({ length: 11 }, () => b64(randomBytes(32))),
      };
      const fork = await deliverCheckpoint(by.node, keys, kz.node, forked);
      expect(bodyOf(fork)).toMatchObject({
        outcome: 'refused',
        reason: 'inconsistent',
        size: forkSize,
        knownSize: last.size,
      });
      // Shown again: the same refusal, and no second alert.
      const again = await deliverCheckpoint(by.node, keys, kz.node, forked);
      expect(bodyOf(again)).toMatchObject({ outcome: 'refused', reason: 'inconsistent' });

      // Nothing cosigned; both recorded as conflicts, alerted once each, on the ledger page.
      expect((await read.ledger.latestCosigned('BY/GTK'))!.size).toBe(last.size);
      const [splitAlert, ...moreSplits] = await events(kz.node, 'ledger.split-view');
      const [forkAlert, ...moreForks] = await events(kz.node, 'ledger.inconsistent');
      expect([moreSplits, moreForks]).toEqual([[], []]);
      expect(splitAlert).toMatchObject({
        subjectType: 'ledger',
        subjectId: ledgerOrigin('BY/GTK'),
        agencyId: kz.node.exchange.runtime.customsAgencyId,
        data: { log: 'BY/GTK', size: earlier.size },
      });
      expect(forkAlert).toMatchObject({ data: { log: 'BY/GTK', size: forkSize } });
      const status = await ledgerStatus(kz.node.ctx, kz.node.users.admin);
      expect(status.conflicts.map((c) => [c.logNode, c.size])).toEqual(
        expect.arrayContaining([
          ['BY/GTK', earlier.size],
          ['BY/GTK', forkSize],
        ]),
      );
      expect(status.conflicts.find((c) => c.size === earlier.size)!.conflict).toMatch(
        /^split-view: two checkpoints of/,
      );
      expect(status.conflicts.find((c) => c.size === forkSize)!.conflict).toMatch(
        /^inconsistent: /,
      );

      // The real log goes on being witnessed.
      const size = await checkpoint(by, 'after-fork');
      await cosignedBy(by.node, kz.node, size);
    });
  });
}
