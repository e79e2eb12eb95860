import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { buildHttpApp } from '../http/app.js';
import { axeSerious } from './axe.js';
import { launchChromium } from './browser.js';
import { freshDatabase, type TestDatabase } from './databases.js';
import { testContext } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));

/** The console of a demo node in Chromium, as a browser test drives it. */
export interface ConsoleSession {
  readonly ctx: AppContext;
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly page: Page;
  /** Errors the page logged that no test expected. */
  readonly consoleErrors: string[];
  /** The next console error matching `pattern` is expected (a refusal the page shows). */
  expectRefusal: (pattern: RegExp) => void;
  /** Signs out whoever is signed in, then in as a demo user. */
  signInAs: (username: string) => Promise<void>;
  /** Audits the page (axe, serious WCAG A/AA) and checks it does not scroll sideways at 390 px. */
  check: (name: string) => Promise<void>;
  /** Waits until the element's text holds `wanted`. */
  contains: (locator: Locator, wanted: string | RegExp) => Promise<void>;
  mainNav: () => Locator;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Registers, in the calling `describe`, a demo node on SQLite serving the built console and a
 * Chromium page on it (1366 × 768, Minsk time, en-GB); screenshots go to test-results/ under
 * `prefix`. The session's members are usable from the first test on.
 */
export function consoleSession(prefix: string): ConsoleSession {
  let t: TestDatabase | undefined;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  let ctx: AppContext | undefined;
  let page: Page | undefined;
  let base = '';
  let expected: RegExp | null = null;
  const consoleErrors: string[] = [];
  const need = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('the console session is not started yet');
    return x;
  };

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
      if (expected?.test(m.text())) {
        expected = null;
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

  const session: ConsoleSession = {
    get ctx() {
      return need(ctx);
    },
    get base() {
      return base;
    },
    get page() {
      return need(page);
    },
    consoleErrors,
    expectRefusal: (pattern) => {
      expected = pattern;
    },
    signInAs: async (username) => {
      const p = need(page);
      if (await p.getByRole('button', { name: 'Sign out' }).isVisible())
        await p.getByRole('button', { name: 'Sign out' }).click();
      else await p.goto(base);
      await p.getByLabel('Username').fill(username);
      await p.getByLabel('Password').fill(DEMO_PASSWORD);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('button', { name: 'Sign out' }).waitFor();
    },
    check: async (name) => {
      const p = need(page);
      expect(await axeSerious(p, name)).toEqual([]);
      await p.screenshot({ path: `${SHOTS}/${prefix}-${name}-1366.png`, fullPage: true });
      await p.setViewportSize({ width: 390, height: 844 });
      try {
        await expect
          .poll(
            () =>
              p.evaluate(
                () =>
                  (
                    globalThis as unknown as {
                      document: { documentElement: { scrollWidth: number } };
                    }
                  ).document.documentElement.scrollWidth,
              ),
            { message: `${name} scrolls sideways at 390 px` },
          )
          .toBeLessThanOrEqual(390);
        await p.screenshot({ path: `${SHOTS}/${prefix}-${name}-390.png`, fullPage: true });
      } finally {
        await p.setViewportSize({ width: 1366, height: 768 });
      }
    },
    contains: (locator, wanted) =>
      expect
        .poll(async () => (await locator.first().textContent()) ?? '', { timeout: 10_000 })
        .toMatch(typeof wanted === 'string' ? new RegExp(escape(wanted)) : wanted),
    mainNav: () => need(page).getByRole('navigation', { name: 'Main' }),
  };
  return session;
}
