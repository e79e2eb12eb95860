import type { AgencyKind } from '../auth/identity.js';
import type { PermitType, PermitUnit } from './permit.js';

/** A code and what it means, as an applicant chooses it. */
export interface CodeMeaning {
  code: string;
  meaning: string;
}

/** One particular a permit type's `details` carry (purpose code, waste code, substance…). */
export interface DetailField {
  /** The key in `details`. */
  key: string;
  label: string;
  required: boolean;
  /** `code`: one of `codes`; `text`: free text of at most `maxLength` characters. */
  kind: 'code' | 'text';
  codes?: readonly CodeMeaning[];
  maxLength: number;
  /** What to write, in a few words (a rule of thumb, an example). */
  hint: string;
}

/**
 * Everything the register knows about a permit type: what it is called, which kinds of agency
 * issue it, what its application must carry beyond the common fields, and which units and track
 * it takes. The one description: the validation below reads it, the API offers it
 * (`GET /api/permits/types`), and the console builds its application form from that answer.
 */
export interface PermitTypeDescription {
  type: PermitType;
  name: string;
  summary: string;
  issuerKinds: readonly AgencyKind[];
  /** What the party on the other side is called for this type. */
  counterpartLabel: string;
  /** CITES permits name the species they cover. */
  speciesRequired: boolean;
  /** The units a quantity may be given in, the usual first. */
  units: readonly PermitUnit[];
  /** Whether the route (dispatch, transit, destination countries) and a shipment count apply. */
  route: boolean;
  /** `always`: every application is expedited; `on-request`: when the applicant says so. */
  expedited: 'always' | 'on-request' | 'never';
  /** When an expedited track is on request: what the applicant asserts to take it. */
  expeditedWhen?: string;
  details: readonly DetailField[];
}

/** Units as people say them. */
export const PERMIT_UNIT_WORDS: Readonly<Record<PermitUnit, string>> = {
  KGM: 'kilograms',
  TNE: 'tonnes',
  LTR: 'litres',
  NAR: 'number of items',
};

/** CITES purpose of the transaction (Res. Conf. 12.3 (Rev. CoP19)). */
export const CITES_PURPOSE_CODES: readonly CodeMeaning[] = [
  { code: 'T', meaning: 'Commercial' },
  { code: 'Z', meaning: 'Zoo' },
  { code: 'G', meaning: 'Botanical garden' },
  { code: 'Q', meaning: 'Circus or travelling exhibition' },
  { code: 'S', meaning: 'Scientific' },
  { code: 'H', meaning: 'Hunting trophy' },
  { code: 'P', meaning: 'Personal' },
  { code: 'M', meaning: 'Medical, including biomedical research' },
  { code: 'E', meaning: 'Educational' },
  { code: 'N', meaning: 'Reintroduction or introduction into the wild' },
  { code: 'B', meaning: 'Breeding in captivity or artificial propagation' },
  { code: 'L', meaning: 'Law enforcement, judicial or forensic' },
];

/** CITES source of the specimens (Res. Conf. 12.3 (Rev. CoP19)). */
export const CITES_SOURCE_CODES: readonly CodeMeaning[] = [
  { code: 'W', meaning: 'Taken from the wild' },
  { code: 'X', meaning: 'Taken in the marine environment outside any national jurisdiction' },
  { code: 'R', meaning: 'Ranched' },
  { code: 'D', meaning: 'Appendix I animals bred in captivity or plants propagated, commercially' },
  { code: 'A', meaning: 'Artificially propagated plants' },
  { code: 'C', meaning: 'Animals bred in captivity' },
  { code: 'F', meaning: 'Animals born in captivity (F1 or later), not bred in captivity' },
  { code: 'Y', meaning: 'Plants from assisted production' },
  { code: 'U', meaning: 'Source unknown' },
  { code: 'I', meaning: 'Confiscated or seized specimens' },
  { code: 'O', meaning: 'Pre-Convention specimens' },
];

/** Recovery (R) and disposal (D) operations (Basel Convention, Annex IV). */
export const WASTE_OPERATIONS: readonly CodeMeaning[] = [
  { code: 'R1', meaning: 'Use as a fuel or other means to generate energy' },
  { code: 'R2', meaning: 'Solvent reclamation or regeneration' },
  { code: 'R3', meaning: 'Recycling of organic substances not used as solvents' },
  { code: 'R4', meaning: 'Recycling of metals and metal compounds' },
  { code: 'R5', meaning: 'Recycling of other inorganic materials' },
  { code: 'R6', meaning: 'Regeneration of acids or bases' },
  { code: 'R7', meaning: 'Recovery of components used for pollution abatement' },
  { code: 'R8', meaning: 'Recovery of components from catalysts' },
  { code: 'R9', meaning: 'Used oil re-refining or other reuses of used oil' },
  { code: 'R10', meaning: 'Land treatment benefiting agriculture or the environment' },
  { code: 'R11', meaning: 'Use of residues from operations R1 to R10' },
  { code: 'R12', meaning: 'Exchange of wastes for operations R1 to R11' },
  { code: 'R13', meaning: 'Accumulation of material for operations R1 to R12' },
  { code: 'D1', meaning: 'Deposit into or onto land (landfill)' },
  { code: 'D2', meaning: 'Land treatment' },
  { code: 'D3', meaning: 'Deep injection' },
  { code: 'D4', meaning: 'Surface impoundment' },
  { code: 'D5', meaning: 'Specially engineered landfill' },
  { code: 'D6', meaning: 'Release into a water body other than seas or oceans' },
  { code: 'D7', meaning: 'Release into seas or oceans, including the sea-bed' },
  { code: 'D8', meaning: 'Biological treatment not specified elsewhere' },
  { code: 'D9', meaning: 'Physico-chemical treatment not specified elsewhere' },
  { code: 'D10', meaning: 'Incineration on land' },
  { code: 'D11', meaning: 'Incineration at sea' },
  { code: 'D12', meaning: 'Permanent storage' },
  { code: 'D13', meaning: 'Blending or mixing before operations D1 to D12' },
  { code: 'D14', meaning: 'Repackaging before operations D1 to D13' },
  { code: 'D15', meaning: 'Storage pending operations D1 to D14' },
];

const CITES_DETAILS: readonly DetailField[] = [
  {
    key: 'purpose',
    label: 'Purpose',
    required: true,
    kind: 'code',
    codes: CITES_PURPOSE_CODES,
    maxLength: 1,
    hint: 'Why the specimens are traded',
  },
  {
    key: 'sourceCode',
    label: 'Source',
    required: true,
    kind: 'code',
    codes: CITES_SOURCE_CODES,
    maxLength: 1,
    hint: 'Where the specimens come from',
  },
];

const cites = (
  type: PermitType,
  name: string,
  summary: string,
  counterpartLabel: string,
): PermitTypeDescription => ({
  type,
  name,
  summary,
  issuerKinds: ['environment'],
  counterpartLabel,
  speciesRequired: true,
  units: ['NAR', 'KGM', 'LTR', 'TNE'],
  route: false,
  expedited: 'never',
  details: CITES_DETAILS,
});

export const PERMIT_TYPE_DESCRIPTIONS: Readonly<Record<PermitType, PermitTypeDescription>> = {
  'cites-export': cites(
    'cites-export',
    'CITES export permit',
    'Exporting specimens of species listed by CITES',
    'Importer',
  ),
  'cites-import': cites(
    'cites-import',
    'CITES import permit',
    'Importing specimens of species listed by CITES',
    'Exporter',
  ),
  'cites-re-export': cites(
    'cites-re-export',
    'CITES re-export certificate',
    'Exporting again specimens of listed species imported before',
    'Importer',
  ),
  'waste-consent': {
    type: 'waste-consent',
    name: 'Waste shipment consent',
    summary: 'Prior informed consent to ship waste across borders (Basel Convention)',
    issuerKinds: ['environment'],
    counterpartLabel: 'Exporter or consignee',
    speciesRequired: false,
    units: ['TNE', 'KGM'],
    route: true,
    expedited: 'on-request',
    expeditedWhen: 'The waste is shipped for recovery (an R operation)',
    details: [
      {
        key: 'wasteCode',
        label: 'Waste code',
        required: true,
        kind: 'text',
        maxLength: 20,
        hint: 'Basel code such as A1180 or B1010, or the national waste list code',
      },
      {
        key: 'operation',
        label: 'Operation',
        required: true,
        kind: 'code',
        codes: WASTE_OPERATIONS,
        maxLength: 3,
        hint: 'What is done with the waste: recovery (R) or disposal (D)',
      },
    ],
  },
  'ods-licence': {
    type: 'ods-licence',
    name: 'Ozone-depleting substance licence',
    summary: 'Importing or exporting ozone-depleting substances and HFCs (Montreal Protocol)',
    issuerKinds: ['environment'],
    counterpartLabel: 'Supplier or buyer',
    speciesRequired: false,
    units: ['KGM', 'TNE'],
    route: false,
    expedited: 'never',
    details: [
      {
        key: 'substance',
        label: 'Substance',
        required: true,
        kind: 'text',
        maxLength: 200,
        hint: 'Its name or ASHRAE number, e.g. HCFC-22 or HFC-134a',
      },
    ],
  },
  'pesticide-licence': {
    type: 'pesticide-licence',
    name: 'Pesticide import licence',
    summary: 'Importing plant protection products and their active substances',
    issuerKinds: ['environment', 'phytosanitary'],
    counterpartLabel: 'Supplier',
    speciesRequired: false,
    units: ['KGM', 'LTR', 'TNE'],
    route: false,
    expedited: 'never',
    details: [
      {
        key: 'substance',
        label: 'Active substance',
        required: true,
        kind: 'text',
        maxLength: 200,
        hint: 'The active substance, e.g. glyphosate',
      },
    ],
  },
  'green-tech': {
    type: 'green-tech',
    name: 'Green technology permit',
    summary:
      'Importing equipment for renewable energy or energy efficiency, on the expedited track',
    issuerKinds: ['environment', 'energy'],
    counterpartLabel: 'Supplier',
    speciesRequired: false,
    units: ['NAR', 'KGM', 'TNE'],
    route: false,
    expedited: 'always',
    details: [
      {
        key: 'technology',
        label: 'Technology',
        required: false,
        kind: 'text',
        maxLength: 200,
        hint: 'What the equipment does, e.g. heat pumps or solar modules',
      },
    ],
  },
};

/** A type's name after "a" or "an", as the sentence needs: "an ozone-…", "a CITES …". */
export function aName(name: string): string {
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}
