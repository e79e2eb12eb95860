import type { ServerResponse } from 'node:http';
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  assignDeclaration,
  controlView,
  holdDeclaration,
  recordInspection,
  referDeclaration,
  worklist,
} from '../../app/controls.js';
import {
  checkPeriod,
  GROUPINGS,
  metricsCsv,
  performanceMetrics,
  trainingData,
} from '../../app/metrics.js';
import { CONTROL_STATUSES, InspectionInputSchema } from '../../core/controls/inspection.js';
import { PRIORITY_AREAS } from '../../core/risk/indicator.js';
import { can } from '../../core/auth/policy.js';
import { DomainError } from '../../core/errors.js';
import {
  isAfter,
  LODGING_KINDS,
  type DomainEvent,
  type LodgingData,
  type OutboxCursor,
} from '../../core/events.js';
import { PerformanceMetricsSchema } from '../metrics-schema.js';
import { ProblemSchema } from '../schemas.js';
import { ControlViewSchema, WorklistEntrySchema } from '../control-schemas.js';

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
const domainValidated = { validatorCompiler: () => (data: unknown) => ({ value: data }) };
const viewResponses = {
  200: ControlViewSchema,
  400: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
};

/** The officers' worklist, control records, and the performance metrics. */
export const controlRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/worklist',
    {
      schema: {
        tags: ['controls'],
        summary:
          'Yellow and red declarations of your customs agency awaiting or under control, highest score first, then oldest',
        querystring: Type.Object({
          office: Type.Optional(Type.String({ maxLength: 35 })),
          trader: Type.Optional(Type.String({ maxLength: 35 })),
          indicator: Type.Optional(Type.String({ maxLength: 64 })),
          priorityArea: Type.Optional(Type.Enum(PRIORITY_AREAS)),
          assignedTo: Type.Optional(Type.String({ maxLength: 64 })),
          olderThanHours: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 87_600, description: 'At most ten years' }),
          ),
          status: Type.Optional(Type.Enum(CONTROL_STATUSES)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: {
          200: Type.Array(WorklistEntrySchema),
          400: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    (request) => {
      const q = request.query;
      return worklist(ctx, request.principal, {
        ...(q.office !== undefined ? { office: q.office } : {}),
        ...(q.trader !== undefined ? { trader: q.trader } : {}),
        ...(q.indicator !== undefined ? { indicatorId: q.indicator } : {}),
        ...(q.priorityArea !== undefined ? { priorityArea: q.priorityArea } : {}),
        ...(q.assignedTo !== undefined ? { assignedTo: q.assignedTo } : {}),
        ...(q.olderThanHours !== undefined ? { olderThanHours: q.olderThanHours } : {}),
        ...(q.status !== undefined ? { statuses: [q.status] } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
    },
  );
  // Open event streams end when the server closes, so that shutdown never waits on a browser.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });
  app.get(
    '/api/events',
    {
      schema: {
        tags: ['controls'],
        summary:
          'Server-sent events: `declaration` when a yellow or red declaration of your customs agency is lodged, amended or screened again (the worklist refreshes on it); `exchange`, for those who read the exchange with partners, when a message of your agency is sent, delivered, refused, expires, is received or adopted (kind, messageId, type, conversation); `ledger`, for those who follow the ledger, when this node as witness catches the log of a partner showing two trees (`ledger.split-view`, `ledger.inconsistent`) or a witness refuses the checkpoints of this node (`ledger.witness-refused`, `ledger.cosignature-invalid`); each event has an `id`, and a client that reconnects with `Last-Event-ID` gets what it missed',
        headers: Type.Object({
          'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
        }),
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal.agencyKind !== 'customs') {
        throw new DomainError('forbidden', 'live worklist events are for customs staff');
      }
      await ctx.feed.start();
      const lastId = request.headers['last-event-id'];
      const resumeFrom =
        lastId === undefined ? undefined : await ctx.storage.read.outbox.cursorOf(Number(lastId));
      if (lastId !== undefined && !resumeFrom) {
        throw new DomainError('invalid_input', `no event ${lastId} to resume after`, [
          { path: 'Last-Event-ID', reason: 'not an event of this node' },
        ]);
      }
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      out.write(': connected\n\n');
      streams.add(out);
      let cursor: OutboxCursor = resumeFrom ?? ctx.feed.position;
      const readsExchange = can(principal, 'read', 'exchange-message');
      const readsLedger = can(principal, 'read', 'ledger', {
        administrationId: principal.administrationId,
      });
      const deliver = (e: DomainEvent) => {
        if (!isAfter(e, cursor)) return;
        cursor = e;
        if (e.agencyId !== principal.agencyId) return;
        if (readsExchange && e.kind.startsWith('exchange.')) {
          const d = e.data as { type?: unknown; conversation?: unknown };
          const payload = {
            kind: e.kind,
            messageId: e.subjectId,
            type: typeof d.type === 'string' ? d.type : null,
            conversation: typeof d.conversation === 'string' ? d.conversation : null,
            at: e.at,
          };
          out.write(`id: ${e.position}\nevent: exchange\ndata: ${JSON.stringify(payload)}\n\n`);
          return;
        }
        if (readsLedger && e.kind.startsWith('ledger.')) {
          // A witness's alarm: a partner's log forked, or a witness refused this node's log.
          const payload = { kind: e.kind, subject: e.subjectId, data: e.data, at: e.at };
          out.write(`id: ${e.position}\nevent: ledger\ndata: ${JSON.stringify(payload)}\n\n`);
          return;
        }
        if (!LODGING_KINDS.has(e.kind)) return;
        const data = e.data as Partial<LodgingData>;
        if (data.channel !== 'yellow' && data.channel !== 'red') return;
        const payload = {
          kind: e.kind,
          declarationId: e.subjectId,
          agencyId: e.agencyId,
          reference: data.reference ?? null,
          channel: data.channel,
          score: data.score ?? null,
          at: e.at,
        };
        out.write(`id: ${e.position}\nevent: declaration\ndata: ${JSON.stringify(payload)}\n\n`);
      };
      // Live events that arrive while the missed ones are replayed wait, then go in order.
      let pending: DomainEvent[] | undefined = resumeFrom ? [] : undefined;
      const off = ctx.feed.on((e) => (pending ? pending.push(e) : deliver(e)));
      // A comment now and then keeps proxies from closing an idle stream.
      const ping = setInterval(() => out.write(': ping\n\n'), 15_000);
      ping.unref();
      request.raw.on('close', () => {
        clearInterval(ping);
        off();
        streams.delete(out);
      });
      if (resumeFrom) {
        try {
          await ctx.feed.replay(resumeFrom, deliver);
        } finally {
          const waiting = pending ?? [];
          pending = undefined;
          waiting.forEach(deliver);
        }
      }
    },
  );
  app.get(
    '/api/declarations/:id/control',
    {
      schema: {
        tags: ['controls'],
        summary:
          'Status, assignment, inspections, seizures and referrals of a declaration, the explanation of its channel in words, and what you may do next (`nextActions`, with whom to assign and where to refer)',
        params: Id,
        response: viewResponses,
      },
    },
    (request) => controlView(ctx, request.principal, request.params.id),
  );
  app.post(
    '/api/declarations/:id/assign',
    {
      schema: {
        tags: ['controls'],
        summary: 'Assign to an officer (managers; an officer takes it for themself)',
        params: Id,
        body: Type.Object(
          { officer: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: viewResponses,
      },
    },
    (request) => assignDeclaration(ctx, request.principal, request.params.id, request.body.officer),
  );
  app.post(
    '/api/declarations/:id/inspections',
    {
      ...domainValidated,
      schema: {
        tags: ['controls'],
        summary:
          'Record a control (append-only; `corrects` names the record a correction replaces), with any seizures',
        params: Id,
        body: InspectionInputSchema,
        response: { ...viewResponses, 201: ControlViewSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await recordInspection(ctx, request.principal, request.params.id, request.body)),
  );
  app.post(
    '/api/declarations/:id/refer',
    {
      schema: {
        tags: ['controls'],
        summary:
          'Refer to another agency (e.g. the environmental agency for waste or CITES findings)',
        params: Id,
        body: Type.Object(
          {
            agency: Type.String({ minLength: 1, maxLength: 35 }),
            reason: Type.String({ maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: viewResponses,
      },
    },
    (request) => referDeclaration(ctx, request.principal, request.params.id, request.body),
  );
  app.post(
    '/api/declarations/:id/hold',
    {
      schema: {
        tags: ['controls'],
        summary: 'Hold the goods, with the reason (required; not for entry summary declarations)',
        params: Id,
        body: Type.Object(
          { reason: Type.String({ maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: viewResponses,
      },
    },
    (request) => holdDeclaration(ctx, request.principal, request.params.id, request.body.reason),
  );

  const Period = Type.Object({
    from: Type.String({ maxLength: 40, description: 'Start (date or date-time, inclusive)' }),
    to: Type.String({
      maxLength: 40,
      description:
        'End (exclusive); the previous period is the one of the same length that ends at `from`',
    }),
    groupBy: Type.Optional(Type.Enum(GROUPINGS)),
    format: Type.Optional(Type.Enum(['json', 'csv'])),
  });
  app.get(
    '/api/metrics/performance',
    {
      schema: {
        tags: ['metrics'],
        summary:
          'Performance metrics for declarations lodged in a period: channels, controls, findings and seizures with detection and seizure rates, random vs targeted detection, seizure values in one currency, clearance times, permit processing, collaboration, and the same figures for the previous period of the same length; JSON or CSV',
        querystring: Period,
        response: {
          200: {
            description:
              'The metrics (JSON), or one `section,group,metric,value` row per figure (CSV)',
            content: {
              'application/json': { schema: PerformanceMetricsSchema },
              'text/csv': { schema: Type.String() },
            },
          },
          400: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const period = checkPeriod(request.query);
      const m = await performanceMetrics(ctx, request.principal, {
        ...period,
        ...(request.query.groupBy !== undefined ? { groupBy: request.query.groupBy } : {}),
      });
      if (request.query.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').send(metricsCsv(m));
      }
      return m;
    },
  );
  app.get(
    '/api/metrics/training-data',
    {
      schema: {
        tags: ['metrics'],
        summary:
          'Controlled declarations lodged in a period as labelled examples (features, finding yes/no, value at stake), NDJSON',
        querystring: Type.Object({ from: Type.String(), to: Type.String() }),
        response: { 200: Type.String(), 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) => {
      const rows = await trainingData(ctx, request.principal, checkPeriod(request.query));
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .send(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : ''));
    },
  );
};
