import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  approve,
  reject,
  retire,
  submitForApproval,
  type SubjectType,
} from '../../app/manage-indicators.js';
import {
  approvalsByAgency,
  diffIndicatorVersions,
  indicatorEffectiveness,
  listApprovals,
  referenceListVersions,
  shareableMethodInformation,
} from '../../app/read-indicators.js';
import { INDICATOR_STATUSES } from '../../core/risk/indicator.js';
import { ProblemSchema } from '../schemas.js';
import { ReferenceListSchema } from './indicators.js';

const ApprovalSchema = Type.Object(
  {
    subjectType: Type.Enum(['indicator', 'reference-list']),
    subjectId: Type.String(),
    version: Type.Integer(),
    purpose: Type.Enum(['activation', 'retirement'], {
      description:
        'activation: the version goes into force; retirement: the agency agrees to retire',
    }),
    agencyId: Type.String(),
    userId: Type.String(),
    at: Type.String(),
    comment: Type.String(),
  },
  { title: 'Approval' },
);

const StepResultSchema = Type.Object(
  {
    version: Type.Integer(),
    status: Type.Enum(INDICATOR_STATUSES),
    ownerAgencyId: Type.String(),
    coAuthorAgencyIds: Type.Array(Type.String()),
    approvals: Type.Optional(Type.Array(ApprovalSchema)),
    retirement: Type.Optional(
      Type.Object({
        agreedBy: Type.Array(Type.String(), { description: 'Agencies that agreed to retire it' }),
        remaining: Type.Array(Type.String(), { description: 'Owning agencies still to agree' }),
      }),
    ),
  },
  { title: 'StepResult' },
);

const StepBody = Type.Object(
  {
    version: Type.Integer({
      minimum: 1,
      maximum: 2_147_483_647,
      description: 'The version acted on; must be the newest (nobody approves an edit unseen)',
    }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const RejectBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

const stepResponses = {
  200: StepResultSchema,
  400: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
};

const StatsSchema = Type.Object(
  {
    indicatorId: Type.String(),
    version: Type.Integer(),
    hits: Type.Integer(),
    controls: Type.Integer(),
    findings: Type.Integer(),
    hitRate: Type.Union([Type.Number(), Type.Null()]),
  },
  { title: 'IndicatorStats' },
);

/**
 * The joint authoring workflow of indicators and reference lists (submit, approve per agency,
 * reject, retire), version diff, effectiveness, and the shareable export.
 */
export const workflowRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  const subjects: Array<[SubjectType, string, string]> = [
    ['indicator', '/api/indicators/:key', 'indicator'],
    ['reference-list', '/api/reference-lists/:key', 'reference list'],
  ];
  const Key = Type.Object({ key: Type.String({ minLength: 1, maxLength: 64 }) });
  for (const [type, base, what] of subjects) {
    app.post(
      `${base}/submit`,
      {
        schema: {
          tags: ['workflow'],
          summary: `Submit a draft ${what} version for approval by every named agency`,
          params: Key,
          body: StepBody,
          response: stepResponses,
        },
      },
      (request) =>
        submitForApproval(ctx, request.principal, type, request.params.key, request.body),
    );
    app.post(
      `${base}/approve`,
      {
        schema: {
          tags: ['workflow'],
          summary: `Approve a ${what} version for your agency; the last named agency's approval makes it active`,
          params: Key,
          body: StepBody,
          response: stepResponses,
        },
      },
      (request) => approve(ctx, request.principal, type, request.params.key, request.body),
    );
    app.post(
      `${base}/reject`,
      {
        schema: {
          tags: ['workflow'],
          summary: `Reject a ${what} version awaiting approval, with the reason: it returns to draft`,
          params: Key,
          body: RejectBody,
          response: stepResponses,
        },
      },
      (request) => reject(ctx, request.principal, type, request.params.key, request.body),
    );
    app.post(
      `${base}/retire`,
      {
        schema: {
          tags: ['workflow'],
          summary: `Agree, for your agency, to retire a ${what}; once every owning agency agreed, its active and pending versions go out of use`,
          description:
            'The owning agencies are those named (owner and co-authors) on every version still in use. ' +
            'A single-agency subject retires at once (200); a joint one answers 202 until the last owner agrees.',
          params: Key,
          body: StepBody,
          response: { ...stepResponses, 202: StepResultSchema },
        },
      },
      async (request, reply) => {
        const r = await retire(ctx, request.principal, type, request.params.key, request.body);
        return reply.code(r.status === 'retired' ? 200 : 202).send(r);
      },
    );
    app.get(
      `${base}/approvals`,
      {
        schema: {
          tags: ['workflow'],
          summary: `Approvals recorded for a ${what}, every version`,
          params: Key,
          response: { 200: Type.Array(ApprovalSchema), 403: ProblemSchema },
        },
      },
      (request) => listApprovals(ctx, request.principal, type, request.params.key),
    );
  }

  app.get(
    '/api/reference-lists/:key/versions',
    {
      schema: {
        tags: ['risk'],
        summary: 'Every version of a reference list, oldest first',
        params: Key,
        response: { 200: Type.Array(ReferenceListSchema), 404: ProblemSchema },
      },
    },
    (request) => referenceListVersions(ctx, request.principal, request.params.key),
  );
  app.get(
    '/api/indicators/:key/versions/:a/diff/:b',
    {
      schema: {
        tags: ['workflow'],
        summary: 'What changed between two versions of an indicator, field by field',
        params: Type.Object({
          key: Type.String({ minLength: 1, maxLength: 64 }),
          a: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
          b: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
        }),
        response: {
          200: Type.Object({
            id: Type.String(),
            from: Type.Integer(),
            to: Type.Integer(),
            changes: Type.Array(
              Type.Object({ field: Type.String(), from: Type.Unknown(), to: Type.Unknown() }),
            ),
          }),
          404: ProblemSchema,
        },
      },
    },
    (request) =>
      diffIndicatorVersions(
        ctx,
        request.principal,
        request.params.key,
        request.params.a,
        request.params.b,
      ),
  );
  app.get(
    '/api/indicators/:key/agencies',
    {
      schema: {
        tags: ['workflow'],
        summary:
          'The agencies that must approve an indicator (owner and co-authors of the newest version), and who approved which version when',
        params: Key,
        response: {
          200: Type.Object({
            id: Type.String(),
            version: Type.Integer({ description: 'The newest version' }),
            status: Type.Enum(INDICATOR_STATUSES),
            agencies: Type.Array(
              Type.Object({
                agencyId: Type.String(),
                code: Type.String(),
                name: Type.String(),
                role: Type.Enum(['owner', 'co-author', 'former-co-author'], {
                  description:
                    'former-co-author: named on the active version, left out of the newest; it approves the change too',
                }),
                approvedNewest: Type.Boolean(),
                approvals: Type.Array(
                  Type.Object({
                    version: Type.Integer(),
                    userId: Type.String(),
                    username: Type.String(),
                    displayName: Type.String(),
                    at: Type.String(),
                    comment: Type.String(),
                  }),
                ),
              }),
            ),
          }),
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    (request) => approvalsByAgency(ctx, request.principal, request.params.key),
  );
  app.get(
    '/api/indicators/:key/effectiveness',
    {
      schema: {
        tags: ['risk'],
        summary:
          'Per version: declarations hit, controls performed on them, findings, hit rate (findings / controls)',
        params: Key,
        response: {
          200: Type.Object({
            id: Type.String(),
            versions: Type.Array(StatsSchema),
            total: StatsSchema,
          }),
          404: ProblemSchema,
        },
      },
    },
    (request) => indicatorEffectiveness(ctx, request.principal, request.params.key),
  );
  app.get(
    '/api/exchange/method-information',
    {
      schema: {
        tags: ['exchange'],
        summary:
          'What may be sent to partner administrations: active shareable indicators and lists (national ones never)',
      },
    },
    (request) => shareableMethodInformation(ctx, request.principal),
  );
};
