import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOfUser } from '../app/authenticate.js';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { submitDeclaration } from '../app/submit-declaration.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
const available = chromiumAvailable('IPR browser tests');

/**
 * Intellectual property in the console, as each party meets it: the right holder answers in the
 * demo's detention case and lodges an application, the IPR unit decides it, the declarant sees
 * its detained goods and its deadline on the declaration and agrees, customs records the
 * destruction, and an officer suspends release of another shipment from the declaration page.
 */
describe.runIf(available)('intellectual property in the console, in Chromium', () => {
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
    await page.screenshot({ path: `${SHOTS}/ipr-${name}-1366.png`, fullPage: true });
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
      await page.screenshot({ path: `${SHOTS}/ipr-${name}-390.png`, fullPage: true });
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

  const caseRow = (reference: string) =>
    page.getByRole('table', { name: 'Detention cases' }).getByRole('row', {
      name: `Case of ${reference}`,
    });

  async function recordStep(step: string) {
    const form = page.getByRole('form', { name: 'Record a step' });
    await form.getByLabel('Step').selectOption({ label: step });
    await form.getByRole('button', { name: 'Record…' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: `Record: ${step}` })
      .click();
    await contains(page.getByRole('list', { name: 'History' }), step);
  }

  it(
    'the right holder sees the detained goods under its mark with its deadline, and confirms',
    { timeout: 60_000 },
    async () => {
      await signInAs('holder');
      await page.getByRole('link', { name: 'Intellectual property' }).click();
      await page.getByRole('heading', { name: 'Goods detained under your rights' }).waitFor();
      const row = caseRow('ECOMET-IPR-0001');
      await contains(row, 'Nordstride');
      await contains(row, /\d{1,2} [A-Z][a-z]{2} \d{4}, 23:59/); // its own deadline, end of a day
      await row.click();
      const detail = page.locator('.ipr-case');
      await contains(
        detail.getByRole('heading', { level: 2 }),
        "awaiting the right holder's answer",
      );
      await contains(
        detail.getByRole('list', { name: 'Rights in question' }),
        'look-alike characters',
      );
      await contains(detail.getByRole('table', { name: 'Deadlines' }), 'Confirm the infringement');
      // Only the right holder's own steps are offered.
      const options = await page
        .getByRole('form', { name: 'Record a step' })
        .getByLabel('Step')
        .locator('option')
        .allTextContents();
      expect(options).toContain('Right holder confirmed the infringement');
      expect(options).not.toContain('Goods destroyed');
      expect(options).not.toContain('Declarant agreed to destruction');
      await check('holder-case');
      await recordStep('Right holder confirmed the infringement');
      await contains(detail.getByRole('list', { name: 'History' }), 'agreeing to destruction');
    },
  );

  it(
    'the right holder lodges an application; a right outside its goods is refused by field',
    { timeout: 60_000 },
    async () => {
      await page.getByRole('link', { name: 'Apply for action' }).click();
      const form = page.getByRole('form', { name: 'Application for action' });
      await form.getByLabel('Applicant name').fill('Nordstride Sports AB (demo)');
      await form.getByLabel('EORI or TIN').first().fill('SE5560000001');
      const right = form.getByRole('group', { name: 'Rights 1' });
      await right.getByLabel('Mark as it appears on goods').fill('Stridewear');
      await right.getByLabel('Registration number').fill('EUTM 018000002');
      await right.getByLabel('HS codes it covers').fill('6110, 9506');
      const goods = form.getByRole('group', { name: 'Goods covered 1' });
      await goods.getByLabel('HS code').fill('6110');
      await goods.getByLabel('Description').fill('Jerseys and sweatshirts');
      await form.getByLabel('I accept liability', { exact: false }).check();
      await form.getByLabel('I bear the costs', { exact: false }).check();
      expectedRefusal = /400/;
      await form.getByRole('button', { name: 'Lodge the application' }).click();
      // 9506 lies outside the goods of the application: the field says so.
      await right.locator('.field-error').waitFor();
      await contains(form.getByRole('alert'), 'Right');
      await check('holder-apply-refused');
      await right.getByLabel('HS codes it covers').fill('6110');
      await form.getByRole('button', { name: 'Lodge the application' }).click();
      const detail = page.locator('section.detail');
      await contains(detail.getByRole('heading', { level: 2 }), 'submitted, awaiting the IPR unit');
      await contains(detail.getByRole('list', { name: 'Rights' }), 'Stridewear');
    },
  );

  it('the IPR unit accepts the application from its register', { timeout: 60_000 }, async () => {
    await signInAs('iprunit');
    await page.getByRole('link', { name: 'Intellectual property' }).click();
    await page.getByRole('link', { name: 'Applications for action' }).click();
    const table = page.getByRole('table', { name: 'Applications for action' });
    const row = table.getByRole('row').filter({ hasText: 'Stridewear' });
    await contains(row, 'submitted');
    await row.click();
    const form = page.getByRole('form', { name: 'Decide on the application' });
    // Refusing without grounds is refused, naming the note.
    await form.getByLabel('Decision').selectOption('refuse');
    expectedRefusal = /400/;
    await form.getByRole('button', { name: 'Record the decision' }).click();
    await contains(form.locator('.field-error'), 'required');
    await form.getByLabel('Decision').selectOption('accept');
    await form.getByRole('button', { name: 'Record the decision' }).click();
    await contains(page.locator('section.detail').getByRole('heading', { level: 2 }), '(accepted)');
    await contains(row, 'accepted');
    await check('iprunit-register');
  });

  it(
    'the declarant sees the detention and its deadline on its declaration, and agrees',
    { timeout: 60_000 },
    async () => {
      await signInAs('trader');
      await page.getByRole('link', { name: 'Declarations' }).click();
      await page.getByRole('link', { name: 'ECOMET-IPR-0001' }).first().click();
      const notice = page.getByRole('region', { name: 'Detained: intellectual property' });
      await contains(notice, 'Release is suspended');
      await contains(notice, 'Your deadline');
      await contains(notice, 'taken to agree to destruction');
      await check('trader-declaration');
      await notice.getByRole('link', { name: 'Open the case to answer' }).click();
      await page.getByRole('heading', { name: 'Your detained goods' }).waitFor();
      await recordStep('Declarant agreed to destruction');
      await contains(page.locator('.ipr-case h2'), 'to be destroyed');
    },
  );

  it('customs records the destruction; the case closes', { timeout: 60_000 }, async () => {
    await signInAs('iprunit');
    await page.getByRole('link', { name: 'Intellectual property' }).click();
    await caseRow('ECOMET-IPR-0001').click();
    await contains(page.getByRole('list', { name: 'Next actions' }), 'Have the goods destroyed');
    await recordStep('Goods destroyed');
    await contains(page.locator('.ipr-case h2'), 'destroyed');
    await expect.poll(() => page.getByRole('form', { name: 'Record a step' }).count()).toBe(0);
    // Closed cases leave the open list.
    await expect.poll(() => caseRow('ECOMET-IPR-0001').count()).toBe(0);
    await page.getByRole('button', { name: 'All' }).click();
    await contains(caseRow('ECOMET-IPR-0001'), 'destroyed');
  });

  it(
    'an officer suspends release of a shipment from its declaration page',
    { timeout: 60_000 },
    async () => {
      const trader = await principalOfUser(ctx, 'trader');
      const lodged = await submitDeclaration(ctx, trader, {
        sourceFormat: 'json',
        input: {
          kind: 'import',
          reference: 'ECOMET-IPR-0002',
          submittedAt: new Date().toISOString(),
          office: 'BY112000',
          declarant: { id: 'BY190000001', name: 'EcoMet Recycling LLC (demo)', country: 'BY' },
          consignor: { name: 'Putian Sunrise Footwear Trading (demo)', country: 'CN' },
          consignee: { id: 'BY190000001', name: 'EcoMet Recycling LLC (demo)', country: 'BY' },
          route: { dispatchCountry: 'CN', destinationCountry: 'BY', transportMode: 'road' },
          goodsItems: [
            {
              sequence: 1,
              hsCode: '6404110000',
              description: 'Trainers, textile uppers',
              brand: 'Nord Stride',
              quantity: 300,
              unit: 'PR',
              netMass: 240,
              grossMass: 260,
              value: 2400,
              currency: 'USD',
              originCountry: 'CN',
            },
          ],
          documents: [{ type: 'N935', reference: 'PSF-INV-2026-131' }],
        },
      });
      if (lodged.outcome !== 'created') throw new Error(`not lodged: ${lodged.outcome}`);
      await signInAs('officer');
      await page.goto(`${base}/#/declarations/${lodged.declaration.id}`);
      await contains(page.locator('.release-blocked'), 'intellectual-property');
      await page.getByText('Suspend release (intellectual property)').click();
      const form = page.getByRole('form', { name: 'Suspend release for intellectual property' });
      await contains(form, 'Brands declared: Nord Stride');
      // Without grounds the API refuses, naming the field.
      expectedRefusal = /400/;
      await form.getByRole('button', { name: 'Suspend release…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Suspend release' }).click();
      await form.locator('.field-error').waitFor();
      await form
        .getByLabel('Grounds for suspicion')
        .fill('Trainers at 8 USD a pair, no serial label.');
      await form.getByRole('button', { name: 'Suspend release…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Suspend release' }).click();
      const notice = page.getByRole('region', { name: 'Detained: intellectual property' });
      await contains(notice, '“Nordstride”');
      await contains(notice, 'Next deadline');
      await check('officer-detained');
      expect(consoleErrors).toEqual([]);
    },
  );
});
