import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import { getDeclaration, listDeclarations } from '../../app/read-declarations.js';
import { presentDeclaration, presentDeclarations } from '../../app/views/declaration-view.js';
import { requestFingerprint } from '../../app/secrets.js';
import { submitDeclaration, type SubmitDeclarationRequest } from '../../app/submit-declaration.js';
import { CONTROL_STATUSES } from '../../core/controls/inspection.js';
import { DeclarationInputSchema } from '../../core/declaration/declaration.js';
import { DomainError } from '../../core/errors.js';
import { toSourcePaths } from '../../formats/types.js';
import { readWcoMessage } from '../../formats/wco-dms.js';
import { DeclarationViewSchema, ProblemSchema } from '../schemas.js';
import {
  applyWcoChange,
  DeclarationChangeSchema,
  declarationLifecycleRoutes,
} from './declaration-lifecycle.js';
import { declarationBatchRoutes } from './declaration-batch.js';

const ListQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'Declaration date from (inclusive)' }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'Declaration date to (exclusive)' }),
    ),
    office: Type.Optional(Type.String({ maxLength: 35 })),
    hsPrefix: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,10}$',
        description: 'Any goods item whose HS code starts with this',
      }),
    ),
    trader: Type.Optional(
      Type.String({ maxLength: 35, description: 'Declarant, consignor or consignee id' }),
    ),
    channel: Type.Optional(Type.Enum(['green', 'yellow', 'red', 'unscreened'])),
    kind: Type.Optional(Type.Enum(['import', 'export', 'transit', 'cargo-report'])),
    reference: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 70,
        description: "The declarant's own reference (LRN), exactly",
      }),
    ),
    mrn: Type.Optional(
      Type.String({
        pattern: '^[0-9A-Za-z-]{1,64}$',
        description: 'Movement reference: the GreenLane declaration id, or a cargo report MRN',
      }),
    ),
    container: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9]{1,17}$',
        description: 'A container the goods travel in, e.g. MSCU1234565 (exactly)',
      }),
    ),
    status: Type.Optional(Type.Enum([...CONTROL_STATUSES])),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(
      Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Lodge, read and list declarations. */
export const declarationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  await app.register(declarationLifecycleRoutes, { ctx });
  await app.register(declarationBatchRoutes, { ctx });

  app.post(
    '/api/declarations',
    {
      // The body is validated by the domain (one validator for HTTP, CLI and every format); the
      // schema below documents it.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['declarations'],
        summary:
          'Lodge a declaration (JSON, or WCO Data Model 3.x DMS XML); a DMS amendment or cancellation amends or cancels the declaration it names',
        description:
          'Send `Idempotency-Key` to make retries safe: a retry with the same key and body returns the first ' +
          'response and creates nothing; the same key with another body is refused with 422. ' +
          'A DMS amendment (FunctionCode 13, TypeCode COR) or cancellation (TypeCode INV) names the ' +
          "declaration by the lodging organisation's LRN (FunctionalReferenceID) or by its GreenLane id " +
          'in Declaration/ID, and answers 200 with what it did (see docs/import-formats.md).',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) }),
        body: {
          content: {
            'application/json': { schema: DeclarationInputSchema },
            'application/xml': {
              schema: Type.String({ description: 'WCO DMS MetaData/Declaration' }),
            },
          },
        },
        response: {
          200: DeclarationChangeSchema,
          201: DeclarationViewSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          413: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
          415: ProblemSchema,
          422: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const keyHeader: unknown = request.headers['idempotency-key'];
      const key = typeof keyHeader === 'string' ? keyHeader : undefined;
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new DomainError('invalid_input', 'invalid Idempotency-Key', [
          { path: 'Idempotency-Key', reason: '1–200 visible ASCII characters' },
        ]);
      }
      const body: unknown = request.body;
      const isXml = typeof body === 'string';
      let submission: SubmitDeclarationRequest;
      if (isXml) {
        const read = readWcoMessage(body);
        if (read.ok && read.kind !== 'declaration') {
          return reply.code(200).send(await applyWcoChange(ctx, request.principal, read));
        }
        if (!read.ok)
          throw new DomainError(
            'invalid_input',
            'the XML message is not an acceptable declaration',
            read.issues,
          );
        const { input, sourcePaths } = read.value;
        submission = {
          input,
          sourceFormat: 'wco-xml',
          translateIssues: (issues) => toSourcePaths(issues, sourcePaths),
        };
      } else {
        submission = { input: body, sourceFormat: 'json' };
      }
      if (key !== undefined) {
        const raw = typeof body === 'string' ? body : JSON.stringify(body);
        submission.idempotency = {
          key,
          requestHash: requestFingerprint([isXml ? 'xml' : 'json', raw]),
        };
      }
      const result = await submitDeclaration(ctx, request.principal, submission);
      if (result.outcome === 'replayed') {
        // The first response, byte for byte: it was stored already serialised.
        return reply
          .code(result.statusCode as 201)
          .header('idempotent-replayed', 'true')
          .type('application/json; charset=utf-8')
          .serializer((payload) => payload as string)
          .send(result.body as never);
      }
      app.declarationsReceived.inc({ format: submission.sourceFormat });
      return reply
        .code(201)
        .header('location', `/api/declarations/${result.declaration.id}`)
        .send(result.view);
    },
  );

  app.get(
    '/api/declarations/:id',
    {
      schema: {
        tags: ['declarations'],
        summary: 'One declaration',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: DeclarationViewSchema, 404: ProblemSchema },
      },
    },
    async (request) =>
      presentDeclaration(
        ctx.storage.read,
        request.principal,
        await getDeclaration(ctx, request.principal, request.params.id),
      ),
  );

  app.get(
    '/api/declarations',
    {
      schema: {
        tags: ['declarations'],
        summary:
          'Declarations you may see, newest declaration date first, filtered and paged by cursor',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(DeclarationViewSchema),
            nextCursor: Type.Optional(Type.String()),
          }),
          400: ProblemSchema,
        },
      },
    },
    async (request) => {
      const page = await listDeclarations(ctx, request.principal, request.query);
      return {
        ...page,
        items: await presentDeclarations(ctx.storage.read, request.principal, page.items),
      };
    },
  );
};
