import { mkdirSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOfUser } from '../app/authenticate.js';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { approve } from '../app/manage-indicators.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
/** A ULID (26 Crockford base-32 characters): what the page must no longer show for an indicator. */
const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/;
const available = chromiumAvailable('indicator browser tests');

/** The analyst's and the approver's indicator work in the console, in real headless Chromium. */
describe.runIf(available)('indicators in the console: analyst and approver', () => {
  let t: TestDatabase;
  let ctx: AppContext;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base = '';
  const consoleErrors: string[] = [];
  const serious: string[] = [];
  let code = '';

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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  /** A fresh browser context (no session left over) signed in as a demo user. */
  async function signInAs(username: string): Promise<void> {
    await page?.context().close();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${username}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${username}: ${e.message}`));
    await page.goto(base);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Indicators' }).click();
    await page.getByRole('table', { name: 'Indicators' }).waitFor();
  }

  /** axe-core's serious and critical WCAG violations on the page as it is now. */
  async function audit(name: string): Promise<void> {
    serious.push(...(await axeSerious(page, name)));
  }

  /** Screenshots at 1366 × 768 and 390 × 844; at phone width nothing scrolls sideways. */
  async function shoot(name: string, part?: Locator): Promise<void> {
    // A part (the editor with its preview) when the whole page is mostly a long list of hits.
    const take = (path: string) =>
      part ? part.screenshot({ path }) : page.screenshot({ path, fullPage: true });
    await take(`${SHOTS}/indicators-${name}-1366.png`);
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
              .document.documentElement.scrollWidth,
        ),
      )
      .toBeLessThanOrEqual(390);
    await take(`${SHOTS}/indicators-${name}-390.png`);
    await page.setViewportSize({ width: 1366, height: 768 });
  }

  it('an analyst writes a condition with the reference and completion, is warned off a broad one, saves a sensible one', async () => {
    await signInAs('analyst');
    const editor = page.locator('form[aria-label="New indicator"]');
    const reference = page.getByRole('complementary', { name: 'What a condition may use' });
    await reference.getByRole('button', { name: 'Insert item.hs' }).waitFor();
    await editor.getByLabel('Title').fill('Batteries from China on the e-waste list');
    await editor.getByLabel('Priority area').selectOption('e-waste');
    await editor.getByLabel('Rationale').fill('Spent batteries from China declared as new cells.');
    await editor.getByLabel('Co-author agencies (codes, comma-separated)').fill('BY-ENV');

    // Too broad: `true` hits every recent declaration; the server's share (50 %) decides.
    const condition = editor.getByLabel('Condition (CEL)');
    await condition.fill('true');
    await editor.getByRole('button', { name: 'Test against recent declarations' }).click();
    const preview = editor.getByRole('region', { name: 'Preview of the draft' });
    const warning = preview.getByRole('alert');
    await expect
      .poll(() => warning.textContent())
      .toMatch(
        /^Too broad: this condition would hit (\d+) of \1 recent declarations \(100 %\), more than the 50 %/,
      );
    // Nearly everything hits: the first ten show what it catches, the rest on request.
    expect(
      await preview.getByRole('table', { name: 'Preview hits' }).locator('tbody tr').count(),
    ).toBe(10);
    expect(await preview.getByRole('button', { name: /^Show all \d+ hits$/ }).count()).toBe(1);
    await audit('broad-warning');
    await shoot('broad-warning', page.locator('.indicator-authoring'));

    // The reference, searched: the helper goes in at the caret.
    await condition.fill('');
    // The preview shown is of the draft before: it says so.
    await editor.getByText(/^The draft has changed since this test/).waitFor();
    await reference.getByLabel('Search the reference').fill('prefix');
    expect(await reference.getByRole('button', { name: /^Insert / }).count()).toBeGreaterThan(0);
    expect(await reference.getByRole('button', { name: 'Insert item.origin' }).count()).toBe(0);
    await reference.getByRole('button', { name: 'Insert hsIn' }).click();
    await expect.poll(() => condition.inputValue()).toBe('hsIn(');
    await reference.getByLabel('Search the reference').fill('');

    // Completion as the analyst types: a field, then a list inside the quotes.
    await condition.pressSequentially('item.h');
    const suggestions = editor.getByRole('listbox', { name: 'Suggestions for the condition' });
    await expect
      .poll(() => suggestions.getByRole('option').allTextContents())
      .toContainEqual(expect.stringMatching(/^item\.hs/));
    expect(await condition.getAttribute('aria-activedescendant')).toBeTruthy();
    await condition.press('Enter');
    await expect.poll(() => condition.inputValue()).toBe('hsIn(item.hs');
    await condition.pressSequentially(', "bat');
    await expect
      .poll(() => suggestions.getByRole('option').first().textContent())
      .toMatch(/^batteries/);
    await audit('completion');
    await page.locator('.indicator-authoring').screenshot({
      path: `${SHOTS}/indicators-completion-1366.png`,
    });
    await condition.press('Enter');
    await condition.pressSequentially('") && item.ori');
    await expect
      .poll(() => suggestions.getByRole('option').first().textContent())
      .toMatch(/^item\.origin/);
    await condition.press('Enter');
    await condition.pressSequentially(' == "CN"');
    expect(await condition.inputValue()).toBe('hsIn(item.hs, "batteries") && item.origin == "CN"');
    expect(await suggestions.isHidden()).toBe(true);

    // Sensible: tested without a warning, then saved under a readable code.
    await editor.getByRole('button', { name: 'Test against recent declarations' }).click();
    await expect
      .poll(() => preview.getByLabel('Preview figures').textContent())
      .toMatch(/Examined/);
    expect(await preview.getByRole('alert').count()).toBe(0);
    await editor.getByRole('button', { name: 'Save draft' }).click();
    const status = editor.locator('.status');
    await expect
      .poll(() => status.textContent())
      .toMatch(/^Saved BY-CUSTOMS-EW-\d{2} version 1 as a draft\.$/);
    code = /BY-CUSTOMS-EW-\d{2}/.exec((await status.textContent()) ?? '')![0];
    const row = page.getByRole('table', { name: 'Indicators' }).locator('tr', { hasText: code });
    expect(await row.textContent()).toMatch(/Batteries from China.*Electronic waste.*draft/);
    await row.getByRole('button', { name: /^Submit / }).click();
    await expect.poll(() => row.textContent()).toContain('awaiting approval');
    // Codes everywhere, never ULIDs: the list (the library's GL-… and this one) and the detail.
    const codes = await page
      .getByRole('table', { name: 'Indicators' })
      .locator('tbody tr td:first-child')
      .allTextContents();
    expect(codes.length).toBeGreaterThan(10);
    for (const c of codes) expect(c).toMatch(/^[A-Z][A-Z0-9-]*-[A-Z]{2}-\d{2}$/);
    expect(await page.locator('main').textContent()).not.toMatch(ULID);
    await audit('editor');
    await shoot('editor');
  }, 120_000);

  it('another analyst and the environmental agency approve it after seeing what they approve; a new version shows its diff', async () => {
    // Version 1 in force (the approval step itself is exercised on version 2 below).
    const analyst2 = await principalOfUser(ctx, 'analyst2');
    const ecologist = await principalOfUser(ctx, 'ecologist');
    await approve(ctx, analyst2, 'indicator', code, { version: 1 });
    await approve(ctx, ecologist, 'indicator', code, { version: 1 });

    await signInAs('analyst');
    const row = page.getByRole('table', { name: 'Indicators' }).locator('tr', { hasText: code });
    await expect.poll(() => row.textContent()).toContain('active');
    await row.getByRole('button', { name: /^Details of / }).click();
    await page.getByRole('button', { name: 'Edit as a new version' }).click();
    const editor = page.locator(
      'form[aria-label="New version of Batteries from China on the e-waste list"]',
    );
    await editor.getByLabel('Weight', { exact: true }).fill('60');
    await editor
      .getByLabel('Rationale')
      .fill('Spent batteries from China declared as new cells; three seizures this quarter.');
    await editor.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => row.textContent()).toMatch(/2\s*draft/);
    await row.getByRole('button', { name: /^Submit / }).click();
    await expect.poll(() => row.textContent()).toMatch(/2\s*awaiting approval/);
    await approve(ctx, analyst2, 'indicator', code, { version: 2 });

    // The approver of the other agency: rationale, diff against version 1 and preview first.
    await signInAs('ecologist');
    const row2 = page.getByRole('table', { name: 'Indicators' }).locator('tr', { hasText: code });
    await row2.getByRole('button', { name: /^Review and approve / }).click();
    const step = page.getByRole('region', { name: /^Approve version 2 of Batteries from China/ });
    await step.waitFor();
    expect(await step.getByRole('heading', { level: 2 }).textContent()).toContain(code);
    expect(await step.textContent()).toContain('three seizures this quarter');
    const diff = step.getByRole('table', { name: 'Changes against the version in force' });
    await expect.poll(() => diff.locator('tbody tr').count()).toBe(2);
    expect(await diff.locator('thead').textContent()).toMatch(/Version 1 \(in force\).*Version 2/);
    expect(await diff.locator('tbody').textContent()).toMatch(/Weight\s*40\s*60/);
    expect(await diff.locator('tbody').textContent()).toMatch(/Rationale/);
    const preview = step.getByRole('region', { name: 'Preview of what is approved' });
    await expect
      .poll(() => preview.getByLabel('Preview figures').textContent())
      .toMatch(/Examined\d+ declarations/);
    // The Approve button comes after the rationale, the diff and the preview.
    const tops: number[] = [];
    for (const part of [
      step.locator('.rationale'),
      diff,
      preview,
      step.getByRole('button', { name: 'Approve version 2' }),
    ])
      tops.push((await part.boundingBox())!.y);
    expect(tops).toEqual([...tops].sort((a, b) => a - b));
    await audit('approval-step');
    await shoot('approval-step');
    await step
      .getByLabel('Comment (optional)')
      .fill('Weight agreed with the environmental agency.');
    await step.getByRole('button', { name: 'Approve version 2' }).click();
    await expect.poll(() => row2.textContent()).toMatch(/2\s*active/);
    expect(await page.getByRole('region', { name: /^Approve version/ }).count()).toBe(0);
  }, 120_000);

  it('shows the effectiveness of an indicator per version, with the counts behind each rate', async () => {
    // The library indicator with the most controls in the demo data, counted from storage.
    const indicators = await t.db.read.indicators.listLatest();
    let best: {
      id: string;
      title: string;
      hits: number;
      controls: number;
      findings: number;
    } | null = null;
    for (const i of indicators) {
      const stats = await t.db.read.indicatorStats.forIndicator(i.id);
      const sum = stats.reduce(
        (s, x) => ({
          hits: s.hits + x.hits,
          controls: s.controls + x.controls,
          findings: s.findings + x.findings,
        }),
        { hits: 0, controls: 0, findings: 0 },
      );
      if (!best || sum.controls > best.controls) best = { id: i.id, title: i.title, ...sum };
    }
    expect(best!.controls).toBeGreaterThan(0);
    await signInAs('analyst');
    const row = page
      .getByRole('table', { name: 'Indicators' })
      .locator('tr', { hasText: best!.id });
    await row.getByRole('button', { name: /^Details of / }).click();
    const table = page.getByRole('table', { name: 'Effectiveness by version' });
    const total = table.locator('tr', { hasText: 'All versions' });
    const n = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
    const pct = (a: number, b: number) => n.format((a / b) * 100).replace('.', '\\.');
    await expect
      .poll(() => total.textContent())
      .toMatch(
        new RegExp(
          `All versions${n.format(best!.hits)}.*${n.format(best!.controls)} of ${n.format(best!.hits)} hits \\(${pct(best!.controls, best!.hits)} %\\)` +
            `${n.format(best!.findings)} of ${n.format(best!.controls)} controls \\(${pct(best!.findings, best!.controls)} %\\)`,
        ),
      );
    expect(await page.getByRole('heading', { name: best!.title }).textContent()).toContain(
      `(${best!.id})`,
    );
    expect(await page.locator('main').textContent()).not.toMatch(ULID);
    await audit('effectiveness');
    await shoot('effectiveness');
  }, 120_000);

  it('found no serious accessibility violation and no console error', () => {
    expect(serious).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
