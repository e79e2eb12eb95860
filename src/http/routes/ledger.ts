import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  eventProof,
  latestCheckpoint,
  ledgerStatus,
  publicConsistencyProof,
  recordProofs,
  runLedgerVerification,
} from '../../app/ledger-proofs.js';
import { DomainError } from '../../core/errors.js';
import { ProblemSchema } from '../schemas.js';

const Base64 = Type.String({ description: 'base64 (standard alphabet)' });

const VerificationSchema = Type.Object(
  {
    startedAt: Type.String(),
    finishedAt: Type.String(),
    size: Type.Integer(),
    checkpoints: Type.Integer(),
    ok: Type.Boolean(),
    problem: Type.Union([Type.String(), Type.Null()]),
    by: Type.String(),
  },
  { title: 'LedgerVerification' },
);

const StatusSchema = Type.Object(
  {
    origin: Type.Union([Type.String(), Type.Null()]),
    size: Type.Integer({ description: 'Leaves in the log' }),
    checkpoint: Type.Union([
      Type.Object({
        size: Type.Integer(),
        root: Base64,
        signedAt: Type.String(),
        note: Type.String({ description: 'The C2SP signed note with the cosignature lines' }),
        cosignatures: Type.Array(
          Type.Object({ witness: Type.String(), time: Type.Integer(), receivedAt: Type.String() }),
        ),
      }),
      Type.Null(),
    ]),
    lastVerification: Type.Union([VerificationSchema, Type.Null()]),
    conflicts: Type.Array(
      Type.Object({
        logNode: Type.String(),
        size: Type.Integer(),
        seenAt: Type.String(),
        conflict: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
  },
  { title: 'LedgerStatus' },
);

const BundleSchema = Type.Object(
  {
    bundle: Type.Literal('greenlane-ledger-proof/v1'),
    origin: Type.String(),
    event: Type.Record(Type.String(), Type.Unknown()),
    salt: Type.Union([Base64, Type.Null()]),
    leafIdx: Type.Integer(),
    treeSize: Type.Integer(),
    leafHash: Base64,
    root: Base64,
    proof: Type.Array(Base64),
    checkpoint: Type.String(),
    logKeys: Type.Array(Type.String()),
    witnesses: Type.Array(Type.Object({ name: Type.String(), publicKey: Base64 })),
  },
  { title: 'LedgerProofBundle', description: 'Check it with `greenlane ledger verify-proof FILE`' },
);

const integerParam = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (value === undefined || !/^[0-9]{1,16}$/.test(value) || !Number.isSafeInteger(n))
    throw new DomainError('invalid_input', `${name} must be a whole number`, [
      { path: `/${name}`, reason: 'must be a whole number' },
    ]);
  return n;
};

/** The ledger: public checkpoints and consistency proofs, status, proofs of records, verification. */
export const ledgerRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/ledger/v1/checkpoint',
    {
      config: { public: true },
      schema: {
        tags: ['ledger'],
        summary:
          "The latest checkpoint of this node's log (C2SP tlog-checkpoint, signed note with the witnesses' cosignatures): public, it states only a size and a root",
      },
    },
    async (_request, reply) =>
      reply.header('content-type', 'text/plain; charset=utf-8').send(await latestCheckpoint(ctx)),
  );

  app.get(
    '/ledger/v1/consistency',
    {
      config: { public: true },
      schema: {
        tags: ['ledger'],
        summary:
          'A consistency proof between two sizes of the log, as `greenlane ledger verify-proof` reads it: public, it holds only subtree hashes',
        querystring: Type.Object({ size1: Type.String(), size2: Type.String() }),
        response: {
          200: Type.Object({
            size1: Type.Integer(),
            size2: Type.Integer(),
            root1: Base64,
            root2: Base64,
            proof: Type.Array(Base64),
          }),
          400: ProblemSchema,
        },
      },
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request) => {
      const q = request.query as { size1?: string; size2?: string };
      return publicConsistencyProof(
        ctx,
        integerParam('size1', q.size1),
        integerParam('size2', q.size2),
      );
    },
  );

  app.get(
    '/api/ledger',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'The ledger: size, latest checkpoint and its witnesses, last verification, split views seen',
        response: { 200: StatusSchema, 403: ProblemSchema },
      },
    },
    (request) => ledgerStatus(ctx, request.principal),
  );

  app.post(
    '/api/ledger/verifications',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'Verify the whole log now (administrators): every leaf from its event, every checkpoint and cosignature; the first problem is named',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            size: Type.Integer(),
            leaves: Type.Integer(),
            checkpoints: Type.Integer(),
            cosignatures: Type.Integer(),
            problem: Type.Union([Type.String(), Type.Null()]),
          }),
          403: ProblemSchema,
        },
      },
    },
    (request) => runLedgerVerification(ctx, request.principal),
  );

  app.get(
    '/api/ledger/records/:subjectType/:subjectId',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'Where each event of one record (a declaration, a permit, an indicator…) stands in the ledger: leaf and covering checkpoint',
        params: Type.Object({ subjectType: Type.String(), subjectId: Type.String() }),
        response: {
          200: Type.Array(
            Type.Object({
              position: Type.Integer(),
              kind: Type.String(),
              at: Type.String(),
              leafIdx: Type.Union([Type.Integer(), Type.Null()]),
              checkpoint: Type.Union([
                Type.Object({
                  size: Type.Integer(),
                  signedAt: Type.String(),
                  cosignatures: Type.Integer(),
                }),
                Type.Null(),
              ]),
            }),
          ),
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    (request) =>
      recordProofs(ctx, request.principal, request.params.subjectType, request.params.subjectId),
  );

  app.get(
    '/api/ledger/events/:position/proof',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'The proof bundle of one event: the event, its leaf, the inclusion proof, the signed checkpoint with cosignatures (409 while no checkpoint covers it yet)',
        params: Type.Object({ position: Type.String() }),
        response: { 200: BundleSchema, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const position = integerParam('position', request.params.position);
      const r = await eventProof(ctx, request.principal, position);
      if (r.status === 'pending')
        throw new DomainError(
          'conflict',
          r.leafIdx === null
            ? `event ${position} is not in the ledger yet: try again in a few seconds`
            : `event ${position} is leaf ${r.leafIdx}, not yet covered by a checkpoint: try again after the next one`,
        );
      void reply.header(
        'content-disposition',
        `attachment; filename="ledger-proof-${position}.json"`,
      );
      return { ...r.bundle, event: { ...r.bundle.event } };
    },
  );
};
