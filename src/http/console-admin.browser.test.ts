import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import { axeSerious } from '../test-support/axe.js';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { testContext } from '../test-support/app.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
const available = chromiumAvailable('administration browser tests');

/**
 * The administrator's whole job in real Chromium: sign in, create a user (an error next to its
 * field first), give roles, issue an API token (its secret shown once) and revoke it (refused
 * after, checked with fetch), end a session (refused after), disable the user (sign-in refused);
 * each section audited with axe and photographed at 1366 and 390 px, with no sideways scroll.
 */
describe.runIf(available)('the administration page in Chromium', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base = '';
  const consoleErrors: string[] = [];
  let expectedRefusal: RegExp | null = null;
  const found: string[] = [];

  const api = (path: string, token?: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Selects the first option whose text contains `text`. */
  async function chooseOption(select: Locator, text: string) {
    const value = await select.locator('option', { hasText: text }).first().getAttribute('value');
    expect(value, `no option with ${text}`).not.toBeNull();
    await select.selectOption(value ?? '');
  }

  /** Audit and photograph the page at both widths; at 390 px nothing scrolls sideways. */
  async function check(name: string) {
    found.push(...(await axeSerious(page, `admin-${name}`)));
    await page.screenshot({ path: `${SHOTS}/admin-${name}-1366.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(
        () =>
          page.evaluate(
            () =>
              (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
                .document.documentElement.scrollWidth,
          ),
        {
          message: `${name} scrolls sideways at 390 px`,
        },
      )
      .toBeLessThanOrEqual(390);
    found.push(...(await axeSerious(page, `admin-${name}-390`)));
    await page.screenshot({ path: `${SHOTS}/admin-${name}-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
  }

  beforeAll(async () => {
    if (!existsSync(`${WEB_ROOT}/index.html`))
      throw new Error(`the console is not built (${WEB_ROOT}): run npm run build`);
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
    context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
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

  it('signs in as the administrator and lists agencies and users', async () => {
    await page.goto(base);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
    const users = page.getByRole('table', { name: 'Users' });
    await expect.poll(() => users.locator('tbody tr').count()).toBeGreaterThanOrEqual(8);
    expect(await users.locator('tr', { hasText: 'Demo Administrator' }).textContent()).toMatch(
      /admin \(you\).*Administrator/,
    );
    // The roles are the server's words, never its codes.
    expect(await users.textContent()).not.toMatch(/border_officer|risk_analyst/);
    await check('users');
    await page.getByRole('link', { name: 'Agencies' }).click();
    const agencies = page.getByRole('table', { name: 'Agencies' });
    await expect.poll(() => agencies.locator('tbody tr').count()).toBe(4);
    expect(await agencies.textContent()).toMatch(/Trading company/);
    await check('agencies');
  });

  it('creates a user, an error shown next to its field first, and gives it roles', async () => {
    await page.getByRole('link', { name: 'Users and roles' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await chooseOption(form.getByLabel('Agency'), '(Customs)');
    await form.getByLabel('Username').fill('Anna Petrova');
    await form.getByLabel('Full name').fill('Anna Petrova (border officer)');
    await form.getByLabel('Border officer').check();
    await form.getByLabel('Initial password').fill('anna-initial-pass');
    expectedRefusal = /status of 400/;
    await form.getByRole('button', { name: 'Create user' }).click();
    const usernameField = form.locator('.field', { has: page.getByLabel('Username') });
    await expect
      .poll(() => usernameField.locator('.field-error').textContent())
      .toMatch(/lower-case letters/);
    await check('user-error');
    await form.getByLabel('Username').fill('anna.petrova');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/was created/);
    // The stale error is gone.
    expect(await form.locator('.field-error').count()).toBe(0);
    const row = page
      .getByRole('table', { name: 'Users' })
      .locator('tr', { hasText: 'anna.petrova' });
    await expect.poll(() => row.textContent()).toMatch(/Border officer/);

    await page.getByRole('button', { name: 'Change roles of anna.petrova' }).click();
    const roles = page.getByRole('form', { name: 'Roles of anna.petrova' });
    // Only roles a customs agency allows are offered (the declarant role is not).
    expect(await roles.getByLabel('Trader (declarant)').count()).toBe(0);
    await roles.getByLabel('Manager').check();
    await check('roles');
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await expect.poll(() => row.textContent()).toMatch(/Border officer, Manager/);
    const anna = await api('/api/auth/login', undefined, {
      username: 'anna.petrova',
      password: 'anna-initial-pass',
    });
    expect(anna.status).toBe(200);
    const me = await api('/api/me', ((await anna.json()) as { token: string }).token);
    expect(((await me.json()) as { roles: string[] }).roles).toEqual(['border_officer', 'manager']);
  });

  it('issues an API token shown once with a copy button, revokes it: refused after', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    const form = page.getByRole('form', { name: 'Issue an API token' });
    await chooseOption(form.getByLabel('For user'), 'anna.petrova');
    await form.getByLabel('What the token is for').fill('scanner at gate 3');
    await form.getByRole('button', { name: 'Issue token' }).click();
    const secret = page.getByRole('region', { name: 'New API token' });
    await secret.waitFor();
    const token = (await secret.locator('code').textContent())!.trim();
    expect(token).toMatch(/^gl/);
    await secret.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => secret.getByRole('status').textContent()).toMatch(/Copied/);
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      ),
    ).toBe(token);
    expect((await api('/api/me', token)).status).toBe(200);
    const table = page.getByRole('table', { name: 'API tokens' });
    const row = table.locator('tr', { hasText: 'scanner at gate 3' });
    await expect.poll(() => row.textContent()).toMatch(/active/);
    // The list never shows a secret.
    expect(await table.textContent()).not.toContain(token);
    await check('token-issued');

    await page.getByRole('button', { name: 'Revoke scanner at gate 3' }).click();
    const dialog = page.getByRole('dialog', { name: /Revoke the token/ });
    await dialog.waitFor();
    found.push(...(await axeSerious(page, 'admin-revoke-dialog')));
    await page.screenshot({ path: `${SHOTS}/admin-revoke-dialog-1366.png` });
    await dialog.getByRole('button', { name: 'Revoke the token' }).click();
    await expect.poll(() => row.textContent()).toMatch(/revoked/);
    expect((await api('/api/me', token)).status).toBe(401);
    // A fresh visit no longer shows the secret anywhere.
    await page.reload();
    await page.getByRole('table', { name: 'API tokens' }).waitFor();
    expect(await page.content()).not.toContain(token);
    await check('tokens');
  });

  it('ends a session of the new user: refused after', async () => {
    const login = await api('/api/auth/login', undefined, {
      username: 'anna.petrova',
      password: 'anna-initial-pass',
    });
    const session = ((await login.json()) as { token: string }).token;
    expect((await api('/api/me', session)).status).toBe(200);
    await page.getByRole('link', { name: 'Sessions' }).click();
    const table = page.getByRole('table', { name: 'Open sessions' });
    const annas = table.locator('tr', { hasText: 'anna.petrova' });
    await expect.poll(() => annas.count()).toBe(2);
    expect(await table.locator('tr', { hasText: '(this session)' }).textContent()).toMatch(/admin/);
    await check('sessions');
    // The newest first: the session just opened.
    await annas
      .first()
      .getByRole('button', { name: /^End session of anna\.petrova/ })
      .click();
    await expect.poll(() => annas.count()).toBe(1);
    expect((await api('/api/me', session)).status).toBe(401);
  });

  it('disables the user after confirmation: its remaining session and sign-in are refused', async () => {
    const login = await api('/api/auth/login', undefined, {
      username: 'anna.petrova',
      password: 'anna-initial-pass',
    });
    const session = ((await login.json()) as { token: string }).token;
    await page.getByRole('link', { name: 'Users and roles' }).click();
    await page.getByRole('button', { name: 'Disable anna.petrova' }).click();
    const dialog = page.getByRole('dialog', { name: /Disable Anna Petrova/ });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/sessions end and their API tokens are revoked/);
    // Cancel first: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await api('/api/me', session)).status).toBe(200);
    await page.getByRole('button', { name: 'Disable anna.petrova' }).click();
    await dialog.getByRole('button', { name: 'Disable the user' }).click();
    const row = page
      .getByRole('table', { name: 'Users' })
      .locator('tr', { hasText: 'anna.petrova' });
    await expect.poll(() => row.textContent()).toMatch(/disabled/);
    expect((await api('/api/me', session)).status).toBe(401);
    const again = await api('/api/auth/login', undefined, {
      username: 'anna.petrova',
      password: 'anna-initial-pass',
    });
    expect(again.status).toBe(401);
    // The administrator cannot disable itself: the page offers no such button.
    expect(await page.getByRole('button', { name: 'Disable admin' }).count()).toBe(0);
    await check('user-disabled');
  });

  it('found no serious accessibility violation and logged no error in the browser', () => {
    expect(found, found.join('\n')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
