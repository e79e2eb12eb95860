import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOfUser } from '../app/authenticate.js';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { holdDeclaration, recordInspection } from '../app/controls.js';
import { releaseDeclaration } from '../app/manage-permits.js';
import { submitDeclaration } from '../app/submit-declaration.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { sampleDeclaration, testContext } from '../test-support/app.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { HMRC_DMS_SAMPLES } from '../test-support/fixtures.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
const available = chromiumAvailable('declaration browser tests');

/** The demo trader (EcoMet Recycling) and its EORI. */
const ECOMET = { id: 'BY190000001', name: 'EcoMet Recycling LLC (demo)', country: 'BY' };

/** The serious or critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now. */
async function seriousViolations(page: Page, name: string): Promise<string[]> {
  return axeSerious(page, name);
}

/**
 * A trader lodges declarations in the console (in the form, with an error first, and by file),
 * follows them to release, amends and withdraws; an officer searches them.
 */
describe.runIf(available)('declarations in the console (Chromium)', { timeout: 120_000 }, () => {
  let t: TestDatabase;
  let ctx: AppContext;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base = '';
  const consoleErrors: string[] = [];
  /** Set while a step expects the server to refuse (the browser logs a 4xx as an error). */
  let expectedRefusals: RegExp | null = null;
  const serious: string[] = [];
  const signedOut = new Set<string>();
  let heldId = '';

  /** Audits the page, takes it at 1366 × 768 and 390 × 844, and checks nothing scrolls sideways. */
  async function check(name: string) {
    await page.setViewportSize({ width: 1366, height: 768 });
    serious.push(...(await seriousViolations(page, name)));
    await page.screenshot({ path: `${SHOTS}/declarations-${name}-1366.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(
        () =>
          page.evaluate(
            () =>
              // In the page (no DOM types here).
              (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
                .document.documentElement.scrollWidth,
          ),
        {
          message: `${name} scrolls sideways at 390 px`,
        },
      )
      .toBeLessThanOrEqual(390);
    serious.push(...(await seriousViolations(page, `${name}@390`)));
    await page.screenshot({ path: `${SHOTS}/declarations-${name}-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
  }

  async function signInAs(username: string) {
    const out = page.getByRole('button', { name: 'Sign out' });
    if (await out.isVisible()) await out.click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await out.waitFor();
  }

  const openDeclarations = async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Declarations' })
      .click();
    await page.getByRole('heading', { name: 'Declarations', level: 1 }).waitFor();
  };
  const row = (reference: string) =>
    page.getByRole('table', { name: 'Declarations' }).locator('tbody tr', { hasText: reference });
  const idOf = async (reference: string) => {
    const [d] = await t.db.read.declarations.list({ reference, limit: 1 });
    if (!d) throw new Error(`no declaration ${reference}`);
    return d;
  };

  beforeAll(async () => {
    if (!existsSync(`${WEB_ROOT}/index.html`)) {
      throw new Error(`the console is not built (${WEB_ROOT}): run npm run build`);
    }
    mkdirSync(SHOTS, { recursive: true });
    t = await freshDatabase('sqlite');
    ctx = testContext(t.db);
    await seedDemo(ctx);
    // One of the trader's declarations is held by customs: the trader sees why, in its words.
    const trader = await principalOfUser(ctx, 'trader');
    const held = await submitDeclaration(ctx, trader, {
      sourceFormat: 'json',
      input: sampleDeclaration({
        reference: 'WEB-HELD-1',
        submittedAt: new Date().toISOString(),
        declarant: ECOMET,
        consignee: ECOMET,
      }),
    });
    if (held.outcome !== 'created') throw new Error('not created');
    heldId = held.declaration.id;
    const officer = await principalOfUser(ctx, 'officer');
    await holdDeclaration(
      ctx,
      officer,
      heldId,
      'Internal: waiting for the laboratory (not for the trader)',
    );
    app = await buildHttpApp({
      ctx,
      bodyLimitBytes: 1024 * 1024,
      signInLimit: { max: 50, windowMs: 60_000 },
      webRoot: WEB_ROOT,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/auth/logout') {
        const token = r.headers().authorization;
        if (token) signedOut.add(token);
      }
    });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (expectedRefusals?.test(m.text())) return;
      // A request sent just before a sign-out may be refused with the revoked token.
      if (/status of 401/.test(m.text()) && signedOut.size > 0) return;
      consoleErrors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(base);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  it('a trader lodges a declaration in the form: an error next to its field first, then fixed', async () => {
    await signInAs('trader');
    await openDeclarations();
    await page.getByRole('link', { name: 'Lodge a declaration' }).click();
    const form = page.getByRole('form', { name: 'Lodge a declaration' });
    await form.waitFor();
    await page.getByLabel('Your reference (LRN)').fill('WEB-LODGE-1');
    await page.getByLabel('Customs office').fill('BY112000');
    await page.getByLabel('Declarant, name').fill(ECOMET.name);
    await page.getByLabel('Importer, EORI').fill(ECOMET.id);
    await page.getByLabel('Importer, name').fill(ECOMET.name);
    await page.getByLabel('Importer, country').fill('BY');
    await page.getByLabel('Consignor, name').fill('Baltic E-Cycle UAB');
    await page.getByLabel('Consignor, country').fill('LT');
    await page.getByLabel('Country of dispatch').fill('LT');
    await page.getByLabel('Country of destination').fill('BY');
    await page.getByLabel('Mode of transport at the border').selectOption('road');
    await page.getByLabel('Means of transport').fill('Truck 1234 AB-7');
    await page.getByLabel('Containers').fill('MSCU1234565');
    const item = form.locator('fieldset.goods-item').first();
    await item.getByLabel('HS code').fill('84713'); // five digits: not a commodity code
    await item.getByLabel('Description').fill('Laptops, 14 inch');
    await item.getByLabel('Country of origin').fill('CN');
    await item.getByLabel('Quantity').fill('50');
    await item.getByLabel('Unit').fill('NAR');
    await item.getByLabel('Net mass (kg)').fill('120');
    await item.getByLabel('Value').fill('21000');
    await item.getByLabel('Currency').fill('EUR');
    await item.getByLabel('Documents').fill('N935 INV-2026-77');
    // A second goods item, added and removed again.
    await page.getByRole('button', { name: 'Add a goods item' }).click();
    await expect.poll(() => form.locator('fieldset.goods-item').count()).toBe(2);
    await page.getByRole('button', { name: 'Remove goods item 2' }).click();
    await expect.poll(() => form.locator('fieldset.goods-item').count()).toBe(1);

    expectedRefusals = /status of 400/;
    await page.getByRole('button', { name: 'Lodge declaration' }).click();
    const hsError = item.locator('.field.invalid', { has: page.getByLabel('HS code') });
    await hsError.waitFor();
    const message = await hsError.locator('.field-error').textContent();
    expect(message).toBeTruthy();
    const alert = form.getByRole('alert');
    expect(await alert.textContent()).toContain('Goods item 1, HS code');
    // In words: no JSON pointer, no pattern.
    const text = (await form.textContent()) ?? '';
    expect(text).not.toMatch(/\/goodsItems|\^\[|must match pattern/);
    expect(await item.getByLabel('HS code').getAttribute('aria-invalid')).toBe('true');
    await check('lodge-error');
    expectedRefusals = null;

    await item.getByLabel('HS code').fill('8471300000');
    await page.getByRole('button', { name: 'Lodge declaration' }).click();
    const done = form.getByRole('status');
    await expect.poll(() => done.textContent()).toMatch(/Declaration WEB-LODGE-1 lodged/);
    // The stale error went with the new attempt.
    expect(await form.locator('.field-error').count()).toBe(0);
    expect(await form.getByRole('alert').count()).toBe(0);
    const stored = await idOf('WEB-LODGE-1');
    expect(stored.submitterAgencyId).toBeTruthy();
    expect(stored.declarant.id).toBe(ECOMET.id); // the organisation's own EORI
    expect(stored.route.containers).toEqual(['MSCU1234565']);
    expect(stored.goodsItems[0]?.documents).toEqual([{ type: 'N935', reference: 'INV-2026-77' }]);
    await check('lodge');
  });

  it('lodges two more by uploading a CSV file, one row refused, the result per declaration', async () => {
    await page.getByRole('link', { name: 'Upload a file' }).click();
    const csv = [
      'reference,kind,declarantId,dispatchCountry,destinationCountry,transportMode,hsCode,description,quantity,unit,netMass,value,currency,originCountry,documents',
      `WEB-CSV-1,import,${ECOMET.id},LT,BY,road,8549110000,Waste lead-acid batteries,2000,KGM,2000,600,EUR,LT,N935:INV-88`,
      `WEB-CSV-1,,,,,,8504400000,Power supplies,10,NAR,8,300,EUR,LT,`,
      `WEB-CSV-2,import,${ECOMET.id},LT,BY,road,850,Chargers,10,NAR,5,100,EUR,LT,`,
    ].join('\n');
    await page.getByLabel('File').setInputFiles({
      name: 'batch.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: 'Upload and lodge' }).click();
    const result = page.getByRole('table', { name: 'Upload result' });
    await result.waitFor();
    expect(await page.getByRole('heading', { name: '1 of 2 lodged' }).count()).toBe(1);
    const first = result.locator('tbody tr').nth(0);
    expect(await first.textContent()).toMatch(/rows 2–3.*WEB-CSV-1.*Lodged/);
    const second = result.locator('tbody tr').nth(1);
    expect(await second.textContent()).toMatch(/row 4.*WEB-CSV-2.*Refused.*row 4, column hsCode/);
    await check('upload');
    // The same file again: nothing lodged, and each says why (the reference is used already).
    await page.getByLabel('File').setInputFiles({
      name: 'batch.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    expectedRefusals = /status of 400/;
    await page.getByRole('button', { name: 'Upload and lodge' }).click();
    await page.getByRole('heading', { name: '0 of 2 lodged' }).waitFor();
    expect(await result.locator('tbody tr').nth(0).textContent()).toMatch(
      /WEB-CSV-1.*Refused.*WEB-CSV-1/,
    );
    expectedRefusals = null;
  });

  it('lodges a JSON and a WCO-DM XML file too, and finds all in its list with status and what is missing', async () => {
    await page.getByLabel('File').setInputFiles({
      name: 'one.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify([
          sampleDeclaration({
            reference: 'WEB-JSON-1',
            submittedAt: new Date().toISOString(),
            declarant: ECOMET,
            consignee: ECOMET,
          }),
        ]),
      ),
    });
    await page.getByRole('button', { name: 'Upload and lodge' }).click();
    await page.getByRole('heading', { name: '1 of 1 lodged' }).waitFor();
    // A WCO-DM XML declaration (HMRC's import sample, declared by the demo trader itself).
    const xml = readFileSync(`${HMRC_DMS_SAMPLES}/TT_IM001a/Step1_TT_IM001a.xml`, 'utf8')
      .replace('<ID>GB603202734852</ID>', `<ID>${ECOMET.id}</ID>`)
      .replace(/<FunctionalReferenceID>[^<]*</, '<FunctionalReferenceID>WEB-XML-1<');
    await page.getByLabel('File').setInputFiles({
      name: 'declaration.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from(xml),
    });
    await page.getByRole('button', { name: 'Upload and lodge' }).click();
    await page.getByRole('heading', { name: '1 of 1 lodged' }).waitFor();
    await expect
      .poll(() => page.getByRole('table', { name: 'Upload result' }).textContent())
      .toMatch(/declaration\.xml.*WEB-XML-1.*Lodged/);

    await page.getByRole('link', { name: 'My declarations' }).click();
    for (const reference of ['WEB-LODGE-1', 'WEB-CSV-1', 'WEB-JSON-1', 'WEB-XML-1', 'WEB-HELD-1'])
      await row(reference).waitFor();
    expect(await row('WEB-CSV-2').count()).toBe(0);
    const statuses = page
      .getByRole('table', { name: 'Declarations' })
      .locator('.declaration-status');
    for (const s of await statuses.allTextContents())
      expect(s).toMatch(/^(Lodged|Selected for control|Under control|Held|Released)$/);
    // Held: the words meant for the trader, not the officer's internal reason.
    const held = (await row('WEB-HELD-1').textContent()) ?? '';
    expect(held).toMatch(/Held.*held by customs until the matter is settled/);
    expect(held).not.toContain('laboratory');
    expect(await page.getByRole('table', { name: 'Declarations' }).textContent()).not.toMatch(
      /under-control|awaiting-control|Channel|Score/,
    );
    await check('list');
  });

  it('an officer releases one and the trader sees it released; opens it from the list', async () => {
    const d = await idOf('WEB-LODGE-1');
    const officer = await principalOfUser(ctx, 'officer');
    if (d.channel !== 'green')
      await recordInspection(ctx, officer, d.id, {
        controlForm: d.assessment?.controlForm ?? 'documentary-check',
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        endedAt: new Date().toISOString(),
        result: 'compliant',
        findings: [],
        findingsText: 'Invoice checked, goods as declared.',
        itemsAffected: [],
      });
    await releaseDeclaration(ctx, officer, d.id);
    await page.reload();
    await expect
      .poll(() => row('WEB-LODGE-1').locator('.declaration-status').textContent())
      .toBe('Released');
    expect(await row('WEB-LODGE-1').textContent()).toContain('Your goods were released.');
    await row('WEB-LODGE-1').getByRole('link', { name: 'WEB-LODGE-1' }).click();
    await page.getByRole('heading', { name: /declaration WEB-LODGE-1/i }).waitFor();
    expect(await page.getByRole('region', { name: 'Where it stands' }).textContent()).toContain(
      'Your goods were released.',
    );
    await page.screenshot({
      path: `${SHOTS}/declarations-detail-released-1366.png`,
      fullPage: true,
    });
    // The held one's page shows the trader's reason too.
    await page.goto(`${base}/#/declarations/${heldId}`);
    await page.getByRole('heading', { name: /declaration WEB-HELD-1/i }).waitFor();
    expect(await page.getByRole('region', { name: 'Where it stands' }).textContent()).toMatch(
      /held by customs until the matter is settled/,
    );
  });

  it('amends one before release and withdraws another after confirming', async () => {
    await openDeclarations();
    await row('WEB-CSV-1').locator('td').nth(1).click();
    const panel = page.getByRole('region', { name: /WEB-CSV-1/ });
    await panel.waitFor();
    await panel.getByRole('button', { name: 'Amend' }).click();
    const amend = page.getByRole('form', { name: 'Amend declaration WEB-CSV-1' });
    await amend.getByLabel('What to change').selectOption('netMass');
    await amend.getByLabel('New net mass (kg)').fill('1950');
    await amend.getByLabel('Why (optional)').fill('Weighbridge ticket corrected');
    await amend.getByRole('button', { name: 'Send amendment' }).click();
    await expect
      .poll(() => panel.getByRole('status').textContent())
      .toMatch(/WEB-CSV-1 amended \(version 2\)/);
    expect((await idOf('WEB-CSV-1')).goodsItems[0]?.netMass).toBe(1950);

    await page.getByRole('table', { name: 'Declarations' }).waitFor();
    await row('WEB-JSON-1').locator('td').nth(1).click();
    const other = page.getByRole('region', { name: /WEB-JSON-1/ });
    await other.getByRole('button', { name: 'Withdraw' }).click();
    const withdraw = page.getByRole('form', { name: 'Withdraw declaration WEB-JSON-1' });
    await withdraw.getByLabel('Why it is withdrawn').fill('Shipment postponed');
    await withdraw.getByRole('button', { name: 'Withdraw…' }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toMatch(/cannot be undone/);
    // Nothing happened yet.
    expect((await idOf('WEB-JSON-1')).status).not.toBe('cancelled');
    await check('withdraw-confirm');
    await confirm.getByRole('button', { name: 'Yes, withdraw it' }).click();
    await expect
      .poll(() => row('WEB-JSON-1').locator('.declaration-status').textContent())
      .toBe('Withdrawn');
    expect((await idOf('WEB-JSON-1')).status).toBe('cancelled');
  });

  it('an officer searches by reference, MRN, trader and HS code', async () => {
    await signInAs('officer');
    await openDeclarations();
    const search = page.getByRole('form', { name: 'Search declarations' });
    const count = () =>
      page.getByRole('table', { name: 'Declarations' }).locator('tbody tr').count();
    const clear = () => search.getByRole('button', { name: 'Clear' }).click();

    await search.getByLabel('Reference (LRN)').fill('WEB-LODGE-1');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(count).toBe(1);
    expect(await row('WEB-LODGE-1').textContent()).toMatch(/Released/);

    await clear();
    const csv = await idOf('WEB-CSV-1');
    await search.getByLabel('MRN').fill(csv.id);
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(count).toBe(1);
    await row('WEB-CSV-1').waitFor();

    await clear();
    await search.getByLabel('Trader (EORI)').fill(ECOMET.id);
    await search.getByLabel('HS code').fill('8471');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(count).toBeGreaterThanOrEqual(1);
    await row('WEB-LODGE-1').waitFor();

    await clear();
    await search.getByLabel('Container number').fill('mscu 1234565');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(count).toBeGreaterThanOrEqual(1);
    await row('WEB-LODGE-1').waitFor();

    await clear();
    await search.getByLabel('Trader (EORI)').fill(ECOMET.id);
    await search.getByLabel('Status').selectOption('held');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(count).toBeGreaterThanOrEqual(1);
    await row('WEB-HELD-1').waitFor();

    // A bad HS code is refused next to its field, in words.
    await clear();
    await search.getByLabel('HS code').fill('84a');
    expectedRefusals = /status of 400/;
    await search.getByRole('button', { name: 'Search' }).click();
    const invalid = search.locator('.field.invalid', { has: page.getByLabel('HS code') });
    await invalid.waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('HS code');
    expect(await page.getByRole('alert').textContent()).toContain('digits only');
    expect(await page.getByRole('alert').textContent()).not.toMatch(/querystring|\^\[|pattern/);
    expectedRefusals = null;
    await clear();
    await expect.poll(count).toBeGreaterThan(3);
    await check('search');
  });

  it('found no serious accessibility violation and no console error', () => {
    expect(serious).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
