import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { acceptTextBodies } from '../text-body.js';
import type { AppContext } from '../../app/context.js';
import { submitDeclaration } from '../../app/submit-declaration.js';
import type { DeclarationView } from '../../app/views/declaration-view.js';
import { canSubmitDeclaration } from '../../core/auth/access.js';
import type { SourceFormat } from '../../core/declaration/declaration.js';
import { DomainError } from '../../core/errors.js';
import {
  readDeclarationText,
  type FileRecord,
  type TextFormat,
} from '../../formats/declaration-files.js';
import { toSourcePaths } from '../../formats/types.js';
import { problemFromDomainError, problemType, type ProblemDocument } from '../problem.js';
import { DeclarationViewSchema, ProblemSchema } from '../schemas.js';

/** Declarations one batch may carry; a larger batch belongs in `greenlane import`. */
export const MAX_BATCH_DECLARATIONS = 200;

const CSV = 'text/csv';
const NDJSON = 'application/x-ndjson';

const BatchResultSchema = Type.Object(
  {
    location: Type.String({
      description: 'Where the declaration sits: `rows 2–3`, `line 4`, `item 1`',
    }),
    reference: Type.Optional(Type.String({ description: 'Its reference (LRN), when it has one' })),
    outcome: Type.Enum(['lodged', 'refused']),
    declaration: Type.Optional(DeclarationViewSchema),
    problem: Type.Optional(ProblemSchema),
  },
  { title: 'BatchResult' },
);

/** The outcome of one declaration of a batch. */
interface BatchResult {
  location: string;
  reference?: string;
  outcome: 'lodged' | 'refused';
  declaration?: DeclarationView;
  problem?: ProblemDocument;
}

/** A batch none of whose declarations was lodged: a problem document with the outcome of each. */
const BatchRefusedSchema = Type.Object(
  {
    ...ProblemSchema.properties,
    results: Type.Optional(Type.Array(BatchResultSchema)),
  },
  { title: 'BatchRefused' },
);

/**
 * Lodge the declarations of a file in one request: CSV (docs/import-formats.md), NDJSON, or a JSON
 * array. Each is lodged on its own through the same intake as POST /api/declarations; the answer
 * says for each whether it was lodged or why not.
 */
export const declarationBatchRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  acceptTextBodies(app, [CSV, NDJSON]);

  app.post(
    '/api/declarations/batch',
    {
      // Each declaration is validated by the domain, as for POST /api/declarations.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['declarations'],
        summary:
          'Lodge the declarations of a CSV, NDJSON or JSON-array file; the answer gives the outcome of each',
        description:
          `At most ${MAX_BATCH_DECLARATIONS} declarations. CSV: one row per goods item, consecutive rows with ` +
          'the same reference form one declaration (docs/import-formats.md); NDJSON: one declaration a line; ' +
          'JSON: an array of declarations (or one). A refused declaration names its fields as the file does ' +
          '(`row 3, column hsCode`, or a JSON pointer) and does not stop the others. When none is lodged the ' +
          'answer is a problem document (409 when every one was a reference already used, else 400) that ' +
          'carries the same `results`.',
        body: {
          content: {
            [CSV]: { schema: Type.String({ description: 'CSV with a header row' }) },
            [NDJSON]: { schema: Type.String({ description: 'One declaration per line' }) },
            'application/json': {
              schema: Type.Array(Type.Unknown(), { maxItems: MAX_BATCH_DECLARATIONS }),
            },
          },
        },
        response: {
          200: Type.Object({
            lodged: Type.Integer({ minimum: 0 }),
            refused: Type.Integer({ minimum: 0 }),
            results: Type.Array(BatchResultSchema),
          }),
          400: BatchRefusedSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          409: BatchRefusedSchema,
          413: ProblemSchema,
          415: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      // Before reading a byte: one not allowed to lodge learns nothing of the file's content.
      if (!canSubmitDeclaration(request.principal))
        throw new DomainError('forbidden', 'your roles do not allow lodging declarations');
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
      const records = await readBatch(request.body, contentType);
      const format: SourceFormat =
        contentType === CSV ? 'csv' : contentType === NDJSON ? 'ndjson' : 'json';
      const results: BatchResult[] = [];
      for (const record of records) {
        const reference = referenceOf(record);
        const base = { location: record.location, ...(reference ? { reference } : {}) };
        try {
          if (!record.result.ok)
            throw new DomainError(
              'invalid_input',
              `${record.location} is not a declaration`,
              record.result.issues,
            );
          const { input, sourcePaths } = record.result.value;
          const lodged = await submitDeclaration(ctx, request.principal, {
            input,
            sourceFormat: format,
            ...(sourcePaths
              ? { translateIssues: (issues) => toSourcePaths(issues, sourcePaths) }
              : {}),
          });
          if (lodged.outcome !== 'created') throw new Error('a batch never replays');
          app.declarationsReceived.inc({ format });
          results.push({ ...base, outcome: 'lodged' as const, declaration: lodged.view });
        } catch (e) {
          if (!(e instanceof DomainError) || e.code === 'unavailable') throw e;
          results.push({
            ...base,
            outcome: 'refused' as const,
            problem: problemFromDomainError(e),
          });
        }
      }
      const lodged = results.filter((r) => r.outcome === 'lodged').length;
      if (lodged === 0) {
        const problemOf = (r: BatchResult) => r.problem;
        const statuses = new Set(results.map((r) => problemOf(r)?.status));
        const status = statuses.size === 1 && statuses.has(409) ? 409 : 400;
        const code = status === 409 ? 'conflict' : 'invalid_input';
        return reply
          .code(status)
          .type('application/problem+json')
          .send({
            type: problemType(code),
            title: status === 409 ? 'Conflict' : 'Invalid input',
            status,
            detail:
              results.length === 1
                ? `the declaration was not lodged: ${(results[0] && problemOf(results[0])?.detail) ?? 'refused'}`
                : `none of the ${results.length} declarations was lodged`,
            errors: results.map((r) => ({
              field: r.location,
              detail: problemOf(r)?.detail ?? 'refused',
            })),
            results,
          });
      }
      return { lodged, refused: results.length - lodged, results };
    },
  );
};

/** The records of the body, at most MAX_BATCH_DECLARATIONS of them. */
async function readBatch(body: unknown, contentType: string): Promise<FileRecord[]> {
  const records: FileRecord[] = [];
  const tooMany = () =>
    new DomainError(
      'invalid_input',
      `a batch holds at most ${MAX_BATCH_DECLARATIONS} declarations; split the file`,
      [{ path: 'body', reason: `more than ${MAX_BATCH_DECLARATIONS} declarations` }],
    );
  if (typeof body === 'string') {
    const format: TextFormat = contentType === CSV ? 'csv' : 'ndjson';
    for await (const record of readDeclarationText(body, format)) {
      if (records.length === MAX_BATCH_DECLARATIONS) throw tooMany();
      records.push(record);
    }
  } else {
    const items = Array.isArray(body) ? (body as unknown[]) : [body];
    if (items.length > MAX_BATCH_DECLARATIONS) throw tooMany();
    items.forEach((input, i) =>
      records.push({
        location: Array.isArray(body) ? `item ${i + 1}` : 'document',
        result: { ok: true, value: { input } },
      }),
    );
  }
  if (records.length === 0)
    throw new DomainError('invalid_input', 'the file holds no declaration', [
      { path: 'body', reason: 'no declaration' },
    ]);
  return records;
}

function referenceOf(record: FileRecord): string | undefined {
  if (!record.result.ok) return undefined;
  const input = record.result.value.input;
  if (input && typeof input === 'object' && 'reference' in input) {
    const r = input.reference;
    if (typeof r === 'string' && r.length <= 70) return r;
  }
  return undefined;
}
