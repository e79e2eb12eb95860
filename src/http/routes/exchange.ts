import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import { exchangeOf, sendMessage } from '../../app/exchange.js';
import {
  adoptSharedRiskInformation,
  getMessage,
  importPartnerEntry,
  listMessages,
  listPartners,
  publishDirectory,
  putOwnContact,
  recordAgreement,
  registerPartner,
  removeOwnContact,
  revokePartnerKey,
  rotateNodeKey,
  setPartnerStatus,
  searchContacts,
  shareRiskInformation,
  signedOwnEntry,
} from '../../app/exchange-directory.js';
import { MAX_MESSAGE_BYTES, receiveMessage } from '../../app/exchange-receive.js';
import type { StoredMessage } from '../../core/exchange/agreements.js';
import {
  ContactSchema,
  MESSAGE_TYPES,
  NODE_MESSAGE_TYPES,
  type MessageType,
} from '../../core/exchange/messages.js';
import { SHARING_LEVELS, PRIORITY_AREAS } from '../../core/risk/indicator.js';
import { DomainError } from '../../core/errors.js';
import { ProblemSchema } from '../schemas.js';

const domainValidated = { validatorCompiler: () => (data: unknown) => ({ value: data }) };
const JOSE = 'application/jose';

export const MessageSchema = Type.Object(
  {
    id: Type.String(),
    direction: Type.Enum(['out', 'in']),
    from: Type.String(),
    to: Type.String(),
    type: Type.Enum(MESSAGE_TYPES),
    conversation: Type.String(),
    refTo: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    expiresAt: Type.String(),
    legalBasis: Type.String(),
    handling: Type.Enum(['non-nominal', 'nominal']),
    body: Type.Record(Type.String(), Type.Unknown()),
    delivery: Type.Enum(['queued', 'delivered', 'refused', 'expired', 'received']),
    attempts: Type.Integer(),
    nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    binding: Type.Union([Type.Enum(['http', 'nats', 'local']), Type.Null()]),
    deliveredAt: Type.Union([Type.String(), Type.Null()]),
    receiptReason: Type.Union([Type.String(), Type.Null()]),
    caseStatus: Type.Union([Type.String(), Type.Null()]),
    deadline: Type.Union([Type.String(), Type.Null()]),
    overdue: Type.Boolean({
      description: 'A request for assistance past its deadline, unanswered',
    }),
    answeredAt: Type.Union([Type.String(), Type.Null()]),
    adoptedAt: Type.Union([Type.String(), Type.Null()]),
    createdBy: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'ExchangeMessage' },
);

const KeySchema = Type.Object(
  {
    kid: Type.String(),
    jwk: Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String() }),
    validFrom: Type.String(),
    validTo: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'PartnerKey' },
);

const AgreementSchema = Type.Object(
  {
    id: Type.String(),
    partnerId: Type.String(),
    title: Type.String(),
    legalBasis: Type.String(),
    messageTypes: Type.Array(Type.Enum(MESSAGE_TYPES)),
    nominal: Type.Boolean(),
    validFrom: Type.String(),
    validTo: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    createdBy: Type.String(),
  },
  { title: 'Agreement' },
);

const PartnerSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    country: Type.String(),
    httpEndpoint: Type.Union([Type.String(), Type.Null()]),
    nats: Type.Boolean(),
    status: Type.Enum(['active', 'suspended']),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Partner' },
);

const PartnerViewSchema = Type.Intersect([
  PartnerSchema,
  Type.Object({
    keys: Type.Array(
      Type.Intersect([
        KeySchema,
        Type.Object({
          trustedBy: Type.String(),
          addedAt: Type.String(),
          revokedAt: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        }),
      ]),
    ),
    agreements: Type.Array(AgreementSchema),
  }),
]);

const StoredContactSchema = Type.Intersect([
  ContactSchema,
  Type.Object({ nodeId: Type.String(), updatedAt: Type.String() }),
]);

const ComposeSchema = Type.Object(
  {
    to: Type.Array(Type.String({ maxLength: 20 }), { minItems: 1, maxItems: 50 }),
    type: Type.Enum(
      MESSAGE_TYPES.filter(
        (t) => t !== 'directory.update' && t !== 'risk.share' && !NODE_MESSAGE_TYPES.has(t),
      ),
    ),
    sharing: Type.Enum(SHARING_LEVELS, {
      description:
        'national (never leaves the node: refused) or shareable; parties (nominal data) go only where an agreement allows them',
    }),
    refTo: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    body: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The typed body of the message type (see docs/exchange-protocol.md)',
    }),
  },
  { title: 'ComposeMessage', additionalProperties: false },
);

const now = (ctx: AppContext) => ctx.clock.now().toISOString();

export function view(ctx: AppContext, m: StoredMessage) {
  const { jws: _jws, receipt: _receipt, digest: _digest, agencyId: _a, seq: _s, ...rest } = m;
  const overdue =
    m.type === 'assistance.request' &&
    m.deadline !== null &&
    m.deadline < now(ctx) &&
    m.caseStatus !== 'answered' &&
    m.caseStatus !== 'refused';
  return { ...rest, overdue };
}

/** Cooperation between administrations: the signed inbox, the directory and messages. */
export const exchangeRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.addContentTypeParser(
    JOSE,
    { parseAs: 'string', bodyLimit: MAX_MESSAGE_BYTES + 1024 },
    (_r, body, done) => done(null, body),
  );

  app.post(
    '/exchange/v1/messages',
    {
      ...domainValidated,
      bodyLimit: MAX_MESSAGE_BYTES + 1024,
      config: { public: true },
      schema: {
        tags: ['exchange'],
        summary:
          "A partner administration's inbox: the body is a compact JWS (application/jose); the answer is a signed receipt, 200 accepted (also for a repeat) or 422 refused with the reason",
        hide: false,
      },
    },
    async (request, reply) => {
      if (
        typeof request.body !== 'string' ||
        !(request.headers['content-type'] ?? '').startsWith(JOSE)
      )
        throw new DomainError(
          'invalid_input',
          'the body must be a compact JWS (application/jose)',
          [{ path: '/', reason: 'application/jose' }],
        );
      const outcome = await receiveMessage(ctx, request.body.trim());
      if (outcome.status === 'refused')
        request.log.warn(
          { reason: outcome.reason, detail: outcome.detail },
          'exchange message refused',
        );
      return reply
        .code(outcome.status === 'accepted' ? 200 : 422)
        .header('content-type', JOSE)
        .header(
          'greenlane-receipt-status',
          outcome.reason ? `${outcome.status}; ${outcome.reason}` : outcome.status,
        )
        .send(outcome.receipt);
    },
  );

  app.get(
    '/exchange/v1/directory',
    {
      config: { public: true },
      schema: {
        tags: ['exchange'],
        summary:
          "This node's directory entry (id, name, endpoints, public keys, liaison contacts) as a self-signed compact JWS, for a partner's first contact",
      },
    },
    async (_request, reply) => reply.header('content-type', JOSE).send(await signedOwnEntry(ctx)),
  );

  app.get(
    '/api/exchange/node',
    {
      schema: {
        tags: ['exchange'],
        summary:
          "This node's id on the exchange and its public keys (thumbprints to confirm with partners)",
        response: {
          200: Type.Object({
            nodeId: Type.String(),
            name: Type.String(),
            keys: Type.Array(KeySchema),
          }),
        },
      },
    },
    async (request) => {
      await listPartners(ctx, request.principal); // the same readers as the directory
      const rt = exchangeOf(ctx);
      return { nodeId: rt.nodeId, name: rt.name, keys: rt.signer.publicKeys() };
    },
  );

  app.post(
    '/api/exchange/node/rotate-key',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          "Rotate this node's signing key: the old key stays valid for overlapHours; the directory entry with both goes to every partner, signed with the old key",
        body: Type.Object({ overlapHours: Type.Number({ minimum: 1, maximum: 2160 }) }),
        response: {
          200: Type.Object({ key: KeySchema, published: Type.Array(MessageSchema) }),
          400: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    async (request) => {
      const b = request.body as { overlapHours?: unknown };
      const r = await rotateNodeKey(ctx, request.principal, Number(b?.overlapHours));
      return { key: r.key, published: r.published.map((m) => view(ctx, m)) };
    },
  );

  app.get(
    '/api/exchange/partners',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Partner administrations with their keys and the agreements in force',
        response: { 200: Type.Array(PartnerViewSchema), 403: ProblemSchema },
      },
    },
    (request) => listPartners(ctx, request.principal),
  );

  app.post(
    '/api/exchange/partners',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          'Register or update a partner administration; the keys given are trusted as confirmed by you',
        body: Type.Object({
          id: Type.String(),
          name: Type.String(),
          httpEndpoint: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          nats: Type.Optional(Type.Boolean()),
          keys: Type.Optional(Type.Array(Type.Unknown())),
        }),
        response: { 201: PartnerSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await registerPartner(ctx, request.principal, request.body as never)),
  );

  app.post(
    '/api/exchange/partners/status',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          'Suspend a partner (nothing is sent to it, everything from it is refused) or reinstate it, with the reason',
        body: Type.Object({
          partnerId: Type.String(),
          status: Type.Enum(['active', 'suspended']),
          reason: Type.String(),
        }),
        response: {
          200: PartnerSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) => setPartnerStatus(ctx, request.principal, (request.body ?? {}) as never),
  );

  app.post(
    '/api/exchange/partners/keys/revoke',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          "Revoke a partner's key for good (compromised): nothing signed with it is accepted any more and no directory update restores it",
        body: Type.Object({ partnerId: Type.String(), kid: Type.String(), reason: Type.String() }),
        response: {
          200: Type.Intersect([
            KeySchema,
            Type.Object({ revokedAt: Type.Union([Type.String(), Type.Null()]) }),
          ]),
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) => {
      const k = await revokePartnerKey(ctx, request.principal, request.body ?? {});
      return {
        kid: k.kid,
        jwk: k.jwk,
        validFrom: k.validFrom,
        validTo: k.validTo,
        revokedAt: k.revokedAt ?? null,
      };
    },
  );

  app.post(
    '/api/exchange/partners/import',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          'Register a partner from its self-signed directory entry (GET /exchange/v1/directory of the partner), confirming the thumbprint of its key',
        body: Type.Object({ entry: Type.String(), confirmedKid: Type.String() }),
        response: { 201: PartnerSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) => {
      const b = request.body as { entry?: unknown; confirmedKid?: unknown };
      if (typeof b?.entry !== 'string' || typeof b.confirmedKid !== 'string')
        throw new DomainError('invalid_input', 'entry and confirmedKid are required', [
          { path: typeof b?.entry !== 'string' ? '/entry' : '/confirmedKid', reason: 'required' },
        ]);
      return reply
        .code(201)
        .send(await importPartnerEntry(ctx, request.principal, b.entry, b.confirmedKid));
    },
  );

  app.post(
    '/api/exchange/agreements',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          'Record an agreement in force with a partner: legal basis, message types, nominal data',
        body: Type.Object({
          partnerId: Type.String(),
          title: Type.String(),
          legalBasis: Type.String(),
          messageTypes: Type.Array(Type.Enum(MESSAGE_TYPES)),
          nominal: Type.Optional(Type.Boolean()),
          validFrom: Type.String(),
          validTo: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        }),
        response: {
          201: AgreementSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await recordAgreement(ctx, request.principal, request.body as never)),
  );

  app.get(
    '/api/exchange/contacts',
    {
      schema: {
        tags: ['exchange'],
        summary:
          "Liaison officers and contacts: this node's and partners', by country and priority area",
        querystring: Type.Object({
          country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
          area: Type.Optional(Type.Enum(PRIORITY_AREAS)),
          node: Type.Optional(Type.String({ maxLength: 20 })),
        }),
        response: { 200: Type.Array(StoredContactSchema), 403: ProblemSchema },
      },
    },
    (request) =>
      searchContacts(ctx, request.principal, {
        ...(request.query.country ? { country: request.query.country } : {}),
        ...(request.query.area ? { area: request.query.area } : {}),
        ...(request.query.node ? { nodeId: request.query.node } : {}),
      }),
  );

  app.put(
    '/api/exchange/contacts/:id',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          "Add or change one of this node's liaison contacts (partners get it with the next publication)",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: ContactSchema,
        response: { 200: StoredContactSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => {
      const body = request.body as Record<string, unknown>;
      if (body && typeof body === 'object' && body.id !== request.params.id)
        throw new DomainError('invalid_input', 'the id in the path and the body differ', [
          { path: '/id', reason: `must be ${request.params.id}` },
        ]);
      return putOwnContact(ctx, request.principal, body);
    },
  );

  app.delete(
    '/api/exchange/contacts/:id',
    {
      schema: {
        tags: ['exchange'],
        summary: "Remove one of this node's liaison contacts",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      await removeOwnContact(ctx, request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/exchange/directory/publish',
    {
      schema: {
        tags: ['exchange'],
        summary:
          "Send this node's directory entry (keys, endpoints, liaison contacts) to every active partner",
        response: { 202: Type.Array(MessageSchema), 403: ProblemSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send((await publishDirectory(ctx, request.principal)).map((m) => view(ctx, m))),
  );

  app.get(
    '/api/exchange/messages',
    {
      schema: {
        tags: ['exchange'],
        summary: 'Messages sent and received, newest first (a thread: conversation=)',
        querystring: Type.Object({
          box: Type.Optional(Type.Enum(['in', 'out'])),
          type: Type.Optional(Type.Enum(MESSAGE_TYPES)),
          partner: Type.Optional(Type.String({ maxLength: 20 })),
          conversation: Type.Optional(Type.String({ maxLength: 64 })),
          overdue: Type.Optional(
            Type.Boolean({ description: 'Only requests for assistance past their deadline' }),
          ),
          before: Type.Optional(
            Type.Integer({ minimum: 1, description: 'Continue before this seq' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: { 200: Type.Array(MessageSchema), 403: ProblemSchema },
      },
    },
    async (request) => {
      const q = request.query;
      const list = await listMessages(ctx, request.principal, {
        ...(q.box ? { direction: q.box } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.partner ? { partner: q.partner } : {}),
        ...(q.conversation ? { conversation: q.conversation } : {}),
        ...(q.overdue ? { overdueAt: now(ctx) } : {}),
        ...(q.before ? { beforeSeq: q.before } : {}),
        limit: q.limit ?? 100,
      });
      return list.map((m) => view(ctx, m));
    },
  );

  app.get(
    '/api/exchange/messages/:id',
    {
      schema: {
        tags: ['exchange'],
        summary: 'One message with its delivery state (and the signed bytes and receipt)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: Type.Intersect([
            MessageSchema,
            Type.Object({ jws: Type.String(), receipt: Type.Union([Type.String(), Type.Null()]) }),
          ]),
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request) => {
      const m = await getMessage(ctx, request.principal, request.params.id);
      return { ...view(ctx, m), jws: m.jws, receipt: m.receipt };
    },
  );

  app.post(
    '/api/exchange/messages',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          'Send an alert, request for assistance, seizure report, or (with refTo) a status or reply to a request: one signed envelope per partner, queued and delivered until a receipt comes',
        body: ComposeSchema,
        response: { 202: Type.Array(MessageSchema), 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) => {
      const b = request.body as Record<string, unknown>;
      const issues = [];
      if (!b || typeof b !== 'object') issues.push({ path: '/', reason: 'a JSON object' });
      else {
        if (!Array.isArray(b.to) || b.to.some((t) => typeof t !== 'string'))
          issues.push({ path: '/to', reason: 'a list of partner node ids' });
        if (
          typeof b.type !== 'string' ||
          !(MESSAGE_TYPES as readonly string[]).includes(b.type) ||
          b.type === 'directory.update' ||
          b.type === 'risk.share' ||
          NODE_MESSAGE_TYPES.has(b.type as MessageType)
        )
          issues.push({
            path: '/type',
            reason:
              'alert, assistance.request, assistance.status, assistance.reply, seizure.report or ipr.report',
          });
        if (b.sharing !== 'national' && b.sharing !== 'shareable')
          issues.push({ path: '/sharing', reason: 'national or shareable' });
        if (!b.body || typeof b.body !== 'object' || Array.isArray(b.body))
          issues.push({ path: '/body', reason: 'a JSON object' });
      }
      if (issues.length > 0)
        throw new DomainError('invalid_input', 'the message is not valid', issues);
      const sent = await sendMessage(ctx, request.principal, {
        to: b.to as string[],
        type: b.type as MessageType,
        sharing: b.sharing as 'national' | 'shareable',
        body: b.body as never,
        refTo: (b.refTo as string | null | undefined) ?? null,
        ...(typeof b.expiresAt === 'string' ? { expiresAt: b.expiresAt } : {}),
      });
      return reply.code(202).send(sent.map((m) => view(ctx, m)));
    },
  );

  app.post(
    '/api/exchange/risk-information',
    {
      ...domainValidated,
      schema: {
        tags: ['exchange'],
        summary:
          'Share active shareable indicators (all, or those named) and the lists they use with partners',
        body: Type.Object({
          to: Type.Array(Type.String({ maxLength: 20 }), { minItems: 1, maxItems: 50 }),
          indicatorIds: Type.Optional(
            Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 }),
          ),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 202: Type.Array(MessageSchema), 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request, reply) => {
      const b = request.body as { to?: unknown; indicatorIds?: unknown; note?: unknown };
      if (!Array.isArray(b?.to))
        throw new DomainError('invalid_input', 'name the partners', [
          { path: '/to', reason: 'required' },
        ]);
      const sent = await shareRiskInformation(ctx, request.principal, {
        to: b.to as string[],
        ...(Array.isArray(b.indicatorIds) ? { indicatorIds: b.indicatorIds as string[] } : {}),
        ...(typeof b.note === 'string' ? { note: b.note } : {}),
      });
      return reply.code(202).send(sent.map((m) => view(ctx, m)));
    },
  );

  app.post(
    '/api/exchange/messages/:id/adopt',
    {
      schema: {
        tags: ['exchange'],
        summary:
          'Adopt received shared risk information (or a partner IPR report) as draft indicators and lists of this node',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: Type.Object({
            adopted: Type.Array(
              Type.Object({
                sharedId: Type.String(),
                indicatorId: Type.String(),
                version: Type.Integer(),
              }),
            ),
            lists: Type.Array(
              Type.Object({
                name: Type.String(),
                adopted: Type.Boolean(),
                reason: Type.Optional(Type.String()),
              }),
            ),
            failed: Type.Array(
              Type.Object({
                sharedId: Type.String(),
                issues: Type.Array(Type.Object({ path: Type.String(), reason: Type.String() })),
              }),
            ),
          }),
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) => {
      const r = await adoptSharedRiskInformation(ctx, request.principal, request.params.id);
      return {
        ...r,
        failed: r.failed.map((f) => ({
          sharedId: f.sharedId,
          issues: f.issues.map((i) => ({ path: i.path, reason: i.reason })),
        })),
      };
    },
  );
};
