import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from './authenticate.js';
import { getMessage, listMessages } from './exchange-directory.js';
import { sendMessage } from './exchange.js';
import { createAgency, createUser, issueApiToken } from './manage-identity.js';
import type { Principal } from '../core/auth/identity.js';
import type { BodyOf } from '../core/exchange/messages.js';
import { BACKENDS } from '../test-support/databases.js';
import { connectNodes, startNode, type TestNode } from '../test-support/exchange-nodes.js';

const request: BodyOf['assistance.request'] = {
  subject: 'Is this exporter registered for hazardous waste?',
  priorityArea: 'e-waste',
  questions: ['Does EcoMet hold a licence for lead-acid battery recycling?'],
  references: [{ type: 'declaration', value: 'MRN 26BY0000000000001' }],
  parties: [{ role: 'consignor', name: 'EcoMet Recycling LLC', identifier: 'BY190000001' }],
  deadline: new Date(Date.now() + 3 * 86_400_000).toISOString(),
};

for (const backend of BACKENDS) {
  describe(`messages between agencies of one node (${backend})`, () => {
    let by: TestNode, kz: TestNode;
    let ecologist: Principal;
    beforeAll(async () => {
      by = await startNode(backend, 'BY/GTK', { binding: 'http' });
      kz = await startNode(backend, 'KZ/KGD', { binding: 'http' });
      await connectNodes([by, kz], { binding: 'http' });
      const token = await by.ctx.storage.write(async (tx) => {
        const administrationId = (await tx.identity.listAdministrations())[0]!.id;
        const env = await createAgency(by.ctx, tx, {
          administrationId,
          kind: 'environment',
          code: 'BY-ENV',
          name: 'Ministry of Natural Resources (test)',
        });
        const userId = await createUser(by.ctx, tx, {
          agencyId: env,
          username: 'ecologist',
          displayName: 'ecologist',
          roles: ['environmental_officer'],
          password: null,
        });
        return (await issueApiToken(by.ctx, tx, { userId, name: 'test' })).token;
      });
      ecologist = await authenticate(by.ctx, token);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([by, kz].map((n) => n?.close()));
    });

    it('delivers at once, unsigned, names included, and the answer closes the request', async () => {
      const [sent] = await sendMessage(by.ctx, by.users.officer, {
        to: ['BY-ENV'],
        type: 'assistance.request',
        sharing: 'national',
        body: request,
      });
      expect(sent).toMatchObject({
        binding: 'local',
        delivery: 'delivered',
        jws: '',
        handling: 'nominal',
      });
      const inbox = await listMessages(by.ctx, ecologist, { direction: 'in', limit: 10 });
      expect(inbox.map((m) => m.id)).toEqual([sent!.id]);
      expect(inbox[0]!.body).toEqual(request);
      // The environmental agency answers; both sides see the request answered.
      await sendMessage(by.ctx, ecologist, {
        to: ['BY-C'],
        type: 'assistance.reply',
        sharing: 'national',
        refTo: sent!.id,
        body: { answers: ['Yes, licence 12/2025 valid until 2027.'], final: true },
      });
      expect(await getMessage(by.ctx, ecologist, sent!.id)).toMatchObject({
        direction: 'in',
        caseStatus: 'answered',
      });
      expect(await getMessage(by.ctx, by.users.officer, sent!.id)).toMatchObject({
        direction: 'out',
        caseStatus: 'answered',
      });
      // Nothing of it was queued for a partner, and the partner has nothing.
      expect(await by.ctx.storage.read.exchange.partnersWithQueue()).toEqual([]);
      expect(await kz.ctx.storage.read.exchange.listMessages({ limit: 10 })).toEqual([]);
    });

    it('keeps other agencies out of messages that are not theirs, and partners out of reach', async () => {
      const [toPartner] = await sendMessage(by.ctx, by.users.liaison, {
        to: ['KZ/KGD'],
        type: 'alert',
        sharing: 'shareable',
        body: {
          priorityArea: 'e-waste',
          summary: 'For the partner only',
          details: 'An alert to KZ',
          goods: [],
          routes: [],
          conveyances: [],
        },
      });
      const seen = await listMessages(by.ctx, ecologist, { limit: 50 });
      expect(seen.some((m) => m.id === toPartner!.id)).toBe(false);
      await expect(getMessage(by.ctx, ecologist, toPartner!.id)).rejects.toThrow(/no message/);
      await expect(
        sendMessage(by.ctx, ecologist, {
          to: ['KZ/KGD'],
          type: 'alert',
          sharing: 'shareable',
          body: { ...request, questions: undefined } as never,
        }),
      ).rejects.toThrow(/do not allow send on exchange-message/);
      await expect(
        sendMessage(by.ctx, by.users.officer, {
          to: ['NO-SUCH-AGENCY'],
          type: 'alert',
          sharing: 'national',
          body: {
            priorityArea: 'e-waste',
            summary: 'x x x',
            details: 'x',
            goods: [],
            routes: [],
            conveyances: [],
          },
        }),
      ).rejects.toThrow(/not another agency/);
    });
  });
}
