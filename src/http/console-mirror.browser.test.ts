import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../test-support/browser.js';
import { consoleSession } from '../test-support/console-session.js';

const available = chromiumAvailable('mirror browser tests');

/**
 * Mirror gaps in the console: the analyst finds the demo partner's undervalued line among the
 * gaps, with its reasons, opens the declarations behind it and goes on to one of them; filters by
 * partner; recomputes our imports from the declarations. A manager reads the gaps but does not
 * recompute; an officer and the trader have no mirror page.
 */
describe.runIf(available)('mirror gaps in the console, in Chromium', () => {
  const session = consoleSession('mirror');
  const { signInAs, check, contains, mainNav, consoleErrors } = session;
  let page: Page;
  beforeAll(() => {
    page = session.page;
  });

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
