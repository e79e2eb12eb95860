import Type from 'typebox';
import { NEXT_ACTIONS } from '../app/controls.js';
import { CONTROL_STATUSES, FINDING_KINDS } from '../core/controls/inspection.js';
import { DECLARATION_KINDS } from '../core/declaration/declaration.js';
import { CONTROL_FORMS } from '../core/risk/indicator.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const InspectionRecordSchema = Type.Object(
  {
    id: Type.String(),
    declarationId: Type.String(),
    agencyId: Type.String(),
    officerId: Type.String(),
    controlForm: Type.Enum(CONTROL_FORMS),
    startedAt: Type.String(),
    endedAt: Type.String(),
    result: Type.Enum(['compliant', 'non-compliant']),
    findings: Type.Array(Type.Enum(FINDING_KINDS)),
    findingsText: Type.String(),
    itemsAffected: Type.Array(Type.Integer()),
    corrects: Nullable(Type.String({ description: 'The record this one corrects' })),
    recordedAt: Type.String(),
  },
  { title: 'InspectionRecord' },
);

export const SeizureRecordSchema = Type.Object(
  {
    id: Type.String(),
    inspectionId: Type.String(),
    declarationId: Type.String(),
    itemSequence: Type.Integer(),
    hsCode: Type.String(),
    species: Nullable(Type.String()),
    quantity: Type.Number(),
    unit: Type.String(),
    estimatedValue: Type.Number(),
    currency: Type.String(),
    storageLocation: Type.String(),
    legalBasis: Type.String(),
    recordedAt: Type.String(),
  },
  { title: 'SeizureRecord' },
);

export const ReferralSchema = Type.Object(
  {
    id: Type.String(),
    declarationId: Type.String(),
    fromAgencyId: Type.String(),
    toAgencyId: Type.String(),
    reason: Type.String(),
    referredBy: Type.String(),
    at: Type.String(),
  },
  { title: 'ControlReferral' },
);

/** The risk engine's explanation in words, for officers (no score, weight, condition or code). */
export const OfficerExplanationSchema = Type.Object(
  {
    summary: Type.String(),
    risks: Type.Array(
      Type.Object({
        title: Type.String(),
        area: Type.String({ description: 'The priority area in words' }),
        items: Type.Array(Type.Integer(), { description: 'Goods items concerned' }),
        why: Type.String(),
        check: Type.String({ description: 'What to check, in words' }),
        documents: Type.Array(Type.String(), { description: 'Documents to ask for or look at' }),
      }),
    ),
    permits: Type.Array(Type.String()),
    adjustments: Type.Array(Type.String()),
    randomlySelected: Type.Boolean(),
  },
  { title: 'OfficerExplanation' },
);

/** A declaration's control: status, records, and what the caller may do next. */
export const ControlViewSchema = Type.Object(
  {
    declarationId: Type.String(),
    kind: Type.Enum(DECLARATION_KINDS, {
      description: '`cargo-report` for an entry summary declaration (never released or held)',
    }),
    channel: Nullable(Type.Enum(['green', 'yellow', 'red'])),
    status: Type.Enum(CONTROL_STATUSES),
    assignedTo: Nullable(Type.String()),
    releasedAt: Nullable(Type.String()),
    inspections: Type.Array(InspectionRecordSchema),
    seizures: Type.Array(SeizureRecordSchema),
    referrals: Type.Array(ReferralSchema),
    outcome: Type.Object({ controlled: Type.Boolean(), finding: Type.Boolean() }),
    nextActions: Type.Array(Type.Enum(NEXT_ACTIONS), {
      description:
        'What the caller may do now, as the routes would allow it (release is still checked against permits)',
    }),
    releaseBlocked: Nullable(
      Type.String({
        description: 'Why release is not offered, in words, when the caller releases',
      }),
    ),
    assignee: Nullable(
      Type.Object(
        { displayName: Type.String(), self: Type.Boolean() },
        { description: 'Who has it; `self` when it is the caller' },
      ),
    ),
    assignees: Type.Array(
      Type.Object({ username: Type.String(), displayName: Type.String(), self: Type.Boolean() }),
      { description: 'Whom the caller may assign it to' },
    ),
    referTo: Type.Array(
      Type.Object({ code: Type.String(), name: Type.String(), kind: Type.String() }),
      { description: 'Agencies it may be referred to' },
    ),
    explanation: Nullable(OfficerExplanationSchema),
  },
  { title: 'ControlView' },
);

/** One line of the worklist. */
export const WorklistEntrySchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Enum(DECLARATION_KINDS),
    reference: Type.String(),
    office: Nullable(Type.String()),
    channel: Nullable(Type.Enum(['green', 'yellow', 'red'])),
    score: Nullable(Type.Number()),
    submittedAt: Type.String(),
    status: Type.Enum(CONTROL_STATUSES),
    assignedTo: Nullable(Type.String()),
    declarantId: Nullable(Type.String()),
    consigneeId: Nullable(Type.String()),
    itemCount: Type.Integer(),
  },
  { title: 'WorklistEntry' },
);
