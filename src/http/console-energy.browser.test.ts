import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LINE } from '../app/demo-energy.js';
import { chromiumAvailable } from '../test-support/browser.js';
import { consoleSession } from '../test-support/console-session.js';

const available = chromiumAvailable('energy browser tests');
const HOUR = 3_600_000;

/**
 * Energy transfer control in the console: the analyst opens the demo line, finds the hour our
 * meter read short and the under-declared day, and records figures from a CSV file (a bad row is
 * named by row and column); an officer sees the line but not its reconciliation; the trader has
 * no energy page at all.
 */
describe.runIf(available)('energy in the console, in Chromium', () => {
  const session = consoleSession('energy');
  const { signInAs, check, contains, mainNav, consoleErrors } = session;
  let page: Page;
  beforeAll(() => {
    page = session.page;
  });

  /** A CSV file of figures for the file input. */
  const csvFile = (name: string, rows: string[]) => ({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(
      ['id,source,pointId,direction,start,end,quantity,unit', ...rows].join('\n'),
    ),
  });

  it(
    'the analyst finds the hour our meter read short and the under-declared day, and records figures',
    { timeout: 90_000 },
    async () => {
      await signInAs('analyst');
      await mainNav().getByRole('link', { name: 'Energy' }).click();
      const points = page.getByRole('table', { name: 'Interconnection points' });
      await contains(points, 'Smorgon – Vilnius 330 kV line (demo)');
      await contains(points, 'Europe/Minsk');
      await contains(points, 'LT/MUITINE');
      await points.getByRole('row', { name: 'Smorgon – Vilnius 330 kV line (demo)' }).click();
      expect(new URL(page.url()).hash).toBe(`#/energy/${DEMO_LINE}`);

      const detail = page.getByRole('region', { name: 'Smorgon – Vilnius 330 kV line (demo)' });
      await contains(detail.getByRole('definition').first(), DEMO_LINE);
      await contains(detail, 'SMORGON-M1 (Belenergo (demo))');
      const rec = page.getByRole('region', { name: 'Reconciliation' });
      // The last seven days by default, today included.
      const today = await page.evaluate(() => {
        const d = new Date();
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      });
      expect(await rec.getByLabel('To', { exact: true }).inputValue()).toBe(today);
      await contains(rec.getByRole('status'), '72 hours compared — 71 agree, 1 discrepancy');

      // One chart with both meters, named by its summary, the marked hour in it.
      const chart = rec.getByRole('figure');
      expect(await chart.count()).toBe(1);
      const img = chart.getByRole('img');
      expect(await img.getAttribute('aria-labelledby')).toBeTruthy();
      await contains(chart.locator('figcaption'), '1 marked');
      expect(await chart.locator('path.series').count()).toBe(2);
      expect(await chart.locator('rect.flag.discrepancy').count()).toBe(1);

      // The flagged hour: 16:00 Minsk time on the second day, our meter 4% short.
      const flagged = rec.getByRole('table', { name: 'Periods that need a look' });
      expect(await flagged.locator('tbody tr').count()).toBe(1);
      await contains(flagged, 'discrepancy');
      await contains(flagged, '16:00');
      await contains(flagged, /our meter reads 8\.299 MWh \(4(\.0)?%\) less/);

      const months = rec.getByRole('table', { name: 'Monthly totals' });
      await contains(months, 'Periods with both figures');
      await contains(rec, 'No lasting bias');
      const declarations = rec.getByRole('list', { name: 'Declarations against the meters' });
      await contains(declarations, 'ECOMET-ENERGY-D1');
      await contains(
        declarations,
        /Under-declared: declared 3,841 MWh against 4,268\.16 MWh metered \(both meters\), 427\.16 MWh \(10(\.0)?%\) less/,
      );
      await check('analyst-line');

      // A file with one bad row: nothing recorded, the row and column named.
      const start = Date.parse(new Date().toISOString().slice(0, 10)) - 10 * 24 * HOUR;
      const iso = (n: number) => new Date(start + n * HOUR).toISOString();
      const row = (id: string, h: number, q: string) =>
        `${id},own-meter,${DEMO_LINE},import,${iso(h)},${iso(h + 1)},${q},MWh`;
      const form = page.getByRole('form', { name: 'Record figures from a file' });
      await form
        .getByLabel('CSV file')
        .setInputFiles(csvFile('bad.csv', [row('T-1', 0, '180'), row('T-2', 1, 'lots')]));
      session.expectRefusal(/400/);
      await form.getByRole('button', { name: 'Record the figures' }).click();
      const alert = page.getByRole('alert');
      await contains(alert, /Row 3, column quantity/);
      await check('analyst-refused');

      await form
        .getByLabel('CSV file')
        .setInputFiles(csvFile('good.csv', [row('T-1', 0, '180'), row('T-2', 1, '181.5')]));
      await form.getByRole('button', { name: 'Record the figures' }).click();
      await contains(page.locator('.energy-recorded'), '2 of 2 figures recorded');
      expect(await page.getByRole('alert').count()).toBe(0);
      // Sent again, they are counted as recorded before.
      await form.getByRole('button', { name: 'Record the figures' }).click();
      await contains(
        page.locator('.energy-recorded'),
        '0 of 2 figures recorded; 2 already recorded',
      );
      await check('analyst-recorded');
      expect(consoleErrors).toEqual([]);
    },
  );

  it('an officer sees the line but not its reconciliation; the trader has no energy page', async () => {
    await signInAs('officer');
    await mainNav().getByRole('link', { name: 'Energy' }).click();
    await page
      .getByRole('table', { name: 'Interconnection points' })
      .getByRole('row', { name: 'Smorgon – Vilnius 330 kV line (demo)' })
      .click();
    const detail = page.getByRole('region', { name: 'Smorgon – Vilnius 330 kV line (demo)' });
    await contains(detail, 'Loss on the line');
    expect(await page.getByRole('region', { name: 'Reconciliation' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Record figures from a file' }).count()).toBe(0);
    await check('officer-line');

    await signInAs('trader');
    await mainNav().getByRole('link').first().waitFor();
    expect(await mainNav().getByRole('link', { name: 'Energy' }).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
