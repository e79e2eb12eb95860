import type { paths } from '../../api-types.js';
import { formatNumber } from '../../format.js';

export type LedgerStatus =
  paths['/api/ledger']['get']['responses'][200]['content']['application/json'];
export type Verification =
  paths['/api/ledger/verifications']['post']['responses'][200]['content']['application/json'];
export type RecordEntry =
  paths['/api/ledger/records/{subjectType}/{subjectId}']['get']['responses'][200]['content']['application/json'][number];

/** What happened to a record, as the people who handle it say it (by event kind). */
const EVENT_WORDS: Readonly<Record<string, string>> = {
  'declaration.submitted': 'Lodged',
  'declaration.amended': 'Amended',
  'declaration.cancelled': 'Cancelled',
  'declaration.assigned': 'Assigned to an officer',
  'declaration.inspected': 'Inspection recorded',
  'declaration.seized': 'Seizure recorded',
  'declaration.referred': 'Referred to another agency',
  'declaration.held': 'Held',
  'declaration.released': 'Released',
  'cargo-report.lodged': 'Cargo report lodged',
  'cargo-report.amended': 'Cargo report amended',
  'cargo-referral.replied': 'Referral answered',
  'cargo-referral.closed': 'Referral closed',
  'permit.applied': 'Applied for',
  'permit.under-review': 'Review started',
  'permit.information-requested': 'Information requested',
  'permit.information-provided': 'Information provided',
  'permit.issued': 'Issued',
  'permit.refused': 'Refused',
  'permit.suspended': 'Suspended',
  'permit.reinstated': 'Reinstated',
  'permit.revoked': 'Revoked',
  'permit.drawn': 'Drawn down',
  'indicator.created': 'Created',
  'indicator.revised': 'New version saved',
  'indicator.submitted': 'Submitted for approval',
  'indicator.approved': 'Approved',
  'indicator.activated': 'Activated',
  'indicator.rejected': 'Sent back to draft',
  'indicator.retirement-requested': 'Retirement requested',
  'indicator.retirement-agreed': 'Retirement agreed',
  'indicator.retired': 'Retired',
};

/**
 * An event kind in words: the console's own, else what follows the record type, spelled out
 * (`permit.some-new-step` → `Some new step`).
 */
export function eventWords(kind: string): string {
  const known = EVENT_WORDS[kind];
  if (known) return known;
  const step = kind.includes('.') ? kind.slice(kind.indexOf('.') + 1) : kind;
  const words = step.replace(/[._-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : kind;
}

/** How many, with the noun in the singular or the plural. */
export const count = (n: number, one: string, many = `${one}s`): string =>
  `${formatNumber(n)} ${n === 1 ? one : many}`;

/** A time the API states in POSIX seconds, as an ISO string for formatDateTime. */
export const fromSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();
