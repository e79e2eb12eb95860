import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyMarkdown } from '../core/auth/policy-table.js';

describe('docs/access-policy.md', () => {
  it('is generated from the policy (npm run docs:policy)', () => {
    const doc = readFileSync(new URL('../../docs/access-policy.md', import.meta.url), 'utf8');
    const cells = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('|') && !l.startsWith('| --'))
        .map((l) =>
          l
            .split('|')
            .map((c) => c.trim())
            .join('|'),
        );
    expect(cells(doc)).toEqual(cells(policyMarkdown()));
  });
});
