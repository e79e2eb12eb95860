/**
 * Ingest benchmark: how many declarations per second the HTTP API accepts durably, and how long
 * each lodging takes, with the reference library in force, on SQLite and PostgreSQL.
 *
 *   npm run bench:ingest -- [--count 20000] [--clients 32] [--postgres postgres://…]
 *                           [--only sqlite|postgres] [--scenarios clean,refused,processes]
 *
 * Scenarios, each on a fresh database seeded by `greenlane serve --demo` (demo administration,
 * the library approved by customs and the environmental agency, permits, 300 declarations):
 * - clean: the realistic mix (about a third of the declarations hit an indicator, some quote a
 *   permit), every one lodged once;
 * - refused: the same with 5 % of the requests ones the server must refuse (a duplicate reference
 *   of the same declarant, a second release of a released declaration);
 * - processes (PostgreSQL): the clean mix over 1, 2, 4 `serve` processes on one database, the
 *   client spreading requests round-robin;
 * - model: the clean mix with a learned risk model active (trained by the demo analyst on the
 *   demo's controls through POST /api/models, approved by the second analyst), so that every
 *   lodging also computes the model's features, probability and contributions.
 * The servers run as child processes (the compiled dist/), so the client never shares their event
 * loop. Bodies are generated before the clock starts; a warm-up is not counted; then closed-loop
 * clients send the measured requests. Afterwards the servers are stopped and the new rows counted
 * in the database itself: they must equal the 201s.
 *
 * See bench/README.md for what this measures and what it does not.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  latencyStats,
  openPools,
  runPhase,
  statusCounts,
  type HttpRequest,
  type LatencyStats,
  type PhaseResult,
} from './ingest/load.js';
import {
  cleanPlan,
  DEMO_PERMIT_HOLDER,
  realisticMix,
  refusedPlan,
  type PlannedRequest,
  type RequestKind,
} from './ingest/mix.js';
import {
  BenchError,
  cleanUpAll,
  demoAdminToken,
  freshPostgres,
  freshSqlite,
  installSignalHandlers,
  loggedErrors,
  machineBusySeconds,
  onCleanup,
  processCpuSeconds,
  ROOT,
  startServer,
  waitForOutput,
  wasInterrupted,
  type BackendName,
  type Database,
  type Server,
} from './ingest/servers.js';

/** Targets on this kind of machine (2 cores): printed PASS/MISS, never failing the run. */
const TARGETS = {
  sqlite: { perSecond: 2_000, p99Ms: 50 },
  postgres: { perSecond: 800, clients: 32 },
  /** The refused mix answers at least this share of the clean mix's requests per second. */
  refusedRatio: 0.8,
  /** With a learned model active, lodging keeps at least this share of the clean throughput. */
  modelRatio: 0.8,
};

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const SCENARIOS = ['clean', 'refused', 'processes', 'model'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const USAGE = `usage: tsx bench/ingest.ts [options]

  --count N          requests measured per scenario (default 20000)
  --clients N        concurrent closed-loop clients (default 32)
  --warmup N         declarations lodged first and not measured (default 1000)
  --postgres URL     also bench PostgreSQL; URL of a server database used only to create and drop
                     a throw-away database per scenario (default: env GREENLANE_BENCH_POSTGRES_URL)
  --only NAME        run only this backend: sqlite or postgres
  --scenarios LIST   comma-separated, of clean, refused, processes, model (default: all four;
                     processes runs on PostgreSQL only)
  --processes LIST   serve processes on one PostgreSQL database for 'processes' (default 1,2,4)
  --refused-share X  share of the refused mix's requests that must be refused (default 0.05)
  --seed N           seed of the generated declarations, the same for every scenario (default 1)
  --max-seconds N    stop sending after this long in the warm-up and in the measured phase of a
                     scenario; requests in flight finish and the figures cover what was sent
                     (default 300)
  --cpu-prof         run the servers with --cpu-prof; profiles go to bench/out/<scenario>-<time>/
  -h, --help         this text
`;

interface Options {
  count: number;
  clients: number;
  warmup: number;
  postgres: string | undefined;
  only: BackendName | undefined;
  scenarios: ScenarioName[];
  processes: number[];
  refusedShare: number;
  seed: number;
  maxSeconds: number;
  cpuProf: boolean;
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgsOrUsage({
    args: argv,
    options: {
      count: { type: 'string', default: '20000' },
      clients: { type: 'string', default: '32' },
      warmup: { type: 'string', default: '1000' },
      postgres: { type: 'string' },
      only: { type: 'string' },
      scenarios: { type: 'string', default: SCENARIOS.join(',') },
      processes: { type: 'string', default: '1,2,4' },
      'refused-share': { type: 'string', default: '0.05' },
      seed: { type: 'string', default: '1' },
      'max-seconds': { type: 'string', default: '300' },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const only = values.only;
  if (only !== undefined && only !== 'sqlite' && only !== 'postgres') {
    throw new UsageError(`--only must be sqlite or postgres (got '${only}')`);
  }
  const postgres =
    values.postgres ?? (process.env.GREENLANE_BENCH_POSTGRES_URL?.trim() || undefined);
  if (postgres !== undefined && !/^postgres(ql)?:\/\//.test(postgres)) {
    throw new UsageError('--postgres must be a postgres:// URL');
  }
  if (only === 'postgres' && postgres === undefined) {
    throw new UsageError('--only postgres needs --postgres URL (or GREENLANE_BENCH_POSTGRES_URL)');
  }
  const scenarios = values.scenarios.split(',').map((s) => s.trim());
  for (const s of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(s)) {
      throw new UsageError(`--scenarios takes ${SCENARIOS.join(', ')} (got '${s}')`);
    }
  }
  const processes = values.processes
    .split(',')
    .map((p) => positiveInteger(p.trim(), '--processes'));
  const refusedShare = Number(values['refused-share']);
  if (!(refusedShare > 0 && refusedShare < 1)) {
    throw new UsageError(
      `--refused-share must be between 0 and 1 (got '${values['refused-share']}')`,
    );
  }
  return {
    count: positiveInteger(values.count, '--count'),
    clients: positiveInteger(values.clients, '--clients'),
    warmup: positiveInteger(values.warmup, '--warmup', true),
    postgres,
    only,
    scenarios: scenarios as ScenarioName[],
    processes: [...new Set(processes)].sort((a, b) => a - b),
    refusedShare,
    seed: positiveInteger(values.seed, '--seed'),
    maxSeconds: positiveInteger(values['max-seconds'], '--max-seconds'),
    cpuProf: values['cpu-prof'],
  };
}

/** parseArgs, with its complaints (unknown option, missing value) reported as usage errors. */
function parseArgsOrUsage<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A wrong option: printed with the usage, exit 2. */
class UsageError extends Error {}

function positiveInteger(text: string, name: string, zeroAllowed = false): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < (zeroAllowed ? 0 : 1)) {
    throw new UsageError(
      `${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer (got '${text}')`,
    );
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

interface Scenario {
  name: ScenarioName;
  backend: BackendName;
  processes: number;
  label: string;
}

function scenariosToRun(options: Options): Scenario[] {
  const backends = (['sqlite', 'postgres'] as const).filter(
    (b) =>
      (options.only === undefined || options.only === b) &&
      (b === 'sqlite' || options.postgres !== undefined),
  );
  const out: Scenario[] = [];
  for (const backend of backends) {
    for (const name of options.scenarios) {
      if (name === 'processes') {
        if (backend !== 'postgres') continue; // several processes on one SQLite file: not a setup we offer
        for (const n of options.processes) {
          out.push({ name, backend, processes: n, label: `${backend} ×${n} proc` });
        }
      } else {
        out.push({ name, backend, processes: 1, label: `${backend} ${name}` });
      }
    }
  }
  return out;
}

/** Everything a scenario reports. */
interface Result {
  scenario: Scenario;
  /** Measured phase: requests answered, their time, and throughput. */
  sent: number;
  planned: number;
  cut: boolean;
  seconds: number;
  requestsPerSecond: number;
  declarationsPerSecond: number;
  latency: LatencyStats;
  /** Latency of the lodgings alone and of the requests meant to be refused (refused mix). */
  lodgingLatency: LatencyStats;
  refusalLatency: LatencyStats | undefined;
  counts: { ok: number; refused: number; server: number; network: number; other: number };
  /** 4xx the plan expected (duplicates, second releases, the loser of a racing pair). */
  expectedRefusals: number;
  /** 5xx, network errors, and refusals of requests that had to be accepted: all phases. */
  failures: number;
  failureExamples: string[];
  /** Duplicate references the server accepted a second time; second releases that succeeded. */
  duplicatesSent: number;
  duplicatesAccepted: number;
  releasesAgainSent: number;
  releasedTwice: number;
  /** Pairs of concurrent first releases (before the measured phase) where both succeeded. */
  racingReleases: number;
  racingReleasedTwice: number;
  mix: MixStats;
  serverCores: number | undefined;
  clientCores: number;
  /** PostgreSQL backends of the bench database (undefined for SQLite). */
  databaseCores: number | undefined;
  otherCores: number | undefined;
  loadAverage: number;
  rowsNew: number;
  rowsExpected: number;
  journalMode: string | undefined;
  activeIndicators: number;
  /** What the servers logged at level error or above (the cause of a 5xx). */
  serverErrors: string[];
}

/** Cores used on average while measuring; `other` is the machine minus the rest. */
interface Cpu {
  server: number | undefined;
  client: number;
  database: number | undefined;
  other: number | undefined;
}

interface MixStats {
  lodged: number;
  /** Lodgings whose assessment carries the learned model's probability. */
  modelScored: number;
  hit: number;
  channels: Record<string, number>;
  withPermitCheck: number;
  permitOutcomes: Record<string, number>;
}

async function runScenario(s: Scenario, options: Options, now: Date): Promise<Result> {
  const log = (line: string) => process.stdout.write(`[${s.label}] ${line}\n`);
  const loadAverage = os.loadavg()[0]!;
  log(`load average ${loadAverage.toFixed(2)} on ${os.availableParallelism()} CPUs at start`);
  const db: Database =
    s.backend === 'sqlite' ? freshSqlite() : await freshPostgres(options.postgres!);
  log(`database: ${db.where}`);

  // Start-up has its own limits (in startServer); this one covers warm-up and measurement.
  const hard = new AbortController();
  const profileDir = options.cpuProf
    ? path.join(
        ROOT,
        'bench',
        'out',
        `${s.label.replace(/\W+/g, '-')}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      )
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];

  // The first process seeds the demo (library approved, permits, 300 declarations) and prints the
  // admin token; the others start on the seeded database once the first is up.
  const servers: Server[] = [];
  const started = performance.now();
  servers.push(await startServer(db.env, { demo: true, nodeArgs, signal: hard.signal }));
  await waitForOutput(servers[0]!, 'Demo users');
  const admin = demoAdminToken(servers[0]!);
  // The others find the library in force and the migrations applied: they may start together.
  servers.push(
    ...(await Promise.all(
      Array.from({ length: s.processes - 1 }, () =>
        startServer(db.env, { demo: false, nodeArgs, signal: hard.signal }),
      ),
    )),
  );
  log(
    `${servers.length} server process${servers.length > 1 ? 'es' : ''} up in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s (demo seeded): ` +
      servers.map((x) => `${x.origin} pid ${x.pid}`).join(', '),
  );

  const activeIndicators = await checkIndicatorsInForce(servers, admin, log);
  if (s.name === 'model') await activateModel(servers[0]!, log);
  const permitNumber = await demoPermitNumber(servers[0]!, admin, log);
  const officer = s.name === 'refused' ? await signIn(servers[0]!, 'officer') : undefined;

  const bodies = realisticMix(options.warmup + options.count, options.seed, permitNumber, now);
  const warmBodies = bodies.slice(0, options.warmup);
  const measuredBodies = bodies.slice(options.warmup);
  const plan =
    s.name === 'refused'
      ? refusedPlan(measuredBodies, warmBodies, options.refusedShare, options.seed)
      : cleanPlan(measuredBodies);
  const rowsBefore = await db.countDeclarations();

  const pools = openPools(
    servers.map((x) => x.origin),
    options.clients,
  );
  const closePools = onCleanup(async () => {
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  });
  const phase = (requests: HttpRequest[]) => {
    const stopAt = performance.now() + options.maxSeconds * 1000;
    // Requests still in flight a minute after the time limit: the server is stuck.
    const abort = setTimeout(
      () =>
        hard.abort(
          new BenchError(`${s.label}: requests still unanswered 60 s after --max-seconds`),
        ),
      options.maxSeconds * 1000 + 60_000,
    );
    return runPhase(pools, requests, {
      clients: options.clients,
      stopAt,
      signal: hard.signal,
    }).finally(() => clearTimeout(abort));
  };
  const lodge = (json: string): HttpRequest => ({
    method: 'POST',
    path: '/api/declarations',
    token: admin,
    body: json,
    lodging: true,
  });
  const release = (id: string): HttpRequest => ({
    method: 'POST',
    path: `/api/declarations/${encodeURIComponent(id)}/release`,
    token: officer!,
    lodging: false,
  });

  let warm: PhaseResult | undefined;
  let firstReleases: PhaseResult | undefined;
  let released: string[] = [];
  let measured: PhaseResult;
  let cpu: Cpu;
  try {
    if (warmBodies.length > 0) {
      warm = await phase(warmBodies.map((b) => lodge(b.json)));
      const ok = statusCounts(warm).ok;
      log(
        `warm-up: ${ok}/${warm.planned} accepted in ${warm.seconds.toFixed(1)} s${warm.cut ? ' (time limit)' : ''}`,
      );
    }
    const releasesAgain = plan.filter((r) => r.kind === 'release-again').length;
    if (releasesAgain > 0) {
      // Green declarations that need no permit release at once; those are released twice.
      const releasable = (warm?.lodged ?? []).filter(
        (d) => d !== undefined && d.channel === 'green' && d.permits.length === 0,
      );
      if (releasable.length === 0) {
        throw new BenchError(
          'the refused mix needs green declarations from the warm-up to release: raise --warmup',
        );
      }
      released = releasable.slice(0, releasesAgain).map((d) => d!.id);
      // Two releases of each at the same moment (adjacent in the queue): exactly one may succeed.
      firstReleases = await phase(released.flatMap((id) => [release(id), release(id)]));
      log(
        `released ${released.length} green warm-up declarations (two concurrent releases each) ` +
          `in ${firstReleases.seconds.toFixed(1)} s, for ${releasesAgain} second releases`,
      );
    }
    const requests = plan.map((r) => toHttp(r, released, lodge, release));
    const serverCpuBefore = servers.map((x) => processCpuSeconds(x.pid));
    const backendCpuBefore = db.backendCpuSeconds();
    const machineCpuBefore = machineBusySeconds();
    const clientCpuBefore = process.cpuUsage();
    measured = await phase(requests);
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const serverCpuAfter = servers.map((x) => processCpuSeconds(x.pid));
    const backendCpuAfter = db.backendCpuSeconds();
    const machineCpuAfter = machineBusySeconds();
    // Backends that exited during the phase are missing: a lower bound.
    let backendSeconds: number | undefined;
    if (backendCpuBefore && backendCpuAfter) {
      backendSeconds = 0;
      for (const [pid, after] of backendCpuAfter) {
        backendSeconds += after - (backendCpuBefore.get(pid) ?? 0);
      }
    }
    const database = backendSeconds === undefined ? undefined : backendSeconds / measured.seconds;
    let serverSeconds: number | undefined = 0;
    for (let k = 0; k < servers.length; k++) {
      const a = serverCpuBefore[k];
      const b = serverCpuAfter[k];
      serverSeconds =
        a === undefined || b === undefined || serverSeconds === undefined
          ? undefined
          : serverSeconds + b - a;
    }
    const client = (clientCpu.user + clientCpu.system) / 1e6 / measured.seconds;
    const serverCores = serverSeconds === undefined ? undefined : serverSeconds / measured.seconds;
    const machineCores =
      machineCpuBefore !== undefined && machineCpuAfter !== undefined
        ? (machineCpuAfter - machineCpuBefore) / measured.seconds
        : undefined;
    cpu = {
      server: serverCores,
      client,
      database,
      other:
        serverCores !== undefined && machineCores !== undefined
          ? Math.max(0, machineCores - serverCores - client - (database ?? 0))
          : undefined,
    };
  } finally {
    await closePools();
    for (const x of [...servers].reverse()) await x.stop();
  }
  const serverErrors = servers.flatMap((x, k) =>
    loggedErrors(x, 5).map((e) => (servers.length > 1 ? `server ${k + 1}: ${e}` : e)),
  );

  // The servers are stopped (SQLite checkpointed): count what was really stored.
  const rowsNew = (await db.countDeclarations()) - rowsBefore;
  const journalMode = db.journalMode();
  return analyse({
    scenario: s,
    plan,
    warm,
    warmReferences: warmBodies.map((b) => b.reference),
    firstReleases,
    released,
    measured,
    cpu,
    loadAverage,
    rowsNew,
    journalMode,
    activeIndicators,
    serverErrors,
    log,
  });
}

function toHttp(
  r: PlannedRequest,
  released: readonly string[],
  lodge: (json: string) => HttpRequest,
  release: (id: string) => HttpRequest,
): HttpRequest {
  switch (r.kind) {
    case 'lodge':
    case 'duplicate':
      return lodge(r.body.json);
    case 'release-again':
      return release(released[r.slot % released.length]!);
  }
}

/** The active indicators each server screens with (GET /api/indicators); none stops the bench. */
async function checkIndicatorsInForce(
  servers: readonly Server[],
  token: string,
  log: (line: string) => void,
): Promise<number> {
  const counts: number[] = [];
  for (const server of servers) {
    const list = (await getJson(server, '/api/indicators', token)) as Array<{ status: string }>;
    counts.push(list.filter((i) => i.status === 'active').length);
  }
  if (counts.some((n) => n === 0)) {
    throw new BenchError(
      `no indicator in force (active indicators per server: ${counts.join(', ')}): the bench would measure lodging without screening; refusing to run`,
    );
  }
  log(`indicators in force (GET /api/indicators, status active): ${counts.join(', ')}`);
  return Math.min(...counts);
}

/** The number of the waste-shipment consent `serve --demo` issues to its demo trader. */
async function demoPermitNumber(
  server: Server,
  token: string,
  log: (line: string) => void,
): Promise<string | undefined> {
  const permits = (await getJson(
    server,
    '/api/permits?type=waste-consent&status=issued',
    token,
  )) as Array<{ number: string | null; holderId: string }>;
  const number = permits.find((p) => p.holderId === DEMO_PERMIT_HOLDER.id)?.number ?? undefined;
  if (number === undefined)
    log('warning: no issued demo waste consent; no declaration quotes a permit');
  else log(`permit quoted by the mix: ${number} (waste consent of ${DEMO_PERMIT_HOLDER.id})`);
  return number;
}

/** Trains a model on the demo's controls as the analyst and has the second analyst approve it. */
async function activateModel(server: Server, log: (line: string) => void): Promise<void> {
  const post = async (route: string, token: string, body: unknown) => {
    const res = await fetch(`${server.origin}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new BenchError(`POST ${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{
      version: number;
      status: string;
      card: Record<string, unknown>;
    }>;
  };
  const analyst = await signIn(server, 'analyst');
  const started = performance.now();
  const trained = await post('/api/models', analyst, {
    from: '2000-01-01T00:00:00Z',
    to: new Date(Date.now() + 86_400_000).toISOString(),
  });
  const seconds = (performance.now() - started) / 1000;
  await post(`/api/models/${trained.version}/submit`, analyst, {});
  const active = await post(
    `/api/models/${trained.version}/approve`,
    await signIn(server, 'analyst2'),
    {},
  );
  const training = trained.card.training as { bestIteration: number };
  log(
    `model version ${active.version} ${active.status}: trained in ${seconds.toFixed(1)} s, ` +
      `${training.bestIteration} trees`,
  );
}

async function signIn(server: Server, username: string): Promise<string> {
  const res = await fetch(`${server.origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'greenlane-demo' }),
  });
  if (!res.ok) throw new BenchError(`sign-in of '${username}': ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function getJson(server: Server, route: string, token: string): Promise<unknown> {
  const res = await fetch(`${server.origin}${route}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new BenchError(`GET ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------

function analyse(input: {
  scenario: Scenario;
  plan: readonly PlannedRequest[];
  warm: PhaseResult | undefined;
  warmReferences: readonly string[];
  firstReleases: PhaseResult | undefined;
  released: readonly string[];
  measured: PhaseResult;
  cpu: Cpu;
  loadAverage: number;
  rowsNew: number;
  journalMode: string | undefined;
  activeIndicators: number;
  serverErrors: string[];
  log: (line: string) => void;
}): Result {
  const { scenario, plan, warm, firstReleases, measured, log } = input;
  const kind = (i: number): RequestKind => plan[i]!.kind;
  const failureExamples: string[] = [];
  let failures = 0;
  const fail = (phase: string, status: number, body: string | undefined) => {
    failures++;
    const example = `${phase}: ${status === 0 ? 'network error' : status} ${(body ?? '').slice(0, 400)}`;
    if (failureExamples.length < 8 && !failureExamples.includes(example))
      failureExamples.push(example);
  };

  // Lodgings by reference, over warm-up and measured phase: each reference must be accepted once.
  const accepted = new Map<string, number>();
  const refusedLodgings = new Map<
    string,
    Array<{ phase: string; status: number; body: string | undefined }>
  >();
  const tally = (phase: string, p: PhaseResult, reference: (i: number) => string | undefined) => {
    for (let i = 0; i < p.planned; i++) {
      const status = p.statuses[i]!;
      const ref = reference(i);
      if (status === -1) continue;
      if (status === 0 || status >= 500) {
        fail(phase, status, p.bodies[i]);
      } else if (ref !== undefined && status === 201) {
        accepted.set(ref, (accepted.get(ref) ?? 0) + 1);
      } else if (ref !== undefined && status >= 400) {
        const list = refusedLodgings.get(ref) ?? [];
        list.push({ phase, status, body: p.bodies[i] });
        refusedLodgings.set(ref, list);
      }
    }
  };
  if (warm) tally('warm-up', warm, (i) => input.warmReferences[i]);
  tally('measured', measured, (i) => {
    const r = plan[i]!;
    return r.kind === 'release-again' ? undefined : r.body.reference;
  });
  // A refused lodging is expected only when the same reference was accepted by another request.
  for (const [ref, refusals] of refusedLodgings) {
    if ((accepted.get(ref) ?? 0) > 0) continue;
    for (const r of refusals) fail(`${r.phase} (a valid declaration refused)`, r.status, r.body);
  }
  const duplicated = new Set(
    plan.flatMap((r) => (r.kind === 'duplicate' ? [r.body.reference] : [])),
  );
  let duplicatesAccepted = 0;
  for (const ref of duplicated) duplicatesAccepted += Math.max(0, (accepted.get(ref) ?? 0) - 1);

  // Second releases: a 4xx is the expected answer, a 2xx a release done twice.
  let releasedTwice = 0;
  let releasesAgainSent = 0;
  let releaseRefusals = 0;
  for (let i = 0; i < measured.planned; i++) {
    const status = measured.statuses[i]!;
    if (kind(i) !== 'release-again' || status === -1) continue;
    releasesAgainSent++;
    if (status >= 200 && status < 300) releasedTwice++;
    else if (status >= 400 && status < 500) releaseRefusals++;
  }
  // Concurrent pairs of first releases: one 2xx and one 4xx each.
  let racingReleasedTwice = 0;
  if (firstReleases) {
    for (let k = 0; k + 1 < firstReleases.planned; k += 2) {
      const pair = [firstReleases.statuses[k]!, firstReleases.statuses[k + 1]!];
      for (const [j, st] of pair.entries()) {
        if (st === 0 || st >= 500) fail('first releases', st, firstReleases.bodies[k + j]);
      }
      const ok = pair.filter((st) => st >= 200 && st < 300).length;
      if (ok === 2) racingReleasedTwice++;
      if (ok === 0 && pair.every((st) => st >= 400 && st < 500)) {
        fail(
          'first releases (a green declaration could not be released)',
          pair[0]!,
          firstReleases.bodies[k],
        );
      }
    }
  }

  const counts = statusCounts(measured);
  const mix = mixStats(measured);
  const lodgingKinds = (i: number) => kind(i) !== 'release-again';
  const refusalKinds = (i: number) => kind(i) !== 'lodge';
  const hasRefusals = plan.some((r) => r.kind !== 'lodge');
  const declarations = countLodged(measured);
  const rowsExpected = countLodged(measured) + (warm ? countLodged(warm) : 0);
  const result: Result = {
    scenario,
    sent: measured.sent,
    planned: measured.planned,
    cut: measured.cut,
    seconds: measured.seconds,
    requestsPerSecond: measured.sent / measured.seconds,
    declarationsPerSecond: declarations / measured.seconds,
    latency: latencyStats(measured),
    lodgingLatency: latencyStats(measured, lodgingKinds),
    refusalLatency: hasRefusals ? latencyStats(measured, refusalKinds) : undefined,
    counts,
    expectedRefusals: releaseRefusals + expectedLodgingRefusalsIn(measured, plan, accepted),
    failures,
    failureExamples,
    duplicatesSent: plan.filter((r, i) => r.kind === 'duplicate' && measured.statuses[i] !== -1)
      .length,
    duplicatesAccepted,
    releasesAgainSent,
    releasedTwice,
    racingReleases: input.released.length,
    racingReleasedTwice,
    mix,
    serverCores: input.cpu.server,
    clientCores: input.cpu.client,
    databaseCores: input.cpu.database,
    otherCores: input.cpu.other,
    loadAverage: input.loadAverage,
    rowsNew: input.rowsNew,
    rowsExpected,
    journalMode: input.journalMode,
    activeIndicators: input.activeIndicators,
    serverErrors: input.serverErrors,
  };
  printScenario(result, log);
  return result;
}

/** 4xx answers in the measured phase to lodgings whose reference another request got accepted. */
function expectedLodgingRefusalsIn(
  p: PhaseResult,
  plan: readonly PlannedRequest[],
  accepted: ReadonlyMap<string, number>,
): number {
  let n = 0;
  for (let i = 0; i < p.planned; i++) {
    const r = plan[i]!;
    const st = p.statuses[i]!;
    if (
      r.kind !== 'release-again' &&
      st >= 400 &&
      st < 500 &&
      (accepted.get(r.body.reference) ?? 0) > 0
    )
      n++;
  }
  return n;
}

function countLodged(p: PhaseResult): number {
  let n = 0;
  for (const d of p.lodged) if (d !== undefined) n++;
  return n;
}

function mixStats(p: PhaseResult): MixStats {
  const s: MixStats = {
    lodged: 0,
    modelScored: 0,
    hit: 0,
    channels: {},
    withPermitCheck: 0,
    permitOutcomes: {},
  };
  for (const d of p.lodged) {
    if (d === undefined) continue;
    s.lodged++;
    if (d.modelProbability !== null) s.modelScored++;
    if (d.hits > 0) s.hit++;
    s.channels[d.channel] = (s.channels[d.channel] ?? 0) + 1;
    if (d.permits.length > 0) s.withPermitCheck++;
    for (const o of d.permits) s.permitOutcomes[o] = (s.permitOutcomes[o] ?? 0) + 1;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmtMs = (ms: number) => (Number.isNaN(ms) ? '-' : ms.toFixed(1));
const fmtCores = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(2));
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number) =>
  whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`;

function printScenario(r: Result, log: (line: string) => void): void {
  const l = r.latency;
  log(
    `${fmtInt(r.requestsPerSecond)} requests/s, ${fmtInt(r.declarationsPerSecond)} declarations/s ` +
      `(${r.sent} requests in ${r.seconds.toFixed(2)} s${r.cut ? `, TIME LIMIT: ${r.planned - r.sent} of ${r.planned} not sent` : ''})` +
      `  p50 ${fmtMs(l.p50)}  p99 ${fmtMs(l.p99)}  max ${fmtMs(l.max)} ms`,
  );
  if (r.refusalLatency) {
    log(
      `  lodgings (duplicates included) p50 ${fmtMs(r.lodgingLatency.p50)} p99 ${fmtMs(r.lodgingLatency.p99)} ms; ` +
        `duplicates and second releases (${r.refusalLatency.count}) p50 ${fmtMs(r.refusalLatency.p50)} p99 ${fmtMs(r.refusalLatency.p99)} ms`,
    );
  }
  const c = r.counts;
  log(
    `answers: 2xx ${c.ok}, 4xx ${c.refused} (expected refusals ${r.expectedRefusals}), ` +
      `5xx ${c.server}, network errors ${c.network}${c.other > 0 ? `, other ${c.other}` : ''}`,
  );
  if (r.duplicatesSent > 0 || r.releasesAgainSent > 0) {
    log(
      `refused mix: ${r.duplicatesSent} duplicate references sent, ${r.duplicatesAccepted} accepted a second time; ` +
        `${r.releasesAgainSent} second releases sent, ${r.releasedTwice} succeeded; ` +
        `${r.racingReleases} concurrent release pairs before the run, ${r.racingReleasedTwice} released twice`,
    );
  }
  const m = r.mix;
  const channels = ['green', 'yellow', 'red', 'unscreened']
    .filter((k) => (m.channels[k] ?? 0) > 0 || k !== 'unscreened')
    .map((k) => `${k} ${pct(m.channels[k] ?? 0, m.lodged)}`)
    .join(', ');
  const outcomes = Object.entries(m.permitOutcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  log(
    `mix of the ${m.lodged} accepted lodgings: ${pct(m.hit, m.lodged)} hit ≥ 1 indicator; ${channels}; ` +
      `${pct(m.withPermitCheck, m.lodged)} needed a permit (${outcomes || 'none'})`,
  );
  log(
    `CPU while measuring (cores of ${os.availableParallelism()}): server${r.scenario.processes > 1 ? 's' : ''} ${fmtCores(r.serverCores)}, ` +
      `client ${fmtCores(r.clientCores)}, ` +
      (r.databaseCores !== undefined
        ? `PostgreSQL backends of the bench database ${fmtCores(r.databaseCores)}, `
        : '') +
      `everything else ${fmtCores(r.otherCores)}${r.scenario.backend === 'postgres' ? ' (the shared PostgreSQL walwriter and checkpointer included)' : ''}`,
  );
  if (r.otherCores !== undefined && r.otherCores > 0.25) {
    log('warning: other processes were busy during the run; the figures above are disturbed');
  }
  log(
    `rows: ${r.rowsNew} new in declarations after stopping the server${r.scenario.processes > 1 ? 's' : ''}; ` +
      `${r.rowsExpected} lodgings answered 201 ${r.rowsNew === r.rowsExpected ? 'OK' : 'MISMATCH'}` +
      (r.journalMode !== undefined
        ? `; journal_mode ${r.journalMode}${r.journalMode === 'wal' ? ' OK' : ' (expected wal)'}`
        : ''),
  );
  if (r.failures > 0) {
    log(`${r.failures} FAILED requests (5xx, network errors, valid requests refused); first ones:`);
    for (const e of r.failureExamples) log(`  ${e}`);
  }
  if (r.serverErrors.length > 0) {
    log('the server logged these errors (first distinct ones):');
    for (const e of r.serverErrors) log(`  ${e}`);
  }
}

function printTable(results: Result[], options: Options): void {
  const header = [
    'scenario',
    'req/s',
    'decl/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    '2xx',
    '4xx',
    '5xx+net',
    'failed',
    'server cpu',
    'pg cpu',
    'other cpu',
    'hit≥1',
    'g/y/r %',
    'rows',
  ];
  const rows = results.map((r) => {
    const m = r.mix;
    const share = (k: string) =>
      m.lodged === 0 ? '-' : ((100 * (m.channels[k] ?? 0)) / m.lodged).toFixed(0);
    return [
      r.scenario.label + (r.cut ? ' (cut)' : ''),
      fmtInt(r.requestsPerSecond),
      fmtInt(r.declarationsPerSecond),
      fmtMs(r.latency.p50),
      fmtMs(r.latency.p99),
      fmtMs(r.latency.max),
      String(r.counts.ok),
      String(r.counts.refused),
      String(r.counts.server + r.counts.network),
      String(r.failures),
      fmtCores(r.serverCores),
      r.databaseCores === undefined ? '-' : fmtCores(r.databaseCores),
      fmtCores(r.otherCores),
      pct(m.hit, m.lodged),
      `${share('green')}/${share('yellow')}/${share('red')}`,
      `${r.rowsNew}${r.rowsNew === r.rowsExpected ? ' ok' : ` ≠ ${r.rowsExpected}`}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    `\nIngest: ${options.count} requests per scenario, ${options.clients} closed-loop clients, ` +
      `${options.warmup} warm-up, library in force (node ${process.version}, ${os.availableParallelism()} CPUs, ` +
      `load average ${os.loadavg()[0]!.toFixed(2)} now; cpu = cores used on average while measuring)\n\n` +
      `${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`,
  );
}

type Verdict = 'PASS' | 'MISS';

const processes = (n: number) => `${n} process${n === 1 ? '' : 'es'}`;

/** The targets, each PASS or MISS from the results that exist (a MISS never fails the run). */
function targets(results: Result[], options: Options): Array<{ verdict: Verdict; text: string }> {
  const out: Array<{ verdict: Verdict; text: string }> = [];
  const add = (ok: boolean, text: string) => out.push({ verdict: ok ? 'PASS' : 'MISS', text });
  const find = (backend: BackendName, name: ScenarioName, processes = 1) =>
    results.find(
      (r) =>
        r.scenario.backend === backend &&
        r.scenario.name === name &&
        r.scenario.processes === processes,
    );
  const noServerErrors = (r: Result) =>
    r.counts.server + r.counts.network === 0 && r.failures === 0;

  const sqlite = find('sqlite', 'clean');
  if (sqlite) {
    const t = TARGETS.sqlite;
    add(
      sqlite.declarationsPerSecond >= t.perSecond &&
        sqlite.latency.p99 < t.p99Ms &&
        noServerErrors(sqlite),
      `SQLite clean ≥ ${fmtInt(t.perSecond)} decl/s with p99 < ${t.p99Ms} ms: ` +
        `${fmtInt(sqlite.declarationsPerSecond)} decl/s, p99 ${fmtMs(sqlite.latency.p99)} ms`,
    );
  }
  const pgClean = find('postgres', 'clean');
  if (pgClean) {
    const t = TARGETS.postgres;
    add(
      pgClean.declarationsPerSecond >= t.perSecond && noServerErrors(pgClean),
      `PostgreSQL clean ≥ ${fmtInt(t.perSecond)} decl/s at ${t.clients} clients with no 5xx: ` +
        `${fmtInt(pgClean.declarationsPerSecond)} decl/s at ${options.clients} clients, ` +
        `${pgClean.counts.server + pgClean.counts.network} 5xx/network errors` +
        (options.clients !== t.clients ? ` (target set for ${t.clients} clients)` : ''),
    );
  }
  for (const backend of ['sqlite', 'postgres'] as const) {
    const clean = find(backend, 'clean');
    const refused = find(backend, 'refused');
    if (!refused) continue;
    if (clean) {
      const ratio = refused.requestsPerSecond / clean.requestsPerSecond;
      add(
        ratio >= TARGETS.refusedRatio,
        `${backend} refused mix within ${Math.round((1 - TARGETS.refusedRatio) * 100)} % of clean: ` +
          `${fmtInt(refused.requestsPerSecond)} vs ${fmtInt(clean.requestsPerSecond)} requests/s (${(ratio * 100).toFixed(0)} %)`,
      );
    }
    add(
      noServerErrors(refused),
      `${backend} refused mix with no 5xx: ${refused.counts.server + refused.counts.network} 5xx/network errors, ${refused.failures} failures`,
    );
    add(
      refused.duplicatesAccepted === 0,
      `${backend} duplicate references refused: ${refused.duplicatesAccepted} of ${refused.duplicatesSent} accepted a second time`,
    );
    add(
      refused.releasedTwice + refused.racingReleasedTwice === 0,
      `${backend} second releases refused: ${refused.releasedTwice} of ${refused.releasesAgainSent} succeeded, ` +
        `${refused.racingReleasedTwice} of ${refused.racingReleases} concurrent pairs both succeeded`,
    );
  }
  for (const backend of ['sqlite', 'postgres'] as const) {
    const clean = find(backend, 'clean');
    const model = find(backend, 'model');
    if (!model) continue;
    add(
      model.mix.modelScored === model.mix.lodged && model.mix.lodged > 0 && noServerErrors(model),
      `${backend} with a model active, every lodging scored by it: ${model.mix.modelScored} of ${model.mix.lodged}, ` +
        `${model.counts.server + model.counts.network} 5xx/network errors`,
    );
    if (clean) {
      const ratio = model.declarationsPerSecond / clean.declarationsPerSecond;
      add(
        ratio >= TARGETS.modelRatio,
        `${backend} with a model active within ${Math.round((1 - TARGETS.modelRatio) * 100)} % of clean: ` +
          `${fmtInt(model.declarationsPerSecond)} vs ${fmtInt(clean.declarationsPerSecond)} decl/s (${(ratio * 100).toFixed(0)} %), ` +
          `p99 ${fmtMs(model.latency.p99)} vs ${fmtMs(clean.latency.p99)} ms`,
      );
    }
  }
  const byProcesses = results
    .filter((r) => r.scenario.backend === 'postgres' && r.scenario.name === 'processes')
    .sort((a, b) => a.scenario.processes - b.scenario.processes);
  // Without a ×1 run, the clean one (one process, the same mix) is the baseline.
  const one = byProcesses[0]?.scenario.processes !== 1 ? pgClean : undefined;
  const ladder = one ? [one, ...byProcesses] : byProcesses;
  for (let k = 1; k < ladder.length; k++) {
    const a = ladder[k - 1]!;
    const b = ladder[k]!;
    add(
      b.declarationsPerSecond >= a.declarationsPerSecond,
      `PostgreSQL ${processes(b.scenario.processes)} not slower than ${processes(a.scenario.processes)}: ` +
        `${fmtInt(b.declarationsPerSecond)} vs ${fmtInt(a.declarationsPerSecond)} decl/s ` +
        `(${((100 * b.declarationsPerSecond) / a.declarationsPerSecond).toFixed(0)} %)`,
    );
  }
  for (const r of byProcesses) {
    add(
      noServerErrors(r),
      `PostgreSQL ${processes(r.scenario.processes)} with no 5xx: ${r.counts.server + r.counts.network} 5xx/network errors`,
    );
  }
  return out;
}

/** Warns when src/ has changed since the last `npm run build`: the servers run dist/. */
function warnIfDistStale(): void {
  // Newest mtime of the files under `dir` that `npm run build` compiles (or emits).
  const newest = (dir: string, ext: string): number => {
    let latest = 0;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const compiled =
        file.endsWith(ext) && !file.endsWith(`.test${ext}`) && !file.startsWith('test-support');
      if (compiled) latest = Math.max(latest, statSync(path.join(dir, file)).mtimeMs);
    }
    return latest;
  };
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new UsageError(
      'dist/ is missing: run `npm run build` first (the bench runs the compiled server)',
    );
  }
  if (newest(path.join(ROOT, 'src'), '.ts') > newest(path.join(ROOT, 'dist'), '.js')) {
    process.stderr.write(
      'warning: src/ is newer than dist/; run `npm run build` to bench the current code\n',
    );
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  warnIfDistStale();
  installSignalHandlers();
  const scenarios = scenariosToRun(options);
  if (scenarios.length === 0) throw new UsageError('nothing to run with these options');
  if (options.only !== 'sqlite' && options.postgres === undefined) {
    process.stdout.write(
      'PostgreSQL skipped: no --postgres URL and no GREENLANE_BENCH_POSTGRES_URL\n',
    );
  }
  const now = new Date();
  const results: Result[] = [];
  for (const s of scenarios) {
    try {
      results.push(await runScenario(s, options, now));
    } finally {
      await cleanUpAll();
    }
  }
  printTable(results, options);
  process.stdout.write('\nTargets (a MISS is reported; it does not fail the run):\n');
  for (const t of targets(results, options)) process.stdout.write(`  ${t.verdict}  ${t.text}\n`);
  const failed = results.filter(
    (r) => r.failures > 0 || r.rowsNew !== r.rowsExpected || (r.journalMode ?? 'wal') !== 'wal',
  );
  if (failed.length > 0) {
    process.stdout.write(
      `\nFAILED: ${failed.map((r) => r.scenario.label).join(', ')} (5xx, network errors, valid requests refused, or a row-count mismatch)\n`,
    );
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  await cleanUpAll();
  if (wasInterrupted()) process.exit(130);
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  const explained = error instanceof UsageError || error instanceof BenchError;
  if (!explained && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack.split('\n').slice(1, 4).join('\n')}\n`);
  }
  if (error instanceof UsageError) process.stderr.write(USAGE);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
