import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  checkStatement,
  countersignStatement,
  energyStatement,
  MAX_NOTE_BYTES,
} from '../../app/energy-statements.js';
import { ProblemSchema } from '../schemas.js';

const SignedStatementSchema = Type.Object(
  {
    text: Type.String({ description: 'what both sides sign' }),
    note: Type.String({ description: 'the text and its signatures (C2SP signed note)' }),
    signedBy: Type.Array(Type.String()),
    rows: Type.Integer(),
  },
  { title: 'SignedEnergyStatement' },
);
const CheckedStatementSchema = Type.Object(
  {
    pointId: Type.String(),
    partner: Type.String(),
    from: Type.String(),
    to: Type.String(),
    rows: Type.Integer(),
    signedBy: Type.Array(Type.String()),
    matchesOurFigures: Type.Boolean(),
    firstDifference: Type.Union([
      Type.Object({
        line: Type.Integer(),
        ours: Type.Union([Type.String(), Type.Null()]),
        theirs: Type.Union([Type.String(), Type.Null()]),
      }),
      Type.Null(),
    ]),
  },
  { title: 'CheckedEnergyStatement' },
);
const NoteBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: MAX_NOTE_BYTES }) },
  { additionalProperties: false },
);

/** Reconciliation statements: the figures of a point both administrations sign. */
export const energyStatementRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/energy/points/:id/statement',
    {
      schema: {
        tags: ['energy'],
        summary:
          "Both sides' metered figures of the point over a period as a statement signed by this node (C2SP signed note), for the partner to check against its own records and countersign",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({
          from: Type.Optional(
            Type.String({ format: 'date-time', description: 'default: 7 days before `to`' }),
          ),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
        }),
        response: {
          200: SignedStatementSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) =>
      energyStatement(ctx, request.principal, request.params.id, {
        ...(request.query.from !== undefined ? { from: request.query.from } : {}),
        ...(request.query.to !== undefined ? { to: request.query.to } : {}),
      }),
  );
  app.post(
    '/api/energy/statements/check',
    {
      schema: {
        tags: ['energy'],
        summary:
          "Check a partner's statement: its signatures, and whether our own records give the same figures line by line",
        body: NoteBody,
        response: {
          200: CheckedStatementSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request) => {
      const {
        text: _t,
        point: _p,
        ...checked
      } = await checkStatement(ctx, request.principal, request.body.note);
      return checked;
    },
  );
  app.post(
    '/api/energy/statements/countersign',
    {
      schema: {
        tags: ['energy'],
        summary:
          "Add this node's signature to a partner's statement when our records give exactly its figures (409 naming the first line that differs)",
        body: NoteBody,
        response: {
          200: SignedStatementSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) => countersignStatement(ctx, request.principal, request.body.note),
  );
};
