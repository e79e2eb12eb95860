import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOfUser } from '../app/authenticate.js';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import { recordInspection } from '../app/controls.js';
import { releaseDeclaration } from '../app/manage-permits.js';
import { submitDeclaration } from '../app/submit-declaration.js';
import { sampleDeclaration, testContext } from '../test-support/app.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
const available = chromiumAvailable('metrics browser test');

/** Serious or critical WCAG violations on the page as it is now (axe-core). */
async function seriousViolations(page: Page): Promise<string[]> {
  return axeSerious(page, 'metrics');
}

/**
 * A manager reads the metrics of one week against the week before, lodged here with figures
 * worked out by hand (the demo's own declarations are from other days):
 *
 * - this week (4–11 March 2024): A compliant; B non-compliant, 200 EUR seized; C non-compliant,
 *   100 USD and 50 BTN seized (the shipped table has no ngultrum); D non-compliant, nothing
 *   seized; E not controlled. Controls 4, findings 3, seizures 2: detection 75 %, seizure 50 %.
 * - the week before: F non-compliant, 50 EUR seized; G compliant: detection 50 %, seizure 50 %.
 */
describe.runIf(available)('the metrics page in Chromium', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base = '';
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(`${WEB_ROOT}/index.html`))
      throw new Error(`the console is not built (${WEB_ROOT}): run npm run build`);
    mkdirSync(SHOTS, { recursive: true });
    t = await freshDatabase('sqlite');
    const ctx = testContext(t.db);
    await seedDemo(ctx);
    const officer = await principalOfUser(ctx, 'officer');
    const seizure = (itemSequence: number, estimatedValue: number, currency: string) => ({
      itemSequence,
      quantity: 1,
      unit: 'KGM',
      estimatedValue,
      currency,
      storageLocation: 'Brest bonded warehouse',
      legalBasis: 'Customs Code, seizure pending proceedings',
    });
    const lodge = async (
      reference: string,
      day: string,
      result?: 'compliant' | 'non-compliant',
      seizures: unknown[] = [],
      over: Parameters<typeof sampleDeclaration>[0] = {},
    ) => {
      const r = await submitDeclaration(ctx, officer, {
        sourceFormat: 'json',
        input: sampleDeclaration({ reference, submittedAt: `${day}T09:00:00.000Z`, ...over }),
      });
      if (r.outcome !== 'created') throw new Error('not created');
      if (!result) return r.declaration.id;
      await recordInspection(ctx, officer, r.declaration.id, {
        controlForm: 'physical-inspection',
        startedAt: `${day}T10:00:00.000Z`,
        endedAt: `${day}T11:00:00.000Z`,
        result,
        findings: result === 'non-compliant' ? ['undervalued'] : [],
        findingsText: result === 'non-compliant' ? 'Undervalued.' : 'Goods as declared.',
        itemsAffected: result === 'non-compliant' ? [1, 2] : [],
        ...(seizures.length > 0 ? { seizures } : {}),
      });
      return r.declaration.id;
    };
    // Released: the one clearance time of the week (from 2024 to now, hours by the thousand).
    const laptops = {
      sequence: 1,
      hsCode: '8471300000',
      description: 'Laptop computers',
      quantity: 40,
      unit: 'NAR',
      netMass: 80,
      grossMass: 95,
      value: 24_000,
      currency: 'USD',
      originCountry: 'CN',
    };
    await releaseDeclaration(
      ctx,
      officer,
      await lodge('WEEK-A', '2024-03-05', 'compliant', [], { goodsItems: [laptops] }),
    );
    await lodge('WEEK-B', '2024-03-05', 'non-compliant', [seizure(1, 200, 'EUR')]);
    await lodge('WEEK-C', '2024-03-06', 'non-compliant', [
      seizure(1, 100, 'USD'),
      seizure(2, 50, 'BTN'),
    ]);
    await lodge('WEEK-D', '2024-03-07', 'non-compliant');
    await lodge('WEEK-E', '2024-03-08');
    await lodge('BEFORE-F', '2024-02-27', 'non-compliant', [seizure(1, 50, 'EUR')]);
    await lodge('BEFORE-G', '2024-02-28', 'compliant');
    app = await buildHttpApp({
      ctx,
      bodyLimitBytes: 1024 * 1024,
      signInLimit: { max: 50, windowMs: 60_000 },
      webRoot: WEB_ROOT,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  const figure = (name: string): Locator =>
    page
      .getByLabel('Figures')
      .locator('.metrics-figure')
      .filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${name}$`) }) });
  /** The text the chart draws (SVG), all whitespace removed (long labels wrap onto lines). */
  const drawn = async (chart: Locator) =>
    ((await chart.locator('svg').textContent()) ?? '').replace(/\s+/g, '');
  const squeeze = (s: string) => s.replace(/\s+/g, '');

  it('a manager reads each rate with its counts, definition and change, in one currency', async () => {
    await page.goto(base);
    await page.getByLabel('Username').fill('manager');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.getByRole('heading', { name: 'Metrics' }).waitFor();
    await page.getByLabel('From').fill('2024-03-04');
    await page.getByLabel('To (not included)').fill('2024-03-11');
    await expect.poll(() => figure('Declarations').textContent()).toMatch(/^Declarations5/);

    const text = async (name: string) => (await figure(name).textContent()) ?? '';
    expect(await text('Controls')).toContain('of 5 declarations');
    expect(await text('Declarations')).toContain('+3 on the previous period (2)');
    expect(await text('Seizures')).toMatch(/^Seizures2 of 4 controls/);
    expect(await text('Seizures')).toContain('Controls where goods were seized at an inspection.');
    const detection = await text('Detection rate');
    expect(detection).toMatch(/^Detection rate75 % 3 of 4 controls/);
    expect(detection).toContain('+25 points on the previous period (50 %, 1 of 2)');
    expect(detection).toContain('Findings ÷ controls');
    const seizureRate = await text('Seizure rate');
    expect(seizureRate).toMatch(/^Seizure rate50 % 2 of 4 controls/);
    expect(seizureRate).toContain('±0 points on the previous period (50 %, 1 of 2)');
    expect(seizureRate).toContain('Seizures ÷ controls');
    expect(await text('Findings')).toContain('+2 on the previous period (1)');

    // 200 EUR + 100 USD at the shipped 1.08 = 292.59 EUR; the ngultrum is counted, not added.
    const value = await text('Value of goods seized');
    expect(value).toMatch(/^Value of goods seized€293 2 of 3 seized items converted/);
    expect(value).toContain('not included, no exchange rate: 1 item in BTN (50 BTN)');
    expect(value).toContain('+€243 on the previous period (€50)');
    expect(value).toContain('converted to EUR at the rates of “GreenLane illustrative rates”');
    expect(value).toContain('These rates are illustrative, not published rates');
    // No raw codes or developer words.
    expect(await page.locator('main').textContent()).not.toMatch(/\/api\/|querystring|null|NaN/);
  });

  it('labels every category of every chart and leaves missing values out', async () => {
    const charts = page.locator('.metrics-chart');
    await expect.poll(() => page.locator('.chart svg').count()).toBe(4);
    expect(await charts.count()).toBe(4);

    const channels = charts.filter({ hasText: 'Declarations by channel' });
    for (const c of ['Green', 'Yellow', 'Red']) expect(await drawn(channels)).toContain(c);
    expect(await channels.locator('.chart').getAttribute('aria-label')).toMatch(
      /^Declarations by channel: Green \d+, Yellow \d+, Red \d+\.$/,
    );

    // Median hours: four categories, each named on the chart. One release of another trader in
    // the week; no certified trader's release and no permit decision: those three are "no data"
    // and have no bar (one bar label in hours, and no "0 h").
    const times = charts.filter({ hasText: 'Median hours' });
    const timesText = await drawn(times);
    for (const c of [
      'Clearance, certified traders (no data)',
      'Clearance, other traders (1 released)',
      'Permits, expedited (no data)',
      'Permits, standard (no data)',
    ])
      expect(timesText).toContain(squeeze(c));
    const barLabels = await times
      .locator('svg text')
      .filter({ hasText: /^[\d,.]+ h$/ })
      .allTextContents();
    expect(barLabels).toHaveLength(1);
    expect(barLabels[0]).not.toBe('0 h');
    const description = (await times.locator('.chart').getAttribute('aria-label')) ?? '';
    expect(description).toMatch(
      /^Median hours: Clearance, certified traders no data, Clearance, other traders [\d,.]+\sh, Permits, expedited no data, Permits, standard no data\.$/,
    );
    // The text alternative: the same figures as a table.
    await times.getByText('the figures as a table').click();
    const table = times.getByRole('table', { name: /Median hours/ });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(4);
    expect(await table.locator('tbody tr').first().textContent()).toContain('no data');
    expect(await table.locator('tbody tr').nth(1).textContent()).toMatch(
      /^Clearance, other traders1[\d,.]+\sh/,
    );

    // Rates by priority area: every area the indicators hit is named on the chart.
    const areas = charts.filter({ hasText: 'Detection and seizure rates by priority area' });
    await areas.getByText('the figures as a table').click();
    const rows = areas.getByRole('table').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const areaText = await drawn(areas);
    for (const row of await rows.all()) {
      const name = (await row.locator('td').first().textContent()) ?? '';
      expect(areaText).toContain(squeeze(name));
    }

    // Channels over time: ECharts describes it for screen readers.
    const overTime = page.locator('.chart[aria-label*="Channels over time"]');
    expect(await overTime.getAttribute('aria-label')).toMatch(/"Channels over time"/);
  });

  it('passes the accessibility audit and fits a phone', async () => {
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/metrics-1366.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300); // the charts redraw at the new width
    const width = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
          .document.documentElement.scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(390);
    // Still every category on the narrow chart.
    const times = page.locator('.metrics-chart').filter({ hasText: 'Median hours' });
    expect(await drawn(times)).toContain(squeeze('Permits, standard (no data)'));
    await page.screenshot({ path: `${SHOTS}/metrics-390.png`, fullPage: true });
    await page.locator('.metrics-charts').screenshot({ path: `${SHOTS}/metrics-390-charts.png` });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('logged no error in the browser', () => {
    expect(errors).toEqual([]);
  });
});
