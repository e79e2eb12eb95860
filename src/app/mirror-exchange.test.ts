import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessages } from './exchange-directory.js';
import { mirrorGaps, recordMirrorRecords, sendMirrorExports } from './manage-mirror.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  connectNodes,
  eventually,
  startNode,
  type TestNode,
} from '../test-support/exchange-nodes.js';

for (const backend of BACKENDS) {
  describe(`export figures exchanged for the mirror comparison (${backend})`, () => {
    let by: TestNode, kz: TestNode;

    beforeAll(async () => {
      by = await startNode(backend, 'BY/GTK', { binding: 'http' });
      kz = await startNode(backend, 'KZ/KGD', { binding: 'http' });
      await connectNodes([by, kz], { binding: 'http', types: ['trade.exports'] });
    }, 120_000);
    afterAll(async () => {
      await by?.close();
      await kz?.close();
    });

    it("BY's exports to Kazakhstan become KZ's partner figures, compared with its imports", async () => {
      // BY exported batteries and tractors to KZ in May (FOB).
      await recordMirrorRecords(by.ctx, by.users.analyst, [
        { side: 'own-export', partner: 'KZ', hs6: '850760', month: '2026-05', value: 100_000 },
        { side: 'own-export', partner: 'KZ', hs6: '870192', month: '2026-05', value: 400_000 },
        // Exports elsewhere are not KZ's business.
        { side: 'own-export', partner: 'CN', hs6: '870192', month: '2026-05', value: 1_000 },
      ]);
      // KZ declared the batteries at CIF 106,000 and the tractors at 150,000.
      await recordMirrorRecords(kz.ctx, kz.users.analyst, [
        { side: 'own-import', partner: 'BY', hs6: '850760', month: '2026-05', value: 106_000 },
        { side: 'own-import', partner: 'BY', hs6: '870192', month: '2026-05', value: 150_000 },
      ]);
      const span = { fromMonth: '2026-05', toMonth: '2026-05' };
      const sent = await sendMirrorExports(by.ctx, by.users.liaison, { to: 'KZ/KGD', ...span });
      expect(sent).toHaveLength(1);
      const gaps = await eventually('the figures at KZ', async () => {
        const g = await mirrorGaps(kz.ctx, kz.users.analyst, { ...span, partner: 'BY', all: true });
        return g.rows.length === 2 ? g : undefined;
      });
      const byHs = Object.fromEntries(gaps.rows.map((r) => [r.hs6, r.flags]));
      expect(byHs['850760']).toEqual([]);
      expect(byHs['870192']).toContain('under-declared-value');
      const inbox = await listMessages(kz.ctx, kz.users.liaison, { direction: 'in', limit: 10 });
      const message = inbox.find((m) => m.type === 'trade.exports')!;
      expect((message.body as { records: unknown[] }).records).toHaveLength(2);

      // Corrected and sent again: the month is replaced, not added to.
      await recordMirrorRecords(by.ctx, by.users.analyst, [
        { side: 'own-export', partner: 'KZ', hs6: '870192', month: '2026-05', value: 150_000 },
      ]);
      await sendMirrorExports(by.ctx, by.users.liaison, { to: 'KZ/KGD', ...span });
      await eventually('the correction at KZ', async () => {
        const g = await mirrorGaps(kz.ctx, kz.users.analyst, { ...span, partner: 'BY', all: true });
        return g.rows.every((r) => r.flags.length === 0) || undefined;
      });
    }, 60_000);

    it('an officer may not send, and nothing to send is a conflict', async () => {
      const span = { fromMonth: '2026-05', toMonth: '2026-05' };
      await expect(
        sendMirrorExports(by.ctx, by.users.officer, { to: 'KZ/KGD', ...span }),
      ).rejects.toThrow();
      await expect(
        sendMirrorExports(by.ctx, by.users.liaison, {
          to: 'KZ/KGD',
          fromMonth: '2025-01',
          toMonth: '2025-02',
        }),
      ).rejects.toThrow(/no export figures/);
      await expect(
        sendMirrorExports(by.ctx, by.users.liaison, { to: 'nowhere', ...span }),
      ).rejects.toThrow(/partner administration/);
    });
  });
}
