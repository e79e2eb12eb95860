import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type {
  DeclarationInput,
  DeclarationKind,
  DocumentRef,
  GoodsItem,
  Party,
  TransportMode,
} from '../core/declaration/declaration.js';
import { countries, hs2022Codes, isCurrencyCode } from '../core/reference/lookup.js';
import { SeededRandom as Random } from '../core/random.js';

/** Short goods descriptions per HS chapter, abridged from the HS 2022 chapter titles. */
const CHAPTER_GOODS: Record<string, string> = {
  '01': 'Live animals',
  '02': 'Meat and edible offal',
  '03': 'Fish and seafood',
  '04': 'Dairy produce, eggs and honey',
  '05': 'Products of animal origin',
  '06': 'Live plants and cut flowers',
  '07': 'Vegetables',
  '08': 'Fruit and nuts',
  '09': 'Coffee, tea and spices',
  '10': 'Cereals',
  '11': 'Flour, malt and starches',
  '12': 'Oil seeds and fodder',
  '13': 'Gums, resins and plant extracts',
  '14': 'Vegetable plaiting materials',
  '15': 'Animal and vegetable oils and fats',
  '16': 'Prepared meat and fish',
  '17': 'Sugar and confectionery',
  '18': 'Cocoa and chocolate',
  '19': 'Bakery products and pasta',
  '20': 'Preserved vegetables and fruit',
  '21': 'Food preparations',
  '22': 'Beverages and spirits',
  '23': 'Animal feed',
  '24': 'Tobacco products',
  '25': 'Salt, stone and cement',
  '26': 'Ores, slag and ash',
  '27': 'Mineral fuels and oils',
  '28': 'Inorganic chemicals',
  '29': 'Organic chemicals',
  '30': 'Pharmaceutical products',
  '31': 'Fertilisers',
  '32': 'Paints, dyes and pigments',
  '33': 'Perfumery and cosmetics',
  '34': 'Soap and lubricants',
  '35': 'Glues and enzymes',
  '36': 'Explosives and pyrotechnics',
  '37': 'Photographic goods',
  '38': 'Chemical products',
  '39': 'Plastics and articles thereof',
  '40': 'Rubber and articles thereof',
  '41': 'Hides, skins and leather',
  '42': 'Leather goods and handbags',
  '43': 'Furskins and artificial fur',
  '44': 'Wood and articles of wood',
  '45': 'Cork and articles of cork',
  '46': 'Basketware',
  '47': 'Wood pulp and waste paper',
  '48': 'Paper and paperboard',
  '49': 'Printed matter',
  '50': 'Silk',
  '51': 'Wool and animal hair',
  '52': 'Cotton',
  '53': 'Vegetable textile fibres',
  '54': 'Man-made filaments',
  '55': 'Man-made staple fibres',
  '56': 'Wadding, twine and ropes',
  '57': 'Carpets',
  '58': 'Special woven fabrics',
  '59': 'Coated textile fabrics',
  '60': 'Knitted fabrics',
  '61': 'Knitted apparel',
  '62': 'Woven apparel',
  '63': 'Made-up textile articles',
  '64': 'Footwear',
  '65': 'Headgear',
  '66': 'Umbrellas and walking sticks',
  '67': 'Feathers and artificial flowers',
  '68': 'Articles of stone and cement',
  '69': 'Ceramic products',
  '70': 'Glass and glassware',
  '71': 'Jewellery and precious stones',
  '72': 'Iron and steel',
  '73': 'Articles of iron or steel',
  '74': 'Copper and articles thereof',
  '75': 'Nickel and articles thereof',
  '76': 'Aluminium and articles thereof',
  '78': 'Lead and articles thereof',
  '79': 'Zinc and articles thereof',
  '80': 'Tin and articles thereof',
  '81': 'Other base metals',
  '82': 'Tools and cutlery',
  '83': 'Miscellaneous base metal articles',
  '84': 'Machinery and mechanical appliances',
  '85': 'Electrical machinery and equipment',
  '86': 'Railway rolling stock and parts',
  '87': 'Vehicles and parts',
  '88': 'Aircraft parts',
  '89': 'Ships and boats',
  '90': 'Optical and medical instruments',
  '91': 'Clocks and watches',
  '92': 'Musical instruments',
  '93': 'Arms and ammunition',
  '94': 'Furniture and lighting',
  '95': 'Toys, games and sports equipment',
  '96': 'Miscellaneous manufactured articles',
  '97': 'Works of art and antiques',
};

/** Chapters whose goods are declared by number of items or by volume; the rest go by mass. */
const COUNTED_CHAPTERS = new Set('01 42 61 62 64 65 84 85 87 88 89 90 91 92 93 94 95'.split(' '));
const LIQUID_CHAPTERS = new Set(['15', '22', '27']);
const BRANDED_CHAPTERS = new Set(['33', '42', '61', '62', '64', '85', '91', '95']);
const BRANDS = ['Nike', 'Adidas', 'Apple', 'Samsung', 'Rolex', 'Chanel', 'Gucci', 'Sony', 'Lego'];

/** CITES-listed specimens that trafficking cases keep meeting, with their HS subheadings. */
const CITES_GOODS = [
  {
    species: 'Psittacus erithacus',
    hsCode: '010632',
    description: 'Live grey parrots',
    counted: true,
  },
  { species: 'Python regius', hsCode: '010620', description: 'Live royal pythons', counted: true },
  {
    species: 'Anguilla anguilla',
    hsCode: '030192',
    description: 'Live glass eels',
    counted: false,
  },
  { species: 'Dalbergia nigra', hsCode: '440349', description: 'Rosewood logs', counted: false },
  {
    species: 'Aquilaria malaccensis',
    hsCode: '121190',
    description: 'Agarwood chips',
    counted: false,
  },
  {
    species: 'Crocodylus niloticus',
    hsCode: '410320',
    description: 'Raw crocodile skins',
    counted: true,
  },
];

/** Invented office codes in the shape of EU COL / national office references. */
export const OFFICES = [
  'GBFXT001',
  'GBDVR001',
  'GBLHR001',
  'NL000396',
  'DE004852',
  'BE212000',
  'FR002300',
  'PL301010',
  'BY112000',
  'KZ551010',
  'UA100000',
  'TR340010',
];

const KINDS: ReadonlyArray<readonly [DeclarationKind, number]> = [
  ['import', 60],
  ['export', 25],
  ['transit', 10],
  ['cargo-report', 5],
];
const MODES: ReadonlyArray<readonly [TransportMode, number]> = [
  ['sea', 40],
  ['road', 30],
  ['air', 20],
  ['rail', 7],
  ['post', 3],
];
const ITEM_COUNTS: ReadonlyArray<readonly [number, number]> = [
  [1, 45],
  [2, 25],
  [3, 15],
  [4, 10],
  [5, 5],
];
const TRANSPORT_DOCUMENTS: Partial<Record<TransportMode, string>> = {
  sea: 'N705', // bill of lading
  air: 'N740', // air waybill
  road: 'N730', // CMR road consignment note
  rail: 'N720', // CIM rail consignment note
};
const VESSELS = [
  'MSC Aurora',
  'Maersk Elba',
  'CMA CGM Tage',
  'Ever Given',
  'COSCO Pride',
  'ONE Stork',
];
const AIRLINES = ['BA', 'LH', 'KL', 'TK', 'KC', 'CA', 'EK', 'QR'];
const NAME_STARTS = [
  'Northwind',
  'Blue Harbour',
  'Silk Road',
  'Amber',
  'Baltic',
  'Steppe',
  'Meridian',
];
const NAME_MIDDLES = [
  'Trading',
  'Logistics',
  'Imports',
  'Supply',
  'Freight',
  'Commodities',
  'Foods',
];
const LEGAL_FORMS: Record<string, string> = {
  GB: 'Ltd',
  DE: 'GmbH',
  FR: 'SARL',
  NL: 'B.V.',
  BE: 'BV',
  PL: 'Sp. z o.o.',
  KZ: 'LLP',
  US: 'Inc.',
  CN: 'Co., Ltd.',
};
const STREETS = ['Harbour Road', 'Station Street', 'Industrial Park', 'Market Square', 'Dock Lane'];

/** Traders per country: small enough that the same parties recur, as they do in real traffic. */
const TRADERS_PER_COUNTRY = 400;

// Chapter 99 ("commodities not specified") is a statistical code nobody declares goods under.
const SUBHEADINGS = hs2022Codes().filter(
  (code) => code.length === 6 && code.slice(0, 2) in CHAPTER_GOODS,
);
const COUNTRY_CODES = countries().map((c) => c.code);
const COUNTRY_NAMES = new Map(countries().map((c) => [c.code, c.name]));
const COUNTRY_CURRENCIES = new Map(countries().map((c) => [c.code, c.currency]));

/** A goods item as generated: always classified and described (none is simplified). */
export type GeneratedGoodsItem = GoodsItem & Required<Pick<GoodsItem, 'hsCode' | 'description'>>;

/** A generated declaration: a full one, never simplified. */
export type GeneratedDeclaration = Omit<DeclarationInput, 'goodsItems'> & {
  goodsItems: GeneratedGoodsItem[];
};

/** Yields `count` valid, realistic declarations built from the shipped reference data; the same seed gives the same ones. */
export function* generateDeclarations(count: number, seed = 1): Generator<GeneratedDeclaration> {
  const random = new Random(seed);
  for (let i = 1; i <= count; i++) yield declaration(random, `GEN-${seed}-${i}`);
}

function declaration(random: Random, reference: string): GeneratedDeclaration {
  const kind = random.weighted(KINDS);
  const office = random.pick(OFFICES);
  const home = office.slice(0, 2);
  const abroad = otherCountry(random, home);
  const mode = random.weighted(MODES);
  // Goods enter at the office for imports, transit and cargo reports, and leave from it for exports.
  const outbound = kind === 'export';
  const dispatchCountry = outbound ? home : abroad;
  const destinationCountry = outbound
    ? abroad
    : kind === 'import'
      ? home
      : otherCountry(random, home);
  const consignor = trader(outbound ? home : abroad, random.int(1, TRADERS_PER_COUNTRY));
  const consignee = trader(outbound ? abroad : home, random.int(1, TRADERS_PER_COUNTRY));
  const localParty = outbound ? consignor : consignee;
  // Most traders lodge their own declarations; the rest go through a customs agent at home.
  const declarant = random.chance(0.7)
    ? localParty
    : trader(home, random.int(1, TRADERS_PER_COUNTRY));

  const transitCountries = random.chance(0.15)
    ? Array.from({ length: random.int(1, 2) }, () => otherCountry(random, home))
    : undefined;
  const documents: DocumentRef[] = [];
  if (random.chance(0.6)) documents.push({ type: 'N935', reference: `INV-${random.digits(8)}` });
  const transportDocument = TRANSPORT_DOCUMENTS[mode];
  if (transportDocument && random.chance(0.4)) {
    documents.push({
      type: transportDocument,
      reference: `${mode.toUpperCase()}-${random.digits(9)}`,
    });
  }
  const submitted = Date.UTC(2024, 0, 1) + Math.floor(random.next() * 2 * 365 * 86_400) * 1000;

  return {
    kind,
    reference,
    submittedAt: new Date(submitted).toISOString(),
    office,
    declarant,
    consignor,
    consignee,
    route: {
      dispatchCountry,
      destinationCountry,
      ...(transitCountries ? { transitCountries } : {}),
      ...(outbound ? { officeOfExit: office } : { officeOfEntry: office }),
      transportMode: mode,
      ...(mode === 'post' ? {} : { conveyance: conveyance(random, mode) }),
    },
    goodsItems: Array.from({ length: random.weighted(ITEM_COUNTS) }, (_, i) =>
      goodsItem(random, i + 1, dispatchCountry),
    ),
    ...(documents.length > 0 ? { documents } : {}),
  };
}

function goodsItem(random: Random, sequence: number, dispatchCountry: string): GeneratedGoodsItem {
  const cites = random.chance(0.01) ? random.pick(CITES_GOODS) : undefined;
  const subheading = cites?.hsCode ?? random.pick(SUBHEADINGS);
  const chapter = subheading.slice(0, 2);
  const hsCode = random.chance(0.5) ? subheading + random.digits(random.int(2, 4)) : subheading;
  const originCountry = random.chance(0.8) ? dispatchCountry : random.pick(COUNTRY_CODES);
  const originCurrency = COUNTRY_CURRENCIES.get(originCountry) ?? '';
  const currency = isCurrencyCode(originCurrency) ? originCurrency : random.pick(['USD', 'EUR']);

  const netMass = round(random.logUniform(0.5, 20_000), 3);
  const grossMass = round(netMass * (1.02 + random.next() * 0.18), 3);
  const counted = cites ? cites.counted : COUNTED_CHAPTERS.has(chapter);
  const unit = counted ? 'NAR' : LIQUID_CHAPTERS.has(chapter) ? 'LTR' : 'KGM';
  const quantity =
    unit === 'NAR' ? random.int(1, 5_000) : unit === 'LTR' ? round(netMass * 1.1, 1) : netMass;

  const documents: DocumentRef[] = [];
  // A CITES shipment without its permit is exactly what the risk engine should catch, so leave some out.
  if (cites && random.chance(0.8)) {
    documents.push({ type: 'C400', reference: `CITES-${originCountry}-${random.digits(6)}` });
  }
  const brand =
    !cites && BRANDED_CHAPTERS.has(chapter) && random.chance(0.1) ? random.pick(BRANDS) : undefined;

  return {
    sequence,
    hsCode,
    description: cites?.description ?? CHAPTER_GOODS[chapter]!,
    quantity,
    unit,
    netMass,
    grossMass,
    value: round(netMass * random.logUniform(0.5, 200), 2),
    currency,
    originCountry,
    ...(cites ? { species: cites.species } : {}),
    ...(brand ? { brand } : {}),
    ...(documents.length > 0 ? { documents } : {}),
  };
}

/** Trader `n` of a country, always with the same EORI-like id, name and address. */
function trader(country: string, n: number): Party {
  // Seeded by country and number alone, so a trader looks the same whichever declaration names it.
  const random = new Random(n * 1009 + country.charCodeAt(0) * 31 + country.charCodeAt(1));
  return {
    id: `${country}${random.digits(12)}`,
    name: `${random.pick(NAME_STARTS)} ${random.pick(NAME_MIDDLES)} ${LEGAL_FORMS[country] ?? 'Ltd'}`,
    country,
    address: `${random.int(1, 250)} ${random.pick(STREETS)}, ${COUNTRY_NAMES.get(country)}`,
  };
}

function otherCountry(random: Random, not: string): string {
  for (;;) {
    const code = random.pick(COUNTRY_CODES);
    if (code !== not) return code;
  }
}

function conveyance(random: Random, mode: TransportMode): string {
  switch (mode) {
    case 'sea':
      return `${random.pick(VESSELS)} / IMO ${random.int(9_000_000, 9_999_999)}`;
    case 'air':
      return `${random.pick(AIRLINES)}${random.int(100, 9_999)}`;
    case 'rail':
      return `Train ${random.int(1_000, 99_999)}`;
    default:
      return `${random.letters(2)}${random.digits(3)} ${random.letters(3)}`; // a lorry plate
  }
}

function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/** Streams `count` generated declarations to an NDJSON file, one a line. */
export async function writeNdjson(path: string, count: number, seed = 1): Promise<void> {
  // Readable.from + pipeline pauses generation whenever the file stream's buffer is full.
  await pipeline(Readable.from(ndjsonChunks(count, seed)), createWriteStream(path));
}

/** Joins lines into ~64 KiB chunks: one write per line would dominate the run time. */
function* ndjsonChunks(count: number, seed: number): Generator<string> {
  let chunk = '';
  for (const d of generateDeclarations(count, seed)) {
    chunk += `${JSON.stringify(d)}\n`;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [out, countText = '1000', seedText = '1'] = process.argv.slice(2);
  const count = Number(countText);
  const seed = Number(seedText);
  if (!out || !Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(seed)) {
    console.error('usage: tsx src/app/generate-declarations.ts OUT.ndjson [COUNT=1000] [SEED=1]');
    process.exitCode = 2;
  } else {
    const started = performance.now();
    await writeNdjson(out, count, seed);
    console.log(
      `wrote ${count} declarations to ${out} in ${Math.round(performance.now() - started)} ms`,
    );
  }
}
