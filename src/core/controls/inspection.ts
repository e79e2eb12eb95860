import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Checked, FieldIssue } from '../errors.js';
import { CONTROL_FORMS, type ControlForm } from '../risk/indicator.js';
import { schemaIssues } from '../schema-issues.js';

/** Where a declaration stands between lodging and release. */
export const CONTROL_STATUSES = [
  'lodged',
  'awaiting-control',
  'under-control',
  'released',
  'held',
  'seized',
  'referred',
  // Invalidated at the declarant's request before release (WCO TypeCode INV).
  'cancelled',
] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

/** The status screening gives a declaration: yellow and red wait for control, green may go. */
export function screenedStatus(channel: 'green' | 'yellow' | 'red' | null): ControlStatus {
  return channel === 'yellow' || channel === 'red' ? 'awaiting-control' : 'lodged';
}

/** What a control can find. */
export const FINDING_KINDS = [
  'misdeclared-hs',
  'undervalued',
  'missing-permit',
  'prohibited-waste',
  'protected-species',
  'counterfeit',
  'other',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

const Seizure = Type.Object(
  {
    itemSequence: Type.Integer({ minimum: 1, maximum: 9999 }),
    quantity: Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }),
    unit: Type.String({ minLength: 1, maxLength: 10 }),
    species: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
    // Bounded: the metrics add these up, and a sum past 1.8e308 would read as null.
    estimatedValue: Type.Number({ minimum: 0, maximum: 1e12 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    storageLocation: Type.String({ minLength: 1, maxLength: 200 }),
    legalBasis: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const InspectionInputSchema = Type.Object(
  {
    controlForm: Type.Enum(CONTROL_FORMS),
    startedAt: Type.String({ format: 'date-time' }),
    endedAt: Type.String({ format: 'date-time' }),
    result: Type.Enum(['compliant', 'non-compliant']),
    findings: Type.Array(Type.Enum(FINDING_KINDS), { maxItems: 7, uniqueItems: true }),
    findingsText: Type.String({ maxLength: 4000 }),
    itemsAffected: Type.Array(Type.Integer({ minimum: 1, maximum: 9999 }), {
      maxItems: 999,
      uniqueItems: true,
    }),
    seizures: Type.Optional(Type.Array(Seizure, { maxItems: 999 })),
    corrects: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          'Id of an earlier inspection record of this declaration that this one corrects',
      }),
    ),
  },
  { additionalProperties: false },
);
export type InspectionInput = Static<typeof InspectionInputSchema>;

export interface InspectionRecord {
  id: string;
  declarationId: string;
  agencyId: string;
  officerId: string;
  controlForm: ControlForm;
  startedAt: string;
  endedAt: string;
  result: 'compliant' | 'non-compliant';
  findings: FindingKind[];
  findingsText: string;
  itemsAffected: number[];
  corrects: string | null;
  recordedAt: string;
}

export interface SeizureRecord {
  id: string;
  inspectionId: string;
  declarationId: string;
  itemSequence: number;
  hsCode: string;
  species: string | null;
  quantity: number;
  unit: string;
  estimatedValue: number;
  currency: string;
  storageLocation: string;
  legalBasis: string;
  recordedAt: string;
}

const structure = Compile(InspectionInputSchema);

/** Checks an inspection record against the declaration's goods items. */
export function validateInspection(
  input: unknown,
  itemSequences: readonly number[],
): Checked<InspectionInput> {
  if (!structure.Check(input)) {
    return { ok: false, issues: schemaIssues(structure, input, 'an inspection record') };
  }
  const issues: FieldIssue[] = [];
  const started = Date.parse(input.startedAt);
  const ended = Date.parse(input.endedAt);
  if (Number.isNaN(started)) issues.push({ path: '/startedAt', reason: 'not a valid date-time' });
  if (Number.isNaN(ended)) issues.push({ path: '/endedAt', reason: 'not a valid date-time' });
  else if (ended < started)
    issues.push({ path: '/endedAt', reason: 'must not be before startedAt' });
  if (input.findingsText.trim() === '') {
    issues.push({
      path: '/findingsText',
      reason: 'required: say what was checked and what was found',
    });
  }
  if (input.result === 'non-compliant' && input.findings.length === 0) {
    issues.push({ path: '/findings', reason: 'a non-compliant result names at least one finding' });
  }
  if (input.result === 'compliant' && input.findings.length > 0) {
    issues.push({ path: '/findings', reason: 'a compliant result has no findings' });
  }
  input.itemsAffected.forEach((seq, i) => {
    if (!itemSequences.includes(seq))
      issues.push({
        path: `/itemsAffected/${i}`,
        reason: `the declaration has no goods item ${seq}`,
      });
  });
  (input.seizures ?? []).forEach((s, i) => {
    if (!itemSequences.includes(s.itemSequence))
      issues.push({
        path: `/seizures/${i}/itemSequence`,
        reason: `the declaration has no goods item ${s.itemSequence}`,
      });
  });
  if ((input.seizures ?? []).length > 0 && input.result !== 'non-compliant') {
    issues.push({ path: '/seizures', reason: 'goods are seized only on a non-compliant result' });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: input };
}

/** A declaration's control outcome: controlled or not, and whether anything was found. */
export interface ControlOutcome {
  controlled: boolean;
  finding: boolean;
}

/**
 * The outcome from append-only records: a record corrected by a later one no longer counts.
 * Feedback applies the difference between the outcome before and after each new record, so a
 * correction moves counters exactly once.
 */
export function outcomeOf(
  records: readonly Pick<InspectionRecord, 'id' | 'result' | 'corrects'>[],
): ControlOutcome {
  const corrected = new Set(records.flatMap((r) => (r.corrects ? [r.corrects] : [])));
  const effective = records.filter((r) => !corrected.has(r.id));
  return {
    controlled: effective.length > 0,
    finding: effective.some((r) => r.result === 'non-compliant'),
  };
}

export function outcomeDelta(
  before: ControlOutcome,
  after: ControlOutcome,
): { controls: number; findings: number } {
  return {
    controls: Number(after.controlled) - Number(before.controlled),
    findings: Number(after.finding) - Number(before.finding),
  };
}
