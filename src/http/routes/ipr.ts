import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  APPLICATION_DECISIONS,
  caseOfDeclaration,
  completeApplication,
  decideApplication,
  detainGoods,
  getApplication,
  getCalendar,
  getCase,
  listApplications,
  listCases,
  recordCaseEvent,
  setCalendar,
  submitApplication,
} from '../../app/manage-ipr.js';
import { iprMetrics } from '../../app/ipr-metrics.js';
import { reportIprCase } from '../../app/ipr-cooperation.js';
import { MessageSchema, view as messageView } from './exchange.js';
import {
  APPLICATION_STATUSES,
  ApplicationInputSchema,
  RIGHT_TYPES,
} from '../../core/ipr/application.js';
import { IPR_EVENT_TYPES, IPR_PROCEDURES } from '../../core/ipr/procedure.js';
import { DomainError } from '../../core/errors.js';
import { ProblemSchema } from '../schemas.js';

const domainValidated = { validatorCompiler: () => (data: unknown) => ({ value: data }) };
const Id = Type.String({ maxLength: 64 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const ApplicationSchema = Type.Intersect(
  [
    ApplicationInputSchema,
    Type.Object({
      id: Type.String(),
      administrationId: Type.String(),
      applicantAgencyId: Type.String(),
      status: Type.Enum(APPLICATION_STATUSES),
      validFrom: Nullable(Type.String()),
      validTo: Nullable(Type.String()),
      submittedAt: Type.String(),
      decidedAt: Nullable(Type.String()),
      decidedBy: Nullable(Type.String()),
      customsNote: Nullable(Type.String()),
      version: Type.Integer(),
    }),
  ],
  { title: 'ApplicationForAction' },
);

const CalendarSchema = Type.Object(
  {
    timeZone: Type.String({ description: 'IANA time zone, e.g. Europe/Minsk' }),
    weekend: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
      description: 'days that are not working days, 0 = Sunday … 6 = Saturday',
    }),
    holidays: Type.Array(Type.String({ description: 'local date YYYY-MM-DD' })),
  },
  { title: 'WorkingDayCalendar' },
);

const Party = Type.Union([
  Type.Literal('customs'),
  Type.Literal('declarant'),
  Type.Literal('right-holder'),
]);
const DeadlineSchema = Type.Object(
  {
    kind: Type.String(),
    party: Party,
    dueLocalDate: Type.String(),
    dueAt: Type.String(),
    met: Type.Boolean(),
    status: Type.Union([Type.Literal('open'), Type.Literal('met'), Type.Literal('missed')], {
      description: 'open: still running; met: acted in time; missed: passed without the act',
    }),
  },
  { title: 'IprDeadline', additionalProperties: true },
);

const CaseViewSchema = Type.Object(
  {
    case: Type.Object({
      id: Type.String(),
      administrationId: Type.String(),
      declarationId: Type.String(),
      declarationReference: Type.String(),
      applicationId: Nullable(Type.String()),
      holderAgencyId: Nullable(Type.String()),
      holderName: Nullable(Type.String()),
      declarantAgencyId: Type.String(),
      declarantName: Type.String(),
      procedure: Type.Enum(IPR_PROCEDURES),
      perishable: Type.Boolean(),
      suspendedAt: Type.String(),
      suspendedBy: Type.String(),
      grounds: Type.String(),
      rights: Type.Array(
        Type.Object({
          rightId: Type.String(),
          type: Type.Enum(RIGHT_TYPES),
          mark: Type.String(),
          registrationNumber: Type.String(),
          match: Type.String(),
          matchedText: Type.String(),
        }),
      ),
      items: Type.Array(
        Type.Object({
          sequence: Type.Integer(),
          hs: Type.String(),
          description: Type.String(),
          brand: Type.String(),
          quantity: Nullable(Type.Number()),
          unit: Nullable(Type.String()),
          grossMassKg: Nullable(Type.Number()),
        }),
      ),
      events: Type.Array(
        Type.Object({
          seq: Type.Integer(),
          by: Type.String(),
          event: Type.Object(
            { type: Type.Enum(IPR_EVENT_TYPES), at: Type.String() },
            { additionalProperties: true },
          ),
        }),
      ),
      closed: Type.Boolean(),
    }),
    state: Type.Object(
      {
        stage: Type.String(),
        outcome: Type.Union([
          Type.Literal('pending'),
          Type.Literal('destroy'),
          Type.Literal('release'),
          Type.Literal('proceedings'),
        ]),
        outcomeReason: Nullable(Type.String()),
        deadlines: Type.Array(DeadlineSchema),
        overdue: Type.Array(DeadlineSchema),
        nextActions: Type.Array(
          Type.Object({ party: Party, action: Type.String(), dueAt: Nullable(Type.String()) }),
        ),
        extensionUsed: Type.Boolean(),
        releaseBlocked: Type.Boolean(),
      },
      { additionalProperties: true },
    ),
    calendar: CalendarSchema,
  },
  { title: 'IprCaseView' },
);

const EventBody = Type.Object(
  {
    type: Type.Enum(IPR_EVENT_TYPES),
    agreesToDestruction: Type.Optional(Type.Boolean()),
    workingDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    justification: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    applicationId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

/** Intellectual property at the border: the register of applications, detention cases, calendar. */
export const iprRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post(
    '/api/ipr/applications',
    {
      ...domainValidated,
      schema: {
        tags: ['ipr'],
        summary: 'Apply for customs action to protect your rights (right holders)',
        body: ApplicationInputSchema,
        response: { 201: ApplicationSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await submitApplication(ctx, request.principal, request.body)),
  );
  app.get(
    '/api/ipr/applications',
    {
      schema: {
        tags: ['ipr'],
        summary: "Applications for action: a right holder's own, or the administration's register",
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(APPLICATION_STATUSES)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Type.Array(ApplicationSchema), 403: ProblemSchema },
      },
    },
    (request) => listApplications(ctx, request.principal, request.query),
  );
  app.get(
    '/api/ipr/applications/:id',
    {
      schema: {
        tags: ['ipr'],
        summary: 'One application for action',
        params: Type.Object({ id: Id }),
        response: { 200: ApplicationSchema, 404: ProblemSchema },
      },
    },
    (request) => getApplication(ctx, request.principal, request.params.id),
  );
  app.put(
    '/api/ipr/applications/:id',
    {
      ...domainValidated,
      schema: {
        tags: ['ipr'],
        summary: 'Complete an application customs asked more information about (the applicant)',
        params: Type.Object({ id: Id }),
        body: ApplicationInputSchema,
        response: {
          200: ApplicationSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) => completeApplication(ctx, request.principal, request.params.id, request.body),
  );
  app.post(
    '/api/ipr/applications/:id/decision',
    {
      schema: {
        tags: ['ipr'],
        summary:
          'Decide on an application (the customs IPR unit): accept for up to a year, ask for more information, refuse, or extend',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            decision: Type.Enum(APPLICATION_DECISIONS),
            note: Type.Optional(Type.String({ maxLength: 4000 })),
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
            expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ApplicationSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) => decideApplication(ctx, request.principal, request.params.id, request.body),
  );

  app.post(
    '/api/declarations/:id/ipr-case',
    {
      schema: {
        tags: ['ipr'],
        summary:
          'Suspend release of goods suspected of infringing intellectual-property rights (detention) and open the case',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            grounds: Type.String({ minLength: 1, maxLength: 4000 }),
            perishable: Type.Optional(Type.Boolean()),
            items: Type.Optional(
              Type.Array(Type.Integer({ minimum: 1, maximum: 9999 }), {
                minItems: 1,
                maxItems: 999,
                uniqueItems: true,
              }),
            ),
            smallConsignment: Type.Optional(
              Type.Object(
                {
                  infringement: Type.Enum(['counterfeit', 'pirated', 'other']),
                  postalOrExpress: Type.Boolean(),
                  units: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
                },
                { additionalProperties: false },
              ),
            ),
            mark: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: CaseViewSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await detainGoods(ctx, request.principal, request.params.id, request.body)),
  );
  app.get(
    '/api/declarations/:id/ipr-case',
    {
      schema: {
        tags: ['ipr'],
        summary: "The IPR case of a declaration's goods, if they are or were detained",
        params: Type.Object({ id: Id }),
        response: { 200: CaseViewSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const view = await caseOfDeclaration(ctx, request.principal, request.params.id);
      if (!view)
        throw new DomainError('not_found', `no IPR case for declaration ${request.params.id}`);
      return view;
    },
  );
  app.get(
    '/api/ipr/cases',
    {
      schema: {
        tags: ['ipr'],
        summary:
          "Detention cases: customs sees its administration's, a right holder those of its rights, a declarant those of its goods; overdue = customs tasks past due or outcomes to carry out",
        querystring: Type.Object({
          open: Type.Optional(Type.Boolean()),
          overdue: Type.Optional(Type.Boolean()),
          declarationId: Type.Optional(
            Type.String({ maxLength: 64, description: 'only the case of this declaration' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Type.Array(CaseViewSchema), 403: ProblemSchema },
      },
    },
    (request) => listCases(ctx, request.principal, request.query),
  );
  app.get(
    '/api/ipr/cases/:id',
    {
      schema: {
        tags: ['ipr'],
        summary: 'One detention case with its deadlines and what each party does next',
        params: Type.Object({ id: Id }),
        response: { 200: CaseViewSchema, 404: ProblemSchema },
      },
    },
    (request) => getCase(ctx, request.principal, request.params.id),
  );
  app.post(
    '/api/ipr/cases/:id/events',
    {
      schema: {
        tags: ['ipr'],
        summary:
          'Record a step of the procedure: customs (notifications, extension, samples, clearance, destruction, release), the right holder (confirm, withdraw, proceedings, ask for samples) or the declarant (agree, object)',
        params: Type.Object({ id: Id }),
        body: EventBody,
        response: {
          200: CaseViewSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) =>
      recordCaseEvent(
        ctx,
        request.principal,
        request.params.id,
        request.body as Parameters<typeof recordCaseEvent>[3],
      ),
  );
  app.post(
    '/api/ipr/cases/:id/report',
    {
      schema: {
        tags: ['ipr'],
        summary:
          "Send the case's detention report (marks, goods, route, stage) to partner administrations over the exchange; parties only where an agreement allows nominal data",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            to: Type.Array(Type.String({ maxLength: 20 }), { minItems: 1, maxItems: 50 }),
            includeParties: Type.Optional(Type.Boolean()),
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
      const sent = await reportIprCase(ctx, request.principal, request.params.id, request.body);
      return reply.code(202).send(sent.map((m) => messageView(ctx, m)));
    },
  );
  app.get(
    '/api/ipr/calendar',
    {
      schema: {
        tags: ['ipr'],
        summary: "The administration's working days and holidays that deadlines count in",
        response: { 200: CalendarSchema, 403: ProblemSchema },
      },
    },
    (request) => getCalendar(ctx, request.principal),
  );
  app.put(
    '/api/ipr/calendar',
    {
      ...domainValidated,
      schema: {
        tags: ['ipr'],
        summary: "Set the administration's time zone, weekend and holidays",
        body: CalendarSchema,
        response: { 200: CalendarSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => setCalendar(ctx, request.principal, request.body),
  );
  app.get(
    '/api/ipr/metrics',
    {
      schema: {
        tags: ['ipr'],
        summary:
          'Detentions, confirmed infringements, destroyed and released goods by right holder, HS chapter and route; time to decision',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: Type.Unknown(), 403: ProblemSchema },
      },
    },
    (request) => iprMetrics(ctx, request.principal, request.query),
  );
};
