import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveMessage } from './exchange-receive.js';
import { sendMessage } from './exchange.js';
import type { BodyOf } from '../core/exchange/messages.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  connectNodes,
  eventually,
  natsSpace,
  startNode,
  stateOf,
  type Binding,
  type TestNode,
} from '../test-support/exchange-nodes.js';

const alertBody: BodyOf['alert'] = {
  priorityArea: 'e-waste',
  summary: 'Used batteries declared as scrap metal',
  details: 'Containers from one consignor carry lead-acid batteries under HS 7204.',
  goods: [{ hsCode: '854810', description: 'waste lead-acid batteries' }],
  routes: [{ from: 'CNSHA', to: 'BYMSQ', via: ['KZALA'], mode: 'rail' }],
  conveyances: [{ mode: 'rail', identifier: 'wagon 5551234' }],
};

const BINDINGS: Binding[] = ['http', 'nats'];

for (const backend of BACKENDS) {
  for (const binding of BINDINGS) {
    describe(`exchange between three nodes (${backend}, ${binding})`, () => {
      let by: TestNode, kz: TestNode, uz: TestNode;
      beforeAll(async () => {
        const nats = binding === 'nats' ? natsSpace() : undefined;
        [by, kz, uz] = (await Promise.all(
          ['BY/GTK', 'KZ/KGD', 'UZ/DTK'].map((id) =>
            startNode(backend, id, { binding, ...(nats ? { nats } : {}) }),
          ),
        )) as [TestNode, TestNode, TestNode];
        await connectNodes([by, kz, uz], { binding });
      }, 60_000);
      afterAll(async () => {
        await Promise.all([by, kz, uz].map((n) => n?.close()));
      });

      it('delivers an alert to two partners, each with a signed receipt', async () => {
        const sent = await sendMessage(by.ctx, by.users.liaison, {
          to: ['KZ/KGD', 'UZ/DTK'],
          type: 'alert',
          sharing: 'shareable',
          body: alertBody,
        });
        expect(sent).toHaveLength(2);
        for (const [m, partner] of [
          [sent[0]!, kz],
          [sent[1]!, uz],
        ] as const) {
          const delivered = await eventually('delivery', async () => {
            const r = await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', m.id);
            return r?.delivery === 'delivered' ? r : undefined;
          });
          expect(delivered.binding).toBe(binding);
          expect(delivered.receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
          const received = await partner.ctx.storage.read.exchange.findMessage(
            'in',
            'BY/GTK',
            m.id,
          );
          expect(received?.body).toEqual(alertBody);
          expect(received?.jws).toBe(m.jws);
        }
      });

      it('applies a message repeated 1,000 times once', async () => {
        const [m] = await sendMessage(by.ctx, by.users.liaison, {
          to: ['KZ/KGD'],
          type: 'alert',
          sharing: 'shareable',
          body: { ...alertBody, summary: 'Repeated alert' },
        });
        await eventually(
          'delivery',
          async () =>
            (await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', m!.id))?.delivery ===
            'delivered',
        );
        const before = await stateOf(kz);
        const outcomes = await Promise.all(
          Array.from({ length: 1000 }, () => receiveMessage(kz.ctx, m!.jws)),
        );
        expect(new Set(outcomes.map((o) => `${o.status}/${o.reason}`))).toEqual(
          new Set(['accepted/duplicate']),
        );
        const stored = await kz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', m!.id);
        expect(new Set(outcomes.map((o) => o.receipt))).toEqual(new Set([stored!.receipt]));
        expect(await stateOf(kz)).toBe(before);
      });
    });
  }
}
