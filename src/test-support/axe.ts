import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** The WCAG 2.0 and 2.1 levels A and AA: what the console is audited against. */
export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** What axe-core reports of one rule on one page. */
interface AxeResult {
  id: string;
  impact?: string | null;
  tags: string[];
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

export interface AxeFindings {
  /** Serious or critical WCAG A/AA violations, one line each: these fail an audit. */
  serious: string[];
  /** Everything else axe noticed (moderate, minor, best practices), one line each. */
  notes: string[];
  /** The rules that passed (an audit that checked no contrast looked at nothing). */
  passed: string[];
}

/** Runs axe-core on the page as it is now (WCAG A/AA and axe's best practices). */
export async function axeAudit(page: Page, name: string): Promise<AxeFindings> {
  // Evaluated through the DevTools protocol: the console's CSP (no inline script) stays on.
  if (!(await page.evaluate(() => 'axe' in globalThis)))
    await page.evaluate(readFileSync(AXE, 'utf8'));
  const { violations, passes } = await page.evaluate(async (tags) => {
    const { axe, document } = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<unknown> };
      document: unknown;
    };
    return (await axe.run(document, {
      runOnly: { type: 'tag', values: [...tags, 'best-practice'] },
    })) as { violations: AxeResult[]; passes: AxeResult[] };
  }, WCAG);
  const findings: AxeFindings = { serious: [], notes: [], passed: passes.map((p) => p.id) };
  for (const v of violations) {
    const targets = v.nodes
      .slice(0, 4)
      .map((n) => n.target.join(' '))
      .join(' | ');
    const line = `${name}: ${v.id} (${v.impact}, ${v.nodes.length}×) ${v.help} — ${targets}`;
    const wcag = v.tags.some((t) => WCAG.includes(t));
    if (wcag && (v.impact === 'serious' || v.impact === 'critical')) findings.serious.push(line);
    else findings.notes.push(line);
  }
  return findings;
}

/**
 * The serious or critical WCAG A/AA violations on the page as it is now (what fails an audit),
 * the other findings printed. Throws when the audit checked no contrast: it looked at nothing.
 */
export async function axeSerious(page: Page, name: string): Promise<string[]> {
  const findings = await axeAudit(page, name);
  if (!findings.passed.includes('color-contrast'))
    throw new Error(`${name}: the accessibility audit checked no contrast`);
  for (const note of findings.notes) console.log(`axe note: ${note}`);
  return findings.serious;
}
