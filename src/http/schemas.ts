import { PERMIT_OUTCOMES } from '../core/permits/check.js';
import Type from 'typebox';
import { CONTROL_STATUSES } from '../core/controls/inspection.js';
import { DeclarationInputSchema, SOURCE_FORMATS } from '../core/declaration/declaration.js';
import { CONTROL_FORMS } from '../core/risk/indicator.js';

/** RFC 9457 problem document. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String(),
          detail: Type.String(),
          code: Type.Optional(
            Type.String({ description: 'Business rule error code, when a rule set one' }),
          ),
        }),
      ),
    ),
  },
  { title: 'Problem' },
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(
  t: T,
  options?: { description: string },
) => Type.Union([t, Type.Null()], options);

/** The risk engine's explained decision. */
export const AssessmentSchema = Type.Object(
  {
    engineVersion: Type.String(),
    rulesetId: Type.String({
      description: 'Identifies the exact indicator versions screened with',
    }),
    hitScore: Type.Number(),
    score: Type.Number(),
    channel: Type.Enum(['green', 'yellow', 'red']),
    controlForm: Nullable(
      Type.Enum(['documentary-check', 'scanning', 'physical-inspection', 'sampling-laboratory']),
    ),
    hits: Type.Array(
      Type.Object({
        indicatorId: Type.String(),
        indicatorVersion: Type.Integer(),
        title: Type.String(),
        priorityArea: Type.String(),
        itemSequence: Type.Integer(),
        hsCode: Type.String(),
        weight: Type.Number(),
        directChannel: Nullable(Type.Enum(['yellow', 'red'])),
        controlForm: Type.String(),
        reason: Type.String(),
      }),
    ),
    effects: Type.Array(
      Type.Object({
        kind: Type.Enum(['certificate', 'compliance-record', 'permit', 'model']),
        subject: Type.String(),
        reference: Nullable(Type.String()),
        points: Type.Number(),
        minimumChannel: Type.Optional(Type.Enum(['yellow', 'red'])),
        reason: Type.String(),
      }),
    ),
    permits: Type.Array(
      Type.Object({
        itemSequence: Type.Integer(),
        hsCode: Type.String(),
        required: Type.String(),
        outcome: Type.Enum(PERMIT_OUTCOMES),
        permitId: Nullable(Type.String()),
        permitNumber: Nullable(Type.String()),
        quantityMilli: Nullable(Type.Integer()),
        unit: Nullable(Type.String()),
        reason: Type.String(),
      }),
    ),
    override: Nullable(
      Type.Object({
        indicatorId: Type.String(),
        indicatorVersion: Type.Integer(),
        channel: Type.Enum(['yellow', 'red']),
      }),
    ),
    random: Type.Object({
      share: Type.Number(),
      seed: Type.Integer(),
      draw: Type.Number(),
      selected: Type.Boolean(),
    }),
    trader: Type.Optional(
      Type.Object(
        { controls: Type.Integer(), findings: Type.Integer() },
        { description: "The trader's compliance record as screening saw it" },
      ),
    ),
    model: Type.Optional(
      Nullable(
        Type.Object({
          version: Type.Integer({ description: 'The approved model version screened with' }),
          featureSet: Type.String(),
          probability: Type.Number({ description: 'Probability of a finding if controlled' }),
          topFeatures: Type.Array(
            Type.Object({
              feature: Type.String(),
              value: Nullable(Type.Union([Type.Number(), Type.String()])),
              contribution: Type.Number({ description: 'Saabas contribution, log-odds' }),
            }),
          ),
          features: Type.Record(
            Type.String(),
            Nullable(Type.Union([Type.Number(), Type.String()])),
          ),
        }),
        { description: 'The learned model, when one was active (screenings before: absent)' },
      ),
    ),
  },
  { title: 'Assessment' },
);

/** A stored declaration: what was declared plus what GreenLane assigned. */
export const DeclarationSchema = Type.Object(
  {
    ...DeclarationInputSchema.properties,
    submittedAt: Type.String({ format: 'date-time' }),
    id: Type.String(),
    receivedAt: Type.String({ format: 'date-time' }),
    agencyId: Type.String({ description: 'Owning customs agency' }),
    submitterAgencyId: Type.String(),
    submittedBy: Type.String(),
    sourceFormat: Type.Enum(SOURCE_FORMATS),
    channel: Type.Union([Type.Enum(['green', 'yellow', 'red']), Type.Null()], {
      description: 'Control channel; null until screened',
    }),
    assessment: Nullable(AssessmentSchema),
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: '1 on lodging, +1 per amendment or cancellation' }),
    ),
    status: Type.Optional(Type.Enum(CONTROL_STATUSES)),
  },
  { title: 'Declaration' },
);

/** A document the trader must produce or put right. */
export const TraderDocumentRequestSchema = Type.Object(
  {
    anyOf: Type.Array(Type.Object({ type: Type.String(), title: Type.String() }), {
      description: 'Any of these documents will do',
    }),
    items: Type.Array(Type.Integer(), { description: 'Goods item sequences concerned' }),
    problem: Type.String({ description: 'What is wrong, in plain words' }),
  },
  { title: 'TraderDocumentRequest' },
);

/**
 * A declaration as the trader who lodged it sees it: the declared content, where it stands, the
 * control to expect and the documents missing; nothing of the risk engine's reasons.
 */
export const TraderDeclarationSchema = Type.Object(
  {
    audience: Type.Literal('trader'),
    ...DeclarationInputSchema.properties,
    submittedAt: Type.String({ format: 'date-time' }),
    id: Type.String(),
    receivedAt: Type.String({ format: 'date-time' }),
    sourceFormat: Type.Enum(SOURCE_FORMATS),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    status: Type.Enum(CONTROL_STATUSES),
    control: Nullable(Type.Enum(CONTROL_FORMS), {
      description: 'The control to expect before release; null when none is planned',
    }),
    missingDocuments: Type.Array(TraderDocumentRequestSchema),
    message: Type.String({ description: 'Where the declaration stands and what to do, in words' }),
  },
  { title: 'TraderDeclaration', description: "The trader's view of a declaration" },
);

/** A declaration in the view of whoever asks: the trader's view for traders, else the record. */
export const DeclarationViewSchema = Type.Union([TraderDeclarationSchema, DeclarationSchema], {
  description: 'TraderDeclaration (audience "trader") for users of trader organisations',
});
