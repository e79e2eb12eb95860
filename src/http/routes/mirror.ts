import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { acceptTextBodies } from '../text-body.js';
import type { AppContext } from '../../app/context.js';
import {
  MAX_MIRROR_RECORDS,
  mirrorGaps,
  mirrorRecordsFromCsv,
  recordMirrorRecords,
} from '../../app/manage-mirror.js';
import { MirrorRecordInputSchema } from '../../core/reconciliation/mirror-record.js';
import { DomainError } from '../../core/errors.js';
import { ProblemSchema } from '../schemas.js';

const CSV = 'text/csv';

/** Mirror reconciliation: partners' exports against our imports, by HS6 and month. */
export const mirrorRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  acceptTextBodies(app, [CSV]);
  app.post(
    '/api/mirror/records',
    {
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['mirror'],
        summary:
          "Load partners' export figures (FOB) or our import figures (CIF) by HS6 and month: JSON array or CSV, all or nothing; a month sent again replaces the figure",
        description: `At most ${MAX_MIRROR_RECORDS} records. CSV: a header row naming side, partner, hs6, month, value and optionally quantity, unit.`,
        body: {
          content: {
            'application/json': {
              schema: Type.Array(MirrorRecordInputSchema, { maxItems: MAX_MIRROR_RECORDS }),
            },
            [CSV]: { schema: Type.String({ description: 'CSV with a header row' }) },
          },
        },
        response: {
          200: Type.Object({ recorded: Type.Integer() }),
          400: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    (request) => {
      if (typeof request.body === 'string')
        return recordMirrorRecords(
          ctx,
          request.principal,
          mirrorRecordsFromCsv(request.body),
          (i, path) => `row ${i + 2}, column ${path.replace(/^\//, '') || '(all)'}`,
        );
      if (!Array.isArray(request.body))
        throw new DomainError('invalid_input', 'send an array of records', [
          { path: 'body', reason: 'a JSON array' },
        ]);
      return recordMirrorRecords(ctx, request.principal, request.body);
    },
  );
  app.get(
    '/api/mirror/gaps',
    {
      schema: {
        tags: ['mirror'],
        summary:
          "Partners' exports raised to CIF against our imports, per HS6 × partner × month: value, quantity and unit-value gaps (log ratios), flags and misclassification findings",
        querystring: Type.Object({
          fromMonth: Type.Optional(
            Type.String({
              pattern: '^[0-9]{4}-[0-9]{2}$',
              description: 'default: 11 months before toMonth',
            }),
          ),
          toMonth: Type.Optional(
            Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'default: this month' }),
          ),
          partner: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
          hs6: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
          lagMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 12 })),
          cifFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 2 })),
          minimumValue: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
          all: Type.Optional(Type.Boolean({ description: 'all rows, not only the flagged ones' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
        }),
        response: { 200: Type.Unknown(), 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => mirrorGaps(ctx, request.principal, request.query),
  );
};
