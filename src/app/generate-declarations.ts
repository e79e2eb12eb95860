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
import { countries, hs2022Codes } from '../core/reference/lookup.js';
import {
  AIRPORTS,
  countryOfLocode,
  hasSeaPort,
  isAirport,
  isSeaPort,
  landPath,
  shareLandBorder,
  sameCustomsUnion,
  SEA_GATEWAYS,
  SEA_PORTS,
} from '../core/reference/trade-geography.js';
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

/**
 * How goods of a chapter travel: share of the traffic (weight), net mass of a consignment line
 * (kg), unit value (EUR per kg), and for goods declared by number the mass of one piece (kg).
 * Rough orders of magnitude from trade statistics, enough that a lorry of live plants weighs
 * tonnes and a laptop is worth more per kilo than scrap. Chapters not listed are not generated
 * (arms, explosives, art and the like are too rare to show in a demo).
 */
interface Profile {
  weight: number;
  kg: readonly [number, number];
  eurPerKg: readonly [number, number];
  pieceKg?: readonly [number, number];
  liquid?: boolean;
}
const P = (
  weight: number,
  kg: readonly [number, number],
  eurPerKg: readonly [number, number],
  extra: Partial<Profile> = {},
): Profile => ({ weight, kg, eurPerKg, ...extra });
const PROFILES: Record<string, Profile> = {
  '01': P(0.3, [200, 12_000], [2, 8], { pieceKg: [5, 500] }),
  '02': P(2, [2_000, 22_000], [2, 7]),
  '03': P(2, [1_000, 22_000], [2, 14]),
  '04': P(1.5, [2_000, 22_000], [1, 6]),
  '06': P(1, [200, 8_000], [2, 12]),
  '07': P(2, [2_000, 22_000], [0.4, 2.5]),
  '08': P(3, [2_000, 22_000], [0.6, 4]),
  '09': P(1, [500, 19_000], [2, 9]),
  '10': P(1, [20_000, 60_000], [0.15, 0.35]),
  '11': P(0.5, [5_000, 24_000], [0.3, 0.9]),
  '12': P(1, [10_000, 60_000], [0.3, 0.9]),
  '15': P(1, [10_000, 24_000], [0.8, 2.5], { liquid: true }),
  '16': P(0.5, [2_000, 20_000], [2, 8]),
  '17': P(1, [5_000, 24_000], [0.4, 3]),
  '18': P(0.7, [1_000, 20_000], [3, 10]),
  '19': P(1, [1_000, 18_000], [1, 5]),
  '20': P(1, [2_000, 20_000], [0.8, 3]),
  '21': P(1, [500, 18_000], [2, 10]),
  '22': P(1.5, [2_000, 22_000], [0.5, 12], { liquid: true }),
  '23': P(0.7, [10_000, 24_000], [0.2, 0.8]),
  '24': P(0.5, [1_000, 12_000], [5, 60]),
  '25': P(1, [20_000, 60_000], [0.03, 0.2]),
  '26': P(0.5, [30_000, 60_000], [0.05, 0.4]),
  '27': P(3, [20_000, 60_000], [0.1, 1.2], { liquid: true }),
  '28': P(1, [1_000, 24_000], [0.3, 3]),
  '29': P(1.5, [500, 20_000], [1, 15]),
  '30': P(2, [50, 5_000], [20, 400]),
  '31': P(1.5, [20_000, 60_000], [0.2, 0.6]),
  '32': P(1, [500, 18_000], [2, 10]),
  '33': P(1.5, [200, 10_000], [5, 40]),
  '34': P(1, [1_000, 20_000], [1, 4]),
  '35': P(0.5, [200, 10_000], [2, 12]),
  '38': P(1.5, [500, 20_000], [1, 10]),
  '39': P(5, [1_000, 22_000], [1, 5]),
  '40': P(2, [1_000, 20_000], [1.5, 6]),
  '41': P(0.5, [1_000, 18_000], [1, 8]),
  '42': P(1, [100, 5_000], [10, 80], { pieceKg: [0.3, 2] }),
  '44': P(2, [10_000, 24_000], [0.15, 1.5]),
  '47': P(0.5, [20_000, 24_000], [0.1, 0.6]),
  '48': P(2, [5_000, 22_000], [0.6, 2.5]),
  '49': P(0.5, [100, 5_000], [3, 15]),
  '52': P(0.7, [2_000, 20_000], [2, 6]),
  '54': P(0.7, [2_000, 20_000], [2, 6]),
  '55': P(0.5, [2_000, 20_000], [2, 5]),
  '56': P(0.5, [1_000, 15_000], [2, 6]),
  '57': P(0.3, [1_000, 10_000], [3, 10]),
  '60': P(0.5, [1_000, 15_000], [3, 9]),
  '61': P(2.5, [200, 8_000], [8, 40], { pieceKg: [0.15, 0.6] }),
  '62': P(2.5, [200, 8_000], [10, 50], { pieceKg: [0.2, 1] }),
  '63': P(1, [500, 10_000], [3, 12]),
  '64': P(2, [200, 8_000], [8, 40], { pieceKg: [0.6, 1.5] }),
  '65': P(0.3, [100, 2_000], [8, 30], { pieceKg: [0.1, 0.4] }),
  '68': P(0.7, [10_000, 24_000], [0.1, 1]),
  '69': P(1, [5_000, 22_000], [0.4, 3]),
  '70': P(1, [2_000, 20_000], [0.6, 4]),
  '71': P(0.2, [0.5, 50], [500, 40_000]),
  '72': P(3, [20_000, 60_000], [0.4, 1.2]),
  '73': P(3, [1_000, 22_000], [1.5, 8]),
  '74': P(1, [1_000, 22_000], [6, 12]),
  '76': P(1.5, [1_000, 22_000], [2.5, 6]),
  '82': P(1, [200, 8_000], [5, 30]),
  '83': P(1, [200, 8_000], [3, 15]),
  '84': P(10, [100, 15_000], [5, 60], { pieceKg: [2, 800] }),
  '85': P(9, [50, 8_000], [10, 150], { pieceKg: [0.2, 30] }),
  '86': P(0.3, [5_000, 60_000], [2, 8], { pieceKg: [500, 25_000] }),
  '87': P(5, [1_000, 22_000], [4, 25], { pieceKg: [15, 1_800] }),
  '90': P(2, [20, 3_000], [30, 500], { pieceKg: [0.5, 50] }),
  '91': P(0.3, [5, 300], [200, 3_000], { pieceKg: [0.05, 0.3] }),
  '94': P(3, [500, 10_000], [2, 12], { pieceKg: [3, 60] }),
  '95': P(2, [200, 8_000], [4, 20], { pieceKg: [0.2, 3] }),
  '96': P(0.7, [200, 8_000], [3, 15]),
};

/**
 * Goods the reference library watches, with what they really weigh and cost: scrap, waste,
 * green technology, pesticides, refrigerants, coal, fertilisers and brands counterfeiters copy.
 * Generated a little more often than their trade share so that the demo shows each priority area.
 */
const WATCHED_GOODS: ReadonlyArray<{
  hs: string;
  description: string;
  profile: Profile;
  brand?: boolean;
}> = [
  {
    hs: '720449',
    description: 'Ferrous waste and scrap, shredded',
    profile: P(1, [20_000, 60_000], [0.25, 0.45]),
  },
  {
    hs: '740400',
    description: 'Copper waste and scrap (cable)',
    profile: P(1, [5_000, 22_000], [5, 8]),
  },
  {
    hs: '760200',
    description: 'Aluminium waste and scrap (profiles)',
    profile: P(1, [5_000, 22_000], [1, 2]),
  },
  {
    hs: '391510',
    description: 'Waste polyethylene film, baled',
    profile: P(1, [10_000, 24_000], [0.03, 0.3]),
  },
  {
    hs: '854911',
    description: 'Waste lead-acid batteries',
    profile: P(1, [10_000, 22_000], [0.3, 1]),
  },
  {
    hs: '854143',
    description: 'Photovoltaic modules',
    profile: P(1, [2_000, 20_000], [3, 8], { pieceKg: [18, 28] }),
  },
  {
    hs: '850760',
    description: 'Lithium-ion battery packs',
    profile: P(1, [500, 12_000], [10, 30], { pieceKg: [0.5, 300] }),
  },
  {
    hs: '870380',
    description: 'Battery electric passenger cars',
    profile: P(1, [1_500, 18_000], [12, 30], { pieceKg: [1_500, 2_300] }),
  },
  {
    hs: '380893',
    description: 'Herbicides, packed for retail',
    profile: P(1, [1_000, 20_000], [3, 10]),
  },
  {
    hs: '382711',
    description: 'Refrigerant gas mixtures (HFC) in cylinders',
    profile: P(1, [200, 5_000], [8, 20]),
  },
  {
    hs: '270112',
    description: 'Bituminous coal, not agglomerated',
    profile: P(1, [60_000, 3_000_000], [0.08, 0.2]),
  },
  {
    hs: '310520',
    description: 'Mineral fertilisers (NPK)',
    profile: P(1, [20_000, 1_500_000], [0.2, 0.6]),
  },
  {
    hs: '610910',
    description: 'Cotton T-shirts',
    profile: P(1, [200, 5_000], [1, 40], { pieceKg: [0.15, 0.25] }),
    brand: true,
  },
  {
    hs: '640399',
    description: 'Leather footwear',
    profile: P(1, [200, 5_000], [2, 40], { pieceKg: [0.8, 1.4] }),
    brand: true,
  },
  {
    hs: '420221',
    description: 'Leather handbags',
    profile: P(1, [100, 2_000], [2, 80], { pieceKg: [0.5, 1.5] }),
    brand: true,
  },
];

/** Where the origin of some goods usually is when it is not the country they are sent from. */
const ORIGINS_BY_CHAPTER: Record<string, readonly string[]> = {
  '03': ['NO', 'IS', 'VN', 'CN', 'CL'],
  '06': ['NL', 'KE', 'EC', 'CO'],
  '07': ['NL', 'ES', 'TR', 'EG', 'CN'],
  '08': ['TR', 'ES', 'EG', 'EC', 'ZA', 'MA'],
  '09': ['BR', 'VN', 'CO', 'IN', 'LK', 'KE'],
  '18': ['CI', 'GH', 'EC'],
};
const MANUFACTURING_ORIGINS = ['CN', 'VN', 'IN', 'TR', 'BD', 'KR', 'JP', 'DE', 'IT', 'US'];

const BRANDED_CHAPTERS = new Set(['33', '42', '61', '62', '64', '85', '91', '95']);
const BRANDS = ['Nike', 'Adidas', 'Apple', 'Samsung', 'Rolex', 'Chanel', 'Gucci', 'Sony', 'Lego'];

/** CITES-listed specimens that trafficking cases keep meeting: subheading and where they live. */
const CITES_GOODS = [
  {
    species: 'Psittacus erithacus',
    hsCode: '010632',
    description: 'Live grey parrots',
    origins: ['CM', 'CD'],
    profile: P(1, [5, 60], [20, 200], { pieceKg: [0.4, 0.5] }),
  },
  {
    species: 'Python regius',
    hsCode: '010620',
    description: 'Live royal pythons',
    origins: ['GH', 'TG'],
    profile: P(1, [10, 150], [10, 80], { pieceKg: [0.5, 1.5] }),
  },
  {
    species: 'Anguilla anguilla',
    hsCode: '030192',
    description: 'Live glass eels',
    origins: ['FR', 'ES'],
    profile: P(1, [20, 300], [300, 1_500]),
  },
  {
    species: 'Dalbergia nigra',
    hsCode: '440349',
    description: 'Rosewood logs',
    origins: ['BR'],
    profile: P(1, [5_000, 24_000], [2, 10]),
  },
  {
    species: 'Aquilaria malaccensis',
    hsCode: '121190',
    description: 'Agarwood chips',
    origins: ['ID', 'MY'],
    profile: P(1, [5, 200], [100, 2_000]),
  },
  {
    species: 'Crocodylus niloticus',
    hsCode: '410320',
    description: 'Raw crocodile skins',
    origins: ['ZW', 'ZA'],
    profile: P(1, [50, 1_000], [50, 300], { pieceKg: [2, 5] }),
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

/**
 * Invented Belarusian offices for the demo node: Minsk (airport, post and inland clearance) and
 * the border offices by the crossings their names suggest.
 */
export const BY_OFFICES = ['BY112000', 'BY207000', 'BY402000', 'BY502000'];

const KINDS: ReadonlyArray<readonly [DeclarationKind, number]> = [
  ['import', 60],
  ['export', 25],
  ['transit', 10],
  ['cargo-report', 5],
];
const ITEM_COUNTS: ReadonlyArray<readonly [number, number]> = [
  [1, 45],
  [2, 25],
  [3, 15],
  [4, 10],
  [5, 5],
];

/** Trading partners and their share of a home country's traffic before the adjustments below. */
const PARTNERS: ReadonlyArray<readonly [string, number]> = [
  ['CN', 18],
  ['DE', 10],
  ['RU', 8],
  ['PL', 6],
  ['TR', 6],
  ['IT', 5],
  ['NL', 5],
  ['US', 5],
  ['IN', 4],
  ['FR', 4],
  ['KZ', 4],
  ['LT', 3],
  ['LV', 2],
  ['BE', 3],
  ['GB', 3],
  ['VN', 3],
  ['KR', 3],
  ['JP', 2],
  ['ES', 3],
  ['UA', 3],
  ['CZ', 3],
  ['BR', 2],
  ['AE', 2],
  ['EG', 1],
  ['KE', 1],
  ['EC', 1],
  ['ZA', 1],
  ['NO', 1],
  ['UZ', 1],
  ['BY', 2],
];
/** Adjustments per home country: sanctions and closed borders since 2022, neighbours' weight. */
const PARTNER_FACTORS: Record<string, Record<string, number>> = {
  BY: { UA: 0, CN: 1.5, TR: 1.5, UZ: 3, PL: 1.5, LT: 1.5, LV: 1.5, US: 0.3, GB: 0.3 },
  KZ: { CN: 2, UZ: 3, TR: 1.5, UA: 0 },
  UA: { RU: 0, BY: 0, PL: 2, TR: 1.5 },
  GB: { RU: 0, BY: 0 },
  TR: { RU: 2 },
};
const EU_HOME_FACTORS: Record<string, number> = { RU: 0.2, BY: 0.2 };
/** Countries a home country's goods do not pass through (Ukraine's, through Russia or Belarus). */
const AVOID: Record<string, readonly string[]> = { UA: ['RU', 'BY'] };

/** EUR per unit of each invoice currency, roughly (for generating amounts only). */
const PER_EUR: Record<string, number> = {
  EUR: 1,
  USD: 1.08,
  GBP: 0.85,
  CNY: 7.8,
  RUB: 95,
  PLN: 4.3,
  BYN: 3.5,
};

const VESSELS = [
  'MSC Aurora',
  'Maersk Elba',
  'CMA CGM Tage',
  'Ever Given',
  'COSCO Pride',
  'ONE Stork',
];
const SHIPPING_LINES = ['MEDU', 'MAEU', 'CMDU', 'EGLV', 'COSU', 'ONEY'];
/** Carriers that fly to each home country's airports (EU airspace is closed to Belarus's and Russia's). */
const AIRLINES_TO: Record<string, readonly string[]> = {
  BY: ['B2', 'TK', 'FZ', 'CA'],
  KZ: ['KC', 'TK', 'CA', 'FZ'],
  RU: ['SU', 'TK', 'CA', 'FZ'],
};
const AIRLINES = ['BA', 'LH', 'KL', 'TK', 'CA', 'EK', 'QR', 'AF'];
/** Air waybill prefixes (IATA airline accounting codes). */
const AWB_PREFIX: Record<string, string> = {
  BA: '125',
  LH: '020',
  KL: '074',
  TK: '235',
  CA: '999',
  EK: '176',
  QR: '157',
  AF: '057',
  B2: '628',
  FZ: '141',
  KC: '465',
  SU: '555',
};

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
  LT: 'UAB',
  LV: 'SIA',
  BY: 'LLC',
  RU: 'OOO',
  KZ: 'LLP',
  UA: 'TOV',
  TR: 'A.Ş.',
  US: 'Inc.',
  CN: 'Co., Ltd.',
  IT: 'S.r.l.',
};
const STREETS = ['Harbour Road', 'Station Street', 'Industrial Park', 'Market Square', 'Dock Lane'];

/** The demo trader (see bootstrap.ts): EcoMet imports metal scrap, under its own EORI. */
export const ECOMET: Party = {
  id: 'BY190000001',
  name: 'EcoMet Recycling LLC (demo)',
  country: 'BY',
  address: '12 Partizansky Avenue, Minsk',
};
/** Well-known counterparts of the demo, the same names the demo permits give. */
const KNOWN_TRADERS: Record<string, Party[]> = {
  LT: [
    {
      id: 'LT100004567812',
      name: 'Baltic E-Cycle UAB',
      country: 'LT',
      address: 'Pramonės g. 8, Klaipėda',
    },
  ],
  DE: [
    {
      id: 'DE482913700000',
      name: 'Solar Modules GmbH',
      country: 'DE',
      address: 'Industriestraße 21, Freiberg',
    },
    {
      id: 'DE775102300000',
      name: 'AgroChem AG',
      country: 'DE',
      address: 'Chemiepark 4, Leverkusen',
    },
  ],
};

/** Traders per country: few enough that the same parties recur, as they do in real traffic. */
const TRADERS_PER_COUNTRY = 40;

const CHAPTERS = Object.entries(PROFILES).map(([chapter, p]) => [chapter, p.weight] as const);
const SUBHEADINGS_BY_CHAPTER = new Map<string, string[]>();
for (const code of hs2022Codes()) {
  if (code.length !== 6 || !(code.slice(0, 2) in PROFILES)) continue;
  const list = SUBHEADINGS_BY_CHAPTER.get(code.slice(0, 2)) ?? [];
  list.push(code);
  SUBHEADINGS_BY_CHAPTER.set(code.slice(0, 2), list);
}
const COUNTRY_NAMES = new Map(countries().map((c) => [c.code, c.name]));

/** A goods item as generated: always classified and described (none is simplified). */
export type GeneratedGoodsItem = GoodsItem & Required<Pick<GoodsItem, 'hsCode' | 'description'>>;

/** A generated declaration: a full one, never simplified. */
export type GeneratedDeclaration = Omit<DeclarationInput, 'goodsItems'> & {
  goodsItems: GeneratedGoodsItem[];
};

/** Options of the generator: the offices declarations are lodged at (default OFFICES). */
export interface GenerateOptions {
  offices?: readonly string[];
}

/**
 * Yields `count` valid, realistic declarations built from the shipped reference data; the same
 * seed gives the same ones. Routes follow land borders, sea ports and airports
 * (core/reference/trade-geography.ts); HS codes are HS 2022 subheadings, padded with zeros to
 * the national length (see hsCodeFor).
 */
export function* generateDeclarations(
  count: number,
  seed = 1,
  options: GenerateOptions = {},
): Generator<GeneratedDeclaration> {
  const random = new Random(seed);
  const offices = options.offices ?? OFFICES;
  for (let i = 1; i <= count; i++) yield declaration(random, `GEN-${seed}-${i}`, offices);
}

/** How the goods travel: the mode at the home border, the countries passed, the documents. */
interface Journey {
  dispatch: string;
  destination: string;
  transit: string[];
  mode: TransportMode;
  conveyance?: string;
  document?: DocumentRef;
  /** The largest consignment line the means of transport takes, kg. */
  maxKg: number;
}

const MAX_KG: Partial<Record<TransportMode, number>> = {
  road: 24_000,
  rail: 3_000_000,
  sea: 100_000_000,
  air: 5_000,
  post: 30,
};

function declaration(
  random: Random,
  reference: string,
  offices: readonly string[],
): GeneratedDeclaration {
  let kind = random.weighted(KINDS);
  const drawn = random.pick(offices);
  const home = drawn.slice(0, 2);
  const outbound = kind === 'export';
  let journey = kind === 'transit' ? transitJourney(random, home) : undefined;
  if (!journey) {
    if (kind === 'transit') kind = 'import';
    journey = tradeJourney(random, home, partner(random, home), outbound);
  }
  const office = officeFor(random, offices, drawn, journey.mode);
  const { dispatch, destination } = journey;
  const consignor = trader(random, dispatch);
  const consignee = trader(random, destination);
  // One invoice, one currency; the goods of one consignment mostly from one chapter.
  const currency = invoiceCurrency(random, dispatch, destination);
  const count = random.weighted(ITEM_COUNTS);
  const items: GeneratedGoodsItem[] = [];
  for (let i = 1; i <= count; i++) {
    const same = items.length > 0 && random.chance(0.7) ? items[0]!.hsCode.slice(0, 2) : undefined;
    items.push(goodsItem(random, i, journey, kind, home, currency, same));
  }
  // The demo trader imports the metal scrap that reaches Belarus by land, and nothing else.
  const scrap = (g: GeneratedGoodsItem) => /^(7204|7404|7602)/.test(g.hsCode);
  const ecomet = home === 'BY' && kind === 'import' && scrap(items[0]!) && journey.mode !== 'air';
  if (ecomet) {
    const kept = items.filter(scrap).map((g, k) => ({ ...g, sequence: k + 1 }));
    items.splice(0, items.length, ...kept);
  }
  const receiver = ecomet ? ECOMET : consignee;
  const localParty = outbound ? consignor : receiver;
  // Most traders lodge their own declarations; the rest go through a customs agent at home.
  const declarant = ecomet || random.chance(0.7) ? localParty : trader(random, home, true);
  const documents: DocumentRef[] = [];
  if (random.chance(0.6)) documents.push({ type: 'N935', reference: `INV-${random.digits(8)}` });
  if (journey.document) documents.push(journey.document);
  const submitted = Date.UTC(2024, 0, 1) + Math.floor(random.next() * 2 * 365 * 86_400) * 1000;

  return {
    kind,
    reference,
    submittedAt: new Date(submitted).toISOString(),
    office,
    declarant,
    consignor,
    consignee: receiver,
    route: {
      dispatchCountry: dispatch,
      destinationCountry: destination,
      ...(journey.transit.length > 0 ? { transitCountries: journey.transit } : {}),
      ...(outbound ? { officeOfExit: office } : { officeOfEntry: office }),
      transportMode: journey.mode,
      ...(journey.conveyance ? { conveyance: journey.conveyance } : {}),
    },
    goodsItems: items,
    ...(documents.length > 0 ? { documents } : {}),
  };
}

/** The modes each office handles, for the offices that do not handle them all. */
const OFFICE_MODES: Record<string, readonly TransportMode[]> = {
  GBFXT001: ['sea'],
  GBDVR001: ['road', 'rail'],
  GBLHR001: ['air', 'post'],
  BY207000: ['road', 'rail'],
  BY402000: ['road', 'rail'],
  BY502000: ['road', 'rail'],
};

/** The drawn office if it handles the mode, else another office of the same country that does. */
function officeFor(
  random: Random,
  offices: readonly string[],
  drawn: string,
  mode: TransportMode,
): string {
  const handles = (o: string) => OFFICE_MODES[o]?.includes(mode) ?? true;
  if (handles(drawn)) return drawn;
  const others = offices.filter((o) => o.startsWith(drawn.slice(0, 2)) && handles(o));
  return others.length > 0 ? random.pick(others) : drawn;
}

/** A trading partner of the home country outside its customs union. */
function partner(random: Random, home: string): string {
  const factors = PARTNER_FACTORS[home] ?? (sameCustomsUnion(home, 'DE') ? EU_HOME_FACTORS : {});
  const entries = PARTNERS.filter(([c]) => c !== home && !sameCustomsUnion(c, home)).map(
    ([c, w]) => [c, w * (factors[c] ?? 1)] as const,
  );
  return random.weighted(entries.filter(([, w]) => w > 0));
}

/** Goods between home and a partner, in (import, cargo report) or out (export). */
function tradeJourney(random: Random, home: string, other: string, outbound: boolean): Journey {
  const from = outbound ? home : other;
  const to = outbound ? other : home;
  const land = landPath(from, to, 4, AVOID[home]);
  const options: Array<readonly [() => Journey, number]> = [];
  if (land) {
    const borders = land.length - 1;
    options.push([
      () => overland(random, land, 'road'),
      borders === 1 ? 45 : borders === 2 ? 25 : 8,
    ]);
    options.push([() => overland(random, land, 'rail'), borders === 1 ? 10 : 12]);
  }
  // Between Asia and Europe, or more than two borders apart, goods also go by sea.
  const far = !land || land.length > 4 || ASIA.has(from) !== ASIA.has(to);
  if (hasSeaPort(from) && hasSeaPort(to)) {
    options.push([() => bySea(random, from, to, [], [], home), far ? 45 : 5]);
  } else if (far) {
    const sea = seaVia(random, from, to, home);
    if (sea) options.push([() => sea, 35]);
  }
  if (airport(from) && airport(to) && from !== 'UA' && to !== 'UA') {
    options.push([() => byAir(random, from, to, home), far ? 15 : 4]);
  }
  if (options.length === 0 || random.chance(0.02)) {
    return { dispatch: from, destination: to, transit: [], mode: 'post', maxKg: MAX_KG.post! };
  }
  return random.weighted(options)();
}

const ASIA = new Set(['CN', 'IN', 'VN', 'KR', 'JP', 'AE', 'KZ', 'UZ']);

/** Sea freight where one end (or both) has no sea port: a gateway port, then road or rail. */
function seaVia(random: Random, from: string, to: string, home: string): Journey | undefined {
  const loadIn = hasSeaPort(from) ? from : random.pick(SEA_GATEWAYS[from] ?? []);
  const dischargeIn = hasSeaPort(to) ? to : random.pick(SEA_GATEWAYS[to] ?? []);
  if (!loadIn || !dischargeIn || loadIn === dischargeIn) return undefined;
  const before = landPath(from, loadIn, 4, AVOID[home]) ?? [];
  const after = landPath(dischargeIn, to, 4, AVOID[home]) ?? [];
  if (loadIn !== from && before.length === 0) return undefined;
  if (dischargeIn !== to && after.length === 0) return undefined;
  return bySea(random, from, to, before.slice(1), after.slice(0, -1), home, loadIn, dischargeIn);
}

/**
 * A sea leg between two ports; `before` and `after` are the countries passed by land to the
 * port of loading and from the port of discharge. The mode at the home border is the sea when
 * home is a port country at that end, otherwise the road or rail that carries the goods on.
 */
function bySea(
  random: Random,
  from: string,
  to: string,
  before: string[],
  after: string[],
  home: string,
  loadIn = from,
  dischargeIn = to,
): Journey {
  const [pol] = random.pick(SEA_PORTS[loadIn]!);
  const [pod] = random.pick(SEA_PORTS[dischargeIn]!);
  const atSea = home === loadIn || home === dischargeIn;
  const mode: TransportMode = atSea ? 'sea' : random.chance(0.6) ? 'rail' : 'road';
  const line = random.pick(SHIPPING_LINES);
  return {
    dispatch: from,
    destination: to,
    transit: [...before, ...after].filter((c) => c !== from && c !== to),
    mode,
    conveyance: atSea
      ? `${random.pick(VESSELS)} / IMO ${random.int(9_000_000, 9_999_999)}`
      : landConveyance(random, mode, home),
    // The bill of lading names the sea leg: its number, port of loading and port of discharge.
    document: { type: 'N705', reference: `${line}${random.digits(9)} ${pol}-${pod}` },
    maxKg: mode === 'road' ? MAX_KG.road! : mode === 'rail' ? MAX_KG.rail! : MAX_KG.sea!,
  };
}

function overland(random: Random, path: string[], mode: 'road' | 'rail'): Journey {
  const haulier = random.chance(0.5) ? path[0]! : path[path.length - 1]!;
  return {
    dispatch: path[0]!,
    destination: path[path.length - 1]!,
    transit: path.slice(1, -1),
    mode,
    conveyance: landConveyance(random, mode, haulier),
    document: {
      type: mode === 'road' ? 'N730' : 'N720', // CMR / CIM consignment note
      reference: `${mode === 'road' ? 'CMR' : 'CIM'}-${random.digits(9)}`,
    },
    maxKg: MAX_KG[mode]!,
  };
}

function byAir(random: Random, from: string, to: string, home: string): Journey {
  const airline = random.pick(
    AIRLINES_TO[home] ?? AIRLINES_TO[from === home ? to : from] ?? AIRLINES,
  );
  const origin = random.pick(AIRPORTS[from]!)[2];
  const arrival = random.pick(AIRPORTS[to]!)[2];
  return {
    dispatch: from,
    destination: to,
    transit: [],
    mode: 'air',
    conveyance: `${airline}${random.int(100, 9_999)}`,
    // The air waybill: airline prefix and serial, airport of departure and of destination.
    document: {
      type: 'N740',
      reference: `${AWB_PREFIX[airline] ?? '999'}-${random.digits(8)} ${origin}-${arrival}`,
    },
    maxKg: MAX_KG.air!,
  };
}

function airport(country: string): boolean {
  return (AIRPORTS[country]?.length ?? 0) > 0;
}

/** Goods crossing home under transit: from a partner outside the union on one side to the other side. */
function transitJourney(random: Random, home: string): Journey | undefined {
  for (let attempt = 0; attempt < 8; attempt++) {
    const from = partner(random, home);
    const to = partner(random, home);
    if (from === to) continue;
    const inbound = landPath(from, home, 3, AVOID[home]);
    const outbound = landPath(home, to, 3, AVOID[home]);
    if (!inbound || !outbound) continue;
    const path = [...inbound, ...outbound.slice(1)];
    if (new Set(path).size !== path.length) continue; // doubling back is no transit
    return overland(random, path, random.chance(0.7) ? 'road' : 'rail');
  }
  return undefined;
}

function landConveyance(random: Random, mode: TransportMode, country: string): string {
  return mode === 'rail'
    ? `Train ${random.int(1_000, 99_999)}`
    : `${country} ${random.letters(3)} ${random.digits(3)}`; // a lorry plate, country first
}

/**
 * The HS code as declared: the 6-digit subheading, padded with zeros to the length of the
 * national nomenclature — 10 digits for imports (EU TARIC, UK commodity code, EAEU CN FEA, UA
 * UKTZED), 8 for exports from the EU and UK (Combined Nomenclature) and 10 from the EAEU and
 * Ukraine; transit and cargo reports give the 6-digit subheading. Zero padding is what a
 * subheading not subdivided further looks like in those nomenclatures.
 */
function hsCodeFor(subheading: string, kind: DeclarationKind, home: string): string {
  if (kind === 'transit' || kind === 'cargo-report') return subheading;
  const eightForExport = kind === 'export' && (home === 'GB' || sameCustomsUnion(home, 'DE'));
  return subheading.padEnd(eightForExport ? 8 : 10, '0');
}

/** The invoice currency traders of these two countries would agree on. */
function invoiceCurrency(random: Random, seller: string, buyer: string): string {
  const both = [seller, buyer];
  const eu = (c: string) => sameCustomsUnion(c, 'DE');
  if (both.includes('GB'))
    return random.weighted([
      ['GBP', 5],
      ['EUR', 3],
      ['USD', 2],
    ]);
  if (
    both.includes('RU') ||
    (both.includes('BY') && (both.includes('KZ') || both.includes('UZ')))
  ) {
    return random.weighted([
      ['RUB', 5],
      ['USD', 2],
      ['CNY', both.includes('CN') ? 3 : 0.5],
      ['EUR', 1],
    ]);
  }
  if (both.includes('CN'))
    return random.weighted([
      ['USD', 6],
      ['CNY', 3],
      ['EUR', 1],
    ]);
  if (both.includes('TR'))
    // Turkish exporters invoice in dollars or euros (TRY is missing from the shipped currency list).
    return random.weighted([
      ['USD', 5],
      ['EUR', 4],
    ]);
  if (both.includes('PL') && (eu(seller) || eu(buyer)))
    return random.weighted([
      ['EUR', 6],
      ['PLN', 4],
    ]);
  if (both.includes('BY'))
    return random.weighted([
      ['EUR', 5],
      ['USD', 3],
      ['BYN', 1],
    ]);
  if (eu(seller) || eu(buyer))
    return random.weighted([
      ['EUR', 8],
      ['USD', 2],
    ]);
  return random.weighted([
    ['USD', 7],
    ['EUR', 3],
  ]);
}

/** Goods worth flying or posting: at least this many EUR per kg at the top of their range. */
const DENSE_EUR_PER_KG = 8;
const dense = (p: Profile) => p.eurPerKg[1] >= DENSE_EUR_PER_KG && (p.pieceKg?.[1] ?? 0) <= 500;
const DENSE_CHAPTERS = CHAPTERS.filter(([c]) => dense(PROFILES[c]!));
const DENSE_WATCHED = WATCHED_GOODS.filter((g) => dense(g.profile));
/** What goes by post: small, valuable goods (medicines, cosmetics, clothing, electronics …). */
const POSTAL_CHAPTERS = CHAPTERS.filter(
  ([c]) => PROFILES[c]!.eurPerKg[1] >= 30 && !['01', '24'].includes(c),
);

function goodsItem(
  random: Random,
  sequence: number,
  journey: Journey,
  kind: DeclarationKind,
  home: string,
  currency: string,
  sameChapter: string | undefined,
): GeneratedGoodsItem {
  const posted = journey.mode === 'post';
  const flown = journey.mode === 'air' || posted;
  const roll = random.next();
  const cites = !posted && roll < 0.012 ? random.pick(CITES_GOODS) : undefined;
  const watched =
    !cites && !posted && roll < 0.1
      ? random.pick(flown ? DENSE_WATCHED : WATCHED_GOODS)
      : undefined;
  const allowed = posted ? POSTAL_CHAPTERS : flown ? DENSE_CHAPTERS : CHAPTERS;
  const fromChapter = allowed.some(([c]) => c === sameChapter) ? sameChapter : undefined;
  const chapter = cites || watched ? undefined : (fromChapter ?? random.weighted(allowed));
  const subheading =
    cites?.hsCode ?? watched?.hs ?? random.pick(SUBHEADINGS_BY_CHAPTER.get(chapter!)!);
  const profile = cites?.profile ?? watched?.profile ?? PROFILES[chapter!]!;
  const dispatch = journey.dispatch;
  const originCountry = cites
    ? random.pick(cites.origins)
    : random.chance(0.8)
      ? dispatch
      : random.pick(ORIGINS_BY_CHAPTER[subheading.slice(0, 2)] ?? MANUFACTURING_ORIGINS);

  // A consignment line within what its means of transport carries.
  const max = Math.min(profile.kg[1], journey.maxKg);
  const min = Math.min(profile.kg[0], max / 10);
  const netMass = round(random.logUniform(min, max), 3);
  const grossMass = round(netMass * (1.02 + random.next() * 0.13), 3);
  const unit = profile.pieceKg
    ? 'NAR'
    : profile.liquid && !subheading.startsWith('2701')
      ? 'LTR'
      : 'KGM';
  const quantity =
    unit === 'NAR'
      ? Math.max(1, Math.round(netMass / random.logUniform(...profile.pieceKg!)))
      : unit === 'LTR'
        ? round(netMass * 1.1, 1)
        : netMass;
  // Now and then an invoice far below the market: what valuation indicators are for.
  const undervalued = random.chance(0.04) ? random.logUniform(5, 20) : 1;
  const eur = (netMass * random.logUniform(...profile.eurPerKg)) / undervalued;

  const documents: DocumentRef[] = [];
  // A CITES shipment without its permit is exactly what the risk engine should catch, so leave some out.
  if (cites && random.chance(0.7)) {
    documents.push({ type: 'C400', reference: `CITES-${originCountry}-${random.digits(6)}` });
  }
  const brandable =
    watched?.brand === true || (chapter !== undefined && BRANDED_CHAPTERS.has(chapter));
  const brand = brandable && random.chance(watched ? 0.6 : 0.1) ? random.pick(BRANDS) : undefined;

  return {
    sequence,
    hsCode: hsCodeFor(subheading, kind, home),
    description: cites?.description ?? watched?.description ?? CHAPTER_GOODS[chapter!]!,
    quantity,
    unit,
    netMass,
    grossMass,
    value: round(eur * (PER_EUR[currency] ?? 1), 2),
    currency,
    originCountry,
    ...(cites ? { species: cites.species } : {}),
    ...(brand ? { brand } : {}),
    ...(documents.length > 0 ? { documents } : {}),
  };
}

/**
 * A trader of a country, from a small recurring roster: the well-known demo parties first, then
 * invented ones, each always with the same EORI-like id, name and address.
 */
function trader(random: Random, country: string, agent = false): Party {
  const known = KNOWN_TRADERS[country] ?? [];
  if (!agent && known.length > 0 && random.chance(0.3)) return random.pick(known);
  // Customs agents are numbered apart, so that no id names both an agent and a trader.
  const n = random.int(1, TRADERS_PER_COUNTRY) + (agent ? 1_000 : 0);
  // Seeded by country and number alone, so a trader looks the same whichever declaration names it.
  const own = new Random(n * 1009 + country.charCodeAt(0) * 31 + country.charCodeAt(1));
  return {
    // Belarus's EORI is BY and the 9-digit UNP; elsewhere a 12-digit national number.
    id: `${country}${own.digits(country === 'BY' ? 9 : 12)}`,
    name: `${own.pick(NAME_STARTS)} ${agent ? 'Customs Brokers' : own.pick(NAME_MIDDLES)} ${LEGAL_FORMS[country] ?? 'Ltd'}`,
    country,
    address: `${own.int(1, 250)} ${own.pick(STREETS)}, ${COUNTRY_NAMES.get(country)}`,
  };
}

function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/**
 * What is implausible about a declaration's route, read from its countries, mode and transport
 * documents: a sea leg (bill of lading) must join two shipped sea ports in consecutive countries
 * of the route, and the home office's country must have a port when the mode at its border is
 * the sea; an air leg (air waybill) joins two shipped airports; every other step between
 * consecutive countries crosses a land border. Empty when the route is plausible.
 */
export function routeProblems(d: DeclarationInput): string[] {
  const route = d.route ?? {};
  const mode = route.transportMode;
  const chain = [
    route.dispatchCountry,
    ...(route.transitCountries ?? []),
    route.destinationCountry,
  ];
  if (chain.some((c) => c === undefined)) return ['route without dispatch or destination country'];
  const countries = chain as string[];
  const problems: string[] = [];
  const home = d.office?.slice(0, 2);
  const seaLegs: Array<[string, string]> = [];
  for (const doc of d.documents ?? []) {
    const ports = /([A-Z]{5})-([A-Z]{5})$/.exec(doc.reference);
    if (doc.type === 'N705') {
      if (!ports || !isSeaPort(ports[1]!) || !isSeaPort(ports[2]!)) {
        problems.push(`bill of lading ${doc.reference} names no known sea ports`);
        continue;
      }
      seaLegs.push([countryOfLocode(ports[1]!), countryOfLocode(ports[2]!)]);
    }
    const airports = /([A-Z]{3})-([A-Z]{3})$/.exec(doc.reference);
    if (
      doc.type === 'N740' &&
      (!airports || !isAirport(airports[1]!) || !isAirport(airports[2]!))
    ) {
      problems.push(`air waybill ${doc.reference} names no known airports`);
    }
  }
  if (mode === 'sea') {
    if (home && !hasSeaPort(home)) problems.push(`sea at the border of ${home}, which has no port`);
    if (seaLegs.length === 0) problems.push('by sea without a bill of lading naming the ports');
    if (home && !seaLegs.some(([a, b]) => a === home || b === home)) {
      problems.push(`sea leg ${seaLegs.join(' ')} does not touch ${home}`);
    }
  }
  if (mode === 'air' || mode === 'post') {
    if (countries.length !== 2)
      problems.push(`${mode} with transit countries ${countries.join('>')}`);
    return problems;
  }
  for (let i = 0; i + 1 < countries.length; i++) {
    const [a, b] = [countries[i]!, countries[i + 1]!];
    if (seaLegs.some(([x, y]) => x === a && y === b)) continue;
    if (!shareLandBorder(a, b)) problems.push(`${mode} leg ${a}>${b} between non-neighbours`);
  }
  for (const [a, b] of seaLegs) {
    const at = countries.indexOf(a);
    if (at === -1 || countries[at + 1] !== b) {
      problems.push(`sea leg ${a}>${b} not in the route ${countries.join('>')}`);
    }
  }
  return problems;
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
