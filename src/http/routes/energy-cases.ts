import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  alertPartnerOfCase,
  decideEnergyCase,
  decisionOf,
  getEnergyCase,
  listEnergyCases,
  MAX_CASES_LISTED,
} from '../../app/energy-cases.js';
import {
  ENERGY_CASE_KINDS,
  ENERGY_CASE_RESOLUTIONS,
} from '../../core/reconciliation/energy-case.js';
import { ProblemSchema } from '../schemas.js';

const Id = Type.String({ maxLength: 64 });
const NullableN = Type.Union([Type.Number(), Type.Null()]);
const Direction = Type.Union([Type.Literal('import'), Type.Literal('export')]);

const EnergyCaseSchema = Type.Object(
  {
    id: Type.String(),
    administrationId: Type.String(),
    pointId: Type.String(),
    partner: Type.String(),
    key: Type.String({ description: 'the finding it is about; never raised twice' }),
    kind: Type.Enum(ENERGY_CASE_KINDS),
    direction: Direction,
    periodStart: Type.String(),
    periodEnd: Type.String(),
    month: Type.String({ description: "the point's local month" }),
    summary: Type.String(),
    periods: Type.Array(
      Type.Object({
        start: Type.String(),
        end: Type.String(),
        own: NullableN,
        partner: NullableN,
        difference: NullableN,
        tolerance: NullableN,
        outcome: Type.String(),
      }),
      { description: "at most 100, at the importer's side of the losses, canonical unit" },
    ),
    periodCount: Type.Integer(),
    monthTotal: Type.Optional(
      Type.Object({
        own: Type.Number(),
        partner: Type.Number(),
        difference: Type.Number(),
        tolerance: Type.Number(),
        outcome: Type.String(),
        pairedPeriods: Type.Integer(),
        periods: Type.Integer(),
      }),
    ),
    bias: Type.Optional(
      Type.Object({
        higher: Type.Union([Type.Literal('own'), Type.Literal('partner')]),
        from: Type.String(),
        signalledAt: Type.String(),
        periods: Type.Integer(),
        meanRelativeDifference: Type.Number(),
      }),
    ),
    declaration: Type.Optional(
      Type.Object({
        reportId: Type.String(),
        declared: Type.Number(),
        metered: NullableN,
        meteredBy: Type.Union([Type.String(), Type.Null()]),
        difference: NullableN,
        tolerance: NullableN,
        outcome: Type.String(),
      }),
    ),
    status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    resolution: Type.Optional(Type.Enum(ENERGY_CASE_RESOLUTIONS)),
    openedAt: Type.String(),
    findingsAt: Type.String(),
    updatedAt: Type.String(),
    updatedBy: Type.String(),
    version: Type.Integer(),
    alerts: Type.Array(
      Type.Object({ messageId: Type.String(), at: Type.String(), by: Type.String() }),
    ),
    history: Type.Array(
      Type.Object({
        at: Type.String(),
        by: Type.String(),
        action: Type.String(),
        note: Type.Optional(Type.String()),
        messageId: Type.Optional(Type.String()),
      }),
    ),
  },
  { title: 'EnergyCase' },
);

/** Reconciliation cases: what the figures' discrepancies raised, for analysts to work. */
export const energyCaseRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/energy/cases',
    {
      schema: {
        tags: ['energy'],
        summary:
          'Reconciliation cases, newest first: discrepancies by point, direction and month, meter bias, declarations off the metered figure',
        querystring: Type.Object({
          status: Type.Optional(Type.String({ maxLength: 10, description: 'open or closed' })),
          pointId: Type.Optional(Id),
          kind: Type.Optional(Type.String({ maxLength: 30 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CASES_LISTED })),
        }),
        response: { 200: Type.Array(EnergyCaseSchema), 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => listEnergyCases(ctx, request.principal, request.query),
  );
  app.get(
    '/api/energy/cases/:id',
    {
      schema: {
        tags: ['energy'],
        summary: 'One reconciliation case with its figures and history',
        params: Type.Object({ id: Id }),
        response: { 200: EnergyCaseSchema, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    (request) => getEnergyCase(ctx, request.principal, request.params.id),
  );
  app.post(
    '/api/energy/cases/:id/decision',
    {
      schema: {
        tags: ['energy'],
        summary: 'Close a case with a resolution, reopen it, or add a note (at the version read)',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            action: Type.String({ maxLength: 10, description: 'close, reopen or note' }),
            resolution: Type.Optional(
              Type.String({ maxLength: 30, description: ENERGY_CASE_RESOLUTIONS.join(', ') }),
            ),
            note: Type.String({ maxLength: 2000 }),
            expectedVersion: Type.Integer({ minimum: 1 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: EnergyCaseSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) =>
      decideEnergyCase(
        ctx,
        request.principal,
        request.params.id,
        decisionOf(request.body),
        request.body.expectedVersion,
      ),
  );
  app.post(
    '/api/energy/cases/:id/alert',
    {
      schema: {
        tags: ['energy'],
        summary:
          'Tell the partner administration about the case: a signed alert (priority area energy) with both sides’ figures',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            expectedVersion: Type.Integer({ minimum: 1 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: EnergyCaseSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) =>
      alertPartnerOfCase(ctx, request.principal, request.params.id, {
        expectedVersion: request.body.expectedVersion,
        ...(request.body.note !== undefined ? { note: request.body.note } : {}),
      }),
  );
};
