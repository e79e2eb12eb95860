import { assertAllowed } from '../../core/auth/policy.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { Storage } from '../../core/ports.js';

/** Liveness, readiness and Prometheus metrics. */
export const systemRoutes: FastifyPluginAsync<{ registry: Registry; storage: Storage }> = async (
  app,
  { registry, storage },
) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { tags: ['system'], summary: 'Liveness probe (no authentication)' },
    },
    () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary:
          'Readiness probe (no authentication): 200 when the database answers within 2 s, else a 503 problem document with Retry-After',
      },
    },
    async () => {
      await storage.ready(2_000);
      return { status: 'ready' };
    },
  );
  app.get(
    '/metrics',
    { schema: { tags: ['system'], summary: "Prometheus metrics (an administrator's token)" } },
    async (request, reply) => {
      assertAllowed(request.principal, 'read', 'system-metrics');
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};
