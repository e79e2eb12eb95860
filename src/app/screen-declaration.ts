import { assertAllowed } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import type { DeclarationContent } from '../core/declaration/declaration.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { Assessment } from '../core/risk/assess.js';
import type { AppContext } from './context.js';
import { screen } from './risk.js';

/** What-if screening: validates and screens a declaration with the current engine, stores nothing. */
export async function screenWithoutStoring(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
  options: { seed?: number; translateIssues?: (issues: FieldIssue[]) => FieldIssue[] } = {},
): Promise<{ declaration: DeclarationContent; assessment: Assessment }> {
  assertAllowed(principal, 'run', 'screening');
  const checked = validateDeclaration(input, ctx.clock.now().toISOString());
  if (!checked.ok) {
    const issues = options.translateIssues
      ? options.translateIssues(checked.issues)
      : checked.issues;
    throw new DomainError('invalid_input', 'the declaration is not valid', issues);
  }
  return {
    declaration: checked.value,
    assessment: await screen(
      ctx.risk,
      ctx.storage.read,
      checked.value,
      options.seed,
      undefined,
      principal.administrationId,
    ),
  };
}
