import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { acceptTextBodies } from '../text-body.js';
import type { AppContext } from '../../app/context.js';
import {
  definePoint,
  getPoint,
  listPoints,
  MAX_REPORTS_PER_REQUEST,
  reconcilePoint,
  sendPointFigures,
  recordReports,
  reportsFromCsv,
  updatePoint,
} from '../../app/manage-energy.js';
import { PointInputSchema, ReportInputSchema } from '../../core/reconciliation/energy-point.js';
import { DomainError } from '../../core/errors.js';
import { ProblemSchema } from '../schemas.js';
import { MessageSchema, view as messageView } from './exchange.js';

const CSV = 'text/csv';
const domainValidated = { validatorCompiler: () => (data: unknown) => ({ value: data }) };
const Id = Type.String({ maxLength: 64 });

const PointSchema = Type.Intersect(
  [
    PointInputSchema,
    Type.Object({
      administrationId: Type.String(),
      createdAt: Type.String(),
      updatedAt: Type.String(),
      updatedBy: Type.String(),
      version: Type.Integer(),
    }),
  ],
  { title: 'InterconnectionPoint' },
);

const RecordedSchema = Type.Object(
  {
    received: Type.Integer(),
    recorded: Type.Integer(),
    alreadyRecorded: Type.Integer({ description: 'sent before under the same reference' }),
    casesOpened: Type.Integer({
      description: 'reconciliation cases the new figures opened (GET /api/energy/cases)',
    }),
  },
  { title: 'RecordedReports' },
);

const N = Type.Number();
const NullableN = Type.Union([Type.Number(), Type.Null()]);
const Direction = Type.Union([Type.Literal('import'), Type.Literal('export')]);
const ReconciliationSchema = Type.Object(
  {
    point: PointSchema,
    from: Type.String(),
    to: Type.String(),
    reports: Type.Integer({ description: 'how many figures went in' }),
    summary: Type.Record(Type.String(), Type.Integer(), { description: 'pairs by outcome' }),
    pairs: Type.Array(
      Type.Object({
        pointId: Type.String(),
        direction: Direction,
        granularity: Type.String(),
        periodStart: Type.String(),
        periodEnd: Type.String(),
        own: NullableN,
        partner: NullableN,
        ownAtImporter: NullableN,
        partnerAtImporter: NullableN,
        difference: NullableN,
        tolerance: NullableN,
        outcome: Type.String(),
        detail: Type.String(),
        reports: Type.Array(Type.String()),
      }),
    ),
    months: Type.Array(
      Type.Object({
        pointId: Type.String(),
        direction: Direction,
        month: Type.String(),
        periodStart: Type.String(),
        periodEnd: Type.String(),
        own: N,
        partner: N,
        difference: N,
        tolerance: N,
        pairedPeriods: Type.Integer(),
        periods: Type.Integer(),
        outcome: Type.String(),
      }),
    ),
    bias: Type.Array(
      Type.Object({
        pointId: Type.String(),
        direction: Direction,
        higher: Type.Union([Type.Literal('own'), Type.Literal('partner')]),
        from: Type.String(),
        signalledAt: Type.String(),
        periods: Type.Integer(),
        meanRelativeDifference: N,
      }),
    ),
    declarations: Type.Array(
      Type.Object({
        reportId: Type.String(),
        pointId: Type.String(),
        direction: Direction,
        periodStart: Type.String(),
        periodEnd: Type.String(),
        declared: N,
        metered: NullableN,
        meteredBy: Type.Union([Type.String(), Type.Null()]),
        difference: NullableN,
        tolerance: NullableN,
        outcome: Type.String(),
      }),
    ),
    issues: Type.Array(
      Type.Object({ reportId: Type.String(), kind: Type.String(), detail: Type.String() }),
    ),
  },
  { title: 'EnergyReconciliation' },
);

/** Energy transfer control: interconnection points, their figures and their reconciliation. */
export const energyRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  acceptTextBodies(app, [CSV]);

  app.get(
    '/api/energy/points',
    {
      schema: {
        tags: ['energy'],
        summary: "The administration's power lines and pipelines to partner administrations",
        response: { 200: Type.Array(PointSchema), 403: ProblemSchema },
      },
    },
    (request) => listPoints(ctx, request.principal),
  );
  app.post(
    '/api/energy/points',
    {
      ...domainValidated,
      schema: {
        tags: ['energy'],
        summary:
          'Record an interconnection point: both sides’ identifiers, metering points, units, losses, meter accuracy, the local day',
        body: PointInputSchema,
        response: { 201: PointSchema, 400: ProblemSchema, 403: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await definePoint(ctx, request.principal, request.body)),
  );
  app.get(
    '/api/energy/points/:id',
    {
      schema: {
        tags: ['energy'],
        summary: 'One interconnection point',
        params: Type.Object({ id: Id }),
        response: { 200: PointSchema, 404: ProblemSchema },
      },
    },
    (request) => getPoint(ctx, request.principal, request.params.id),
  );
  app.put(
    '/api/energy/points/:id',
    {
      ...domainValidated,
      schema: {
        tags: ['energy'],
        summary: 'Change an interconnection point at the version read (If-Match: "<version>")',
        params: Type.Object({ id: Id }),
        headers: Type.Object({
          'if-match': Type.Optional(
            Type.String({ description: 'the version read, e.g. "3" (required)' }),
          ),
        }),
        body: PointInputSchema,
        response: {
          200: PointSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) => {
      const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(request.headers['if-match'] ?? ''));
      const version = match ? Number(match[1]) : 0;
      if (version < 1)
        throw new DomainError('invalid_input', 'say which version was read', [
          { path: 'headers/if-match', reason: 'the version read, e.g. "3"' },
        ]);
      return updatePoint(ctx, request.principal, request.params.id, request.body, version);
    },
  );
  app.post(
    '/api/energy/reports',
    {
      ...domainValidated,
      schema: {
        tags: ['energy'],
        summary:
          'Record meter readings, declared or partner figures: a JSON array or a CSV file, all or nothing',
        description:
          `At most ${MAX_REPORTS_PER_REQUEST} reports. CSV: a header row naming the columns ` +
          'id, source, pointId, direction, start, end, quantity, unit and optionally provisional. ' +
          'One report that is not valid refuses the request, naming each problem (`/3/quantity`, or ' +
          '`row 4, column quantity`); a report sent again under its id is counted as already recorded.',
        body: {
          content: {
            'application/json': {
              schema: Type.Array(ReportInputSchema, { maxItems: MAX_REPORTS_PER_REQUEST }),
            },
            [CSV]: { schema: Type.String({ description: 'CSV with a header row' }) },
          },
        },
        response: {
          200: RecordedSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          413: ProblemSchema,
        },
      },
    },
    async (request) => {
      if (typeof request.body === 'string') {
        const { reports, rowOf } = reportsFromCsv(request.body);
        return recordReports(ctx, request.principal, reports, {
          fieldOf: (i, path) => `row ${rowOf(i)}, column ${path.replace(/^\//, '') || '(all)'}`,
        });
      }
      if (!Array.isArray(request.body))
        throw new DomainError('invalid_input', 'send an array of reports', [
          { path: 'body', reason: 'a JSON array' },
        ]);
      return recordReports(ctx, request.principal, request.body);
    },
  );
  app.get(
    '/api/energy/points/:id/reconciliation',
    {
      schema: {
        tags: ['energy'],
        summary:
          "The point's figures reconciled over a period: pairs of ours and the partner's, monthly totals, bias, declarations",
        params: Type.Object({ id: Id }),
        querystring: Type.Object({
          from: Type.Optional(
            Type.String({ format: 'date-time', description: 'default: 7 days before `to`' }),
          ),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
        }),
        response: {
          200: ReconciliationSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    (request) =>
      reconcilePoint(ctx, request.principal, request.params.id, {
        ...(request.query.from !== undefined ? { from: request.query.from } : {}),
        ...(request.query.to !== undefined ? { to: request.query.to } : {}),
      }),
  );
  app.post(
    '/api/energy/points/:id/send',
    {
      schema: {
        tags: ['energy'],
        summary:
          'Send our meter readings of the point for a period to the partner administration (signed energy.report messages), for it to reconcile with its own',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            from: Type.String({ format: 'date-time' }),
            to: Type.String({ format: 'date-time' }),
            note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Array(MessageSchema),
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const sent = await sendPointFigures(ctx, request.principal, request.params.id, request.body);
      return reply.code(202).send(sent.map((m) => messageView(ctx, m)));
    },
  );
};
