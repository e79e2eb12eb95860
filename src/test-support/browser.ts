import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the browser tests never download one. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * True when Chromium is installed. In CI its absence fails the run (`.ci/run` installs it);
 * elsewhere the suite named `what` is skipped with a warning.
 */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  process.stderr.write(
    `\n  ⚠ ${what} SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)\n\n`,
  );
  return false;
}

/** Debian's Chromium, headless, with the flags the browser tests run it with. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
