/**
 * Closed-loop load for the ingest bench: `clients` concurrent clients take the next request from
 * one queue, send it to the next server in turn, read the whole answer, and only then take the
 * next one. Records status and latency per request and what each accepted lodging was assessed.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** One HTTP request of a phase, ready to send. */
export interface HttpRequest {
  method: 'POST';
  path: string;
  token: string;
  body?: string;
  /** A lodging: a 201 carries the stored declaration with its assessment, which we read. */
  lodging: boolean;
}

/** What a 201 lodging was assessed, read from its body. */
export interface Lodged {
  id: string;
  channel: string;
  hits: number;
  /** Outcome of each permit check (one per item needing a permit). */
  permits: string[];
  /** The learned model's probability of a finding, when a model screened it. */
  modelProbability: number | null;
}

export interface PhaseResult {
  /** Requests answered (or failed on the network); fewer than planned when the time ran out. */
  sent: number;
  planned: number;
  seconds: number;
  /** HTTP status per request, in plan order; 0 = network error, -1 = not sent. */
  statuses: Int16Array;
  /** Milliseconds per request, in plan order (NaN when not sent). */
  latencies: Float64Array;
  /** Answer bodies of every non-2xx request, in plan order (undefined otherwise). */
  bodies: Array<string | undefined>;
  /** The assessment of each 201 lodging, in plan order. */
  lodged: Array<Lodged | undefined>;
  /** True when the time limit stopped the phase before every request was sent. */
  cut: boolean;
}

/** One keep-alive undici Pool per server, with as many connections as clients (no queueing). */
export function openPools(origins: readonly string[], clients: number): Pool[] {
  return origins.map(
    (origin) =>
      new Pool(origin, {
        connections: clients,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        headersTimeout: 0,
        bodyTimeout: 0,
      }),
  );
}

/**
 * Sends every request once; request i goes to server i mod n. Stops taking new requests at
 * `stopAt` (performance.now() ms) and lets those in flight finish; `signal` aborts them.
 */
export async function runPhase(
  pools: readonly Pool[],
  requests: readonly HttpRequest[],
  options: { clients: number; stopAt: number; signal: AbortSignal },
): Promise<PhaseResult> {
  const n = requests.length;
  const statuses = new Int16Array(n).fill(-1);
  const latencies = new Float64Array(n).fill(NaN);
  const bodies: Array<string | undefined> = new Array<string | undefined>(n);
  const lodged: Array<Lodged | undefined> = new Array<Lodged | undefined>(n);
  let next = 0;
  let sent = 0;
  let cut = false;
  const client = async () => {
    for (;;) {
      if (performance.now() >= options.stopAt) {
        if (next < n) cut = true;
        return;
      }
      const i = next++;
      if (i >= n) return;
      const r = requests[i]!;
      const started = performance.now();
      try {
        const res = await pools[i % pools.length]!.request({
          path: r.path,
          method: r.method,
          headers: {
            authorization: `Bearer ${r.token}`,
            ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(r.body !== undefined ? { body: r.body } : {}),
          signal: options.signal,
        });
        // Read the answer to the end, as a real client would.
        const text = await res.body.text();
        latencies[i] = performance.now() - started;
        statuses[i] = res.statusCode;
        if (res.statusCode >= 300) bodies[i] = text;
        else if (r.lodging && res.statusCode === 201) lodged[i] = readLodged(text);
      } catch (error) {
        if (options.signal.aborted) throw options.signal.reason;
        latencies[i] = performance.now() - started;
        statuses[i] = 0;
        bodies[i] = (error as Error).message;
      }
      sent++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.clients, n) }, client));
  const seconds = (performance.now() - started) / 1000;
  return { sent, planned: n, seconds, statuses, latencies, bodies, lodged, cut };
}

function readLodged(text: string): Lodged {
  const d = JSON.parse(text) as {
    id: string;
    channel: string | null;
    assessment?: {
      hits?: unknown[];
      permits?: Array<{ outcome: string }>;
      model?: { probability: number } | null;
    } | null;
  };
  return {
    id: d.id,
    channel: d.channel ?? 'unscreened',
    hits: d.assessment?.hits?.length ?? 0,
    permits: (d.assessment?.permits ?? []).map((p) => p.outcome),
    modelProbability: d.assessment?.model?.probability ?? null,
  };
}

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of the requests `include` selects (sent ones only). */
export function latencyStats(
  phase: PhaseResult,
  include: (i: number) => boolean = () => true,
): LatencyStats {
  const picked: number[] = [];
  for (let i = 0; i < phase.planned; i++) {
    if (phase.statuses[i] !== -1 && include(i)) picked.push(phase.latencies[i]!);
  }
  const sorted = Float64Array.from(picked).sort();
  // Nearest rank: the smallest latency that at least p of the requests did not exceed.
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return {
    count: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Status classes of the requests `include` selects: 2xx, 4xx, 5xx and network errors. */
export function statusCounts(
  phase: PhaseResult,
  include: (i: number) => boolean = () => true,
): { ok: number; refused: number; server: number; network: number; other: number } {
  const c = { ok: 0, refused: 0, server: 0, network: 0, other: 0 };
  for (let i = 0; i < phase.planned; i++) {
    const s = phase.statuses[i]!;
    if (s === -1 || !include(i)) continue;
    if (s === 0) c.network++;
    else if (s >= 200 && s < 300) c.ok++;
    else if (s >= 400 && s < 500) c.refused++;
    else if (s >= 500) c.server++;
    else c.other++;
  }
  return c;
}
