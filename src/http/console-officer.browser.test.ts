import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOfUser } from '../app/authenticate.js';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import { submitDeclaration } from '../app/submit-declaration.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { sampleDeclaration, testContext } from '../test-support/app.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
/** What must never reach an officer: scores, conditions (CEL), raw codes, API paths. */
const DEVELOPER_WORDS =
  /Score \d|→ red|condition|hsIn\(|item\.\w|sampling-laboratory|physical-inspection|documentary-check|under-control|awaiting-control|protected-species|\/api\//;

/** Serious or critical WCAG violations on the page as it is now (axe-core). */
async function seriousViolations(page: Page): Promise<string[]> {
  return axeSerious(page, 'officer');
}

/**
 * An officer's day on the declaration page, in real Chromium against the demo: from the worklist
 * to a red declaration explained in words, taking it, an inspection refused without its result,
 * one recorded with a finding, a hold with a typed reason (confirmed), a referral to the
 * environmental agency, a release of what may be released (confirmed), and an entry summary
 * declaration that offers no release.
 */
describe.runIf(chromiumAvailable('officer console browser tests'))(
  'the officer acts from the declaration page',
  () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let browser: Browser;
    let page: Page;
    let base = '';
    const ids: Record<string, string> = {};
    const consoleErrors: string[] = [];
    /** Refusals a step provokes on purpose (the browser logs each 4xx as an error). */
    let expectedRefusals = 0;
    const serious: string[] = [];

    beforeAll(async () => {
      if (!existsSync(`${WEB_ROOT}/index.html`)) {
        throw new Error(`the console is not built (${WEB_ROOT}): run npm run build`);
      }
      mkdirSync(SHOTS, { recursive: true });
      t = await freshDatabase('sqlite');
      const ctx = testContext(t.db);
      await seedDemo(ctx);
      const officer = await principalOfUser(ctx, 'officer');
      const lodge = async (reference: string, over: Parameters<typeof sampleDeclaration>[0]) => {
        const r = await submitDeclaration(ctx, officer, {
          sourceFormat: 'json',
          input: sampleDeclaration({ reference, submittedAt: new Date().toISOString(), ...over }),
        });
        if (r.outcome !== 'created') throw new Error('not created');
        ids[reference] = r.declaration.id;
        return r.declaration;
      };
      const sample = sampleDeclaration();
      // Parrots without a CITES document: red, and not releasable without the permit.
      const parrots = { goodsItems: [{ ...sample.goodsItems[1]!, documents: [] }] };
      for (const reference of ['PARROTS-A', 'PARROTS-H', 'PARROTS-R']) {
        expect((await lodge(reference, parrots)).channel).toBe('red');
      }
      // Scrap with a waste document hit too weak for control: green, releasable at once.
      const scrap = await lodge('SCRAP-G', {
        goodsItems: [
          {
            ...sample.goodsItems[0]!,
            hsCode: '7204490000',
            description: 'Ferrous scrap, shredded',
            quantity: 20_000,
            netMass: 20_000,
            grossMass: 20_010,
            value: 5_000,
            currency: 'EUR',
          },
        ],
      });
      expect(scrap.channel).toBe('green');
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
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        if (expectedRefusals > 0 && /status of 400/.test(m.text())) {
          expectedRefusals -= 1;
          return;
        }
        consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await t?.drop();
    });

    const status = () => page.locator('.control-status').innerText();
    const shoot = async (name: string) => {
      await page.screenshot({ path: `${SHOTS}/officer-${name}-1366.png`, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(100);
      const width = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
            .document.documentElement.scrollWidth,
      );
      await page.screenshot({ path: `${SHOTS}/officer-${name}-390.png`, fullPage: true });
      await page.setViewportSize({ width: 1366, height: 768 });
      expect(width, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(390);
    };
    const openFromWorklist = async (reference: string) => {
      await page.getByRole('link', { name: 'Worklist' }).click();
      await page.getByLabel('Trader').fill('BY100');
      await page.getByRole('link', { name: reference }).click();
      await page.getByRole('heading', { name: 'Why this channel' }).waitFor();
    };

    it('signs in and opens a red declaration explained in plain words', async () => {
      await page.goto(base);
      await page.getByLabel('Username').fill('officer');
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Worklist' }).waitFor();
      await page.getByLabel('Trader').fill('BY100');
      await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
      expect(await page.locator('main').innerText()).not.toMatch(DEVELOPER_WORDS);
      serious.push(...(await seriousViolations(page)));
      await shoot('worklist');

      await page.getByRole('link', { name: 'PARROTS-A' }).click();
      await page.getByRole('heading', { name: 'Why this channel' }).waitFor();
      const why = await page.locator('section[aria-labelledby="why"]').innerText();
      expect(why).toMatch(/^Why this channel\s+Red channel: a physical inspection is called for/);
      expect(why).toContain('Species named without a CITES document');
      expect(why).toMatch(/Risk\s+endangered species \(CITES\), goods item 2/);
      expect(why).toMatch(/What to check/);
      expect(why).toMatch(/needs a CITES import permit: none was quoted/);
      // No score, condition or code, and no disclosure for an officer (they author no indicator).
      expect(await page.locator('main').innerText()).not.toMatch(DEVELOPER_WORDS);
      expect(await page.locator('details.technical').count()).toBe(0);
      // Not controlled yet: nothing to release.
      expect(await page.getByRole('button', { name: /^Release/ }).count()).toBe(0);
      expect(await page.locator('.release-blocked').innerText()).toMatch(
        /Record the control first/,
      );
    });

    it('takes it, is refused an inspection without a result, then records one with a finding', async () => {
      await page.getByRole('button', { name: 'Take it myself' }).click();
      await expect.poll(status).toMatch(/under control.*Assigned to you/s);

      const form = page.getByRole('form', { name: 'Record an inspection' });
      await form.getByLabel('What was checked and found').fill('Crates opened at the airport.');
      expectedRefusals += 1;
      await form.getByRole('button', { name: 'Record inspection' }).click();
      const result = form.getByRole('group', { name: 'Result' });
      await expect.poll(() => result.locator('.field-error').textContent()).toMatch(/required/);
      expect(await page.locator('.inspections li').count()).toBe(0);

      await result.getByLabel('Not compliant: something was found').check();
      // The stale error goes on the next attempt.
      await form.getByLabel('Protected species (CITES)').check();
      await form
        .getByLabel('What was checked and found')
        .fill('Four live grey parrots, no CITES permit presented.');
      await form.getByRole('button', { name: 'Record inspection' }).click();
      await page.locator('.inspections li').first().waitFor();
      expect(await page.locator('.inspections').innerText()).toMatch(
        /Physical inspection, not compliant \(Protected species \(CITES\)\) — Four live grey parrots/,
      );
      expect(await form.locator('.field-error').count()).toBe(0);
      // Controlled, but the CITES permit is missing: still no Release button, and why.
      expect(await page.getByRole('button', { name: /^Release/ }).count()).toBe(0);
      expect(await page.locator('.release-blocked').innerText()).toMatch(
        /Not releasable until the permits are in order: item 2 needs a CITES import permit/,
      );
      const [inspection] = await t.db.read.controls.inspectionsOf(ids['PARROTS-A']!);
      expect(inspection).toMatchObject({
        result: 'non-compliant',
        findings: ['protected-species'],
      });
      expect(await page.locator('main').innerText()).not.toMatch(DEVELOPER_WORDS);
      serious.push(...(await seriousViolations(page)));
      await shoot('declaration');
    });

    it('holds another with a typed reason, after confirming', async () => {
      await openFromWorklist('PARROTS-H');
      const hold = page.getByRole('form', { name: 'Hold the goods' });
      // Without a reason the server refuses, next to the field.
      expectedRefusals += 1;
      await hold.getByRole('button', { name: 'Hold…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Hold the goods' }).click();
      await expect
        .poll(() => hold.locator('.field .field-error').textContent())
        .toMatch(/reason the goods are held/);
      await hold.getByLabel('Reason for holding').fill('Awaiting the CITES management authority');
      await hold.getByRole('button', { name: 'Hold…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Hold the goods of PARROTS-H?' });
      await dialog.waitFor();
      expect(await dialog.innerText()).toContain('Awaiting the CITES management authority');
      serious.push(...(await seriousViolations(page)));
      await page.screenshot({ path: `${SHOTS}/officer-hold-confirm-1366.png` });
      await dialog.getByRole('button', { name: 'Hold the goods' }).click();
      await expect.poll(status).toMatch(/^Status: held/);
      expect(await page.getByRole('form', { name: 'Hold the goods' }).count()).toBe(0);
      const audit = await t.db.read.audit.listFor('declaration', ids['PARROTS-H']!);
      expect(audit.find((e) => e.action === 'declaration.held')?.details).toEqual({
        reason: 'Awaiting the CITES management authority',
      });
    });

    it('refers one to the environmental agency with a question', async () => {
      await openFromWorklist('PARROTS-R');
      const refer = page.getByRole('form', { name: 'Refer to another agency' });
      expect(await refer.getByLabel('Agency').locator('option:checked').innerText()).toMatch(
        /environ/i,
      );
      await refer
        .getByLabel('Question for the agency')
        .fill('Are these grey parrots (Psittacus erithacus) from a registered breeder?');
      await refer.getByRole('button', { name: 'Refer' }).click();
      await expect.poll(status).toMatch(/^Status: referred to another agency/);
      expect(await page.locator('.referrals').innerText()).toContain('registered breeder');
    });

    it('releases one that may be released, after confirming', async () => {
      await page.goto(`${base}/#/declarations/${ids['SCRAP-G']}`);
      // Only the hash changes: the previous declaration shows until this one has loaded.
      await page.getByRole('heading', { name: /SCRAP-G/ }).waitFor();
      await expect
        .poll(() => page.locator('section[aria-labelledby="why"]').innerText())
        .toMatch(/Green channel: no control is called for/);
      await page.getByRole('button', { name: 'Release…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Release the goods of SCRAP-G?' });
      await dialog.getByRole('button', { name: 'Release the goods' }).click();
      await expect.poll(status).toMatch(/^Status: released/);
      expect(await page.getByRole('button', { name: /^Release/ }).count()).toBe(0);
      expect((await t.db.read.declarations.status(ids['SCRAP-G']!))?.status).toBe('released');
    });

    it('gives an entry summary declaration in the worklist no Release button', async () => {
      await page.getByRole('link', { name: 'Worklist' }).click();
      await page.getByRole('heading', { name: 'Worklist' }).waitFor();
      const ens = page.locator('tbody tr', { hasText: 'Entry summary declaration' }).first();
      await ens.waitFor();
      const reference = await ens.locator('a').innerText();
      await ens.locator('a').click();
      await page.getByRole('heading', { name: `Entry summary declaration ${reference}` }).waitFor();
      await page.locator('.control-status').waitFor();
      expect(await page.getByRole('button', { name: /^Release/ }).count()).toBe(0);
      expect(await page.getByRole('form', { name: 'Hold the goods' }).count()).toBe(0);
      expect(await page.getByRole('form', { name: 'Record an inspection' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Open the cargo report and its referrals' }).waitFor();
      expect(await page.locator('main').innerText()).not.toMatch(DEVELOPER_WORDS);
      serious.push(...(await seriousViolations(page)));
      await shoot('entry-summary');
    });

    it('keeps the score, conditions and codes one click away for an analyst', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Username').fill('analyst');
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.goto(`${base}/#/declarations/${ids['PARROTS-A']}`);
      await page.getByRole('heading', { name: 'Why this channel' }).waitFor();
      const technical = page.locator('details.technical');
      // Closed, the words only; opened, the engine's own account.
      expect(await page.locator('section[aria-labelledby="why"]').innerText()).not.toMatch(
        /Score \d|condition:/,
      );
      await technical.locator('summary').click();
      expect(await technical.innerText()).toMatch(/Score \d+.*→ red/s);
      expect(await technical.innerText()).toMatch(/condition: /);
      // An analyst follows controls but does not act on them.
      expect(await page.getByRole('form', { name: 'Record an inspection' }).count()).toBe(0);
      serious.push(...(await seriousViolations(page)));
      await shoot('declaration-analyst');
    });

    it('passed the accessibility audit and logged no error', () => {
      expect(serious).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  },
);
