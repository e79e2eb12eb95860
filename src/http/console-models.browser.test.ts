import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../test-support/browser.js';
import { consoleSession } from '../test-support/console-session.js';

const available = chromiumAvailable('risk model browser tests');

/**
 * The learned risk model in the console: the analyst trains a version on the demo's controls,
 * reads its card and submits it, and may not approve it; the second analyst approves it and it
 * screens; a manager reads the card but trains and decides nothing; an officer has no page.
 */
describe.runIf(available)('the risk model in the console, in Chromium', () => {
  const session = consoleSession('models');
  const { signInAs, check, contains, mainNav, consoleErrors, expectRefusal } = session;
  let page: Page;
  beforeAll(() => {
    page = session.page;
  });

  it(
    'the analyst trains and submits a version, the second analyst approves it',
    { timeout: 120_000 },
    async () => {
      await signInAs('analyst');
      await mainNav().getByRole('link', { name: 'Risk model' }).click();
      expect(new URL(page.url()).hash).toBe('#/models');
      await contains(page.locator('.models'), 'No model has been trained yet.');

      const form = page.getByRole('form', { name: 'Train a model' });
      await form.getByRole('button', { name: 'Train' }).click();
      await contains(form.getByRole('status'), /Version 1 trained/);
      const detail = page.getByRole('region', { name: 'Version 1' });
      await contains(detail.getByLabel('Model version'), 'draft');
      await contains(detail.getByLabel('Model version'), /controls lodged/);
      const figures = detail.getByRole('table', { name: 'Figures of the held-back period' });
      await contains(figures, 'All controls (biased: chosen by the rules)');
      const features = detail.getByRole('table', { name: 'Features by importance' });
      expect(await features.locator('tbody tr').count()).toBeGreaterThan(3);
      await contains(
        detail.getByRole('table', { name: 'Drift of the features' }),
        /stable|moderate|significant/,
      );
      await check('analyst-card');

      // Submitted, then refused to the one who trained it: four eyes.
      const steps = detail.getByRole('form', { name: 'Decide on the version' });
      await steps.getByRole('button', { name: 'Submit for approval' }).click();
      await page
        .getByRole('dialog', { name: 'Submit the version?' })
        .getByRole('button', { name: 'Submit for approval' })
        .click();
      await contains(steps.getByRole('status'), 'awaiting approval');
      expectRefusal(/403/);
      await steps.getByRole('button', { name: 'Approve and activate' }).click();
      await page
        .getByRole('dialog', { name: /Screen every new declaration/ })
        .getByRole('button', { name: 'Approve and activate' })
        .click();
      await contains(page.getByRole('alert'), /four eyes/);
      // Rejecting needs a reason, named by field before anything is sent.
      await steps.getByRole('button', { name: 'Reject' }).click();
      await contains(steps.locator('.field.invalid').first(), 'say why');
      expect(await page.getByRole('dialog').count()).toBe(0);

      await signInAs('analyst2');
      await mainNav().getByRole('link', { name: 'Risk model' }).click();
      await page
        .getByRole('table', { name: 'Model versions' })
        .getByRole('row', { name: /^Version 1/ })
        .click();
      const again = page.getByRole('region', { name: 'Version 1' });
      const decide = again.getByRole('form', { name: 'Decide on the version' });
      await decide.getByRole('button', { name: 'Approve and activate' }).click();
      await page
        .getByRole('dialog', { name: /Screen every new declaration/ })
        .getByRole('button', { name: 'Approve and activate' })
        .click();
      await contains(decide.getByRole('status'), 'active: screening with it');
      await contains(again.getByLabel('Model version'), /Decided/);
      await contains(
        page.getByRole('table', { name: 'Model versions' }),
        'active: screening with it',
      );
      await check('second-analyst-active');
      expect(consoleErrors).toEqual([]);
    },
  );

  it('a manager reads the card but trains and decides nothing; an officer has no page', async () => {
    await signInAs('manager');
    await mainNav().getByRole('link', { name: 'Risk model' }).click();
    await page
      .getByRole('table', { name: 'Model versions' })
      .getByRole('row', { name: /^Version 1/ })
      .click();
    await contains(
      page.getByRole('region', { name: 'Version 1' }),
      'How it did on the held-back period',
    );
    expect(await page.getByRole('form', { name: 'Train a model' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Decide on the version' }).count()).toBe(0);
    await signInAs('officer');
    expect(await mainNav().getByRole('link', { name: 'Risk model' }).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
