import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
const available = chromiumAvailable('mirror browser tests');

/**
 * Mirror gaps in the console: the analyst finds the demo partner's undervalued line among the
 * gaps, with its reasons, opens the declarations behind it and goes on to one of them; filters by
 * partner; recomputes our imports from the declarations. A manager reads the gaps but does not
 * recompute; an officer and the trader have no mirror page.
 */
describe.runIf(available)('mirror gaps in the console, in Chromium', () => {
  let t: TestDatabase;
  let ctx: AppContext;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base = '';
  const consoleErrors: string[] = [];
  let expectedRefusal: RegExp | null = null;

  beforeAll(async () => {
    if (!existsSync(`${WEB_ROOT}/index.html`)) {
      throw new Error(`the console is not built (${WEB_ROOT}): run npm run build`);
    }
    mkdirSync(SHOTS, { recursive: true });
    t = await freshDatabase('sqlite');
    ctx = testContext(t.db);
    await seedDemo(ctx);
    app = await buildHttpApp({
      ctx,
      bodyLimitBytes: 1024 * 1024,
      signInLimit: { max: 50, windowMs: 60_000 },
      webRoot: WEB_ROOT,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1366, height: 768 },
      timezoneId: 'Europe/Minsk',
      locale: 'en-GB',
    });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (expectedRefusal?.test(m.text())) {
        expectedRefusal = null;
        return;
      }
      consoleErrors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function signInAs(username: string) {
    if (await page.getByRole('button', { name: 'Sign out' }).isVisible())
      await page.getByRole('button', { name: 'Sign out' }).click();
    else await page.goto(base);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  /** Audits the page (axe, serious WCAG A/AA) and checks it does not scroll sideways at 390 px. */
  async function check(name: string) {
    expect(await axeSerious(page, name)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/mirror-${name}-1366.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await expect
        .poll(
          () =>
            page.evaluate(
              () =>
                (
                  globalThis as unknown as {
                    document: { documentElement: { scrollWidth: number } };
                  }
                ).document.documentElement.scrollWidth,
            ),
          {
            message: `${name} scrolls sideways at 390 px`,
          },
        )
        .toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${SHOTS}/mirror-${name}-390.png`, fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  }

  /** Waits until the element's text holds `wanted`. */
  const contains = (locator: Locator, wanted: string | RegExp) =>
    expect
      .poll(async () => (await locator.first().textContent()) ?? '', { timeout: 10_000 })
      .toMatch(typeof wanted === 'string' ? new RegExp(escape(wanted)) : wanted);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  const mainNav = () => page.getByRole('navigation', { name: 'Main' });

  it(
    'the analyst finds the undervalued line, its declarations and one of them',
    { timeout: 90_000 },
    async () => {
      await signInAs('analyst');
      await mainNav().getByRole('link', { name: 'Mirror gaps' }).click();
      expect(new URL(page.url()).hash).toBe('#/mirror');
      const table = page.getByRole('table', { name: 'Mirror gaps' });
      await contains(page.locator('.mirror-summary'), /figures of both sides compared/);
      // The demo partner's undervalued line: flagged, with the value and unit-value gaps named.
      const undervalued = table
        .locator('tr.mirror-flagged', { hasText: 'we declared less than the partner exported' })
        .first();
      await undervalued.waitFor();
      await contains(undervalued, 'Unit value gap');
      await contains(undervalued, '−60 %');
      const partner = ((await undervalued.locator('td').first().textContent()) ?? '').trim();
      const hs6 = ((await undervalued.locator('td').nth(1).textContent()) ?? '').trim();
      expect(partner).toMatch(/^[A-Z]{2}$/);
      expect(hs6).toMatch(/^\d{6}$/);
      await contains(table.locator('tr.mirror-flagged', { hasText: 'Quantity gap' }), partner);
      await check('analyst-gaps');

      // The declarations behind the row, each linked to its page.
      await undervalued.locator('td').first().click();
      const behind = page.getByRole('region', {
        name: new RegExp(`^Declarations behind ${partner}, HS ${hs6}`),
      });
      const items = behind.getByRole('table', { name: 'Declarations behind the row' });
      await contains(items, hs6);
      expect(await items.locator('tbody tr').count()).toBeGreaterThan(0);
      await check('analyst-declarations');
      const link = items.getByRole('link').first();
      const href = (await link.getAttribute('href')) ?? '';
      expect(href).toMatch(/^#\/declarations\/[0-9A-Z]{26}$/);
      await link.click();
      expect(new URL(page.url()).hash).toBe(href);
      await page.goBack();

      // Filtered by the partner, every row is its.
      await mainNav().getByRole('link', { name: 'Mirror gaps' }).click();
      await page.getByRole('textbox', { name: 'Partner', exact: true }).fill(partner.toLowerCase());
      await expect
        .poll(async () => {
          const cells = await table.locator('tbody tr td:first-child').allTextContents();
          return cells.length > 0 && cells.every((c) => c === partner);
        })
        .toBe(true);
      await page.getByRole('textbox', { name: 'HS6', exact: true }).fill(hs6);
      await expect.poll(() => table.locator('tbody tr').count()).toBe(1);

      // Our imports computed again from the declarations: the same gaps.
      await page.getByRole('button', { name: 'Compute our imports from the declarations' }).click();
      await contains(
        page.locator('.mirror-refreshed'),
        /goods items gave \d+ import figures in EUR/,
      );
      await contains(table, 'we declared less than the partner exported');
      expect(consoleErrors).toEqual([]);
    },
  );

  it('a manager reads the gaps without recomputing them; an officer and the trader have no mirror page', async () => {
    await signInAs('manager');
    await mainNav().getByRole('link', { name: 'Mirror gaps' }).click();
    await contains(page.locator('.mirror-summary'), /figures of both sides compared/);
    expect(
      await page.getByRole('button', { name: 'Compute our imports from the declarations' }).count(),
    ).toBe(0);
    for (const user of ['officer', 'trader']) {
      await signInAs(user);
      await mainNav().getByRole('link').first().waitFor();
      expect(await mainNav().getByRole('link', { name: 'Mirror gaps' }).count()).toBe(0);
    }
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
