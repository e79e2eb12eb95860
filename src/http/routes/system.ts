import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

/** Liveness and Prometheus metrics. */
export const systemRoutes: FastifyPluginAsync<{ registry: Registry }> = async (
  app,
  { registry },
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
    '/metrics',
    { schema: { tags: ['system'], summary: 'Prometheus metrics (bearer token required)' } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
};
