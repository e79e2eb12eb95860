import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import { isUtf8 } from 'node:buffer';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import type { AppContext } from '../app/context.js';
import { authenticate } from '../app/authenticate.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import { installLedgerMetrics, installMetrics } from './metrics.js';
import { normaliseUrl } from './normalise-path.js';
import { hoistNamedSchemas } from './openapi-components.js';
import { securityHeaders } from './security-headers.js';
import { problemFromDomainError, problemFromFastifyError, sendProblem } from './problem.js';
import { authRoutes } from './routes/auth.js';
import { identityRoutes } from './routes/identity.js';
import { declarationRoutes } from './routes/declarations.js';
import { cargoRoutes } from './routes/cargo.js';
import { controlRoutes } from './routes/controls.js';
import { permitRoutes } from './routes/permits.js';
import { workflowRoutes } from './routes/workflow.js';
import { certificateRoutes } from './routes/certificates.js';
import { iprRoutes } from './routes/ipr.js';
import { energyRoutes } from './routes/energy.js';
import { energyCaseRoutes } from './routes/energy-cases.js';
import { energyStatementRoutes } from './routes/energy-statements.js';
import { mirrorRoutes } from './routes/mirror.js';
import { modelRoutes } from './routes/models.js';
import { indicatorRoutes } from './routes/indicators.js';
import { systemRoutes } from './routes/system.js';
import { exchangeRoutes } from './routes/exchange.js';
import { ledgerRoutes } from './routes/ledger.js';

export interface HttpOptions {
  ctx: AppContext;
  bodyLimitBytes: number;
  signInLimit: { max: number; windowMs: number };
  logger?: FastifyServerOptions['logger'];
  /** Deepest JSON nesting accepted (declarations need about 5). */
  maxJsonDepth?: number;
  /** The built web console to serve at / (default: dist/web of this package, when built). */
  webRoot?: string | null;
}

/** dist/web of this package, from src/http or dist/http alike. */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    bearer: string | undefined;
  }
  interface FastifyContextConfig {
    /** Served without authentication. */
    public?: boolean;
  }
}

/** Builds the HTTP API: every route authenticated unless marked public, every error a problem document. */
export async function buildHttpApp(options: HttpOptions): Promise<FastifyInstance> {
  // Paths that cannot be normalised are refused in the first hook; the reason waits here.
  const badPaths = new WeakMap<object, string>();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: false,
    // The router and every check below see the same normalised path (no `/%6detrics` bypass).
    rewriteUrl: (req) => {
      const n = normaliseUrl(req.url ?? '/');
      if (n.ok) return n.url;
      badPaths.set(req, n.reason);
      return '/';
    },
    // Malformed requests the HTTP parser refuses (headers too large, bad framing) get a problem
    // document too, never a bare status line.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return socket.destroy();
      const code = (error as { code?: string }).code;
      const status =
        code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const title =
        status === 431
          ? 'Request header fields too large'
          : status === 408
            ? 'Request timeout'
            : 'Bad request';
      const body = JSON.stringify({
        type: `urn:greenlane:problem:${status === 431 ? 'headers-too-large' : status === 408 ? 'request-timeout' : 'bad-request'}`,
        title,
        status,
        detail:
          status === 431
            ? 'the request headers are too large'
            : 'the HTTP request could not be parsed',
      });
      socket.end(
        `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    // Paths the router refuses (bad percent-encoding, a parameter over 100 characters) get a
    // problem document like every other refusal.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, problemFromFastifyError(error, request));
    },
    // Late requests during shutdown get our own 503 problem document (below), not Fastify's.
    return503OnClosing: false,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const maxDepth = options.maxJsonDepth ?? 32;
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    // Bytes that are not UTF-8 are refused, not replaced with U+FFFD and stored.
    if (!isUtf8(body as Buffer)) return done(invalidBody('the body is not valid UTF-8'));
    const text = (body as Buffer).toString('utf8');
    if (text.trim() === '')
      return done(invalidBody('the body is empty; a JSON document is expected'));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return done(invalidBody(`the body is not valid JSON: ${(e as Error).message}`));
    }
    const bad = unstorableMember(value, maxDepth);
    if (bad) return done(new DomainError('invalid_input', bad.reason, [bad]));
    done(null, value);
  });
  app.addContentTypeParser(
    ['application/xml', 'text/xml'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );

  // Graceful shutdown: requests that arrive after close() began are refused with a problem
  // document, and every response from then on closes its connection, so that a keep-alive client
  // with a request in flight does not hold the shutdown for the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections();
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new DomainError('unavailable', 'the server is shutting down: retry', [], 1);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('bearer', undefined);
  app.addHook('onRequest', async (request) => {
    const bad = badPaths.get(request.raw);
    if (bad !== undefined)
      throw new DomainError('invalid_input', `the request path is not acceptable: ${bad}`, [
        { path: 'path', reason: bad },
      ]);
  });
  await securityHeaders(app);
  // Ajv coerces the query value "Infinity" to a number that passes integer and maximum checks.
  app.addHook('preHandler', async (request) => {
    const parts = [
      ['querystring', request.query],
      ['params', request.params],
    ] as const;
    for (const [where, values] of parts)
      for (const [name, v] of Object.entries((values ?? {}) as Record<string, unknown>))
        if (typeof v === 'number' && !Number.isFinite(v))
          throw new DomainError('invalid_input', `${name} is not a finite number`, [
            { path: `${where}/${name}`, reason: 'not a finite number' },
          ]);
  });
  // Every route needs a token unless it is marked public (the console's files, the API docs, the
  // probes); a path no route matches is answered 404 without one.
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    if (request.is404) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    request.bearer = match?.[1];
    request.principal = await authenticate(options.ctx, request.bearer);
  });

  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(error.retryAfterSeconds));
      return sendProblem(reply, problemFromDomainError(error, request.url.split('?')[0]));
    }
    const problem = problemFromFastifyError(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemFromDomainError(
        new DomainError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
      ),
    ),
  );

  // preHandler: the sign-in limit keys on the username, so the body must be parsed first.
  await app.register(rateLimit, { global: false, hook: 'preHandler' });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'GreenLane API',
        version: '0.1.0',
        description:
          'Declarations in, risk-screened, permits checked, cooperation between customs and environmental agencies. ' +
          'Every request needs `Authorization: Bearer <token>` (a session token from POST /api/auth/login, or an API token). ' +
          'Errors are RFC 9457 problem documents (`application/problem+json`) whose `errors[].field` names the offending field ' +
          '(a JSON pointer, an XML element path, or a header or parameter name).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    // Schemas with a title are named components, referenced where the routes use them.
    transformObject: (d) =>
      hoistNamedSchemas('openapiObject' in d ? d.openapiObject : d.swaggerObject),
  });
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config ?? {}), public: true };
    // The console's static files (registered below by @fastify/static at / and /*).
    if (route.url === '/' || route.url === '/*')
      route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiHooks: {},
    staticCSP: true,
    transformStaticCSP: (csp) => csp.replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
  });
  const webRoot = options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot;
  if (webRoot !== null && existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: ['index.html'],
      // The swagger UI serves its own assets: do not decorate the reply twice.
      decorateReply: false,
    });
  }

  const registry = installMetrics(app);
  installLedgerMetrics(registry, options.ctx.storage);
  await app.register(systemRoutes, { registry, storage: options.ctx.storage });
  await app.register(authRoutes, { ctx: options.ctx, signInLimit: options.signInLimit });
  await app.register(identityRoutes, { ctx: options.ctx });
  await app.register(declarationRoutes, { ctx: options.ctx });
  await app.register(indicatorRoutes, { ctx: options.ctx });
  await app.register(workflowRoutes, { ctx: options.ctx });
  await app.register(certificateRoutes, { ctx: options.ctx });
  await app.register(permitRoutes, { ctx: options.ctx });
  await app.register(controlRoutes, { ctx: options.ctx });
  await app.register(cargoRoutes, { ctx: options.ctx });
  await app.register(exchangeRoutes, { ctx: options.ctx });
  await app.register(ledgerRoutes, { ctx: options.ctx });
  await app.register(iprRoutes, { ctx: options.ctx });
  await app.register(energyRoutes, { ctx: options.ctx });
  await app.register(energyCaseRoutes, { ctx: options.ctx });
  await app.register(energyStatementRoutes, { ctx: options.ctx });
  await app.register(mirrorRoutes, { ctx: options.ctx });
  await app.register(modelRoutes, { ctx: options.ctx });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, () =>
    app.swagger(),
  );
  return app;
}

function invalidBody(message: string): Error {
  return new DomainError('invalid_input', message, [{ path: 'body', reason: message }]);
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20): false for a lone surrogate. */
const isWellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * The first member of parsed JSON that may not be stored, with a JSON pointer to it: nesting
 * deeper than `maxDepth`, a string or key that is not well-formed UTF-16 (a lone surrogate, which
 * no database stores as valid UTF-8), a number that parsed as Infinity (1e400), a `__proto__`
 * key. Iterative (no stack to overflow), and paths are built only for containers and the culprit.
 */
/** Longest JSON array accepted anywhere in a body. */
const MAX_JSON_ARRAY = 10_000;

function unstorableMember(
  value: unknown,
  maxDepth: number,
): { path: string; reason: string } | undefined {
  const leaf = (v: unknown): string | undefined =>
    typeof v === 'string'
      ? isWellFormed(v)
        ? undefined
        : 'contains a lone UTF-16 surrogate (not a character)'
      : typeof v === 'number' && !Number.isFinite(v)
        ? 'is a number too large to represent'
        : undefined;
  const pointer = (path: string, key: string) =>
    `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const top = leaf(value);
  if (top) return { path: '/', reason: `the body ${top}` };
  const stack: Array<[object, string, number]> = [];
  if (value !== null && typeof value === 'object') stack.push([value, '', 1]);
  while (stack.length > 0) {
    const [container, path, depth] = stack.pop()!;
    if (depth > maxDepth)
      return { path: 'body', reason: `JSON nesting deeper than ${maxDepth} levels` };
    const visit = (key: string, child: unknown) => {
      const bad = leaf(child);
      if (bad) return { path: pointer(path, key), reason: `${pointer(path, key)} ${bad}` };
      if (child !== null && typeof child === 'object')
        stack.push([child, pointer(path, key), depth + 1]);
      return undefined;
    };
    if (Array.isArray(container)) {
      // No array GreenLane accepts is longer (containers: 9,999); a longer one is refused before
      // validation walks it (2.6 M goods items took the validator 12 s).
      if (container.length > MAX_JSON_ARRAY)
        return {
          path: path || '/',
          reason: `${path || 'the body'} holds ${container.length} entries, more than the ${MAX_JSON_ARRAY} accepted`,
        };
      for (let i = 0; i < container.length; i++) {
        const bad = visit(String(i), container[i]);
        if (bad) return bad;
      }
      continue;
    }
    const keys = Object.keys(container);
    if (keys.length > MAX_JSON_ARRAY)
      return {
        path: path || '/',
        reason: `${path || 'the body'} holds ${keys.length} members, more than the ${MAX_JSON_ARRAY} accepted`,
      };
    for (const key of keys) {
      if (!isWellFormed(key))
        return { path: pointer(path, key), reason: 'a key contains a lone UTF-16 surrogate' };
      if (key === '__proto__')
        return { path: pointer(path, key), reason: '__proto__ is not an acceptable key' };
      const bad = visit(key, (container as Record<string, unknown>)[key]);
      if (bad) return bad;
    }
  }
  return undefined;
}
