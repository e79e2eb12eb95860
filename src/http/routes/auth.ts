import { abilities, ACTIONS, SUBJECTS } from '../../core/auth/policy.js';
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import { signIn, signOut } from '../../app/sign-in.js';
import {
  listRepresentations,
  registerRepresentation,
  revokeRepresentation,
  setSimplifiedProcedures,
} from '../../app/manage-representations.js';
import { REPRESENTATION_MODES, ROLE_TITLES, ROLES } from '../../core/auth/identity.js';
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
  roleTitles: Type.Array(Type.String(), {
    description: 'The roles in words, in the order of roles',
  }),
  via: Type.Enum(['session', 'api-token']),
  may: Type.Array(Type.Object({ action: Type.Enum(ACTIONS), subject: Type.Enum(SUBJECTS) }), {
    description:
      'What the access policy lets this user do in general (docs/access-policy.md); each record is still checked when used',
  }),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const RepresentationSchema = Type.Object(
  {
    id: Type.String(),
    representativeAgencyId: Type.String({ description: 'The organisation that may lodge' }),
    traderId: Type.String({ description: 'EORI of the trader it may lodge for' }),
    mode: Type.Enum(REPRESENTATION_MODES),
    validFrom: Type.String({ format: 'date-time' }),
    validTo: Nullable(Type.String({ format: 'date-time' })),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
    revokedAt: Nullable(Type.String({ format: 'date-time' })),
    revokedBy: Nullable(Type.String()),
  },
  { title: 'Representation' },
);

/** Sign-in, sign-out, who-am-I, and who may lodge for whom (API tokens: routes/identity.ts). */
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
      roleTitles: request.principal.roles.map((r) => ROLE_TITLES[r]),
      may: abilities(request.principal),
    }),
  );

  app.get(
    '/api/representations',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Customs representatives registered in your administration (administrators), revoked ones included',
        querystring: Type.Object(
          {
            representativeAgencyId: Type.Optional(Type.String({ maxLength: 64 })),
            traderId: Type.Optional(Type.String({ maxLength: 35 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(RepresentationSchema), 403: ProblemSchema },
      },
    },
    (request) => listRepresentations(ctx, request.principal, request.query),
  );

  app.post(
    '/api/representations',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Register that an organisation may lodge for a trader as its customs representative (administrators)',
        description:
          'A trader organisation lodges as itself: a declaration naming another declarant id is refused ' +
          '(403 naming /declarant/id) unless a live registration here lets the organisation represent it.',
        body: Type.Object(
          {
            representativeAgencyId: Type.String({ maxLength: 64 }),
            traderId: Type.String({ minLength: 2, maxLength: 35 }),
            mode: Type.Enum(REPRESENTATION_MODES),
            validFrom: Type.Optional(Type.String({ format: 'date-time' })),
            validTo: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
          },
          { additionalProperties: false },
        ),
        response: {
          201: RepresentationSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await registerRepresentation(ctx, request.principal, request.body)),
  );

  app.post(
    '/api/representations/:id/revoke',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke a representation (administrators)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: RepresentationSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    (request) => revokeRepresentation(ctx, request.principal, request.params.id),
  );

  app.put(
    '/api/agencies/:id/simplified-procedures',
    {
      schema: {
        tags: ['auth'],
        summary:
          "Grant or withdraw a trader organisation's authorisation to lodge simplified declarations (administrators)",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ authorised: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ agencyId: Type.String(), simplifiedProcedures: Type.Boolean() }),
          400: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    (request) =>
      setSimplifiedProcedures(ctx, request.principal, request.params.id, request.body.authorised),
  );
};
