import { writeFileSync } from 'node:fs';
import { policyMarkdown } from '../src/core/auth/policy-table.js';

writeFileSync(new URL('../docs/access-policy.md', import.meta.url), policyMarkdown());
