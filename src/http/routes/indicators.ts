import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import { saveIndicator, saveReferenceList } from '../../app/manage-indicators.js';
import {
  getIndicator,
  indicatorVersions,
  listIndicators,
  listReferenceLists,
} from '../../app/read-indicators.js';
import { PREVIEW_DEFAULTS, PREVIEW_LIMITS, previewIndicator } from '../../app/preview-indicator.js';
import { screenWithoutStoring } from '../../app/screen-declaration.js';
import { DeclarationInputSchema } from '../../core/declaration/declaration.js';
import { DomainError } from '../../core/errors.js';
import {
  CONTROL_FORMS,
  INDICATOR_STATUSES,
  PRIORITY_AREAS,
  SHARING_LEVELS,
} from '../../core/risk/indicator.js';
import { HELPERS } from '../../core/risk/screening-context.js';
import { conditionReference } from '../../app/condition-reference.js';
import { IndicatorInputSchema } from '../../core/risk/validate-indicator.js';
import { AssessmentSchema, ProblemSchema } from '../schemas.js';

export const IndicatorSchema = Type.Object(
  {
    id: Type.String(),
    version: Type.Integer(),
    title: Type.String(),
    priorityArea: Type.Enum(PRIORITY_AREAS),
    condition: Type.String(),
    weight: Type.Number(),
    directChannel: Type.Union([Type.Enum(['yellow', 'red']), Type.Null()]),
    controlForm: Type.Enum(CONTROL_FORMS),
    rationale: Type.String(),
    validFrom: Type.Union([Type.String(), Type.Null()]),
    validTo: Type.Union([Type.String(), Type.Null()]),
    status: Type.Enum(INDICATOR_STATUSES),
    ownerAgencyId: Type.String(),
    coAuthorAgencyIds: Type.Array(Type.String()),
    sharing: Type.Enum(SHARING_LEVELS),
    expectedDocuments: Type.Array(Type.Object({ type: Type.String(), title: Type.String() })),
    sources: Type.Array(Type.String()),
    createdAt: Type.String(),
    createdBy: Type.String(),
  },
  { title: 'Indicator' },
);

export const ReferenceListSchema = Type.Object(
  {
    name: Type.String(),
    version: Type.Integer(),
    kind: Type.Enum(['hs-prefixes', 'countries', 'parties', 'values']),
    title: Type.String(),
    entries: Type.Array(Type.String()),
    source: Type.String(),
    status: Type.Enum(INDICATOR_STATUSES),
    ownerAgencyId: Type.String(),
    coAuthorAgencyIds: Type.Array(Type.String()),
    sharing: Type.Enum(SHARING_LEVELS),
    createdAt: Type.String(),
    createdBy: Type.String(),
  },
  { title: 'ReferenceList' },
);

const ConditionReferenceSchema = Type.Object(
  {
    fields: Type.Array(
      Type.Object({
        name: Type.String({ description: 'As written in a condition, e.g. item.hs' }),
        type: Type.String({ description: 'CEL type' }),
        doc: Type.String(),
      }),
    ),
    helpers: Type.Array(
      Type.Object({
        name: Type.Enum(Object.keys(HELPERS) as Array<keyof typeof HELPERS>),
        signature: Type.String(),
        doc: Type.String(),
      }),
    ),
    lists: Type.Array(
      Type.Object({
        name: Type.String(),
        kind: Type.Enum(['hs-prefixes', 'countries', 'parties', 'values']),
        title: Type.String(),
        version: Type.Integer(),
        status: Type.Enum(INDICATOR_STATUSES),
        entryCount: Type.Integer(),
      }),
    ),
    note: Type.String(),
  },
  { title: 'ConditionReference' },
);

const PreviewSchema = Type.Object(
  {
    window: Type.Object({ from: Type.String(), to: Type.String(), limit: Type.Integer() }),
    examined: Type.Integer({ description: 'Declarations screened' }),
    declarationsHit: Type.Integer({ description: 'Declarations with at least one hit' }),
    hitRate: Type.Union([Type.Number(), Type.Null()], {
      description: 'declarationsHit / examined; null when none was examined',
    }),
    itemsHit: Type.Integer(),
    hits: Type.Array(
      Type.Object({
        declarationId: Type.String(),
        reference: Type.String(),
        submittedAt: Type.String(),
        itemSequence: Type.Integer(),
        hsCode: Type.String(),
        points: Type.Number(),
        directChannel: Type.Union([Type.Enum(['yellow', 'red']), Type.Null()]),
        reason: Type.String(),
      }),
    ),
    truncated: Type.Boolean({
      description: `True when more than ${PREVIEW_LIMITS.maxHitsListed} item hits`,
    }),
    broad: Type.Object(
      {
        share: Type.Number({
          minimum: 0,
          maximum: 1,
          description: `The configured share (GREENLANE_PREVIEW_WARN_PERCENT, default ${PREVIEW_DEFAULTS.warnShare * 100} %)`,
        }),
        exceeded: Type.Boolean({ description: 'hitRate > share: the condition is too broad' }),
      },
      { description: 'Whether the condition hits more than the configured share of declarations' },
    ),
  },
  { title: 'IndicatorPreview' },
);

// The body is validated by the domain (condition compiled against the lists in force); the
// schema documents it.
const domainValidated = { validatorCompiler: () => (data: unknown) => ({ value: data }) };

/** Risk indicators (versioned), reference lists and what-if screening. */
export const indicatorRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/indicators',
    {
      schema: {
        tags: ['risk'],
        summary: 'The newest version of every indicator',
        response: { 200: Type.Array(IndicatorSchema) },
      },
    },
    (request) => listIndicators(ctx, request.principal),
  );
  app.get(
    '/api/indicators/context',
    {
      schema: {
        tags: ['risk'],
        summary:
          'What a condition can use: context fields with their CEL types and meaning, helper functions, and the reference lists',
        response: { 200: ConditionReferenceSchema, 403: ProblemSchema },
      },
    },
    (request) => conditionReference(ctx, request.principal),
  );
  app.post(
    '/api/indicators',
    {
      ...domainValidated,
      schema: {
        tags: ['risk'],
        summary:
          'Create an indicator (version 1, a draft); the condition is type-checked and compiled',
        body: IndicatorInputSchema,
        response: { 201: IndicatorSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await saveIndicator(ctx, request.principal, undefined, request.body)),
  );
  app.post(
    '/api/indicators/preview',
    {
      ...domainValidated,
      schema: {
        tags: ['risk'],
        summary:
          'Test a draft indicator against recent declarations: compiled as on save, run alone over the newest stored declarations; nothing is stored',
        querystring: Type.Object({
          limit: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: PREVIEW_LIMITS.maxLimit,
              description: `How many of the newest declarations (default ${PREVIEW_DEFAULTS.limit})`,
            }),
          ),
          days: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: PREVIEW_LIMITS.maxDays,
              description: `Lodged within this many days (default ${PREVIEW_DEFAULTS.days})`,
            }),
          ),
        }),
        body: IndicatorInputSchema,
        response: {
          200: PreviewSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    (request) => {
      // The domain checks the window too (the validator is the domain's on this route).
      const q = request.query as { limit?: string | number; days?: string | number };
      return previewIndicator(ctx, request.principal, request.body, {
        ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
        ...(q.days !== undefined ? { days: Number(q.days) } : {}),
      });
    },
  );
  app.put(
    '/api/indicators/:id',
    {
      ...domainValidated,
      schema: {
        tags: ['risk'],
        summary:
          'Save a new version of an indicator as a draft (old versions stay resolvable; the active one keeps screening until this one is approved)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: IndicatorInputSchema,
        response: {
          200: IndicatorSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    (request) => saveIndicator(ctx, request.principal, request.params.id, request.body),
  );
  app.get(
    '/api/indicators/:id',
    {
      schema: {
        tags: ['risk'],
        summary: 'The newest version of an indicator',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: IndicatorSchema, 404: ProblemSchema },
      },
    },
    (request) => getIndicator(ctx, request.principal, request.params.id),
  );
  app.get(
    '/api/indicators/:id/versions',
    {
      schema: {
        tags: ['risk'],
        summary: 'Every version of an indicator, oldest first',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Array(IndicatorSchema), 404: ProblemSchema },
      },
    },
    (request) => indicatorVersions(ctx, request.principal, request.params.id),
  );
  app.get(
    '/api/indicators/:id/versions/:version',
    {
      schema: {
        tags: ['risk'],
        summary: 'One version of an indicator',
        params: Type.Object({
          id: Type.String({ maxLength: 64 }),
          version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
        }),
        response: { 200: IndicatorSchema, 404: ProblemSchema },
      },
    },
    (request) => getIndicator(ctx, request.principal, request.params.id, request.params.version),
  );

  app.get(
    '/api/reference-lists',
    {
      schema: {
        tags: ['risk'],
        summary: 'The newest version of every reference list',
        response: { 200: Type.Array(ReferenceListSchema) },
      },
    },
    (request) => listReferenceLists(ctx, request.principal),
  );
  app.put(
    '/api/reference-lists/:name',
    {
      schema: {
        tags: ['risk'],
        summary:
          'Save a new version of a reference list (a draft, until every named agency approves it)',
        params: Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) }),
        body: Type.Object(
          {
            kind: Type.Enum(['hs-prefixes', 'countries', 'parties', 'values']),
            title: Type.String({ minLength: 1, maxLength: 200 }),
            entries: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
              maxItems: 100_000,
            }),
            source: Type.Optional(
              Type.String({ maxLength: 2000, description: 'Where the entries come from' }),
            ),
            coAuthorAgencies: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 35 }), {
                maxItems: 10,
                uniqueItems: true,
              }),
            ),
            sharing: Type.Optional(Type.Enum(SHARING_LEVELS)),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReferenceListSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) =>
      saveReferenceList(ctx, request.principal, { name: request.params.name, ...request.body }),
  );

  app.post(
    '/api/screen',
    {
      ...domainValidated,
      schema: {
        tags: ['risk'],
        summary:
          'What-if: screen a declaration with the active indicators without storing anything',
        querystring: Type.Object({
          seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
        }),
        body: DeclarationInputSchema,
        response: {
          200: Type.Object({ assessment: AssessmentSchema }),
          400: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    async (request) => {
      const seedText = (request.query as { seed?: string }).seed;
      const seed = seedText === undefined ? undefined : Number(seedText);
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
        throw new DomainError('invalid_input', 'invalid seed', [
          { path: 'querystring/seed', reason: 'an integer from 0 to 4294967295' },
        ]);
      }
      const { assessment } = await screenWithoutStoring(
        ctx,
        request.principal,
        request.body,
        seed === undefined ? {} : { seed },
      );
      return { assessment };
    },
  );
};
