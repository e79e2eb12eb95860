import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../test-support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOfUser } from '../app/authenticate.js';
import { DEMO_PASSWORD, seedDemo } from '../app/bootstrap.js';
import type { AppContext } from '../app/context.js';
import { holdDeclaration } from '../app/controls.js';
import { registerPartner } from '../app/exchange-directory.js';
import { LedgerAppender, signCheckpointIfDue } from '../app/ledger.js';
import { OutboxDispatcher } from '../app/outbox-dispatcher.js';
import { submitDeclaration } from '../app/submit-declaration.js';
import { startExchangeNode, type ExchangeNode } from '../cli/exchange-node.js';
import { checkBundle } from '../core/ledger/bundle.js';
import { cosign } from '../core/ledger/cosignature.js';
import { parseNote, verifierKey } from '../core/ledger/note.js';
import { openKeyring } from '../exchange/keyring.js';
import { sampleDeclaration, testContext } from '../test-support/app.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { buildHttpApp } from './app.js';

const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const available = chromiumAvailable('ledger browser tests');

const NODE = 'BY/GTK';
const WITNESS = 'KZ/KGD';

/** The serious or critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the console's CSP (no inline script) stays on.
  if (!(await page.evaluate(() => 'axe' in globalThis)))
    await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async (tags) => {
    // In the page: axe-core's global, and the document it audits (no DOM types here).
    const { axe, document } = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<unknown> };
      document: unknown;
    };
    const r = (await axe.run(document, { runOnly: { type: 'tag', values: tags } })) as {
      violations: Array<{ id: string; impact?: string | null; help: string }>;
    };
    return r.violations;
  }, WCAG);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help}`);
}

/**
 * The ledger in the console, in real headless Chromium: the node appends every event and signs
 * checkpoints (driven here, not on a timer), a partner administration cosigns as a witness.
 */
describe.runIf(available)('the ledger in the console (Chromium)', () => {
  let t: TestDatabase;
  let ctx: AppContext;
  let node: ExchangeNode;
  let app: FastifyInstance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base = '';
  let keyDir = '';
  let dispatcher: OutboxDispatcher;
  let declarationId = '';
  let traderDeclarationId = '';
  const consoleErrors: string[] = [];
  /** Tokens signed out: a request a page sent just before may be refused with them (not an error). */
  const signedOut = new Set<string>();
  const refusedAfterSignOut = new Set<string>();

  beforeAll(async () => {
    if (!existsSync(`${WEB_ROOT}/index.html`)) {
      throw new Error(`the console is not built (${WEB_ROOT}): run npm run build`);
    }
    mkdirSync(SHOTS, { recursive: true });
    t = await freshDatabase('sqlite');
    ctx = testContext(t.db);
    await seedDemo(ctx);
    keyDir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-ledger-ui-'));
    // The node signs with its key; its timer is stopped so that the test says when.
    node = await startExchangeNode(ctx, {
      nodeId: NODE,
      keyPath: path.join(keyDir, 'node-key.json'),
      publicUrl: null,
      startSender: false,
    });
    await node.checkpoints.stop();
    const admin = await principalOfUser(ctx, 'admin');
    const officer = await principalOfUser(ctx, 'officer');
    const trader = await principalOfUser(ctx, 'trader');

    // A partner administration, the witness: its key is in the directory.
    const witness = await openKeyring(path.join(keyDir, 'witness-key.json'), {
      now: new Date(),
      create: true,
      nodeId: WITNESS,
    });
    await registerPartner(ctx, admin, {
      id: WITNESS,
      name: 'State Revenue Committee of Kazakhstan (test)',
      httpEndpoint: 'http://127.0.0.1:9',
      nats: false,
      keys: witness.publicKeys(),
    });

    const lodged = await submitDeclaration(ctx, officer, {
      sourceFormat: 'json',
      input: sampleDeclaration({ reference: 'LEDGER-1' }),
    });
    if (lodged.outcome !== 'created') throw new Error('not created');
    declarationId = lodged.declaration.id;
    const ecomet = { id: 'BY190000001', name: 'EcoMet Recycling LLC (demo)', country: 'BY' };
    const own = await submitDeclaration(ctx, trader, {
      sourceFormat: 'json',
      input: sampleDeclaration({
        reference: 'TRADER-LEDGER-1',
        declarant: ecomet,
        consignee: ecomet,
      }),
    });
    if (own.outcome !== 'created') throw new Error('not created');
    traderDeclarationId = own.declaration.id;

    // Every event so far a leaf, a checkpoint signed over them, the witness's cosignature on it.
    dispatcher = new OutboxDispatcher(ctx.storage, ctx.clock, [
      new LedgerAppender(ctx.storage, ctx.clock),
    ]);
    await dispatcher.drain();
    const signed = await signCheckpointIfDue(ctx, { force: true });
    if (!signed.signed) throw new Error('no checkpoint signed');
    const time = Math.floor(Date.now() / 1000);
    const line = await cosign(parseNote(signed.checkpoint.note).text, time, {
      name: WITNESS,
      ...witness.rawSigner(new Date()),
    });
    await ctx.storage.write((tx) =>
      tx.ledger.insertCosignature({
        size: signed.checkpoint.size,
        witness: WITNESS,
        line,
        time,
        receivedAt: new Date().toISOString(),
      }),
    );
    // A partner's checkpoint this node refused as its witness.
    await ctx.storage.write((tx) =>
      tx.ledger.insertWitnessed({
        logNode: WITNESS,
        origin: `greenlane.ledger/${WITNESS}`,
        size: 40,
        root: new Uint8Array(32).fill(9),
        note: 'not shown',
        seenAt: new Date().toISOString(),
        cosignedAt: null,
        cosignature: null,
        conflict: 'another root for 40 entries than the one cosigned before (split view)',
      }),
    );
    // After the checkpoint: one event in the ledger, waiting for the next checkpoint.
    await holdDeclaration(ctx, officer, declarationId, 'Documents to check');
    await dispatcher.drain();

    app = await buildHttpApp({
      ctx,
      bodyLimitBytes: 1024 * 1024,
      signInLimit: { max: 50, windowMs: 60_000 },
      webRoot: WEB_ROOT,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      acceptDownloads: true,
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/auth/logout') {
        const token = r.headers().authorization;
        if (token) signedOut.add(token);
      }
    });
    page.on('response', (r) => {
      const token = r.request().headers().authorization;
      if (r.status() === 401 && (token === undefined || signedOut.has(token)))
        refusedAfterSignOut.add(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await node?.close();
    await t?.drop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
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

  const entries = (n: number) => `${new Intl.NumberFormat('en-US').format(n)} entries`;

  it('shows the administrator the log, the checkpoint and its witness, and verifies it on demand', async () => {
    await signInAs('admin');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('heading', { name: 'Ledger', level: 1 }).waitFor();
    const read = ctx.storage.read;
    const { size } = await read.ledger.state();
    const checkpoint = (await read.ledger.latestCheckpoint())!;
    expect(size).toBe(checkpoint.size + 1); // the hold, after the checkpoint
    const log = page.getByRole('region', { name: 'The log' }).locator('dl');
    await expect.poll(() => log.textContent()).toContain(`Size${entries(size)}`);
    expect(await log.textContent()).toContain(`Log namegreenlane.ledger/${NODE}`);

    const facts = await page
      .getByRole('region', { name: 'Latest checkpoint' })
      .locator('dl')
      .textContent();
    expect(facts).toContain(`Covers${entries(checkpoint.size)}`);
    expect(facts).toContain(Buffer.from(checkpoint.root).toString('base64'));
    // The signed note as partners see it: the node's signature and the witness's cosignature.
    const note = await page.getByLabel('Signed checkpoint text').textContent();
    expect(note).toContain(`greenlane.ledger/${NODE}\n${checkpoint.size}\n`);
    expect(note).toMatch(new RegExp(`— ${WITNESS} `));
    await page.getByRole('button', { name: 'Copy checkpoint' }).click();
    await expect.poll(() => page.getByText('Copied.').count()).toBe(1);
    // In the page: the clipboard it wrote to (no DOM types here).
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(copied).toBe(note);

    const witnesses = page.getByRole('table', { name: 'Witnesses' });
    expect(await witnesses.locator('tbody tr').count()).toBe(1);
    expect(await witnesses.locator('tbody tr').textContent()).toContain(WITNESS);
    const conflicts = page.getByRole('table', { name: 'Conflicts' });
    expect(await conflicts.locator('tbody tr').textContent()).toMatch(
      new RegExp(`${WITNESS}40 entries.*split view`),
    );
    const verification = page.locator('section[aria-labelledby="ledger-verification"]');
    expect(await verification.textContent()).toContain('The ledger has not been verified yet.');
    await page.screenshot({ path: `${SHOTS}/ledger.png`, fullPage: true });

    await page.getByRole('button', { name: 'Verify now' }).click();
    const said = page.locator('p.verdict.verified');
    await expect
      .poll(() => said.textContent())
      .toMatch(
        new RegExp(
          `Verified just now: ${entries(size)}, 1 checkpoint and 1 cosignature checked; nothing was changed`,
        ),
      );
    const last = page.getByRole('region', { name: 'Last verification' }).locator('dl');
    await expect
      .poll(() => last.textContent())
      .toMatch(/ByadminResultVerified: nothing was changed/);
    expect(await last.textContent()).toContain(`Checked${entries(size)} and 1 checkpoint`);
    await expect(read.ledger.lastVerification()).resolves.toMatchObject({ ok: true, by: 'admin' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/ledger-verified.png`, fullPage: true });
  });

  it('fits a phone: nothing scrolls the page sideways, a wide table scrolls in its own box', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      await page.getByRole('heading', { name: 'Latest checkpoint' }).waitFor();
      // In the page: the document's width against the screen's (no DOM types here).
      const widths = await page.evaluate(() => {
        const { document, innerWidth } = globalThis as unknown as {
          document: { documentElement: { scrollWidth: number } };
          innerWidth: number;
        };
        return { page: document.documentElement.scrollWidth, screen: innerWidth };
      });
      expect(widths.page).toBeLessThanOrEqual(widths.screen);
      const box = await page.getByRole('table', { name: 'Conflicts' }).evaluate((table) => {
        const wrapper = (table as unknown as { parentElement: { className: string } })
          .parentElement;
        return wrapper.className;
      });
      expect(box).toBe('table-scroll');
      await page.screenshot({ path: `${SHOTS}/ledger-phone.png`, fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1366, height: 768 });
    }
  });

  it('shows an officer the proof of a declaration, and the proof downloaded checks offline', async () => {
    await signInAs('officer');
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).toContain('Ledger');
    await page.goto(`${base}/#/declarations/${declarationId}`);
    const section = page.locator('section[aria-labelledby="ledger-proof-declaration"]');
    await section.getByRole('heading', { name: 'Ledger proof' }).waitFor();
    const rows = section.locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const checkpoint = (await ctx.storage.read.ledger.latestCheckpoint())!;
    const lodgedRow = rows.filter({ hasText: 'Lodged' });
    expect(await lodgedRow.textContent()).toMatch(
      new RegExp(`In checkpoint of ${entries(checkpoint.size)}, signed .*, cosigned by 1 witness`),
    );
    // The hold came after the checkpoint: in the ledger, no proof yet.
    const heldRow = rows.filter({ hasText: 'Held' });
    expect(await heldRow.textContent()).toContain('Waiting for the next checkpoint');
    expect(await heldRow.getByRole('button').count()).toBe(0);
    expect(await section.textContent()).toContain('greenlane ledger verify-proof FILE');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      lodgedRow.getByRole('button', { name: /^Download proof/ }).click(),
    ]);
    const lodgedEvent = (await ctx.storage.read.audit.listFor('declaration', declarationId)).find(
      (e) => e.action === 'declaration.submitted',
    )!;
    expect(download.suggestedFilename()).toBe(`ledger-proof-${lodgedEvent.seq}.json`);
    const file = path.join(keyDir, download.suggestedFilename());
    await download.saveAs(file);
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    // Checked with the node's own key, pinned (not the keys the bundle names).
    const pinned = ctx.ledger!.keys.publicKeys().map((k) => verifierKey(ctx.ledger!.origin, k));
    expect(checkBundle(bundle, pinned)).toMatchObject({ valid: true, cosignedBy: [WITNESS] });
    expect(bundle).toMatchObject({
      event: { kind: 'declaration.submitted', subjectId: declarationId },
      treeSize: checkpoint.size,
    });
    await expect.poll(() => section.getByRole('status').textContent()).toContain('Saved as');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/ledger-proof-declaration.png`, fullPage: true });
  });

  it('shows the proof on the permit and the indicator details too', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Permits' })
      .click();
    await page.getByRole('heading', { name: 'Permits' }).waitFor();
    await page
      .getByRole('button', { name: /^Details of / })
      .first()
      .click();
    const permit = page.locator('section[aria-labelledby="ledger-proof-permit"]');
    await permit.getByRole('heading', { name: 'Ledger proof' }).waitFor();
    await expect.poll(() => permit.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await permit.locator('tbody').textContent()).toMatch(/Applied for.*In checkpoint of/);

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Indicators' })
      .click();
    await page.getByRole('heading', { name: 'Indicators' }).waitFor();
    await page
      .getByRole('button', { name: /^Details of / })
      .first()
      .click();
    const indicator = page.locator('section[aria-labelledby="ledger-proof-indicator"]');
    await indicator.getByRole('heading', { name: 'Ledger proof' }).waitFor();
    await expect.poll(() => indicator.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await indicator.locator('tbody').textContent()).toMatch(/Created.*Approved/);
    await page.screenshot({ path: `${SHOTS}/ledger-proof-indicator.png`, fullPage: true });
  });

  it('shows a trader neither the ledger nor any proof', async () => {
    await signInAs('trader');
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).not.toContain(
      'Ledger',
    );
    await page.goto(`${base}/#/declarations/${traderDeclarationId}`);
    await page.getByRole('heading', { name: /declaration TRADER-LEDGER-1/i }).waitFor();
    await page.getByRole('heading', { name: 'Where it stands' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Ledger proof' }).count()).toBe(0);
    await page.goto(`${base}/#/ledger`);
    await page.getByText('This page is not available to your roles.').waitFor();
  });

  it('logged no console errors', () => {
    const unexpected = consoleErrors.filter(
      (e) => ![...refusedAfterSignOut].some((url) => e.includes(url)) || !/status of 401/.test(e),
    );
    expect(unexpected).toEqual([]);
  });
});
