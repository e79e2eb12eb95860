import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessages } from './exchange-directory.js';
import { definePoint, reconcilePoint, recordReports, sendPointFigures } from './manage-energy.js';
import { alertPartnerOfCase, listEnergyCases } from './energy-cases.js';
import { checkStatement, countersignStatement, energyStatement } from './energy-statements.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  connectNodes,
  eventually,
  startNode,
  type TestNode,
} from '../test-support/exchange-nodes.js';

const HOUR = 3_600_000;
const START = Date.parse('2026-06-01T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();
const point = (id: string, partner: string, partnerPointId: string) => ({
  id,
  name: `${id} 220 kV`,
  commodity: 'electricity',
  hsCode: '2716',
  partner,
  partnerPointId,
  meteringPoints: [],
  timeZone: 'Asia/Almaty',
  dayStartHour: 0,
  lossFraction: 0.02,
  meterAccuracy: 0.005,
  absoluteTolerancePerHour: 0.5,
});
/** 24 hours of a meter: `direction` as its administration sees it. */
const hours = (prefix: string, pointId: string, direction: string, mwh: (h: number) => number) =>
  Array.from({ length: 24 }, (_, h) => ({
    id: `${prefix}-${h}`,
    source: 'own-meter',
    pointId,
    direction,
    start: iso(START + h * HOUR),
    end: iso(START + (h + 1) * HOUR),
    quantity: mwh(h),
    unit: 'MWh',
  }));

for (const backend of BACKENDS) {
  describe(`energy figures exchanged with a partner administration (${backend})`, () => {
    let by: TestNode, kz: TestNode;

    beforeAll(async () => {
      by = await startNode(backend, 'BY/GTK', { binding: 'http' });
      kz = await startNode(backend, 'KZ/KGD', { binding: 'http' });
      await connectNodes([by, kz], { binding: 'http', types: ['alert', 'energy.report'] });
      // The same line, each side with its own id for it and the other's.
      await definePoint(by.ctx, by.users.analyst, point('BY-KZ-1', 'KZ/KGD', 'KZ-BY-1'));
      await definePoint(kz.ctx, kz.users.analyst, point('KZ-BY-1', 'BY/GTK', 'BY-KZ-1'));
      // KZ exports 100 MWh an hour; 2% is lost on the line; BY's meter reads what arrives, but
      // one hour 5% short.
      await recordReports(
        by.ctx,
        by.users.analyst,
        hours('BYM', 'BY-KZ-1', 'import', (h) => (h === 7 ? 93.1 : 98)),
      );
      await recordReports(
        kz.ctx,
        kz.users.analyst,
        hours('KZM', 'KZ-BY-1', 'export', () => 100),
      );
    }, 120_000);
    afterAll(async () => {
      await by?.close();
      await kz?.close();
    });

    it('our meter readings go to the partner, which reconciles them with its own', async () => {
      const period = { from: iso(START), to: iso(START + 24 * HOUR) };
      const sent = await sendPointFigures(by.ctx, by.users.liaison, 'BY-KZ-1', period);
      expect(sent).toHaveLength(1);
      const result = await eventually('the figures reconciled at KZ', async () => {
        const r = await reconcilePoint(kz.ctx, kz.users.analyst, 'KZ-BY-1', period);
        return r.reports === 48 ? r : undefined;
      });
      expect(result.summary).toEqual({ match: 23, discrepancy: 1 });
      expect(result.pairs.find((p) => p.outcome === 'discrepancy')?.periodStart).toBe(
        iso(START + 7 * HOUR),
      );
      const inbox = await listMessages(kz.ctx, kz.users.liaison, { direction: 'in', limit: 10 });
      expect(inbox.map((m) => m.type)).toContain('energy.report');

      // Sent again, the same figures change nothing.
      await sendPointFigures(by.ctx, by.users.liaison, 'BY-KZ-1', period);
      await eventually('the second message at KZ', async () => {
        const all = await listMessages(kz.ctx, kz.users.liaison, { direction: 'in', limit: 10 });
        return all.filter((m) => m.type === 'energy.report').length === 2 || undefined;
      });
      const again = await reconcilePoint(kz.ctx, kz.users.analyst, 'KZ-BY-1', period);
      expect(again.reports).toBe(48);
      expect(again.summary).toEqual({ match: 23, discrepancy: 1 });
    }, 60_000);

    it("the partner's figures open its case on receipt, and its analyst alerts us with both sides' figures", async () => {
      const cases = await listEnergyCases(kz.ctx, kz.users.analyst, { status: 'open' });
      expect(cases.map((c) => [c.kind, c.direction, c.month, c.periodCount])).toEqual([
        ['discrepancy', 'export', '2026-06', 1],
      ]);
      // BY had no partner figures: nothing to compare, no case there.
      expect(await listEnergyCases(by.ctx, by.users.analyst, {})).toEqual([]);
      const c = cases[0]!;
      expect(c.partner).toBe('BY/GTK');
      const alerted = await alertPartnerOfCase(kz.ctx, kz.users.analyst, c.id, {
        note: 'Please check the Ekibastuz meter log for 1 June 07:00',
        expectedVersion: c.version,
      });
      expect(alerted.alerts).toHaveLength(1);
      expect(alerted.history.map((h) => h.action)).toEqual(['opened', 'alert-sent']);
      const alert = await eventually('the alert at BY', async () => {
        const inbox = await listMessages(by.ctx, by.users.liaison, { direction: 'in', limit: 20 });
        return inbox.find((m) => m.type === 'alert');
      });
      const body = alert.body as { priorityArea: string; details: string; summary: string };
      expect(body.priorityArea).toBe('energy');
      expect(body.summary).toMatch(/discrepancy at KZ-BY-1 220 kV, 2026-06/);
      expect(body.details).toMatch(/2026-06-01T07:00:00.000Z/);
      expect(body.details).toMatch(/Ekibastuz/);
      // At a stale version, or by a liaison officer who does not work cases: refused, nothing sent.
      await expect(
        alertPartnerOfCase(kz.ctx, kz.users.analyst, c.id, { expectedVersion: c.version }),
      ).rejects.toThrow(/version/);
      await expect(
        alertPartnerOfCase(kz.ctx, kz.users.liaison, c.id, { expectedVersion: alerted.version }),
      ).rejects.toThrow();
    }, 60_000);

    it("a statement of both sides' figures, signed by one node, checked and countersigned by the other", async () => {
      const period = { from: iso(START), to: iso(START + 24 * HOUR) };
      // KZ's readings go to BY, so that each side holds both.
      await sendPointFigures(kz.ctx, kz.users.liaison, 'KZ-BY-1', period);
      await eventually('the KZ figures at BY', async () => {
        const r = await reconcilePoint(by.ctx, by.users.analyst, 'BY-KZ-1', period);
        return r.reports === 48 || undefined;
      });
      const ours = await energyStatement(by.ctx, by.users.analyst, 'BY-KZ-1', period);
      expect(ours.rows).toBe(24);
      expect(ours.signedBy).toEqual(['BY/GTK']);
      const lines = ours.text.split('\n');
      expect(lines.slice(0, 6)).toEqual([
        'greenlane/energy-reconciliation/v1',
        'point BY/GTK BY-KZ-1',
        'point KZ/KGD KZ-BY-1',
        'commodity electricity MWh',
        `period ${period.from} ${period.to}`,
        'rows 24',
      ]);
      expect(lines[6 + 7]).toBe(
        `${iso(START + 7 * HOUR)} ${iso(START + 8 * HOUR)} KZ/KGD>BY/GTK BY/GTK=93.1 KZ/KGD=100`,
      );
      // KZ's records give the same text: it verifies BY's signature and countersigns.
      const checked = await checkStatement(kz.ctx, kz.users.analyst, ours.note);
      expect(checked).toMatchObject({ matchesOurFigures: true, signedBy: ['BY/GTK'], rows: 24 });
      const both = await countersignStatement(kz.ctx, kz.users.liaison, ours.note);
      expect(both.signedBy).toEqual(['BY/GTK', 'KZ/KGD']);
      expect(both.text).toBe(ours.text);
      // Back at BY, both signatures verify; signing again changes nothing.
      const atBy = await checkStatement(by.ctx, by.users.analyst, both.note);
      expect(atBy.signedBy).toEqual(['BY/GTK', 'KZ/KGD']);
      expect((await countersignStatement(by.ctx, by.users.analyst, both.note)).note).toBe(
        both.note,
      );
      // A figure changed after signing: the signature no longer verifies.
      await expect(
        checkStatement(kz.ctx, kz.users.analyst, ours.note.replace('BY/GTK=93.1', 'BY/GTK=98')),
      ).rejects.toThrow(/do not verify/);
      // A reading KZ holds and BY does not: BY names the line and will not countersign.
      await recordReports(kz.ctx, kz.users.analyst, [
        {
          id: 'KZM-24',
          source: 'own-meter',
          pointId: 'KZ-BY-1',
          direction: 'export',
          start: iso(START + 24 * HOUR),
          end: iso(START + 25 * HOUR),
          quantity: 100,
          unit: 'MWh',
        },
      ]);
      const longer = { from: iso(START), to: iso(START + 25 * HOUR) };
      const kzNote = (await energyStatement(kz.ctx, kz.users.analyst, 'KZ-BY-1', longer)).note;
      const differs = await checkStatement(by.ctx, by.users.analyst, kzNote);
      expect(differs.matchesOurFigures).toBe(false);
      expect(differs.firstDifference).toMatchObject({
        line: 6,
        ours: 'rows 24',
        theirs: 'rows 25',
      });
      await expect(countersignStatement(by.ctx, by.users.analyst, kzNote)).rejects.toThrow(
        /differ at line 6/,
      );
      // Officers neither sign nor check statements; junk is refused by field.
      await expect(energyStatement(by.ctx, by.users.officer, 'BY-KZ-1', period)).rejects.toThrow();
      await expect(checkStatement(by.ctx, by.users.officer, both.note)).rejects.toThrow();
      await expect(checkStatement(by.ctx, by.users.analyst, 'hello\n')).rejects.toThrow(
        /not a signed note/,
      );
    }, 60_000);

    it('an officer may not send figures, and a point with no partner id there is refused by it', async () => {
      const period = { from: iso(START), to: iso(START + 24 * HOUR) };
      await expect(sendPointFigures(by.ctx, by.users.officer, 'BY-KZ-1', period)).rejects.toThrow();
      await definePoint(by.ctx, by.users.analyst, point('BY-KZ-2', 'KZ/KGD', 'KZ-UNKNOWN'));
      await recordReports(
        by.ctx,
        by.users.analyst,
        hours('BYM2', 'BY-KZ-2', 'import', () => 50),
      );
      const [m] = await sendPointFigures(by.ctx, by.users.liaison, 'BY-KZ-2', period);
      const refused = await eventually('the refusal', async () => {
        const out = await listMessages(by.ctx, by.users.liaison, { direction: 'out', limit: 20 });
        const mine = out.find((x) => x.id === m!.id);
        return mine?.delivery === 'refused' ? mine : undefined;
      });
      expect(refused.receiptReason).toBe('unknown-reference');
    }, 60_000);
  });
}
