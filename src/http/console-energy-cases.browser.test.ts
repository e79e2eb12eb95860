import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../app/bootstrap.js';
import { DEMO_LINE, demoEnergyReports } from '../app/demo-energy.js';
import { chromiumAvailable } from '../test-support/browser.js';
import { consoleSession } from '../test-support/console-session.js';

const available = chromiumAvailable('energy browser tests');

/**
 * Reconciliation cases in the console: the demo line's figures raise two at bootstrap (the hour
 * our meter read short, the under-declared day); the analyst finds them on the line and in the
 * list, opens the discrepancy, reads both sides' figures and closes it with a resolution and a
 * note; a case changed meanwhile is refused as "the case changed: reload"; the manager reads the
 * cases but has no decision to take.
 */
describe.runIf(available)('energy reconciliation cases in the console, in Chromium', () => {
  const session = consoleSession('energy-cases');
  const { signInAs, check, contains, mainNav, consoleErrors } = session;
  let page: Page;
  let base = '';
  beforeAll(() => {
    page = session.page;
    base = session.base;
  });

  /** A bearer token for the API, to look at or change cases behind the console's back. */
  async function tokenOf(username: string) {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  }

  interface CaseShape {
    id: string;
    kind: string;
    status: string;
    version: number;
    pointId: string;
  }
  async function casesOf(token: string, query = ''): Promise<CaseShape[]> {
    const res = await fetch(`${base}/api/energy/cases${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as CaseShape[];
  }

  /**
   * Our meter's total for the Minsk month of the hour it read short: how much of the demo's three
   * days falls in that month depends on today's date, so it is worked out from the demo's figures.
   */
  function ownMonthTotal(): string {
    const own = demoEnergyReports(Date.now()).filter((r) => r.source === 'own-meter');
    const minskMonth = (iso: string) =>
      new Date(Date.parse(iso) + 3 * 3_600_000).toISOString().slice(0, 7);
    const month = minskMonth(own[40]!.start);
    const total = own
      .filter((r) => minskMonth(r.start) === month)
      .reduce((sum, r) => sum + r.quantity, 0);
    return (Math.round(total * 1000) / 1000).toLocaleString('en-GB', {
      maximumFractionDigits: 3,
    });
  }

  it('the demo figures raise a discrepancy and an under-declared case at bootstrap', async () => {
    const cases = await casesOf(await tokenOf('analyst'), '?status=open');
    expect(cases.map((c) => c.kind).sort()).toEqual(['discrepancy', 'under-declared']);
    expect(cases.every((c) => c.pointId === DEMO_LINE && c.version === 1)).toBe(true);
  });

  it(
    'the analyst opens the discrepancy, reads both sides and closes it with a resolution and a note',
    { timeout: 90_000 },
    async () => {
      await signInAs('analyst');
      await mainNav().getByRole('link', { name: 'Energy' }).click();

      // The line's detail lists its open cases.
      await page
        .getByRole('table', { name: 'Interconnection points' })
        .getByRole('row', { name: 'Smorgon – Vilnius 330 kV line (demo)' })
        .click();
      const ofPoint = page.getByRole('table', { name: 'Open cases of this point' });
      await contains(ofPoint, 'Under-declared');
      expect(await ofPoint.locator('tbody tr').count()).toBe(2);

      // The list of cases, open ones first.
      const list = page.getByRole('table', { name: 'Reconciliation cases' });
      await contains(list, 'Discrepancy');
      await contains(list, 'Under-declared');
      await contains(list, DEMO_LINE);
      await contains(list, 'ECOMET-ENERGY-D1');
      expect(await list.locator('tbody tr').count()).toBe(2);
      await check('analyst-list');

      await list.getByRole('row', { name: /^Discrepancy/ }).click();
      const view = page.getByRole('region', { name: /^Discrepancy, / });
      await contains(view, 'beyond tolerance');
      const figures = view.getByRole('table', { name: 'Figures of both sides' });
      await contains(figures, '199.181');
      await contains(figures, '207.48');
      await contains(figures, '-8.299');
      await contains(figures, '1.037');
      await contains(figures, 'discrepancy');
      await contains(view.getByLabel('Case', { exact: true }), DEMO_LINE);
      await contains(view.getByLabel('Month total'), `${ownMonthTotal()} MWh`);
      await contains(view.getByRole('list', { name: 'History of the case' }), 'opened');
      await check('analyst-case');

      // Closing needs a resolution and a note: named by field before anything is sent.
      const decide = view.getByRole('form', { name: 'Decide on the case' });
      await decide.getByRole('button', { name: 'Close the case' }).click();
      await contains(decide.locator('.field.invalid').first(), 'choose how the case was resolved');
      await contains(page.getByRole('alert'), /Note: say why/);
      expect(await page.getByRole('dialog').count()).toBe(0);

      await decide.getByLabel('Resolution').selectOption('meter-fault');
      await decide
        .getByLabel('Note', { exact: true })
        .fill('Our meter SMORGON-M1 was recalibrated on site.');
      await decide.getByRole('button', { name: 'Close the case' }).click();
      const dialog = page.getByRole('dialog', { name: 'Close the case?' });
      await contains(dialog, 'meter fault');
      await dialog.getByRole('button', { name: 'Close the case' }).click();
      await contains(view.getByRole('status'), 'The case is closed.');
      await contains(view.locator('.energy-case-status').first(), 'closed: meter fault');
      await contains(
        view.getByRole('list', { name: 'History of the case' }),
        /closed — Our meter SMORGON-M1 was recalibrated on site\./,
      );
      expect(await view.getByRole('button', { name: 'Reopen the case' }).count()).toBe(1);

      // The open list no longer holds it; the closed one does.
      await expect.poll(() => list.locator('tbody tr').count()).toBe(1);
      await page
        .getByRole('form', { name: 'Filter the cases' })
        .getByLabel('Status')
        .selectOption('closed');
      await contains(list, 'closed: meter fault');
      expect(await list.locator('tbody tr').count()).toBe(1);
      await check('analyst-closed');

      // The API agrees.
      const closed = await casesOf(await tokenOf('analyst'), '?status=closed');
      expect(closed.map((c) => [c.kind, c.version])).toEqual([['discrepancy', 2]]);
      expect(consoleErrors).toEqual([]);
    },
  );

  it(
    'a case changed meanwhile is refused as "the case changed: reload"',
    { timeout: 60_000 },
    async () => {
      await signInAs('analyst');
      await mainNav().getByRole('link', { name: 'Energy' }).click();
      const list = page.getByRole('table', { name: 'Reconciliation cases' });
      await list.getByRole('row', { name: /^Under-declared/ }).click();
      const view = page.getByRole('region', { name: /^Under-declared, / });
      await contains(view.getByLabel('Declaration', { exact: true }), 'ECOMET-ENERGY-D1');
      await contains(view.getByLabel('Declaration', { exact: true }), '3,841 MWh');

      // Another analyst annotates it behind the console's back.
      const other = await tokenOf('analyst2');
      const [c] = (await casesOf(other, '?status=open')).filter((x) => x.kind === 'under-declared');
      const res = await fetch(`${base}/api/energy/cases/${c!.id}/decision`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'note', note: 'Asked the importer.', expectedVersion: 1 }),
      });
      expect(res.status).toBe(200);

      const decide = view.getByRole('form', { name: 'Decide on the case' });
      await decide.getByLabel('Note', { exact: true }).fill('Declarant contacted.');
      await decide.getByRole('button', { name: 'Add a note' }).click();
      session.expectRefusal(/409/);
      await page
        .getByRole('dialog', { name: 'Add the note to the case?' })
        .getByRole('button', { name: 'Add the note' })
        .click();
      await contains(view.getByRole('alert'), 'The case changed: reload');
      await view.getByRole('button', { name: 'Reload the case' }).click();
      await contains(
        view.getByRole('list', { name: 'History of the case' }),
        'Asked the importer.',
      );
      expect(await view.getByRole('alert').count()).toBe(0);
      expect(consoleErrors).toEqual([]);
    },
  );

  it('the manager reads the cases but has no decision to take', { timeout: 60_000 }, async () => {
    await signInAs('manager');
    await mainNav().getByRole('link', { name: 'Energy' }).click();
    const list = page.getByRole('table', { name: 'Reconciliation cases' });
    await list.getByRole('row', { name: /^Under-declared/ }).click();
    const view = page.getByRole('region', { name: /^Under-declared, / });
    await contains(view.getByLabel('Declaration', { exact: true }), 'ECOMET-ENERGY-D1');
    await contains(view.getByRole('list', { name: 'History of the case' }), 'opened');
    expect(await view.getByRole('form', { name: 'Decide on the case' }).count()).toBe(0);
    for (const name of ['Close the case', 'Reopen the case', 'Add a note', 'Alert the partner'])
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    await check('manager-case');

    // Who does not follow the flows sees no cases.
    await signInAs('officer');
    await mainNav().getByRole('link', { name: 'Energy' }).click();
    await page.getByRole('table', { name: 'Interconnection points' }).waitFor();
    expect(await page.getByRole('region', { name: 'Reconciliation cases' }).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
