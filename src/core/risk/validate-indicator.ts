import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Checked, FieldIssue } from '../errors.js';
import { schemaIssues } from '../schema-issues.js';
import { compileCondition, ConditionError } from './compile-condition.js';
import { costRefusal } from './condition-cost.js';
import { CONTROL_FORMS, PRIORITY_AREAS, SHARING_LEVELS, type ReferenceList } from './indicator.js';

/** What an author sends to create an indicator or a new version of it. */
export const IndicatorInputSchema = Type.Object(
  {
    title: Type.String({ minLength: 3, maxLength: 200 }),
    priorityArea: Type.Enum(PRIORITY_AREAS),
    condition: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'CEL over declaration, item and trader; see GET /api/indicators/context',
    }),
    weight: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1000, description: 'Score added on a hit' }),
    ),
    directChannel: Type.Optional(Type.Union([Type.Enum(['yellow', 'red']), Type.Null()])),
    controlForm: Type.Enum(CONTROL_FORMS),
    rationale: Type.String({ minLength: 3, maxLength: 2000 }),
    validFrom: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    validTo: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    coAuthorAgencies: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 35 }), {
        maxItems: 10,
        uniqueItems: true,
        description:
          'Agencies (id or code) that author the indicator with the owner; each must approve a version before it is active',
      }),
    ),
    sharing: Type.Optional(
      Type.Enum(SHARING_LEVELS, {
        description:
          'national (confidential, never leaves this node) or shareable with partner administrations; default national',
      }),
    ),
    expectedDocuments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Type.String({
              minLength: 1,
              maxLength: 35,
              description: 'Document type code, or the permit or licence type',
            }),
            title: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20, description: 'Documents a compliant declaration carries' },
      ),
    ),
    sources: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
        maxItems: 20,
        description: 'Conventions, regulations and guidance the indicator rests on',
      }),
    ),
  },
  { additionalProperties: false },
);
export type IndicatorInput = Static<typeof IndicatorInputSchema>;

const structure = Compile(IndicatorInputSchema);

/**
 * Checks an indicator, compiling its condition against the reference lists in force; a condition
 * too large or too costly to evaluate (condition-cost.ts) is refused.
 */
export function validateIndicator(
  input: unknown,
  lists: ReadonlyMap<string, ReferenceList>,
): Checked<IndicatorInput> {
  if (!structure.Check(input)) {
    return { ok: false, issues: schemaIssues(structure, input, 'an indicator object') };
  }
  const issues: FieldIssue[] = [];
  try {
    const refusal = costRefusal(compileCondition(input.condition, lists).cost);
    if (refusal) issues.push({ path: '/condition', reason: refusal });
  } catch (e) {
    if (!(e instanceof ConditionError)) throw e;
    const at = e.position === undefined ? '' : ` (at position ${e.position})`;
    issues.push({ path: '/condition', reason: `${e.message}${at}` });
  }
  if ((input.directChannel ?? null) === null && input.weight === undefined) {
    issues.push({ path: '/weight', reason: 'required unless a direct channel is set' });
  }
  if (input.validFrom && input.validTo && input.validFrom >= input.validTo) {
    issues.push({ path: '/validTo', reason: 'must be after validFrom' });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: input };
}
