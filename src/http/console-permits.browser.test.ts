import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import { PERMIT_TYPES } from '../core/permits/permit.js';
import { PERMIT_TYPE_DESCRIPTIONS } from '../core/permits/permit-types.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
const available = chromiumAvailable('permit browser tests');

/**
 * What the trader writes for each type: the fields every application has, and the particulars
 * by the label the form gives them (from the server's description of the type).
 */
interface Sample {
  counterpart: string;
  country: string;
  hs: string;
  quantity: string;
  species?: string;
  selects?: Record<string, string>;
  texts?: Record<string, string>;
  route?: { dispatch: string; transit: string; destination: string };
}
const SAMPLES: Record<string, Sample> = {
  'waste-consent': {
    counterpart: 'Shenzhen E-Cycle Co',
    country: 'CN',
    hs: '8549',
    quantity: '20',
    selects: { Operation: 'R4' },
    texts: { 'Waste code': 'A1180' },
    route: { dispatch: 'CN', transit: 'KZ, RU', destination: 'BY' },
  },
  'cites-import': {
    counterpart: 'Douala Bird Exporters',
    country: 'CM',
    hs: '0106',
    quantity: '4',
    species: 'Psittacus erithacus',
    selects: { Purpose: 'T', Source: 'C' },
  },
  'cites-export': {
    counterpart: 'Zoo Leipzig',
    country: 'DE',
    hs: '0106',
    quantity: '2',
    species: 'Python regius',
    selects: { Purpose: 'Z', Source: 'C' },
  },
  'cites-re-export': {
    counterpart: 'Atelier Cuir',
    country: 'FR',
    hs: '4203',
    quantity: '100',
    species: 'Alligator mississippiensis',
    selects: { Purpose: 'T', Source: 'W' },
  },
  'ods-licence': {
    counterpart: 'Refrigerants Ltd',
    country: 'IN',
    hs: '290341',
    quantity: '500',
    texts: { Substance: 'HCFC-22' },
  },
  'pesticide-licence': {
    counterpart: 'AgroChem GmbH',
    country: 'DE',
    hs: '3808',
    quantity: '2000',
    texts: { 'Active substance': 'glyphosate' },
  },
  'green-tech': {
    counterpart: 'Nordic Heat Pumps AB',
    country: 'SE',
    hs: '841861',
    quantity: '120',
    texts: { Technology: 'Air-to-water heat pumps' },
  },
};

describe.runIf(available)('permits in the console, in Chromium', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base = '';
  const consoleErrors: string[] = [];
  /** Set while a step expects the server to refuse (the browser logs a 4xx as an error). */
  let expectedRefusal: RegExp | null = null;

  beforeAll(async () => {
    if (!existsSync(`${WEB_ROOT}/index.html`)) {
      throw new Error(`the console is not built (${WEB_ROOT}): run npm run build`);
    }
    mkdirSync(SHOTS, { recursive: true });
    t = await freshDatabase('sqlite');
    const ctx = testContext(t.db);
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
    // A user in Minsk (UTC+3) whose browser speaks British English.
    page = await browser.newPage({
      viewport: { width: 1366, height: 768 },
      timezoneId: 'Europe/Minsk',
      locale: 'en-GB',
    });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (expectedRefusal?.test(m.text())) {
        expectedRefusal = null; // once
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
    await page.getByRole('link', { name: 'Permits' }).click();
    await page.getByRole('table', { name: 'Permits' }).waitFor();
  }

  /** axe-core on the page as it is: the serious or critical WCAG violations. */
  async function audit(name: string): Promise<string[]> {
    return axeSerious(page, name);
  }

  /** Screenshots at 1366 and at 390 (where the page must not scroll sideways). */
  async function shoot(name: string) {
    await page.screenshot({ path: `${SHOTS}/${name}-1366.png`, fullPage: true });
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
      await page.screenshot({ path: `${SHOTS}/${name}-390.png`, fullPage: true });
    } catch (e) {
      // What sticks out, to say where to look.
      const wide = await page.evaluate(() => {
        const d = (
          globalThis as unknown as {
            document: {
              querySelectorAll: (s: string) => ArrayLike<{
                tagName: string;
                className: string;
                textContent: string | null;
                getBoundingClientRect: () => { right: number };
              }>;
            };
          }
        ).document;
        return Array.from(d.querySelectorAll('body *'))
          .filter(
            (el) =>
              el.getBoundingClientRect().right > 391 &&
              !(el as unknown as { closest: (s: string) => unknown }).closest(
                '.table-scroll table',
              ),
          )
          .slice(-8)
          .map(
            (el) =>
              `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)} ${(el.textContent ?? '').slice(0, 40)}`,
          );
      });
      throw new Error(`${String(e)}\n${wide.join('\n')}`);
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  }

  const form = () => page.getByRole('form', { name: 'Apply for a permit' });

  async function fill(type: string, sample: Sample) {
    const f = form();
    await f.getByLabel('Permit type').selectOption(type);
    await f.getByLabel('Counterpart', { exact: true }).fill(sample.counterpart);
    await f.getByLabel('Counterpart country').fill(sample.country);
    await f.getByLabel('HS codes covered (comma-separated)').fill(sample.hs);
    if (sample.species) await f.getByLabel('Species (scientific names)').fill(sample.species);
    await f.getByLabel('Quantity').fill(sample.quantity);
    for (const [label, code] of Object.entries(sample.selects ?? {}))
      await f.getByLabel(label, { exact: true }).selectOption(code);
    for (const [label, text] of Object.entries(sample.texts ?? {}))
      await f.getByLabel(label, { exact: true }).fill(text);
    if (sample.route) {
      await f.getByLabel('Countries of dispatch').fill(sample.route.dispatch);
      await f.getByLabel('Transit countries').fill(sample.route.transit);
      await f.getByLabel('Countries of destination').fill(sample.route.destination);
    }
  }

  /** The error shown next to a field (by its label), or null. */
  const errorOf = async (label: string) => {
    const field = form().locator('.field', {
      has: page.getByLabel(label, { exact: true }),
    });
    const error = field.locator('.field-error');
    return (await error.count()) > 0 ? await error.textContent() : null;
  };

  it('a trader applies for every permit type the server lists, with the fields each needs', async () => {
    await signInAs('trader');
    await page.getByRole('heading', { name: 'Apply for a permit' }).waitFor();
    // The choice of types is the server's: every type it describes, by its name.
    const options = await form()
      .getByLabel('Permit type')
      .locator('option')
      .evaluateAll((os) =>
        (os as unknown as Array<{ value: string; textContent: string | null }>).map(
          (o) => [o.value, o.textContent ?? ''] as const,
        ),
      );
    const offered = options.filter(([value]) => value !== '');
    expect(offered.map(([v]) => v).sort()).toEqual([...PERMIT_TYPES].sort());
    for (const [value, text] of offered)
      expect(text).toBe(
        PERMIT_TYPE_DESCRIPTIONS[value as keyof typeof PERMIT_TYPE_DESCRIPTIONS].name,
      );
    expect(Object.keys(SAMPLES).sort()).toEqual([...PERMIT_TYPES].sort());

    // The waste consent first, with mistakes: each is told by its field, in words.
    const waste = SAMPLES['waste-consent']!;
    await fill('waste-consent', { ...waste, hs: '8549, 85A9', texts: {}, selects: {} });
    expect(await form().getByLabel('Operation', { exact: true }).textContent()).toContain(
      'R4 — Recycling of metals and metal compounds',
    );
    await form().getByLabel('Transit countries').fill('KZ, RUS');
    expectedRefusal = /status of 400/;
    await form().getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(() => errorOf('HS codes covered (comma-separated)'))
      .toBe('“85A9”: HS codes are 2 to 10 digits each, e.g. 8549 or 854143');
    expect(await errorOf('Waste code')).toBe('Required for a Waste shipment consent');
    expect(await errorOf('Operation')).toBe('Required for a Waste shipment consent');
    expect(await errorOf('Transit countries')).toMatch(/^“RUS”: Two capital letters/);
    expect(await form().getByRole('alert').textContent()).toMatch(
      /correct the fields marked above/,
    );
    const text = (await form().textContent()) ?? '';
    expect(text).not.toMatch(/\/details|\/hsScope|\^\[|pattern|waste-consent/);
    expect(
      await form().getByLabel('Waste code', { exact: true }).getAttribute('aria-invalid'),
    ).toBe('true');
    await shoot('permit-apply-errors');
    expect(await audit('permit-apply-errors')).toEqual([]);

    // Fixed: the errors go, the application is sent, for the validity the trader chose.
    await fill('waste-consent', waste);
    await form().getByLabel('Valid from').fill('2027-03-01');
    await form().getByLabel('Valid to').fill('2027-08-31');
    // The validity in the user's words and time zone (en-GB, Minsk).
    expect(await form().locator('.hint', { hasText: 'may issue it for less' }).textContent()).toBe(
      'From 1 Mar 2027, 00:00 GMT+3 until 1 Sept 2027, 00:00 GMT+3, your time (Europe/Minsk). The agency may issue it for less.',
    );
    await form()
      .getByLabel(/^Expedited track/)
      .check();
    await form()
      .getByLabel('Supporting documents')
      .setInputFiles({
        name: 'contract-e-cycle.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 contract'),
      });
    await expect
      .poll(() => form().getByRole('list', { name: 'Supporting documents chosen' }).textContent())
      .toMatch(/contract-e-cycle\.pdf \(17 bytes\)/);
    await form().getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(() => form().locator('.status').textContent())
      .toMatch(/^Your application for the Waste shipment consent was sent; decision due /);
    expect(await form().locator('.field-error').count()).toBe(0);
    expect(await form().getByRole('alert').count()).toBe(0);
    await shoot('permit-apply');
    expect(await audit('permit-apply')).toEqual([]);

    for (const type of PERMIT_TYPES.filter((x) => x !== 'waste-consent')) {
      await fill(type, SAMPLES[type]!);
      await form().getByRole('button', { name: 'Apply' }).click();
      await expect
        .poll(() => form().locator('.status').textContent(), { message: type })
        .toMatch(
          new RegExp(
            `^Your application for the ${PERMIT_TYPE_DESCRIPTIONS[type].name} was sent; decision due `,
          ),
        );
      expect(await form().locator('.field-error').count(), type).toBe(0);
    }
    await page.getByLabel('Permit type').selectOption('cites-import');
    await shoot('permit-apply-cites');

    // Stored as the trader asked: each type once, its particulars and the chosen validity.
    const mine = (await t.db.read.permits.list({})).filter((p) =>
      Object.values(SAMPLES).some((s) => s.counterpart === p.counterpart.name),
    );
    expect(mine.map((p) => p.type).sort()).toEqual([...PERMIT_TYPES].sort());
    for (const p of mine) {
      expect(p.status).toBe('applied');
      expect(p.holderId).toBe('BY190000001');
      const s = SAMPLES[p.type]!;
      expect(p.details).toEqual(detailsOf(p.type, { ...s.selects, ...s.texts }));
    }
    const consent = mine.find((p) => p.type === 'waste-consent')!;
    // Midnight in Minsk (UTC+3) on 1 March to the end of 31 August.
    expect([consent.validFrom, consent.validTo]).toEqual([
      '2027-02-28T21:00:00.000Z',
      '2027-08-31T21:00:00.000Z',
    ]);
    expect(consent.route).toEqual({
      dispatch: ['CN'],
      transit: ['KZ', 'RU'],
      destination: ['BY'],
    });
    expect(consent.expedited).toBe(true);
    expect(consent.attachments).toEqual([
      {
        name: 'contract-e-cycle.pdf',
        mediaType: 'application/pdf',
        size: 17,
        sha256: createHash('sha256').update('%PDF-1.4 contract').digest('hex'),
      },
    ]);
    expect(mine.find((p) => p.type === 'cites-import')!.species).toEqual(['Psittacus erithacus']);
    expect(consoleErrors).toEqual([]);
  }, 180_000);

  it('the environmental agency asks for information, the trader answers with a document, the agency issues', async () => {
    const row = () => page.locator('tbody tr', { hasText: 'CITES import permit' });
    await signInAs('ecologist');
    await row()
      .getByRole('button', { name: /^Details of / })
      .click();
    const detail = page.getByRole('region', { name: /application/ });
    const ask = detail.getByRole('form', { name: 'Request information' });
    await ask
      .getByLabel('Message to the applicant')
      .fill('Send the captive-breeding certificate of the parrots.');
    await ask.getByRole('button', { name: 'Request information' }).click();
    await expect.poll(() => detail.locator('h2').textContent()).toMatch(/information requested/);

    await signInAs('trader');
    await row()
      .getByRole('button', { name: /^Details of / })
      .click();
    const answer = page.getByRole('form', { name: 'Answer the request for information' });
    await expect
      .poll(() => answer.locator('blockquote').textContent())
      .toBe('Send the captive-breeding certificate of the parrots.');
    // An empty answer is told by its field; the answer then goes with its document.
    await answer.getByRole('button', { name: 'Send the answer' }).click();
    await expect.poll(() => answer.locator('.field-error').textContent()).toBe('Write your answer');
    await answer.getByLabel('Your answer').fill('The certificate of the breeder is attached.');
    const pdf = Buffer.from('%PDF-1.4 captive breeding certificate');
    await answer.getByLabel('Documents', { exact: true }).setInputFiles({
      name: 'breeding-certificate.pdf',
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    await expect
      .poll(() => answer.getByRole('list', { name: 'Documents chosen' }).textContent())
      .toMatch(/breeding-certificate\.pdf/);
    await shoot('permit-respond');
    expect(await audit('permit-respond')).toEqual([]);
    await answer.getByRole('button', { name: 'Send the answer' }).click();
    const detail2 = page.getByRole('region', { name: /application/ });
    await expect.poll(() => detail2.locator('h2').textContent()).toMatch(/under review/);
    expect(await detail2.getByLabel('Permit', { exact: true }).textContent()).toMatch(
      /Documentsbreeding-certificate\.pdf \(37 bytes\)/,
    );
    const [stored] = (await t.db.read.permits.list({ type: 'cites-import' })).filter(
      (p) => p.counterpart.name === 'Douala Bird Exporters',
    );
    expect(stored!.attachments).toContainEqual({
      name: 'breeding-certificate.pdf',
      mediaType: 'application/pdf',
      size: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    });

    await signInAs('ecologist');
    await row()
      .getByRole('button', { name: /^Issue / })
      .click();
    await expect.poll(() => row().textContent()).toMatch(/BY-ENV-CTI-\d{4}-\d{6}.*issued/);
    await shoot('permit-issued');
    expect(await audit('permit-issued')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});

/** The particulars stored for the text fields a sample fills, by their keys. */
function detailsOf(type: string, texts: Record<string, string> = {}): Record<string, string> {
  const fields = PERMIT_TYPE_DESCRIPTIONS[type as keyof typeof PERMIT_TYPE_DESCRIPTIONS].details;
  const byLabel = new Map(fields.map((f) => [f.label, f.key]));
  return Object.fromEntries(Object.entries(texts).map(([label, v]) => [byLabel.get(label)!, v]));
}
