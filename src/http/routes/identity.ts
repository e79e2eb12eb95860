import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  addAgency,
  addUser,
  changeRoles,
  endSession,
  issueUserApiToken,
  listAgencies,
  listApiTokens,
  listSessions,
  listUsers,
  revokeApiToken,
  setUserDisabled,
} from '../../app/administer-identity.js';
import { AGENCY_KINDS, ROLES } from '../../core/auth/identity.js';
import { ProblemSchema } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const RoleSchema = Type.Object(
  {
    role: Type.Enum(ROLES),
    title: Type.String({ description: 'The role in words' }),
  },
  { title: 'Role' },
);

const AgencyKindSchema = Type.Object(
  {
    kind: Type.Enum(AGENCY_KINDS),
    title: Type.String(),
    roles: Type.Array(RoleSchema, { description: 'The roles a user of such an agency may hold' }),
    creatable: Type.Boolean({ description: 'An administrator may add an agency of this kind' }),
  },
  { title: 'AgencyKind' },
);

const AgencySchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    name: Type.String(),
    kind: Type.Enum(AGENCY_KINDS),
    kindTitle: Type.String(),
    traderId: Nullable(Type.String({ description: 'EORI of a trading company' })),
    simplifiedProcedures: Type.Boolean(),
  },
  { title: 'Agency' },
);

const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    agency: Type.Object({
      id: Type.String(),
      code: Type.String(),
      name: Type.String(),
      kind: Type.Enum(AGENCY_KINDS),
    }),
    roles: Type.Array(RoleSchema),
    disabled: Type.Boolean(),
    signsInWithPassword: Type.Boolean({
      description: 'False for a system user that only uses API tokens',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    self: Type.Boolean({ description: 'The administrator asking' }),
  },
  { title: 'User' },
);

const HolderSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    agencyName: Type.String(),
  },
  { title: 'ApiTokenHolder' },
);

const ApiTokenSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    user: HolderSchema,
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
    revokedAt: Nullable(Type.String({ format: 'date-time' })),
    status: Type.Enum(['active', 'expired', 'revoked']),
  },
  { title: 'ApiToken' },
);

const SessionSchema = Type.Object(
  {
    id: Type.String(),
    user: HolderSchema,
    startedAt: Type.String({ format: 'date-time' }),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
    current: Type.Boolean({ description: 'The session this request was made with' }),
  },
  { title: 'Session' },
);

const UserId = Type.Object({ userId: Type.String({ maxLength: 64 }) });
const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Refusals = { 403: ProblemSchema, 404: ProblemSchema };

/**
 * Administration of identity (administrators of the customs agency, for their own administration):
 * agencies, users and their roles, API tokens and sessions.
 */
export const identityRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    '/api/agencies',
    {
      schema: {
        tags: ['administration'],
        summary:
          'Agencies of your administration, and the kinds of agency with the roles each allows (administrators)',
        response: {
          200: Type.Object({
            agencies: Type.Array(AgencySchema),
            kinds: Type.Array(AgencyKindSchema),
          }),
          403: ProblemSchema,
        },
      },
    },
    (request) => listAgencies(ctx, request.principal),
  );

  app.post(
    '/api/agencies',
    {
      schema: {
        tags: ['administration'],
        summary: 'Add a public agency or a trading company to your administration (administrators)',
        body: Type.Object(
          {
            kind: Type.String({ maxLength: 32 }),
            code: Type.String({ maxLength: 64 }),
            name: Type.String({ maxLength: 200 }),
            traderId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: AgencySchema, 400: ProblemSchema, 409: ProblemSchema, ...Refusals },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addAgency(ctx, request.principal, request.body)),
  );

  app.get(
    '/api/users',
    {
      schema: {
        tags: ['administration'],
        summary: 'Users of your administration with their agency and roles (administrators)',
        response: { 200: Type.Array(UserSchema), 403: ProblemSchema },
      },
    },
    (request) => listUsers(ctx, request.principal),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['administration'],
        summary:
          'Create a user in an agency of your administration, with an initial password you pass on (administrators)',
        description:
          'Without a password the user is a system user that can only use API tokens. The roles must be ' +
          'among those the agency kind allows (GET /api/agencies).',
        body: Type.Object(
          {
            agencyId: Type.String({ maxLength: 64 }),
            username: Type.String({ maxLength: 100 }),
            displayName: Type.String({ maxLength: 200 }),
            roles: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }),
            password: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, 400: ProblemSchema, 409: ProblemSchema, ...Refusals },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addUser(ctx, request.principal, request.body)),
  );

  app.put(
    '/api/users/:userId/roles',
    {
      schema: {
        tags: ['administration'],
        summary: "Replace a user's roles (administrators; never your own administrator role)",
        params: UserId,
        body: Type.Object(
          { roles: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }) },
          { additionalProperties: false },
        ),
        response: { 200: UserSchema, 400: ProblemSchema, 409: ProblemSchema, ...Refusals },
      },
    },
    (request) => changeRoles(ctx, request.principal, request.params.userId, request.body.roles),
  );

  app.put(
    '/api/users/:userId/disabled',
    {
      schema: {
        tags: ['administration'],
        summary:
          'Disable a user, ending its sessions and revoking its API tokens at once, or enable it again (administrators; never yourself)',
        params: UserId,
        body: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: UserSchema, 409: ProblemSchema, ...Refusals },
      },
    },
    (request) =>
      setUserDisabled(ctx, request.principal, request.params.userId, request.body.disabled),
  );

  app.post(
    '/api/users/:userId/api-tokens',
    {
      schema: {
        tags: ['administration'],
        summary: 'Issue an API token for a user (administrators); the token is shown only once',
        params: UserId,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            token: Type.String({ description: 'The secret: shown in this answer only' }),
            apiToken: ApiTokenSchema,
          }),
          400: ProblemSchema,
          409: ProblemSchema,
          ...Refusals,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await issueUserApiToken(ctx, request.principal, {
          userId: request.params.userId,
          name: request.body.name,
          expiresAt: request.body.expiresAt ?? null,
        }),
      ),
  );

  app.get(
    '/api/api-tokens',
    {
      schema: {
        tags: ['administration'],
        summary: `API tokens of your administration's users, newest first, revoked ones included (administrators; never their secrets)`,
        response: { 200: Type.Array(ApiTokenSchema), 403: ProblemSchema },
      },
    },
    (request) => listApiTokens(ctx, request.principal),
  );

  app.post(
    '/api/api-tokens/:id/revoke',
    {
      schema: {
        tags: ['administration'],
        summary: 'Revoke an API token: the next request with it is refused (administrators)',
        params: Id,
        response: { 200: ApiTokenSchema, 409: ProblemSchema, ...Refusals },
      },
    },
    (request) => revokeApiToken(ctx, request.principal, request.params.id),
  );

  app.get(
    '/api/sessions',
    {
      schema: {
        tags: ['administration'],
        summary: 'Sessions open now in your administration, newest first (administrators)',
        response: { 200: Type.Array(SessionSchema), 403: ProblemSchema },
      },
    },
    (request) => listSessions(ctx, request.principal, request.bearer),
  );

  app.post(
    '/api/sessions/:id/end',
    {
      schema: {
        tags: ['administration'],
        summary: 'End a session: the next request with it is refused (administrators)',
        params: Id,
        response: { 204: Type.Null(), 409: ProblemSchema, ...Refusals },
      },
    },
    async (request, reply) => {
      await endSession(ctx, request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
