import type { ControlForm } from '../../domain.js';
import { formatNumber } from '../../format.js';
import type { Indicator } from './types.js';

/** Where a version stands, as people say it. */
export const STATUS_WORDS: Readonly<Record<Indicator['status'], string>> = {
  draft: 'draft',
  'awaiting-approval': 'awaiting approval',
  active: 'active',
  superseded: 'superseded',
  retired: 'retired',
};

export const CONTROL_FORM_WORDS: Readonly<Record<ControlForm, string>> = {
  'documentary-check': 'Documentary check',
  scanning: 'Scanning (X-ray)',
  'physical-inspection': 'Physical inspection',
  'sampling-laboratory': 'Sampling and laboratory analysis',
};

export const controlFormWords = (f: string): string => CONTROL_FORM_WORDS[f as ControlForm] ?? f;

/** The fields of a version, as a diff names them. */
const FIELD_WORDS: Readonly<Record<string, string>> = {
  title: 'Title',
  priorityArea: 'Priority area',
  condition: 'Condition',
  weight: 'Weight',
  directChannel: 'Direct channel',
  controlForm: 'Control form',
  rationale: 'Rationale',
  validFrom: 'Valid from',
  validTo: 'Valid to',
  sharing: 'Sharing',
  coAuthorAgencyIds: 'Co-author agencies',
  expectedDocuments: 'Expected documents',
  sources: 'Sources',
};
export const fieldWords = (f: string): string => FIELD_WORDS[f] ?? f;

/** What a hit does: points, or a channel straight away. */
export const effectWords = (i: Pick<Indicator, 'directChannel' | 'weight'>): string =>
  i.directChannel ? `straight to ${i.directChannel}` : `${formatNumber(i.weight)} points`;

/** "3 of 8 (37.5 %)": a rate with the counts behind it; "—" without a denominator. */
export function rateWords(part: number, whole: number, of: string): string {
  if (whole === 0) return `none of 0 ${of}`;
  return `${formatNumber(part)} of ${formatNumber(whole)} ${of} (${formatNumber((part / whole) * 100, 1)} %)`;
}
