/**
 * Outbox events as a customs node writes them, for the ledger bench: the declarations' life
 * cycle (lodged, assigned, inspected, seized, released, permits drawn), sign-ins and a few public
 * directory events, with the `data` each use case puts in its audit record (submitDeclaration,
 * controls.ts, manage-permits.ts, sign-in.ts). Seeded: the same seed gives the same events.
 */
import type { NewDomainEvent } from '../../src/core/events.js';
import { SeededRandom } from '../../src/core/random.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID as ulidGenerator makes them: 10 characters of milliseconds, 16 random ones. */
function ulid(random: SeededRandom, ms: number): string {
  let time = '';
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32]! + time;
  let rest = '';
  for (let i = 0; i < 16; i++) rest += CROCKFORD[random.int(0, 31)];
  return time + rest;
}

const SOURCE_FORMATS = ['json', 'json', 'json', 'wco-xml', 'csv', 'ndjson', 'ens-xml', 'ens-json'];
const KINDS = ['import', 'import', 'import', 'export', 'transit'];
const RESULTS = ['no-findings', 'no-findings', 'findings', 'irregularity'];
const UNITS = ['kg', 'kg', 'l', 'pieces', 'm3'];
const PUBLIC_KINDS = ['partner.updated', 'partner.key-trusted', 'agreement.recorded'] as const;

/**
 * A generator of outbox events in the order a busy node commits them. A tenth of the declarations
 * are controlled (assigned, inspected, some seized), a seventh of the releases draw on a permit.
 */
export class EventMix {
  private readonly random: SeededRandom;
  private readonly agencies: string[];
  private readonly officers: string[];
  private readonly declarants: string[];
  private readonly permits: string[];
  private readonly indicators: string[];
  private readonly rulesetId: string;
  private readonly pending: NewDomainEvent[] = [];
  private ms: number;
  private lodged = 0;

  constructor(seed: number, start = Date.parse('2026-03-02T07:00:00Z')) {
    this.random = new SeededRandom(seed);
    this.ms = start;
    const ids = (n: number) => Array.from({ length: n }, () => ulid(this.random, start));
    this.agencies = ids(3);
    this.officers = ids(40);
    this.declarants = ids(400);
    this.permits = ids(120);
    this.indicators = Array.from(
      { length: 300 },
      (_, i) => `IND-${String(i + 1).padStart(4, '0')}`,
    );
    this.rulesetId = ulid(this.random, start);
  }

  /** The next `n` events. */
  take(n: number): NewDomainEvent[] {
    const out: NewDomainEvent[] = [];
    while (out.length < n) {
      if (this.pending.length === 0) this.lifeCycle();
      out.push(this.pending.shift()!);
    }
    return out;
  }

  private at(): string {
    this.ms += this.random.int(5, 120);
    return new Date(this.ms).toISOString();
  }

  private event(
    kind: NewDomainEvent['kind'],
    subjectType: string,
    subjectId: string,
    actorId: string | null,
    data: Record<string, unknown>,
  ): void {
    const agencyId = this.agencies[0]!;
    this.pending.push({ kind, subjectType, subjectId, agencyId, actorId, at: this.at(), data });
  }

  /** One declaration from lodging to release (and now and then something else in between). */
  private lifeCycle(): void {
    const r = this.random;
    const id = ulid(r, this.ms);
    const declarant = r.pick(this.declarants);
    const officer = r.pick(this.officers);
    const channel = r.chance(0.72) ? 'green' : r.chance(0.82) ? 'yellow' : 'red';
    const hits =
      channel === 'green' && r.chance(0.7)
        ? []
        : r.distinct(this.indicators, r.int(1, 4)).map((i) => `${i}@${r.int(1, 6)}`);
    this.lodged++;
    this.event('declaration.submitted', 'declaration', id, declarant, {
      reference: `LRN-${new Date(this.ms).getUTCFullYear()}-${String(this.lodged).padStart(8, '0')}`,
      kind: r.pick(KINDS),
      sourceFormat: r.pick(SOURCE_FORMATS),
      items: r.int(1, 12),
      channel,
      score: channel === 'green' ? r.int(0, 30) : r.int(31, 100),
      rulesetId: this.rulesetId,
      hits,
      randomSeed: r.int(0, 2 ** 31),
    });
    if (channel !== 'green') {
      this.event('declaration.assigned', 'declaration', id, officer, {
        officer: r.pick(this.officers),
      });
      const findings = r.chance(0.3);
      const inspection = ulid(r, this.ms);
      if (channel === 'red' && findings && r.chance(0.4)) {
        this.event('declaration.seized', 'declaration', id, officer, {
          inspection,
          item: r.int(1, 6),
          hsCode: String(r.int(25_000_000, 97_999_999)),
          quantity: r.int(1, 20_000),
          unit: r.pick(UNITS),
          estimatedValue: r.int(100, 500_000),
          currency: 'EUR',
        });
      }
      this.event('declaration.inspected', 'declaration', id, officer, {
        inspection,
        controlForm: r.pick(['documentary', 'physical', 'scan']),
        result: findings ? r.pick(RESULTS.slice(2)) : 'no-findings',
        findings: findings ? 'Goods differ from the declared description; samples taken.' : '',
        corrects: null,
        feedback: { controls: 1, findings: findings ? 1 : 0 },
      });
    }
    const draws = r.chance(0.14)
      ? [{ permitId: r.pick(this.permits), itemSequence: 1, quantityMilli: r.int(1, 9_999_999) }]
      : [];
    this.event('declaration.released', 'declaration', id, officer, { draws });
    for (const d of draws) {
      this.event('permit.drawn', 'permit', d.permitId, officer, {
        declarationId: id,
        quantityMilli: d.quantityMilli,
      });
    }
    if (r.chance(0.05)) this.event('user.signed-in', 'user', officer, officer, {});
    if (r.chance(0.002)) {
      this.event(r.pick(PUBLIC_KINDS), 'partner', 'KZ/KGD', r.pick(this.officers), {
        nodeId: 'KZ/KGD',
        name: 'State Revenue Committee, Kazakhstan',
        httpEndpoint: 'https://exchange.kgd.example/api/exchange',
      });
    }
  }
}
