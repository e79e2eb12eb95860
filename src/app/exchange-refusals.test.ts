import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../core/exchange/canonical-json.js';
import type { BodyOf, Envelope } from '../core/exchange/messages.js';
import { ulidGenerator } from './context.js';
import { receiveMessage } from './exchange-receive.js';
import { sendMessage } from './exchange.js';
import {
  recordAgreement,
  registerPartner,
  revokePartnerKey,
  setPartnerStatus,
} from './exchange-directory.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  connectNodes,
  outsiderKeys,
  startNode,
  stateOf,
  type TestNode,
} from '../test-support/exchange-nodes.js';

const ids = ulidGenerator();
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const alertBody: BodyOf['alert'] = {
  priorityArea: 'plastic-waste',
  summary: 'Mixed plastic waste declared as PET flakes',
  details: 'Bales of mixed household plastics under HS 391590.',
  goods: [{ hsCode: '391590', description: 'plastic waste' }],
  routes: [],
  conveyances: [],
};

function envelope(over: Partial<Envelope> = {}): Envelope {
  const id = ids.next();
  const now = Date.now();
  return {
    v: 1,
    id,
    from: 'BY/GTK',
    to: 'KZ/KGD',
    type: 'alert',
    conversation: id,
    refTo: null,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(),
    legalBasis: 'SCO-CUSTOMS-2007',
    handling: 'non-nominal',
    body: alertBody,
    ...over,
  };
}

for (const backend of BACKENDS) {
  describe(`a receiver refuses what it must, changing nothing (${backend})`, () => {
    let by: TestNode, kz: TestNode;
    beforeAll(async () => {
      by = await startNode(backend, 'BY/GTK', { binding: 'http' });
      kz = await startNode(backend, 'KZ/KGD', { binding: 'http' });
      await connectNodes([by, kz], { binding: 'http' });
    }, 60_000);
    afterAll(async () => {
      await Promise.all([by, kz].map((n) => n?.close()));
    });

    const sign = (e: Envelope, at = new Date()) =>
      by.exchange.runtime.signer.sign(canonicalBytes(e), at);

    async function expectRefused(jws: string, reason: string) {
      const before = await stateOf(kz);
      const outcome = await receiveMessage(kz.ctx, jws);
      expect(outcome.status, outcome.detail).toBe('refused');
      expect(outcome.reason).toBe(reason);
      expect(await stateOf(kz)).toBe(before);
      return outcome;
    }

    it('accepts the well-formed message the cases below spoil', async () => {
      const outcome = await receiveMessage(kz.ctx, await sign(envelope()));
      expect(outcome).toMatchObject({ status: 'accepted', reason: null });
    });

    it('refuses a JWS with any one character changed', async () => {
      const jws = await sign(envelope());
      const before = await stateOf(kz);
      const reasons = new Set<string>();
      for (let i = 0; i < jws.length; i++) {
        const c = jws[i]!;
        const other = c === '.' ? 'A' : BASE64URL[(BASE64URL.indexOf(c) + 1) % 64]!;
        const outcome = await receiveMessage(kz.ctx, jws.slice(0, i) + other + jws.slice(i + 1));
        expect(outcome.status, `character ${i} (${c} → ${other}): ${outcome.detail}`).toBe(
          'refused',
        );
        reasons.add(outcome.reason!);
      }
      expect(await stateOf(kz)).toBe(before);
      expect(reasons).toContain('bad-signature');
      // The signed receipt of a refusal names the digest of what was received.
      const sig = jws.lastIndexOf('.') + 1;
      const spoiled = jws.slice(0, sig) + (jws[sig] === 'A' ? 'B' : 'A') + jws.slice(sig + 1);
      const refused = await receiveMessage(kz.ctx, spoiled);
      const receipt = JSON.parse(
        Buffer.from(refused.receipt.split('.')[1]!, 'base64url').toString(),
      ) as { status: string; digest: string };
      expect(receipt.status).toBe('refused');
      expect(receipt.digest).toMatch(/^sha-256:[\w-]{43}$/);
    });

    it('refuses a replay after expiry and an expired message', async () => {
      const e = envelope({ expiresAt: new Date(Date.now() + 60_000).toISOString() });
      const jws = await sign(e);
      expect((await receiveMessage(kz.ctx, jws)).status).toBe('accepted');
      const clock = kz.ctx.clock;
      kz.ctx.clock = { now: () => new Date(Date.now() + 120_000) };
      try {
        await expectRefused(jws, 'expired');
      } finally {
        kz.ctx.clock = clock;
      }
      await expectRefused(
        await sign(
          envelope({
            createdAt: new Date(Date.now() - 100).toISOString(),
            expiresAt: new Date(Date.now() - 50).toISOString(),
          }),
        ),
        'expired',
      );
    });

    it('refuses an unknown key, a key outside its validity and an unknown sender', async () => {
      const outsider = await outsiderKeys('BY/GTK');
      try {
        await expectRefused(
          await outsider.keys.sign(canonicalBytes(envelope()), new Date()),
          'unknown-key',
        );
        await expectRefused(
          await outsider.keys.sign(canonicalBytes(envelope({ from: 'CN/GACC' })), new Date()),
          'unknown-sender',
        );
      } finally {
        outsider.drop();
      }
      // Made (it says) before the key existed: a key verifies only messages of its validity.
      await expectRefused(
        await sign(envelope({ createdAt: '2020-01-01T00:00:00.000Z' })),
        'key-not-valid',
      );
    });

    it('refuses a message for another node, from the future, not canonical, or reusing an id', async () => {
      await expectRefused(await sign(envelope({ to: 'UZ/DTK' })), 'wrong-recipient');
      await expectRefused(
        await sign(
          envelope({
            createdAt: new Date(Date.now() + 3_600_000).toISOString(),
            expiresAt: new Date(Date.now() + 7_200_000).toISOString(),
          }),
        ),
        'from-the-future',
      );
      const loose = new TextEncoder().encode(JSON.stringify(envelope(), null, 1));
      await expectRefused(
        await by.exchange.runtime.signer.sign(loose, new Date()),
        'not-canonical',
      );
      const first = envelope();
      expect((await receiveMessage(kz.ctx, await sign(first))).status).toBe('accepted');
      await expectRefused(
        await sign({ ...first, body: { ...alertBody, summary: 'Another text under the same id' } }),
        'id-reused',
      );
      await expectRefused(await sign(envelope({ v: 2 } as never)), 'invalid-envelope');
    });

    it('refuses a type, a legal basis or nominal data outside every agreement', async () => {
      // A partner whose only agreement covers alerts.
      const cn = await outsiderKeys('CN/GACC');
      try {
        await registerPartner(kz.ctx, kz.users.admin, {
          id: 'CN/GACC',
          name: 'General Administration of Customs (test)',
          keys: cn.keys.publicKeys(),
        });
        await recordAgreement(kz.ctx, kz.users.admin, {
          partnerId: 'CN/GACC',
          title: 'Alerts only',
          legalBasis: 'BILATERAL-2019',
          messageTypes: ['alert'],
          validFrom: '2019-01-01T00:00:00Z',
        });
        const fromCn = (over: Partial<Envelope>) =>
          cn.keys.sign(
            canonicalBytes(envelope({ from: 'CN/GACC', legalBasis: 'BILATERAL-2019', ...over })),
            new Date(),
          );
        expect((await receiveMessage(kz.ctx, await fromCn({}))).status).toBe('accepted');
        await expectRefused(
          await fromCn({
            type: 'seizure.report',
            body: {
              seizedOn: '2026-11-01',
              place: { country: 'CN' },
              priorityArea: 'endangered-species',
              hsCode: '050790',
              description: 'Pangolin scales',
              quantity: { value: 12, unit: 'kg' },
              route: [],
              detectionMethod: 'scanning',
            },
          }),
          'no-agreement',
        );
      } finally {
        cn.drop();
      }
      await expectRefused(await sign(envelope({ legalBasis: 'SCO-IPR-2012' })), 'no-agreement');
      await expectRefused(
        await sign(
          envelope({
            handling: 'nominal',
            body: { ...alertBody, parties: [{ role: 'consignor', name: 'Plastex LLC' }] },
          }),
        ),
        'no-agreement',
      );
    });

    it('refuses a suspended partner and a revoked key, which no directory update restores', async () => {
      await setPartnerStatus(kz.ctx, kz.users.admin, {
        partnerId: 'BY/GTK',
        status: 'suspended',
        reason: 'Suspected compromise of the node (test)',
      });
      await expectRefused(await sign(envelope()), 'unknown-sender');
      await setPartnerStatus(kz.ctx, kz.users.admin, {
        partnerId: 'BY/GTK',
        status: 'active',
        reason: 'Cleared (test)',
      });
      expect((await receiveMessage(kz.ctx, await sign(envelope()))).status).toBe('accepted');
      const kid = by.exchange.runtime.signer.publicKeys()[0]!.kid;
      await revokePartnerKey(kz.ctx, kz.users.admin, {
        partnerId: 'BY/GTK',
        kid,
        reason: 'Reported compromised (test)',
      });
      // Dated before the revocation or not: nothing signed with it passes.
      await expectRefused(
        await sign(envelope({ createdAt: new Date(Date.now() - 1000).toISOString() })),
        'unknown-key',
      );
      // A directory update signed with it (announcing it again) is refused like anything else.
      await expectRefused(
        await sign(
          envelope({
            type: 'directory.update',
            body: {
              administration: { id: 'BY/GTK', name: 'BY', country: 'BY' },
              endpoints: { http: null, nats: false },
              keys: by.exchange.runtime.signer.publicKeys(),
              contacts: [],
            },
          }),
        ),
        'unknown-key',
      );
      await expect(
        revokePartnerKey(kz.ctx, kz.users.admin, { partnerId: 'BY/GTK', kid, reason: 'again' }),
      ).rejects.toThrow(/revoked already/);
      await expect(
        setPartnerStatus(kz.ctx, kz.users.liaison, {
          partnerId: 'BY/GTK',
          status: 'suspended',
          reason: 'not an administrator',
        }),
      ).rejects.toThrow(/do not allow/);
    });

    it('sends nothing that no agreement covers, and nothing national-only', async () => {
      const before = await stateOf(by);
      await expect(
        sendMessage(by.ctx, by.users.liaison, {
          to: ['KZ/KGD'],
          type: 'alert',
          sharing: 'national',
          body: alertBody,
        }),
      ).rejects.toThrow(/national-only/);
      await expect(
        sendMessage(by.ctx, by.users.liaison, {
          to: ['KZ/KGD', 'CN/GACC'],
          type: 'alert',
          sharing: 'shareable',
          body: alertBody,
        }),
      ).rejects.toThrow(/not an active partner/);
      expect(await stateOf(by)).toBe(before);
    });
  });
}
