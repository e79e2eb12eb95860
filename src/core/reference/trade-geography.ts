// Written by hand (see src/core/reference/README.md, "trade-geography.ts", for its basis and sources).

/**
 * Land borders that goods cross by road or rail, as undirected pairs. Basis: the international
 * land boundaries of each country (as the CIA World Factbook's "Land boundaries" entries list
 * them), for the generator's home countries, their trading partners and the countries between
 * them; plus the Channel Tunnel (GB–FR), a fixed link that lorries and freight trains use.
 * Left out: borders closed to trade since 2022 (BY–UA, RU–UA), the borders of Russia's
 * Kaliningrad exclave with Poland and Lithuania (no way through to the rest of Russia), and
 * countries no generated route needs. Not exhaustive: a path through a country missing here is simply not generated.
 */
const LAND_BORDERS: ReadonlyArray<readonly [string, string]> = [
  ['BY', 'PL'],
  ['BY', 'LT'],
  ['BY', 'LV'],
  ['BY', 'RU'],
  ['PL', 'DE'],
  ['PL', 'CZ'],
  ['PL', 'SK'],
  ['PL', 'UA'],
  ['PL', 'LT'],
  ['LT', 'LV'],
  ['LV', 'EE'],
  ['LV', 'RU'],
  ['EE', 'RU'],
  ['RU', 'FI'],
  ['RU', 'NO'],
  ['RU', 'GE'],
  ['RU', 'AZ'],
  ['RU', 'KZ'],
  ['RU', 'CN'],
  ['RU', 'MN'],
  ['UA', 'SK'],
  ['UA', 'HU'],
  ['UA', 'RO'],
  ['UA', 'MD'],
  ['DE', 'DK'],
  ['DE', 'CZ'],
  ['DE', 'AT'],
  ['DE', 'CH'],
  ['DE', 'FR'],
  ['DE', 'LU'],
  ['DE', 'BE'],
  ['DE', 'NL'],
  ['NL', 'BE'],
  ['BE', 'LU'],
  ['BE', 'FR'],
  ['FR', 'LU'],
  ['FR', 'CH'],
  ['FR', 'IT'],
  ['FR', 'ES'],
  ['GB', 'FR'], // Channel Tunnel
  ['GB', 'IE'], // Northern Ireland
  ['ES', 'PT'],
  ['IT', 'CH'],
  ['IT', 'AT'],
  ['IT', 'SI'],
  ['AT', 'CZ'],
  ['AT', 'SK'],
  ['AT', 'HU'],
  ['AT', 'SI'],
  ['AT', 'CH'],
  ['CZ', 'SK'],
  ['SK', 'HU'],
  ['HU', 'RO'],
  ['HU', 'RS'],
  ['HU', 'HR'],
  ['HU', 'SI'],
  ['SI', 'HR'],
  ['HR', 'RS'],
  ['RO', 'BG'],
  ['RO', 'MD'],
  ['RO', 'RS'],
  ['BG', 'RS'],
  ['BG', 'GR'],
  ['BG', 'TR'],
  ['GR', 'TR'],
  ['TR', 'GE'],
  ['TR', 'AM'],
  ['TR', 'AZ'], // Nakhchivan
  ['TR', 'IR'],
  ['TR', 'IQ'],
  ['TR', 'SY'],
  ['GE', 'AZ'],
  ['GE', 'AM'],
  ['AZ', 'IR'],
  ['AM', 'IR'],
  ['KZ', 'CN'],
  ['KZ', 'KG'],
  ['KZ', 'UZ'],
  ['KZ', 'TM'],
  ['UZ', 'KG'],
  ['UZ', 'TM'],
  ['CN', 'MN'],
  ['CN', 'KG'],
  ['CN', 'VN'],
  ['FI', 'NO'],
  ['FI', 'SE'],
  ['SE', 'NO'],
];

/**
 * Sea ports by country, a subset of UN/LOCODE: every code here is a location whose function
 * classifier marks a port (position 1) in the UN/LOCODE snapshot of `shared/data/un-locode`
 * (UNECE; via geoapify/un-locode, MIT). Checked by trade-geography.test.ts against the snapshot.
 */
export const SEA_PORTS: Readonly<
  Record<string, ReadonlyArray<readonly [locode: string, name: string]>>
> = {
  PL: [
    ['PLGDN', 'Gdansk'],
    ['PLGDY', 'Gdynia'],
  ],
  LT: [['LTKLJ', 'Klaipeda']],
  LV: [['LVRIX', 'Riga']],
  EE: [['EEMUG', 'Muuga']],
  RU: [
    ['RULED', 'Saint Petersburg (ex Leningrad)'],
    ['RUULU', "Ust'-Luga"],
    ['RUNVS', 'Novorossiysk'],
    ['RUVVO', 'Vladivostok'],
  ],
  UA: [['UAODS', 'Odesa']],
  DE: [
    ['DEHAM', 'Hamburg'],
    ['DEBRV', 'Bremerhaven'],
  ],
  NL: [['NLRTM', 'Rotterdam']],
  BE: [['BEANR', 'Antwerpen']],
  FR: [
    ['FRLEH', 'Le Havre'],
    ['FRMRS', 'Marseille'],
  ],
  // Only the port of the generator's one GB sea office (GBFXT001, Felixstowe).
  GB: [['GBFXT', 'Felixstowe']],
  IT: [['ITGOA', 'Genova']],
  ES: [
    ['ESVLC', 'Valencia'],
    ['ESALG', 'Algeciras'],
  ],
  TR: [
    ['TRMER', 'Mersin'],
    ['TRAMR', 'Ambarli'],
    ['TRIZT', 'Izmit'],
  ],
  CN: [
    ['CNSGH', 'Shanghai'],
    ['CNNBO', 'Ningbo'],
    ['CNQIN', 'Qingdao'],
    ['CNYTN', 'Yantian'],
    ['CNLYG', 'Lianyungang'],
  ],
  IN: [
    ['INNSA', 'Nhava Sheva (Jawaharlal Nehru)'],
    ['INMUN', 'Mundra'],
  ],
  VN: [
    ['VNSGN', 'Ho Chi Minh City'],
    ['VNHPH', 'Haiphong'],
  ],
  KR: [['KRPUS', 'Busan']],
  JP: [
    ['JPYOK', 'Yokohama'],
    ['JPTYO', 'Tokyo'],
  ],
  US: [
    ['USNYC', 'New York'],
    ['USLAX', 'Los Angeles'],
    ['USSAV', 'Savannah'],
  ],
  BR: [['BRSSZ', 'Santos']],
  KE: [['KEMBA', 'Mombasa']],
  EG: [
    ['EGALY', 'El Iskandariya (Alexandria)'],
    ['EGPSD', 'Port Said'],
  ],
  AE: [['AEJEA', 'Jebel Ali']],
  ZA: [['ZADUR', 'Durban']],
  EC: [['ECGYE', 'Guayaquil']],
  NO: [['NOOSL', 'Oslo']],
};

/**
 * Airports by country, a subset of UN/LOCODE (function position 4, airport), with the IATA code
 * cargo documents print (the location code unless UN/LOCODE gives another).
 */
export const AIRPORTS: Readonly<
  Record<string, ReadonlyArray<readonly [locode: string, name: string, iata: string]>>
> = {
  BY: [['BYMSQ', 'Minsk', 'MSQ']],
  PL: [['PLWAW', 'Warszawa', 'WAW']],
  LT: [['LTVNO', 'Vilnius', 'VNO']],
  LV: [['LVRIX', 'Riga', 'RIX']],
  RU: [['RUMOW', 'Moskva', 'MOW']],
  DE: [['DEFRA', 'Frankfurt am Main', 'FRA']],
  NL: [['NLAMS', 'Amsterdam', 'AMS']],
  BE: [['BEBRU', 'Bruxelles (Brussel)', 'BRU']],
  FR: [['FRCDG', 'Charles-de-Gaulle Apt/Paris', 'CDG']],
  GB: [['GBLHR', 'Heathrow Apt/London', 'LHR']],
  IT: [['ITMXP', 'Malpensa Apt/Milano', 'MXP']],
  ES: [['ESMAD', 'Madrid', 'MAD']],
  CZ: [['CZPRG', 'Praha', 'PRG']],
  TR: [['TRIST', 'Istanbul', 'IST']],
  CN: [
    ['CNPVG', 'Shanghai Pudong International Apt', 'PVG'],
    ['CNPEK', 'Beijing Shoudu International Apt', 'PEK'],
  ],
  IN: [
    ['INDEL', 'Delhi', 'DEL'],
    ['INBOM', 'Mumbai (ex Bombay)', 'BOM'],
  ],
  VN: [['VNSGN', 'Ho Chi Minh City', 'SGN']],
  KR: [['KRICN', 'Incheon Intl Apt/Seoul', 'ICN']],
  JP: [['JPNRT', 'Narita Apt/Tokyo', 'NRT']],
  US: [['USJFK', 'John F. Kennedy Apt/New York', 'JFK']],
  BR: [['BRGRU', 'Guarulhos Apt / Sao Paulo', 'GRU']],
  KE: [['KENBO', 'Nairobi', 'NBO']],
  KZ: [['KZALA', 'Almaty', 'ALA']],
  UZ: [['UZTAS', 'Tashkent', 'TAS']],
  AE: [['AEDXB', 'Dubai', 'DXB']],
  EG: [['EGCAI', 'El Qahira (Cairo)', 'CAI']],
};

/**
 * Where sea freight for a country without sea ports is discharged (or loaded) abroad, then
 * carried on by road or rail: Belarus through the Baltic ports (Klaipeda, Gdansk, Riga) and
 * Russia's Baltic ports; Kazakhstan (its Caspian ports reach no ocean) through Russia's Black Sea
 * port and China's Lianyungang; the Czech Republic through Hamburg.
 */
export const SEA_GATEWAYS: Readonly<Record<string, readonly string[]>> = {
  BY: ['LT', 'PL', 'LV', 'RU'],
  KZ: ['RU', 'CN'],
  CZ: ['DE'],
};

/** Customs unions whose members declare no goods to one another at their common borders. */
const CUSTOMS_UNIONS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(
    'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '),
  ),
  new Set(['AM', 'BY', 'KZ', 'KG', 'RU']), // Eurasian Economic Union
];

const neighbours = new Map<string, string[]>();
for (const [a, b] of LAND_BORDERS) {
  neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
  neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
}

/** True when goods can cross by road or rail straight from one country into the other. */
export function shareLandBorder(a: string, b: string): boolean {
  return neighbours.get(a)?.includes(b) ?? false;
}

/** True when the country has a sea port in SEA_PORTS. */
export function hasSeaPort(country: string): boolean {
  return (SEA_PORTS[country]?.length ?? 0) > 0;
}

/** The country of a UN/LOCODE (its first two letters). */
export function countryOfLocode(locode: string): string {
  return locode.slice(0, 2);
}

/** True when a LOCODE is one of the shipped sea ports. */
export function isSeaPort(locode: string): boolean {
  return (SEA_PORTS[countryOfLocode(locode)] ?? []).some(([code]) => code === locode);
}

/** True when an IATA code is one of the shipped airports. */
export function isAirport(iata: string): boolean {
  return Object.values(AIRPORTS).some((list) => list.some(([, , code]) => code === iata));
}

/** True when both countries belong to the same customs union (no customs declaration between them). */
export function sameCustomsUnion(a: string, b: string): boolean {
  return CUSTOMS_UNIONS.some((union) => union.has(a) && union.has(b));
}

/**
 * The shortest chain of land-bordering countries from `from` to `to` (both included), or
 * undefined when there is none within `maxBorders` crossings, not passing through `avoid`. Neighbours are tried in table order,
 * so the answer is the same every time.
 */
export function landPath(
  from: string,
  to: string,
  maxBorders = 4,
  avoid: readonly string[] = [],
): string[] | undefined {
  if (from === to) return [from];
  const previous = new Map<string, string>([[from, from], ...avoid.map((c) => [c, c] as const)]);
  let frontier = [from];
  for (let depth = 0; depth < maxBorders && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const country of frontier) {
      for (const n of neighbours.get(country) ?? []) {
        if (previous.has(n)) continue;
        previous.set(n, country);
        if (n === to) {
          const path = [to];
          while (path[0] !== from) path.unshift(previous.get(path[0]!)!);
          return path;
        }
        next.push(n);
      }
    }
    frontier = next;
  }
  return undefined;
}
