import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Storage } from '../core/ports.js';

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

/**
 * The ledger as an operator watches it: leaves, the latest checkpoint's size, age and witnesses.
 * A checkpoint that grows old while leaves grow means signing stopped (see the server log).
 */
export function installLedgerMetrics(registry: Registry, storage: Storage): void {
  const read = async () => {
    const [state, checkpoint] = await Promise.all([
      storage.read.ledger.state(),
      storage.read.ledger.latestCheckpoint(),
    ]);
    const cosignatures = checkpoint
      ? (await storage.read.ledger.cosignaturesOf([checkpoint.size])).length
      : 0;
    return { state, checkpoint, cosignatures };
  };
  let last: Promise<Awaited<ReturnType<typeof read>>> | undefined;
  // One read per scrape for the four gauges.
  const once = () =>
    (last ??= read().finally(() => {
      setTimeout(() => (last = undefined), 100).unref();
    }));
  new Gauge({
    name: 'greenlane_ledger_leaves',
    help: 'Events in the ledger (leaves of its Merkle log)',
    registers: [registry],
    async collect() {
      this.set((await once()).state.size);
    },
  });
  new Gauge({
    name: 'greenlane_ledger_checkpoint_size',
    help: 'Leaves covered by the latest signed checkpoint',
    registers: [registry],
    async collect() {
      this.set((await once()).checkpoint?.size ?? 0);
    },
  });
  new Gauge({
    name: 'greenlane_ledger_checkpoint_age_seconds',
    help: 'Seconds since the latest checkpoint was signed (0: none yet)',
    registers: [registry],
    async collect() {
      const c = (await once()).checkpoint;
      this.set(c ? (Date.now() - Date.parse(c.signedAt)) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'greenlane_ledger_checkpoint_cosignatures',
    help: "Partners' cosignatures of the latest checkpoint",
    registers: [registry],
    async collect() {
      this.set((await once()).cosignatures);
    },
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    declarationsReceived: Counter<'format'>;
  }
}
