import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../test-support/databases.js';
import { startNode, type TestNode } from '../test-support/exchange-nodes.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { LedgerAppender, rootAt, signCheckpointIfDue } from './ledger.js';
import { eventProof, ledgerStatus, recordProofs, runLedgerVerification } from './ledger-proofs.js';
import { checkBundle } from '../core/ledger/bundle.js';
import { verifyLedger } from './verify-ledger.js';
import { verifyKeysOf } from './ledger-proofs.js';
import { createAgency } from './manage-identity.js';
import { hashesEqual, rangeNodes } from '../core/ledger/merkle.js';
import { parseCheckpoint } from '../core/ledger/checkpoint.js';
import { ed25519PublicKeyFromJwkX, parseNote, verifierKey } from '../core/ledger/note.js';

/** Writes `n` events through a real use case (agencies created by the administrator). */
async function addEvents(node: TestNode, n: number, tag: string): Promise<void> {
  const administrationId = node.users.admin.administrationId;
  for (let i = 0; i < n; i++) {
    await node.ctx.storage.write((tx) =>
      createAgency(node.ctx, tx, {
        administrationId,
        kind: 'environment',
        code: `ENV-${tag}-${i}`,
        name: `Environmental inspectorate ${tag} ${i}`,
      }),
    );
  }
}

for (const backend of BACKENDS) {
  describe(`the ledger (${backend})`, () => {
    let node: TestNode;
    let dispatcher: OutboxDispatcher;
    beforeAll(async () => {
      node = await startNode(backend, 'BY/GTK', { binding: 'http' });
      await node.exchange.checkpoints.stop();
      dispatcher = new OutboxDispatcher(node.ctx.storage, node.ctx.clock, [
        new LedgerAppender(node.ctx.storage, node.ctx.clock),
      ]);
    }, 60_000);
    afterAll(async () => {
      await node?.close();
    });

    it('appends every outbox event once, in delivery order, even when a page is delivered again', async () => {
      await addEvents(node, 30, 'a');
      await dispatcher.drain();
      const read = node.ctx.storage.read;
      const outbox = await read.outbox.after({ txid: 0, position: 0 }, 100_000);
      const state = await read.ledger.state();
      expect(state.size).toBe(outbox.length);
      const entries = await read.ledger.entries(0, 100_000);
      expect(entries.map((e) => e.position)).toEqual(outbox.map((e) => e.position));

      // The dispatcher's cursor lost (a crash before it moved): the same events come again.
      const appender = new LedgerAppender(node.ctx.storage, node.ctx.clock);
      await appender.deliver(outbox);
      expect((await read.ledger.state()).size).toBe(outbox.length);
    });

    it('signs a checkpoint in the C2SP format whose root is the tree of the events, and refuses a second one with nothing new', async () => {
      const first = await signCheckpointIfDue(node.ctx, { force: true });
      expect(first.signed).toBe(true);
      if (!first.signed) return;
      const read = node.ctx.storage.read;
      const { size } = await read.ledger.state();
      expect(first.checkpoint.size).toBe(size);
      const body = parseCheckpoint(parseNote(first.checkpoint.note).text);
      expect(body.origin).toBe('greenlane.ledger/BY/GTK');
      expect(body.size).toBe(size);
      expect(hashesEqual(body.root, await rootAt(read, size))).toBe(true);
      const again = await signCheckpointIfDue(node.ctx, { force: true });
      expect(again).toMatchObject({ signed: false, reason: 'no-new-leaves' });
    });

    it('gives a proof bundle that checks offline, and one whose event was changed that does not', async () => {
      const read = node.ctx.storage.read;
      const events = await read.outbox.after({ txid: 0, position: 0 }, 5);
      const confidential = events.find((e) => e.kind === 'agency.created') ?? events[0]!;
      const r = await eventProof(node.ctx, node.users.admin, confidential.position);
      expect(r.status).toBe('proved');
      if (r.status !== 'proved') return;
      expect(checkBundle(r.bundle)).toMatchObject({ valid: true });
      const changed = { ...r.bundle, event: { ...r.bundle.event, subjectId: 'someone-else' } };
      expect(checkBundle(changed)).toMatchObject({ valid: false });
      // A key the verifier pinned that is not the log's: refused.
      const other = await startNode(backend, 'KZ/KGD', { binding: 'http' });
      try {
        const foreign = verifierKey(
          'greenlane.ledger/BY/GTK',
          ed25519PublicKeyFromJwkX(other.exchange.runtime.signer.publicKeys()[0]!.jwk.x),
        );
        expect(checkBundle(r.bundle, [foreign])).toMatchObject({ valid: false });
      } finally {
        await other.close();
      }
    });

    it('keeps proofs from staff who may not read the record (traders: the authorisation matrix)', async () => {
      const events = await node.ctx.storage.read.outbox.after({ txid: 0, position: 0 }, 50);
      const userEvent = events.find((e) => e.kind === 'user.created')!;
      await expect(eventProof(node.ctx, node.users.officer, userEvent.position)).rejects.toThrow(
        /no ledger event/,
      );
      await expect(ledgerStatus(node.ctx, node.users.officer)).resolves.toMatchObject({
        size: expect.any(Number) as number,
      });
      const proofs = await recordProofs(
        node.ctx,
        node.users.admin,
        userEvent.subjectType,
        userEvent.subjectId,
      );
      expect(proofs.some((p) => p.position === userEvent.position && p.leafIdx !== null)).toBe(
        true,
      );
    });

    it('verifies an untouched log, and names the event whose row was changed', async () => {
      await addEvents(node, 5, 'b');
      await dispatcher.drain();
      await signCheckpointIfDue(node.ctx, { force: true });
      const ok = await runLedgerVerification(node.ctx, node.users.admin);
      expect(ok).toMatchObject({ ok: true, problem: null });
      expect(ok.checkpoints).toBe(2);

      const db = node.db.db.kysely;
      const victim = (await node.ctx.storage.read.ledger.entries(7, 1))[0]!;
      const original = await sql<{
        subject_id: string;
      }>`select subject_id from outbox where position = ${victim.position}`.execute(db);
      await sql`update outbox set subject_id = 'forged' where position = ${victim.position}`.execute(
        db,
      );
      const bad = await verifyLedger(node.ctx.storage.read, verifyKeysOf(node.ctx));
      expect(bad.ok).toBe(false);
      expect(bad.problem).toContain(`leaf 7 (event at outbox position ${victim.position})`);
      await sql`update outbox set subject_id = ${original.rows[0]!.subject_id} where position = ${victim.position}`.execute(
        db,
      );
      expect((await verifyLedger(node.ctx.storage.read, verifyKeysOf(node.ctx))).ok).toBe(true);
      const status = await ledgerStatus(node.ctx, node.users.admin);
      expect(status.lastVerification).toMatchObject({ ok: true, by: 'admin' });
      const metrics = await node.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${node.tokens.admin}` },
      });
      expect(metrics.body).toContain(`greenlane_ledger_leaves ${status.size}`);
      expect(metrics.body).toContain(`greenlane_ledger_checkpoint_size ${status.checkpoint!.size}`);
    });

    it("signs by time, but not over nothing but the witness protocol's own traffic", async () => {
      const ledger = node.ctx.ledger!;
      const seconds = ledger.checkpointSeconds;
      ledger.checkpointSeconds = 0;
      try {
        await addEvents(node, 1, 'q');
        await dispatcher.drain();
        expect((await signCheckpointIfDue(node.ctx)).signed).toBe(true);
        await node.ctx.storage.write((tx) =>
          tx.audit.append({
            at: new Date().toISOString(),
            agencyId: node.users.admin.agencyId,
            actorId: null,
            action: 'exchange.sent',
            subjectType: 'exchange-message',
            subjectId: 'offer-1',
            details: { to: 'KZ/KGD', type: 'ledger.checkpoint' },
          }),
        );
        await dispatcher.drain();
        expect(await signCheckpointIfDue(node.ctx)).toMatchObject({
          signed: false,
          reason: 'not-due',
        });
        await addEvents(node, 1, 'r');
        await dispatcher.drain();
        expect((await signCheckpointIfDue(node.ctx)).signed).toBe(true);
      } finally {
        ledger.checkpointSeconds = seconds;
      }
    });

    it('refuses to sign a checkpoint inconsistent with the last one', async () => {
      await addEvents(node, 3, 'c');
      await dispatcher.drain();
      const db = node.db.db.kysely;
      // The largest stored subtree of the last checkpoint's tree replaced: the proof from it to
      // the new tree no longer leads to its root.
      const last = (await node.ctx.storage.read.ledger.latestCheckpoint())!;
      const [largest] = rangeNodes(0, last.size);
      await sql`update ledger_nodes set hash = ${Buffer.alloc(32, 7)} where level = ${largest!.level} and idx = ${largest!.index}`.execute(
        db,
      );
      await expect(signCheckpointIfDue(node.ctx, { force: true })).rejects.toThrow(
        /not consistent with the checkpoint/,
      );
    });
  });
}
