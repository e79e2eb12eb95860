import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodyOf } from '../core/exchange/messages.js';
import { receiveMessage } from './exchange-receive.js';
import { sendMessage } from './exchange.js';
import {
  adoptSharedRiskInformation,
  listMessages,
  shareRiskInformation,
} from './exchange-directory.js';
import { approve, saveIndicator, submitForApproval } from './manage-indicators.js';
import { performanceMetrics } from './metrics.js';
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
        const start = (id: string) =>
          startNode(backend, id, { binding, ...(nats ? { nats } : {}) });
        [by, kz, uz] = (await Promise.all(['BY/GTK', 'KZ/KGD', 'UZ/DTK'].map(start))) as [
          TestNode,
          TestNode,
          TestNode,
        ];
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

      it('answers a request for assistance and marks one left unanswered overdue', async () => {
        const deadline = new Date(Date.now() + 86_400_000).toISOString();
        const [request] = await sendMessage(by.ctx, by.users.liaison, {
          to: ['KZ/KGD'],
          type: 'assistance.request',
          sharing: 'shareable',
          body: {
            subject: 'Origin of a consignment of refrigerants',
            priorityArea: 'agricultural-chemicals',
            questions: ['Was an export declaration lodged for container MSCU1234567?'],
            references: [{ type: 'container', value: 'MSCU1234567' }],
            deadline,
          },
        });
        const received = await eventually('the request at KZ', () =>
          kz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', request!.id),
        );
        expect(received.caseStatus).toBe('received');
        expect(received.deadline).toBe(deadline);
        await eventually(
          'received at BY',
          async () =>
            (await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', request!.id))
              ?.caseStatus === 'received',
        );
        // The partner acknowledges, then answers; the thread continues the request's conversation.
        const [ack] = await sendMessage(kz.ctx, kz.users.liaison, {
          to: ['BY/GTK'],
          type: 'assistance.status',
          sharing: 'shareable',
          refTo: request!.id,
          body: { status: 'acknowledged', note: 'Assigned to the Almaty office' },
        });
        expect(ack!.conversation).toBe(request!.conversation);
        await eventually(
          'acknowledged at BY',
          async () =>
            (await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', request!.id))
              ?.caseStatus === 'acknowledged',
        );
        await sendMessage(kz.ctx, kz.users.liaison, {
          to: ['BY/GTK'],
          type: 'assistance.reply',
          sharing: 'shareable',
          refTo: request!.id,
          body: {
            answers: ['Yes: export declaration 24KZ000123 of 3 March, consignor named.'],
            final: true,
          },
        });
        const answered = await eventually('answered at BY', async () => {
          const r = await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', request!.id);
          return r?.caseStatus === 'answered' ? r : undefined;
        });
        expect(answered.answeredAt).not.toBeNull();
        const atKz = await kz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', request!.id);
        expect(atKz).toMatchObject({ caseStatus: 'answered' });
        expect(atKz?.answeredAt).not.toBeNull();
        const thread = await listMessages(by.ctx, by.users.liaison, {
          conversation: request!.conversation,
          limit: 10,
        });
        expect(thread.map((m) => m.type).reverse()).toEqual([
          'assistance.request',
          'assistance.status',
          'assistance.reply',
        ]);

        // A second request with a short deadline nobody answers goes overdue on both sides.
        const [late] = await sendMessage(by.ctx, by.users.liaison, {
          to: ['UZ/DTK'],
          type: 'assistance.request',
          sharing: 'shareable',
          body: {
            subject: 'Owner of a wildlife shipment',
            priorityArea: 'endangered-species',
            questions: ['Who is the consignee of air waybill 176-12345675?'],
            references: [],
            deadline: new Date(Date.now() + 1500).toISOString(),
          },
        });
        await eventually('the request at UZ', () =>
          uz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', late!.id),
        );
        await new Promise((r) => setTimeout(r, 1600));
        const overdueAt = new Date().toISOString();
        const overdueBy = await by.ctx.storage.read.exchange.listMessages({ overdueAt, limit: 50 });
        const overdueUz = await uz.ctx.storage.read.exchange.listMessages({ overdueAt, limit: 50 });
        expect(overdueBy.map((m) => m.id)).toEqual([late!.id]);
        expect(overdueUz.map((m) => m.id)).toEqual([late!.id]);
      });

      it('delivers a seizure report', async () => {
        const [report] = await sendMessage(kz.ctx, kz.users.liaison, {
          to: ['BY/GTK'],
          type: 'seizure.report',
          sharing: 'shareable',
          body: {
            seizedOn: '2026-11-30',
            place: { country: 'KZ', locode: 'KZALA', description: 'Almaty airport cargo terminal' },
            priorityArea: 'endangered-species',
            hsCode: '010649',
            description: 'Live tortoises (Testudo horsfieldii) in suitcases',
            species: 'Testudo horsfieldii',
            quantity: { value: 146, unit: 'p/st' },
            concealment: 'socks in checked luggage',
            route: [{ from: 'KZALA', to: 'BYMSQ', mode: 'air' }],
            detectionMethod: 'scanning',
          },
        });
        const received = await eventually('the report at BY', () =>
          by.ctx.storage.read.exchange.findMessage('in', 'KZ/KGD', report!.id),
        );
        expect(received.type).toBe('seizure.report');
        expect(received.body.species).toBe('Testudo horsfieldii');
      });

      it('shares a shareable indicator, which the partner adopts as a draft', async () => {
        const condition = 'item.hs.startsWith("8548")';
        const shared = await saveIndicator(by.ctx, by.users.analyst, undefined, {
          title: 'Battery waste declared as scrap',
          priorityArea: 'e-waste',
          condition,
          weight: 40,
          controlForm: 'physical-inspection',
          rationale: 'Basel Convention Annex VIII A1160',
          sharing: 'shareable',
        });
        const national = await saveIndicator(by.ctx, by.users.analyst, undefined, {
          title: 'Confidential targeting of one consignor',
          priorityArea: 'e-waste',
          condition: 'item.hs.startsWith("7204")',
          weight: 60,
          controlForm: 'physical-inspection',
          rationale: 'Intelligence report (national only)',
        });
        for (const i of [shared, national]) {
          await submitForApproval(by.ctx, by.users.analyst, 'indicator', i.id, { version: 1 });
          await approve(by.ctx, by.users.analyst2, 'indicator', i.id, { version: 1 });
        }
        await expect(
          shareRiskInformation(by.ctx, by.users.analyst, {
            to: ['KZ/KGD'],
            indicatorIds: [national.id],
          }),
        ).rejects.toThrow(/shareable/);
        const [m] = await shareRiskInformation(by.ctx, by.users.analyst, { to: ['KZ/KGD'] });
        const payload = Buffer.from(m!.jws.split('.')[1]!, 'base64url').toString('utf8');
        expect(payload).toContain('Battery waste declared as scrap');
        expect(payload).not.toContain('Confidential');
        expect(payload).not.toContain(national.id);
        const received = await eventually('the shared information at KZ', () =>
          kz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', m!.id),
        );
        const ids = (received.body.indicators as Array<{ id: string }>).map((i) => i.id);
        expect(ids).toContain(shared.id);
        expect(ids).not.toContain(national.id);
        const result = await adoptSharedRiskInformation(kz.ctx, kz.users.analyst, m!.id);
        expect(result.failed).toEqual([]);
        const adopted = result.adopted.find((a) => a.sharedId === shared.id)!;
        const draft = await kz.ctx.storage.read.indicators.latest(adopted.indicatorId);
        expect(draft).toMatchObject({ status: 'draft', condition, sharing: 'national' });
        await expect(adoptSharedRiskInformation(kz.ctx, kz.users.analyst, m!.id)).rejects.toThrow(
          /adopted already/,
        );
      });

      it('counts the exchanges per partner, type and month, and how long answers took', async () => {
        const from = new Date(Date.now() - 86_400_000).toISOString();
        const to = new Date(Date.now() + 60_000).toISOString();
        const m = await performanceMetrics(by.ctx, by.users.manager, { from, to });
        const out = await by.ctx.storage.read.exchange.listMessages({
          direction: 'out',
          limit: 500,
        });
        const inbox = await by.ctx.storage.read.exchange.listMessages({
          direction: 'in',
          limit: 500,
        });
        const delivered = out.filter((x) => x.delivery === 'delivered');
        expect(m.exchanges.messages).toBe(delivered.length + inbox.length);
        for (const partner of ['KZ/KGD', 'UZ/DTK']) {
          const row = m.exchanges.byPartner.find((p) => p.partner === partner)!;
          expect(row.sent).toBe(delivered.filter((x) => x.to === partner).length);
          expect(row.received).toBe(inbox.filter((x) => x.from === partner).length);
        }
        const month = new Date().toISOString().slice(0, 7);
        expect(m.exchanges.byMonth).toContainEqual(
          expect.objectContaining({
            month,
            partner: 'KZ/KGD',
            type: 'assistance.request',
            sent: 1,
          }),
        );
        expect(m.exchanges.assistance).toMatchObject({
          sent: 2,
          received: 0,
          answered: 1,
          overdue: 1,
        });
        expect(m.exchanges.assistance.responseTime.n).toBe(1);
        expect(m.exchanges.assistance.responseTime.medianHours).toBeGreaterThan(0);
        const atKz = await performanceMetrics(kz.ctx, kz.users.manager, { from, to });
        expect(atKz.exchanges.assistance).toMatchObject({ received: 1, answered: 1 });
        expect(atKz.exchanges.assistance.ourResponseTime.n).toBe(1);
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
