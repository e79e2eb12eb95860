import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for one app instance (its own registry, so tests can build many apps). */
export function installMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'greenlane_' });
  const duration = new Histogram({
    name: 'greenlane_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const declarations = new Counter({
    name: 'greenlane_declarations_received_total',
    help: 'Declarations accepted, by source format',
    labelNames: ['format'] as const,
    registers: [registry],
  });
  app.decorate('declarationsReceived', declarations);
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  return registry;
}

declare module 'fastify' {
  interface FastifyInstance {
    declarationsReceived: Counter<'format'>;
  }
}
