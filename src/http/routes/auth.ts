import { abilities, ACTIONS, SUBJECTS } from '../../core/auth/policy.js';
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import { issueApiTokenAsAdmin } from '../../app/manage-identity.js';
import { signIn, signOut } from '../../app/sign-in.js';
import { ROLES } from '../../core/auth/identity.js';
import { DomainError } from '../../core/errors.js';
import { ProblemSchema } from '../schemas.js';

const Credentials = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 63 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const Me = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  agencyId: Type.String(),
  agencyKind: Type.String(),
  administrationId: Type.String(),
  traderId: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.Enum(ROLES)),
  via: Type.Enum(['session', 'api-token']),
  may: Type.Array(Type.Object({ action: Type.Enum(ACTIONS), subject: Type.Enum(SUBJECTS) }), {
    description:
      'What the access policy lets this user do in general (docs/access-policy.md); each record is still checked when used',
  }),
});

/** Sign-in, sign-out, who-am-I and API tokens. */
export const authRoutes: FastifyPluginAsyncTypebox<{
  ctx: AppContext;
  signInLimit: { max: number; windowMs: number };
}> = async (app, { ctx, signInLimit }) => {
  app.post(
    '/api/auth/login',
    {
      config: {
        public: true,
        rateLimit: {
          max: signInLimit.max,
          timeWindow: signInLimit.windowMs,
          // Per client address and username: guessing one account's password is slowed without locking others out.
          keyGenerator: (request) => {
            const username = (request.body as { username?: unknown } | undefined)?.username;
            return `${request.ip}|${typeof username === 'string' ? username : ''}`;
          },
          errorResponseBuilder: (_request, context) =>
            new DomainError(
              'rate_limited',
              `too many sign-in attempts; retry in ${Math.ceil(context.ttl / 1000)} s`,
            ),
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username and password; returns an expiring session token',
        security: [],
        body: Credentials,
        response: {
          200: Type.Object({
            token: Type.String(),
            expiresAt: Type.String({ format: 'date-time' }),
            user: Type.Object({
              id: Type.String(),
              username: Type.String(),
              displayName: Type.String(),
              roles: Type.Array(Type.String()),
              agencyId: Type.String(),
            }),
          }),
          401: ProblemSchema,
          429: ProblemSchema,
        },
      },
    },
    async (request) => signIn(ctx, request.body.username, request.body.password),
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke the token used for this request',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await signOut(ctx, request.bearer!);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/me',
    { schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: Me } } },
    (request) => ({
      ...request.principal,
      roles: [...request.principal.roles],
      may: abilities(request.principal),
    }),
  );

  app.post(
    '/api/users/:userId/api-tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Issue an API token for a user (administrators); the token is shown only once',
        params: Type.Object({ userId: Type.String() }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.String(), token: Type.String() }),
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const issued = await issueApiTokenAsAdmin(ctx, request.principal, {
        userId: request.params.userId,
        name: request.body.name,
        expiresAt: request.body.expiresAt ?? null,
      });
      return reply.code(201).send(issued);
    },
  );
};
