import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  approveModel,
  getModel,
  listModels,
  modelDrift,
  rejectModel,
  retireModel,
  submitModel,
  trainModel,
} from '../../app/manage-models.js';
import { RISK_MODEL_STATUSES } from '../../core/ports.js';
import { ProblemSchema } from '../schemas.js';

const NullableS = Type.Union([Type.String(), Type.Null()]);
const DateTime = (description: string) => Type.String({ format: 'date-time', description });

const RiskModelSchema = Type.Object(
  {
    administrationId: Type.String(),
    version: Type.Integer(),
    status: Type.Enum(RISK_MODEL_STATUSES),
    trainedBy: Type.String(),
    trainedByAgencyId: Type.String(),
    trainedAt: Type.String(),
    submittedBy: NullableS,
    submittedAt: NullableS,
    decidedBy: NullableS,
    decidedAt: NullableS,
    decisionNote: NullableS,
    activatedAt: NullableS,
    endedAt: NullableS,
    card: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'The model card: data window, features and their importance, rows and weighting, training, and the figures of the held-back period (all controls: biased; random sample: unbiased; by office and HS section)',
    }),
  },
  { title: 'RiskModel' },
);

const Version = Type.Object({ version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) });
const Note = (required: boolean) =>
  Type.Object(
    {
      note: required
        ? Type.String({ minLength: 1, maxLength: 2000 })
        : Type.Optional(Type.String({ maxLength: 2000 })),
    },
    { additionalProperties: false },
  );

const Errors = {
  400: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
};

/** The learned risk model: train, read, submit, approve (four eyes), reject, retire, drift. */
export const modelRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, opts) => {
  const { ctx } = opts;
  app.get(
    '/api/models',
    {
      schema: {
        tags: ['models'],
        summary: "The administration's versions of the learned risk model, newest first",
        response: { 200: Type.Array(RiskModelSchema), 403: ProblemSchema },
      },
    },
    (request) => listModels(ctx, request.principal),
  );
  app.post(
    '/api/models',
    {
      schema: {
        tags: ['models'],
        summary:
          'Train a version on the outcomes of controlled declarations lodged in [from, to); stored as a draft with its card',
        body: Type.Object(
          {
            from: DateTime('first lodging date learned from'),
            to: DateTime('end of the window (exclusive)'),
            evaluateFrom: Type.Optional(
              DateTime(
                'start of the held-back period; default: where the latest fifth of the controls begins',
              ),
            ),
            maxRandomWeight: Type.Optional(
              Type.Number({
                minimum: 1,
                maximum: 1000,
                description: 'a randomly selected control weighs 1 / random share, at most this',
              }),
            ),
            params: Type.Optional(
              Type.Object(
                {
                  rounds: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
                  learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
                  maxLeaves: Type.Optional(Type.Integer({ minimum: 2, maximum: 1023 })),
                  maxDepth: Type.Optional(Type.Integer({ minimum: 0, maximum: 32 })),
                  minSamplesLeaf: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
                  lambda: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
                  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 })),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: RiskModelSchema, ...Errors, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const model = await trainModel(ctx, request.principal, request.body);
      return reply.code(201).send(model);
    },
  );
  app.get(
    '/api/models/:version',
    {
      schema: {
        tags: ['models'],
        summary: 'One version with its card (old versions stay readable)',
        params: Version,
        response: { 200: RiskModelSchema, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    (request) => getModel(ctx, request.principal, request.params.version),
  );
  for (const [step, summary, required, run] of [
    ['submit', 'Ask for approval: draft → awaiting-approval', false, submitModel],
    [
      'approve',
      'Approve (not the analyst who trained or submitted it): the version becomes active, the previous one superseded',
      false,
      approveModel,
    ],
    ['reject', 'Reject, saying why: awaiting-approval → rejected', true, rejectModel],
    [
      'retire',
      'Retire the active version, saying why: screening goes on with the rules',
      true,
      retireModel,
    ],
  ] as const) {
    app.post(
      `/api/models/:version/${step}`,
      {
        schema: {
          tags: ['models'],
          summary,
          params: Version,
          body: Note(required),
          response: { 200: RiskModelSchema, ...Errors },
        },
      },
      (request) =>
        run(ctx, request.principal, request.params.version, { note: request.body.note ?? '' }),
    );
  }
  app.get(
    '/api/models/:version/drift',
    {
      schema: {
        tags: ['models'],
        summary:
          "Drift of the declarations lodged in [from, to) from the version's training rows (population stability by feature), and its predicted against observed finding rates by month",
        params: Version,
        querystring: Type.Object({
          from: DateTime('first lodging date'),
          to: DateTime('end (exclusive)'),
        }),
        response: {
          200: Type.Object({
            version: Type.Integer(),
            window: Type.Object({ from: Type.String(), to: Type.String() }),
            declarations: Type.Integer(),
            features: Type.Array(
              Type.Object({
                feature: Type.String(),
                psi: Type.Number(),
                level: Type.Enum(['stable', 'moderate', 'significant']),
              }),
            ),
            outcomes: Type.Array(
              Type.Object({
                month: Type.String(),
                controlled: Type.Integer(),
                findings: Type.Integer(),
                meanProbability: Type.Number(),
                findingRate: Type.Number(),
              }),
            ),
          }),
          ...Errors,
        },
      },
    },
    (request) => modelDrift(ctx, request.principal, request.params.version, request.query),
  );
};
