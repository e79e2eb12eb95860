import type { Validator } from 'typebox/compile';
import type { FieldIssue } from './errors.js';

/**
 * A TypeBox validator's errors as field issues: one per unknown field, missing field or bad value,
 * named by JSON pointer, each reported once. `what` names the thing when nothing more precise is known.
 */
export function schemaIssues(
  validator: Pick<Validator, 'Errors'>,
  input: unknown,
  what: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const push = (path: string, reason: string) => {
    const key = `${path}\u0000${reason}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ path, reason });
  };
  for (const e of validator.Errors(input)) {
    if (e.keyword === 'boolean') continue; // reported again as additionalProperties
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const name of extra) push(`${e.instancePath}/${escapePointer(name)}`, 'unknown field');
    } else if (e.keyword === 'required') {
      const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      for (const name of missing) push(`${e.instancePath}/${escapePointer(name)}`, 'required');
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      push(e.instancePath || '/', `must be one of: ${allowed.join(', ')}`);
    } else {
      push(e.instancePath || '/', e.message);
    }
  }
  if (issues.length === 0) issues.push({ path: '/', reason: `not ${what}` });
  return issues;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}
