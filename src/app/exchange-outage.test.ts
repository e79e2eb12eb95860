import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from './exchange.js';
import type { BodyOf } from '../core/exchange/messages.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  connectNodes,
  eventually,
  natsSpace,
  startNode,
  type Binding,
  type TestNode,
} from '../test-support/exchange-nodes.js';

const CHILD = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'test-support',
  'exchange-child.ts',
);

const alert = (summary: string): BodyOf['alert'] => ({
  priorityArea: 'general-smuggling',
  summary,
  details: 'Cigarettes concealed in a consignment of furniture.',
  goods: [{ hsCode: '240220', description: 'cigarettes' }],
  routes: [],
  conveyances: [{ mode: 'road', identifier: 'truck 1234 AB-7' }],
});

for (const backend of BACKENDS) {
  for (const binding of ['http', 'nats'] as Binding[]) {
    describe(`a partner down while messages are sent (${backend}, ${binding})`, () => {
      let by: TestNode, kz: TestNode;
      beforeAll(async () => {
        const nats = binding === 'nats' ? natsSpace() : undefined;
        by = await startNode(backend, 'BY/GTK', { binding, ...(nats ? { nats } : {}) });
        kz = await startNode(backend, 'KZ/KGD', { binding, ...(nats ? { nats } : {}) });
        await connectNodes([by, kz], { binding });
      }, 60_000);
      afterAll(async () => {
        await Promise.all([by, kz].map((n) => n?.close()));
      });

      it('gets everything after it returns, in order within each conversation', async () => {
        await kz.stop();
        const order = new Map<string, string[]>();
        const last = new Map<string, string>();
        for (let round = 1; round <= 3; round++) {
          for (const thread of ['A', 'B', 'C']) {
            const [m] = await sendMessage(by.ctx, by.users.liaison, {
              to: ['KZ/KGD'],
              type: 'alert',
              sharing: 'shareable',
              body: alert(`Thread ${thread}, update ${round}`),
              refTo: last.get(thread) ?? null,
            });
            last.set(thread, m!.id);
            order.set(m!.conversation, [...(order.get(m!.conversation) ?? []), m!.id]);
          }
        }
        // The sender keeps trying while the partner is away; nothing arrives, nothing is lost.
        await eventually('a failed attempt', async () => {
          const out = await by.ctx.storage.read.exchange.listMessages({
            direction: 'out',
            limit: 20,
          });
          return out.some((m) => m.attempts > 0) || binding === 'nats';
        });
        await new Promise((r) => setTimeout(r, 1500));
        expect(
          await kz.ctx.storage.read.exchange.listMessages({ direction: 'in', limit: 20 }),
        ).toEqual([]);
        const queued = await by.ctx.storage.read.exchange.listMessages({
          direction: 'out',
          limit: 20,
        });
        expect(queued.map((m) => m.delivery)).toEqual(Array(9).fill('queued'));

        await kz.restart();
        await eventually(
          'all nine delivered',
          async () =>
            (
              await by.ctx.storage.read.exchange.listMessages({ direction: 'out', limit: 20 })
            ).every((m) => m.delivery === 'delivered'),
          45_000,
        );
        const received = (
          await kz.ctx.storage.read.exchange.listMessages({ direction: 'in', limit: 20 })
        ).reverse(); // oldest first
        expect(received).toHaveLength(9);
        for (const [conversation, ids] of order) {
          expect(received.filter((m) => m.conversation === conversation).map((m) => m.id)).toEqual(
            ids,
          );
        }
      }, 90_000);
    });
  }

  describe(`kill -9 of the sender (${backend})`, () => {
    let by: TestNode, kz: TestNode;
    beforeAll(async () => {
      by = await startNode(backend, 'BY/GTK', { binding: 'http' });
      kz = await startNode(backend, 'KZ/KGD', { binding: 'http' });
      await connectNodes([by, kz], { binding: 'http' });
      await by.stop(); // the child process is the sender now
    }, 60_000);
    afterAll(async () => {
      await Promise.all([by, kz].map((n) => n?.close()));
    });

    for (const die of ['after-commit', 'after-send'] as const) {
      it(`delivers exactly once after a restart (killed ${die})`, async () => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            CHILD,
            JSON.stringify({
              ...(by.db.url ? { url: by.db.url } : { sqlitePath: by.db.sqlitePath }),
              keyPath: by.keyPath,
              nodeId: by.id,
              publicUrl: by.url,
              token: by.tokens.liaison,
              to: kz.id,
              die,
            }),
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        child.stderr.on('data', (b: Buffer) => (out += b.toString()));
        const signal = await new Promise((resolve) => child.once('exit', (_c, s) => resolve(s)));
        expect(signal, out).toBe('SIGKILL');
        const id = /queued (\w+)/.exec(out)![1]!;
        const before = await kz.ctx.storage.read.exchange.findMessage('in', by.id, id);
        expect(before !== undefined).toBe(die === 'after-send');
        expect((await by.ctx.storage.read.exchange.findMessage('out', by.id, id))?.delivery).toBe(
          'queued',
        );

        await by.restart();
        try {
          await eventually(
            'delivered after the restart',
            async () =>
              (await by.ctx.storage.read.exchange.findMessage('out', by.id, id))?.delivery ===
              'delivered',
          );
        } finally {
          await by.stop();
        }
        const inbox = await kz.ctx.storage.read.exchange.listMessages({
          direction: 'in',
          limit: 50,
        });
        expect(inbox.filter((m) => m.id === id)).toHaveLength(1);
        const events = await kz.ctx.storage.read.outbox.after({ txid: 0, position: 0 }, 10_000);
        expect(
          events.filter((e) => e.kind === 'exchange.received' && e.subjectId === id),
        ).toHaveLength(1);
      }, 60_000);
    }
  });
}
