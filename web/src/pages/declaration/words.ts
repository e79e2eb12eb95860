import type { paths } from '../../api-types.js';

type ControlAnswer =
  paths['/api/declarations/{id}/control']['get']['responses']['200']['content']['application/json'];
export type Control = ControlAnswer;
export type ControlStatus = ControlAnswer['status'];
export type Inspection = ControlAnswer['inspections'][number];
export type Finding = Inspection['findings'][number];
export type ControlFormCode = Inspection['controlForm'];
export type DeclarationKind = ControlAnswer['kind'];

/** Where a declaration stands, as an officer says it. */
export const STATUS_WORDS: Readonly<Record<ControlStatus, string>> = {
  lodged: 'lodged, no control planned',
  'awaiting-control': 'awaiting control',
  'under-control': 'under control',
  released: 'released',
  held: 'held',
  seized: 'goods seized',
  referred: 'referred to another agency',
  cancelled: 'cancelled',
};

export const CONTROL_FORM_WORDS: Readonly<Record<ControlFormCode, string>> = {
  'documentary-check': 'Documentary check',
  scanning: 'Scan of the goods',
  'physical-inspection': 'Physical inspection',
  'sampling-laboratory': 'Sampling and laboratory analysis',
};

export const FINDING_WORDS: Readonly<Record<Finding, string>> = {
  'misdeclared-hs': 'Wrong HS code declared',
  undervalued: 'Value declared too low',
  'missing-permit': 'Permit or licence missing',
  'prohibited-waste': 'Prohibited waste',
  'protected-species': 'Protected species (CITES)',
  counterfeit: 'Counterfeit goods',
  other: 'Something else',
};

export const KIND_WORDS: Readonly<Record<DeclarationKind, string>> = {
  import: 'Import declaration',
  export: 'Export declaration',
  transit: 'Transit declaration',
  'cargo-report': 'Entry summary declaration',
};

/** A status in words (the code itself for one this console does not know yet). */
export const statusWords = (s: string | null | undefined): string =>
  s ? (STATUS_WORDS[s as ControlStatus] ?? s) : '—';
export const kindWords = (k: string): string => KIND_WORDS[k as DeclarationKind] ?? k;
