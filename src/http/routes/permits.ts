import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  applicationsDue,
  applyForPermit,
  describePermitTypes,
  getPermit,
  listPermits,
  permitStep,
  permitUsage,
  releaseDeclaration,
  type PermitStep,
} from '../../app/manage-permits.js';
import { PERMIT_OUTCOMES } from '../../core/permits/check.js';
import {
  PERMIT_STATUSES,
  PERMIT_TYPES,
  PERMIT_UNITS,
  PermitApplicationSchema,
  type Attachment,
} from '../../core/permits/permit.js';
import { AGENCY_KINDS } from '../../core/auth/identity.js';
import { ProblemSchema } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const AttachmentSchema = Type.Object(
  {
    name: Type.String(),
    mediaType: Type.String(),
    size: Type.Integer(),
    sha256: Type.String(),
  },
  { title: 'Attachment' },
);

const PermitSchema = Type.Object(
  {
    id: Type.String(),
    number: Nullable(Type.String()),
    type: Type.Enum(PERMIT_TYPES),
    issuerAgencyId: Type.String(),
    holderId: Type.String(),
    holderName: Type.String(),
    applicantAgencyId: Type.String(),
    counterpart: Type.Object({ name: Type.String(), country: Nullable(Type.String()) }),
    hsScope: Type.Array(Type.String()),
    species: Type.Array(Type.String()),
    unit: Type.Enum(PERMIT_UNITS),
    authorisedMilli: Type.Integer({
      description: 'Authorised quantity in thousandths of the unit',
    }),
    remainingMilli: Type.Integer({ description: 'Balance in thousandths of the unit' }),
    route: Type.Object({
      dispatch: Type.Array(Type.String()),
      transit: Type.Array(Type.String()),
      destination: Type.Array(Type.String()),
    }),
    maxShipments: Nullable(Type.Integer()),
    shipments: Type.Integer(),
    validFrom: Type.String(),
    validTo: Type.String(),
    status: Type.Enum(PERMIT_STATUSES),
    expedited: Type.Boolean(),
    deadline: Type.String(),
    overdue: Type.Boolean(),
    details: Type.Record(Type.String(), Type.String()),
    attachments: Type.Array(AttachmentSchema),
    note: Nullable(Type.String()),
    submittedAt: Type.String(),
    decidedAt: Nullable(Type.String()),
    processingSeconds: Nullable(Type.Number()),
    updatedAt: Type.String(),
  },
  { title: 'Permit' },
);

const CodeMeaningSchema = Type.Object(
  { code: Type.String(), meaning: Type.String() },
  { title: 'CodeMeaning' },
);

const PermitTypeSchema = Type.Object(
  {
    type: Type.Enum(PERMIT_TYPES),
    name: Type.String(),
    summary: Type.String(),
    issuerKinds: Type.Array(Type.Enum(AGENCY_KINDS)),
    issuers: Type.Array(
      Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }),
      { description: 'Agencies of your administration that issue this type' },
    ),
    counterpartLabel: Type.String({ description: 'What the other party is called for this type' }),
    speciesRequired: Type.Boolean(),
    units: Type.Array(Type.Object({ code: Type.Enum(PERMIT_UNITS), meaning: Type.String() }), {
      description: 'Units a quantity may be given in, the usual first',
    }),
    route: Type.Boolean({ description: 'Whether route countries and a shipment count apply' }),
    expedited: Type.Enum(['always', 'on-request', 'never']),
    expeditedWhen: Type.Optional(Type.String()),
    details: Type.Array(
      Type.Object({
        key: Type.String({ description: "The key in the application's details" }),
        label: Type.String(),
        required: Type.Boolean(),
        kind: Type.Enum(['code', 'text']),
        codes: Type.Optional(Type.Array(CodeMeaningSchema)),
        maxLength: Type.Integer(),
        hint: Type.String(),
      }),
    ),
  },
  { title: 'PermitType' },
);

const domainValidated = { validatorCompiler: () => (data: unknown) => ({ value: data }) };
const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
const stepResponses = {
  200: PermitSchema,
  400: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
};
const Reason = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
const Message = Type.Object(
  { message: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);

/** The Single Window: applications, decisions, permits, usage, and release with draw-down. */
export const permitRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.post(
    '/api/permits',
    {
      ...domainValidated,
      schema: {
        tags: ['permits'],
        summary:
          'Apply for a permit (traders): CITES, waste-shipment consent, ODS or pesticide licence, green technology (expedited)',
        body: PermitApplicationSchema,
        response: { 201: PermitSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await applyForPermit(ctx, request.principal, request.body)),
  );
  app.get(
    '/api/permits',
    {
      schema: {
        tags: ['permits'],
        summary:
          'Permits and applications: a trader sees its own, an issuing agency what it issues, customs all',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(PERMIT_STATUSES)),
          type: Type.Optional(Type.Enum(PERMIT_TYPES)),
          holderId: Type.Optional(Type.String({ maxLength: 35 })),
          expedited: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Array(PermitSchema) },
      },
    },
    async (request) => {
      const q = request.query;
      const all = await listPermits(ctx, request.principal, {
        ...(q.type !== undefined ? { type: q.type } : {}),
        ...(q.holderId !== undefined ? { holderId: q.holderId } : {}),
        ...(q.expedited !== undefined ? { expedited: q.expedited } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
      return q.status === undefined ? all : all.filter((p) => p.status === q.status);
    },
  );
  app.get(
    '/api/permits/types',
    {
      schema: {
        tags: ['permits'],
        summary:
          'The permit types: what each is called, who issues it (agencies of your administration), the particulars, units and track its application takes',
        response: { 200: Type.Array(PermitTypeSchema), 403: ProblemSchema },
      },
    },
    (request) => describePermitTypes(ctx, request.principal),
  );
  app.get(
    '/api/permits/due',
    {
      schema: {
        tags: ['permits'],
        summary:
          "Your agency's undecided applications due within the given hours (default 24) or already overdue, earliest deadline first",
        querystring: Type.Object({
          withinHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 365 })),
        }),
        response: { 200: Type.Array(PermitSchema), 403: ProblemSchema },
      },
    },
    (request) => applicationsDue(ctx, request.principal, request.query.withinHours ?? 24),
  );
  app.get(
    '/api/permits/:id',
    {
      schema: {
        tags: ['permits'],
        summary: 'One permit or application',
        params: Id,
        response: { 200: PermitSchema, 404: ProblemSchema },
      },
    },
    (request) => getPermit(ctx, request.principal, request.params.id),
  );
  app.get(
    '/api/permits/:id/usage',
    {
      schema: {
        tags: ['permits'],
        summary: 'What releases have drawn from the permit, oldest first',
        params: Id,
        response: {
          200: Type.Array(
            Type.Object({
              permitId: Type.String(),
              declarationId: Type.String(),
              itemSequence: Type.Integer(),
              quantityMilli: Type.Integer(),
              at: Type.String(),
            }),
          ),
          404: ProblemSchema,
        },
      },
    },
    (request) => permitUsage(ctx, request.principal, request.params.id),
  );

  const steps: Array<
    [string, string, Parameters<typeof Type.Object>[0] | null, (b: never) => PermitStep]
  > = [
    ['review', 'Take an application under review', null, () => ({ step: 'review' })],
    [
      'request-information',
      'Ask the applicant for more information',
      Message.properties,
      (b: { message: string }) => ({ step: 'request-information', message: b.message }),
    ],
    [
      'respond',
      'Answer a request for information (the applicant), with more attachments',
      {
        message: Type.String({ minLength: 1, maxLength: 4000 }),
        attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 20 })),
      },
      (b: { message: string; attachments?: Attachment[] }) => ({
        step: 'respond',
        message: b.message,
        ...(b.attachments ? { attachments: b.attachments } : {}),
      }),
    ],
    [
      'issue',
      'Issue the permit (optionally for less quantity or another validity); it gets its number',
      {
        quantity: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        validFrom: Type.Optional(Type.String({ format: 'date-time' })),
        validTo: Type.Optional(Type.String({ format: 'date-time' })),
        note: Type.Optional(Type.String({ maxLength: 2000 })),
      },
      (b: { quantity?: number; validFrom?: string; validTo?: string; note?: string }) => ({
        step: 'issue',
        ...b,
      }),
    ],
    [
      'refuse',
      'Refuse the application, with the reason',
      Reason.properties,
      (b: { reason: string }) => ({ step: 'refuse', reason: b.reason }),
    ],
    [
      'suspend',
      'Suspend an issued permit',
      Reason.properties,
      (b: { reason: string }) => ({ step: 'suspend', reason: b.reason }),
    ],
    [
      'reinstate',
      'Reinstate a suspended permit',
      Reason.properties,
      (b: { reason: string }) => ({ step: 'reinstate', reason: b.reason }),
    ],
    [
      'revoke',
      'Revoke a permit (final)',
      Reason.properties,
      (b: { reason: string }) => ({ step: 'revoke', reason: b.reason }),
    ],
  ];
  for (const [name, summary, body, toStep] of steps) {
    app.post(
      `/api/permits/:id/${name}`,
      {
        schema: {
          tags: ['permits'],
          summary,
          params: Id,
          ...(body ? { body: Type.Object(body, { additionalProperties: false }) } : {}),
          response: stepResponses,
        },
      },
      (request) =>
        permitStep(
          ctx,
          request.principal,
          request.params.id,
          toStep((request.body ?? {}) as never),
        ),
    );
  }

  app.post(
    '/api/declarations/:id/release',
    {
      schema: {
        tags: ['declarations'],
        summary:
          'Release the goods: every item needing a permit is checked and its quantity drawn from the permit, all in one transaction, or nothing changes',
        params: Id,
        response: {
          200: Type.Object({
            declarationId: Type.String(),
            releasedAt: Type.String(),
            draws: Type.Array(
              Type.Object({
                permitId: Type.String(),
                permitNumber: Nullable(Type.String()),
                itemSequence: Type.Integer(),
                quantityMilli: Type.Integer(),
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
          }),
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) => releaseDeclaration(ctx, request.principal, request.params.id),
  );
};
