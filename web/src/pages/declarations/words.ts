import { asProblem } from '../../components/ProblemAlert.js';
import type {
  Channel,
  DeclarationKind,
  DeclarationStatus,
  ListedDeclaration,
  TransportMode,
} from './types.js';

/** Where a declaration stands, in words (the API's status codes, typed by the API). */
export const STATUS_WORDS: Readonly<Record<DeclarationStatus, string>> = {
  lodged: 'Lodged',
  'awaiting-control': 'Selected for control',
  'under-control': 'Under control',
  held: 'Held',
  referred: 'Referred to another authority',
  released: 'Released',
  seized: 'Goods seized',
  cancelled: 'Withdrawn',
};

export const KIND_WORDS: Readonly<Record<DeclarationKind, string>> = {
  import: 'Import',
  export: 'Export',
  transit: 'Transit',
  'cargo-report': 'Cargo report',
};

export const CHANNEL_WORDS: Readonly<Record<Channel, string>> = {
  green: 'Green',
  yellow: 'Yellow',
  red: 'Red',
  unscreened: 'Not screened',
};

export const TRANSPORT_WORDS: Readonly<Record<TransportMode, string>> = {
  sea: 'Sea',
  rail: 'Rail',
  road: 'Road',
  air: 'Air',
  post: 'Post',
  'fixed-installation': 'Fixed installation (pipeline, cable)',
  'inland-waterway': 'Inland waterway',
  'own-propulsion': 'Own propulsion',
  unknown: 'Not known',
};

/** A status in words (the code itself for one this console does not know yet). */
export const statusWords = (status: string | null | undefined): string =>
  status ? (STATUS_WORDS[status as DeclarationStatus] ?? status) : '—';

/** The status of a listed declaration: the trader's view carries it, the officer's may not. */
export const statusOf = (d: ListedDeclaration): string | undefined =>
  'status' in d ? (d.status ?? undefined) : undefined;

/** Statuses after which nothing may change any more: no amendment, no withdrawal. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['released', 'seized', 'cancelled']);

/** `/goodsItems/0/hsCode` → labels for every pointer a lodging form may be answered with. */
export function declarationLabels(items: number): Record<string, string> {
  const labels: Record<string, string> = {
    '/kind': 'Type of declaration',
    '/reference': 'Your reference (LRN)',
    '/submittedAt': 'Declaration date',
    '/office': 'Customs office',
    '/declarant': 'Declarant',
    '/declarant/id': 'Declarant, EORI',
    '/declarant/name': 'Declarant, name',
    '/declarant/country': 'Declarant, country',
    '/consignor': 'Consignor',
    '/consignor/name': 'Consignor, name',
    '/consignor/country': 'Consignor, country',
    '/consignee': 'Importer (consignee)',
    '/consignee/id': 'Importer, EORI',
    '/consignee/name': 'Importer, name',
    '/consignee/country': 'Importer, country',
    '/route': 'Transport',
    '/route/dispatchCountry': 'Country of dispatch',
    '/route/destinationCountry': 'Country of destination',
    '/route/transitCountries': 'Countries of transit',
    '/route/transportMode': 'Mode of transport at the border',
    '/route/conveyance': 'Means of transport',
    '/route/containers': 'Containers',
    '/goodsItems': 'Goods items',
    '/documents': 'Documents for the whole declaration',
  };
  const fields: Record<string, string> = {
    hsCode: 'HS code',
    description: 'description',
    originCountry: 'country of origin',
    quantity: 'quantity',
    unit: 'unit',
    netMass: 'net mass',
    grossMass: 'gross mass',
    value: 'value',
    currency: 'currency',
    documents: 'documents',
    sequence: 'number',
  };
  for (let i = 0; i < Math.max(items, 1); i++) {
    labels[`/goodsItems/${i}`] = `Goods item ${i + 1}`;
    for (const [field, words] of Object.entries(fields))
      labels[`/goodsItems/${i}/${field}`] = `Goods item ${i + 1}, ${words}`;
  }
  return labels;
}

/** The problem's errors for exactly this pointer (not those inside it), in one line. */
export function exactFieldError(problem: unknown, pointer: string): string | null {
  const wanted = pointer.replace(/^\/+/, '');
  const found = (asProblem(problem)?.errors ?? []).filter(
    (e) => e.field.replace(/^\/+/, '').replace(/^body\//, '') === wanted,
  );
  return found.length > 0 ? found.map((e) => e.detail).join('; ') : null;
}

/** What a field must look like, in words, for an answer that says so as a pattern. */
const SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/(^|\/)hsPrefix$/, 'digits only, at most 10'],
  [/(^|\/)hsCode$/, '6 to 10 digits'],
  [
    /(^|\/)(originCountry|country|dispatchCountry|destinationCountry|transitCountries(\/\d+)?)$/,
    'two capital letters, the ISO country code (e.g. BY)',
  ],
  [/(^|\/)currency$/, 'three capital letters, the ISO currency code (e.g. EUR)'],
  [/(^|\/)(mrn)$/, 'letters, digits and hyphens only'],
  [/(^|\/)(container|containers(\/\d+)?)$/, 'letters and digits only, e.g. MSCU1234565'],
];

/**
 * The problem with each "must match pattern …" said in words: the shape the field takes, never
 * the regular expression.
 */
export function withoutPatterns(problem: unknown): unknown {
  const p = asProblem(problem);
  if (!p?.errors?.some((e) => /pattern/.test(e.detail))) return problem;
  return {
    ...p,
    errors: p.errors.map((e) => {
      if (!/pattern/.test(e.detail)) return e;
      const shape = SHAPES.find(([field]) => field.test(e.field))?.[1];
      return { ...e, detail: shape ? `must be ${shape}` : 'is not in the form expected' };
    }),
  };
}
