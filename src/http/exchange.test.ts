import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../app/exchange.js';
import { importPartnerEntry, recordAgreement, rotateNodeKey } from '../app/exchange-directory.js';
import type { BodyOf } from '../core/exchange/messages.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  ALL_TYPES,
  eventually,
  startNode,
  stateOf,
  type TestNode,
} from '../test-support/exchange-nodes.js';
import { bearer } from '../test-support/http.js';

const alert: BodyOf['alert'] = {
  priorityArea: 'green-technology',
  summary: 'Solar panels declared as new are used and broken',
  details: 'Photovoltaic modules with cracked cells, HS 854143, declared as new goods.',
  goods: [{ hsCode: '854143', description: 'photovoltaic modules' }],
  routes: [],
  conveyances: [],
};

const payloadOf = (jws: string) =>
  JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

for (const backend of BACKENDS) {
  describe(`the HTTP binding and the directory (${backend})`, () => {
    let by: TestNode, kz: TestNode;
    beforeAll(async () => {
      by = await startNode(backend, 'BY/GTK', { binding: 'http' });
      kz = await startNode(backend, 'KZ/KGD', { binding: 'http' });
    }, 60_000);
    afterAll(async () => {
      await Promise.all([by, kz].map((n) => n?.close()));
    });

    it('first contact: each imports the other from its self-signed entry, confirming the thumbprint', async () => {
      for (const [here, there] of [
        [by, kz],
        [kz, by],
      ] as const) {
        const r = await fetch(`${there.url}/exchange/v1/directory`);
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/^application\/jose/);
        const entry = (await r.text()).trim();
        const body = payloadOf(entry) as {
          keys: Array<Record<string, unknown>>;
          administration: { id: string };
        };
        expect(body.administration.id).toBe(there.id);
        expect(JSON.stringify(body)).not.toMatch(/"d"/);
        // The thumbprint the other administrator reads out over another channel.
        const kid = (
          (await (
            await fetch(`${there.url}/api/exchange/node`, { headers: bearer(there.tokens.admin) })
          ).json()) as { keys: Array<{ kid: string }> }
        ).keys[0]!.kid;
        await expect(
          importPartnerEntry(here.ctx, here.users.admin, entry, 'some-other-kid'),
        ).rejects.toThrow(/cannot be accepted/);
        const partner = await importPartnerEntry(here.ctx, here.users.admin, entry, kid);
        expect(partner).toMatchObject({ id: there.id, httpEndpoint: there.url, status: 'active' });
        await recordAgreement(here.ctx, here.users.admin, {
          partnerId: there.id,
          title: 'Mutual assistance (test)',
          legalBasis: 'SCO-CUSTOMS-2007',
          messageTypes: ALL_TYPES,
          validFrom: '2020-01-01T00:00:00Z',
        });
      }
      const [m] = await sendMessage(by.ctx, by.users.liaison, {
        to: ['KZ/KGD'],
        type: 'alert',
        sharing: 'shareable',
        body: alert,
      });
      await eventually(
        'delivered',
        async () =>
          (await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', m!.id))?.delivery ===
          'delivered',
      );
    });

    it('answers over HTTP: 200 with the receipt, the same receipt for a repeat, 422 with a signed refusal', async () => {
      const [m] = await sendMessage(by.ctx, by.users.liaison, {
        to: ['KZ/KGD'],
        type: 'alert',
        sharing: 'shareable',
        body: { ...alert, summary: 'HTTP binding test' },
      });
      await eventually(
        'delivered',
        async () =>
          (await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', m!.id))?.delivery ===
          'delivered',
      );
      const stored = (await kz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', m!.id))!;
      const post = (body: string, type = 'application/jose') =>
        fetch(`${kz.url}/exchange/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
      const again = await post(m!.jws);
      expect(again.status).toBe(200);
      expect(again.headers.get('greenlane-receipt-status')).toBe('accepted; duplicate');
      expect((await again.text()).trim()).toBe(stored.receipt);

      const before = await stateOf(kz);
      const tampered = await post(
        m!.jws.slice(0, 40) + (m!.jws[40] === 'A' ? 'B' : 'A') + m!.jws.slice(41),
      );
      expect(tampered.status).toBe(422);
      const refusal = payloadOf(await tampered.text());
      expect(refusal).toMatchObject({ type: 'receipt', status: 'refused', from: 'KZ/KGD' });
      const garbage = await post('not a jws at all');
      expect(garbage.status).toBe(422);
      expect(payloadOf(await garbage.text())).toMatchObject({
        status: 'refused',
        reason: 'malformed',
        messageId: null,
      });
      const json = await post(JSON.stringify({ jws: m!.jws }), 'application/json');
      expect(json.status).toBe(400);
      expect(((await json.json()) as { type: string }).type).toMatch(/problem/);
      const huge = await post('a'.repeat(2 * 1024 * 1024));
      expect(huge.status).toBe(413);
      expect(await stateOf(kz)).toBe(before);
    });

    it('rotates a key: partners learn the new key from an update signed with the old one, before any message signed with it', async () => {
      const oldKid = by.exchange.runtime.signer.publicKeys()[0]!.kid;
      // The partner is away during the rotation: the update and a later alert wait for it.
      await kz.stop();
      const { key, published } = await rotateNodeKey(by.ctx, by.users.admin, 24);
      expect(key.kid).not.toBe(oldKid);
      expect(published.map((m) => m.to)).toEqual(['KZ/KGD']);
      const [m] = await sendMessage(by.ctx, by.users.liaison, {
        to: ['KZ/KGD'],
        type: 'alert',
        sharing: 'shareable',
        body: { ...alert, summary: 'After the rotation' },
      });
      expect(
        JSON.parse(Buffer.from(m!.jws.split('.')[0]!, 'base64url').toString()) as { kid: string },
      ).toMatchObject({ kid: key.kid });
      await new Promise((r) => setTimeout(r, 500));
      await kz.restart();
      for (const id of [published[0]!.id, m!.id])
        await eventually(
          'delivered',
          async () =>
            (await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', id))?.delivery ===
            'delivered',
        );
      const keys = await kz.ctx.storage.read.exchange.keysOf('BY/GTK');
      expect(keys.find((k) => k.kid === key.kid)).toMatchObject({
        trustedBy: `directory:${published[0]!.id}`,
      });
      expect(keys.find((k) => k.kid === oldKid)?.validTo).not.toBeNull();
      const [update, after] = await Promise.all(
        [published[0]!.id, m!.id].map((id) =>
          kz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', id),
        ),
      );
      expect(update!.seq!).toBeLessThan(after!.seq!);
    });
  });
}
