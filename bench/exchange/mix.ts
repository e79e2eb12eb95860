/**
 * What the exchange bench sends: per composing client, a series of conversations (threads) of
 * the messages a liaison officer starts: alerts, requests for assistance and seizure reports,
 * with bodies of varied size and content, a share of them naming parties (nominal data). The
 * first message of a thread opens a conversation; the others follow up on the one before
 * (`refTo`), so they belong to it and must reach the partner in order.
 */
import type { BodyOf } from '../../src/core/exchange/messages.js';
import { SeededRandom } from '../../src/core/random.js';
import type { PriorityArea } from '../../src/core/risk/indicator.js';

export type BenchType = 'alert' | 'assistance.request' | 'seizure.report';

export interface PlannedMessage {
  type: BenchType;
  body: BodyOf[BenchType];
  /** True for the first message of a thread (a new conversation); others follow the one before. */
  opens: boolean;
}

/** Shares of the first message of a thread; follow-ups are drawn with FOLLOW_UP. */
export const OPENING: ReadonlyArray<readonly [BenchType, number]> = [
  ['alert', 45],
  ['assistance.request', 30],
  ['seizure.report', 25],
];
const FOLLOW_UP: ReadonlyArray<readonly [BenchType, number]> = [
  ['alert', 35],
  ['assistance.request', 25],
  ['seizure.report', 40],
];
/** Share of messages that name parties (sent as nominal data under the agreement). */
export const PARTIES_SHARE = 0.3;

const GOODS: ReadonlyArray<{ hsCode: string; description: string; area: PriorityArea }> = [
  { hsCode: '854810', description: 'waste lead-acid batteries', area: 'e-waste' },
  { hsCode: '854911', description: 'spent lead-acid accumulators', area: 'e-waste' },
  { hsCode: '847130', description: 'used laptop computers, untested', area: 'e-waste' },
  { hsCode: '391590', description: 'plastic waste, mixed, baled', area: 'plastic-waste' },
  { hsCode: '391510', description: 'polyethylene film scrap', area: 'plastic-waste' },
  { hsCode: '720449', description: 'ferrous waste and scrap', area: 'waste-and-scrap-metal' },
  { hsCode: '740400', description: 'copper waste and scrap', area: 'waste-and-scrap-metal' },
  { hsCode: '854143', description: 'photovoltaic modules', area: 'green-technology' },
  { hsCode: '382711', description: 'refrigerant gas mixture (HFC)', area: 'green-technology' },
  { hsCode: '380891', description: 'insecticides, retail packs', area: 'agricultural-chemicals' },
  { hsCode: '290381', description: 'lindane (gamma-HCH)', area: 'agricultural-chemicals' },
  { hsCode: '010620', description: 'live tortoises', area: 'endangered-species' },
  { hsCode: '050710', description: 'ivory, worked pieces', area: 'endangered-species' },
  {
    hsCode: '640411',
    description: 'sports footwear bearing a protected mark',
    area: 'intellectual-property',
  },
  { hsCode: '270112', description: 'bituminous coal', area: 'energy' },
  { hsCode: '240220', description: 'cigarettes', area: 'general-smuggling' },
];

const PLACES = [
  { country: 'BY', locode: 'BYMSQ', description: 'Minsk-Belarus rail terminal' },
  { country: 'BY', locode: 'BYBQT', description: 'Brest road crossing' },
  { country: 'KZ', locode: 'KZALA', description: 'Almaty dry port' },
  { country: 'KZ', locode: 'KZDOS', description: 'Dostyk border station' },
  { country: 'KZ', locode: 'KZKGF', description: 'Khorgos gateway' },
] as const;
const LOCODES = ['CNSHA', 'CNURC', 'KZALA', 'KZDOS', 'KZKGF', 'RUMOW', 'BYMSQ', 'BYBQT', 'UZTAS'];
const ROUTE_MODES = ['rail', 'road', 'sea', 'air'] as const;
const DETECTION = [
  'risk-profile',
  'random-selection',
  'intelligence',
  'scanning',
  'detector-dog',
  'documentary-check',
  'physical-inspection',
] as const;
const CONCEALMENT = [
  'under a declared load of scrap metal',
  'in a false floor of the container',
  'declared as spare parts',
  'mixed into bales of declared textile waste',
  'in the fuel tank of the truck',
];
const PHRASES = [
  'The consignments were declared under a code that needs no permit.',
  'Unit values are far below those of comparable imports.',
  'The same consignor used three different declarants within two months.',
  'Documents presented at the border did not match the goods found.',
  'The route changed after the first inspection at the transit office.',
  'X-ray images show a density inconsistent with the declared goods.',
  'The consignee has no licence for hazardous waste.',
  'Seals were replaced between the office of departure and the border.',
  'Samples were sent to the laboratory; results are expected next week.',
  'The carrier reported the wagons as empty on return.',
];
const QUESTIONS = [
  'Was an export declaration lodged for these goods, and under which code?',
  'Please confirm whether the consignor is registered as a waste exporter.',
  'Were the containers inspected on departure? If so, with what result?',
  'Can you provide copies of the transit documents (CMR, SMGS)?',
  'Is the declarant known to your service for earlier irregularities?',
  'Please verify the authenticity of the attached certificate.',
  'Which permits were presented for the transit of these goods?',
];
const NAMES = [
  'Silk Road Metals LLP',
  'Vostok Recycling LLC',
  'Almaty Green Trade LLP',
  'Minsk Scrap Logistics',
  'Shenzhen E-Cycle Co',
  'Northern Rail Forwarding',
];

/** A text of about `chars` characters made of sentences from PHRASES. */
function prose(r: SeededRandom, chars: number): string {
  let text = '';
  while (text.length < chars) text += (text ? ' ' : '') + r.pick(PHRASES);
  return text.slice(0, Math.max(1, chars));
}

function parties(r: SeededRandom): NonNullable<BodyOf['alert']['parties']> {
  return Array.from({ length: r.int(1, 3) }, () => ({
    role: r.pick(['consignor', 'consignee', 'declarant', 'carrier'] as const),
    name: r.pick(NAMES),
    identifier: `${r.pick(['BY', 'KZ', 'CN'])}${r.digits(9)}`,
    country: r.pick(['BY', 'KZ', 'CN', 'RU']),
  }));
}

function route(r: SeededRandom): BodyOf['alert']['routes'] {
  return Array.from({ length: r.int(1, 3) }, () => ({
    from: r.pick(LOCODES),
    to: r.pick(LOCODES),
    ...(r.chance(0.4) ? { via: r.distinct(LOCODES, r.int(1, 3)) } : {}),
    mode: r.pick(ROUTE_MODES),
  }));
}

function alert(r: SeededRandom, now: Date): BodyOf['alert'] {
  const goods = r.distinct(GOODS, r.int(1, 8));
  return {
    priorityArea: goods[0]!.area,
    summary: `${goods[0]!.description} under a misleading code (${r.letters(3)}-${r.digits(4)})`,
    details: prose(r, Math.round(r.logUniform(80, 3000))),
    goods: goods.map((g) => ({ hsCode: g.hsCode, description: g.description })),
    routes: route(r),
    conveyances: Array.from({ length: r.int(0, 3) }, () =>
      r.chance(0.5)
        ? { mode: 'rail' as const, identifier: `wagon ${r.digits(8)}` }
        : { mode: 'road' as const, identifier: `truck ${r.letters(2)}${r.digits(4)}` },
    ),
    ...(r.chance(PARTIES_SHARE) ? { parties: parties(r) } : {}),
    ...(r.chance(0.3)
      ? { validUntil: new Date(now.getTime() + r.int(7, 90) * 86_400_000).toISOString() }
      : {}),
  };
}

function request(r: SeededRandom, now: Date): BodyOf['assistance.request'] {
  const g = r.pick(GOODS);
  return {
    subject: `Request for verification: ${g.description}`,
    priorityArea: g.area,
    questions: r.distinct(QUESTIONS, r.int(1, 5)),
    references: Array.from({ length: r.int(0, 4) }, () =>
      r.chance(0.5)
        ? { type: 'container' as const, value: `${r.letters(4)}${r.digits(7)}` }
        : { type: 'mrn' as const, value: `26BY${r.digits(6)}${r.letters(2)}${r.digits(6)}` },
    ),
    ...(r.chance(PARTIES_SHARE) ? { parties: parties(r) } : {}),
    deadline: new Date(now.getTime() + r.int(3, 30) * 86_400_000).toISOString(),
  };
}

function seizure(r: SeededRandom, now: Date): BodyOf['seizure.report'] {
  const g = r.pick(GOODS);
  const place = r.pick(PLACES);
  return {
    seizedOn: new Date(now.getTime() - r.int(0, 20) * 86_400_000).toISOString().slice(0, 10),
    place: { ...place },
    priorityArea: g.area,
    hsCode: g.hsCode,
    description: `${g.description}: ${prose(r, Math.round(r.logUniform(40, 400)))}`,
    ...(g.area === 'endangered-species'
      ? { species: r.pick(['Testudo horsfieldii', 'Loxodonta africana']) }
      : {}),
    quantity: {
      value: Math.round(r.logUniform(1, 60_000) * 10) / 10,
      unit: r.pick(['KGM', 'NAR', 'TNE', 'LTR']),
    },
    ...(r.chance(0.6) ? { concealment: r.pick(CONCEALMENT) } : {}),
    route: route(r),
    detectionMethod: r.pick(DETECTION),
    ...(r.chance(PARTIES_SHARE) ? { parties: parties(r) } : {}),
  };
}

function body(type: BenchType, r: SeededRandom, now: Date): BodyOf[BenchType] {
  if (type === 'alert') return alert(r, now);
  if (type === 'assistance.request') return request(r, now);
  return seizure(r, now);
}

/** Thread lengths: 1 to 8 messages, mean about 2.6 (most threads are short). */
function threadLength(r: SeededRandom): number {
  let n = 1;
  while (n < 8 && r.chance(0.62)) n++;
  return n;
}

/**
 * `count` messages split over `clients` (as evenly as can be), each client's as a list of
 * threads; the same seed gives the same plan.
 */
export function planMessages(
  count: number,
  clients: number,
  seed: number,
  now: Date,
): PlannedMessage[][] {
  const r = new SeededRandom(seed * 7919 + 101);
  const plans: PlannedMessage[][] = [];
  for (let c = 0; c < clients; c++) {
    const quota = Math.floor(count / clients) + (c < count % clients ? 1 : 0);
    const plan: PlannedMessage[] = [];
    while (plan.length < quota) {
      const length = Math.min(threadLength(r), quota - plan.length);
      for (let k = 0; k < length; k++) {
        const type = r.weighted(k === 0 ? OPENING : FOLLOW_UP);
        plan.push({ type, body: body(type, r, now), opens: k === 0 });
      }
    }
    plans.push(plan);
  }
  return plans;
}

/** Counts by type, for the printout. */
export function typeCounts(plans: readonly PlannedMessage[][]): Record<BenchType, number> {
  const out: Record<BenchType, number> = {
    alert: 0,
    'assistance.request': 0,
    'seizure.report': 0,
  };
  for (const p of plans) for (const m of p) out[m.type]++;
  return out;
}
