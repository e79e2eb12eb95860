import type { Channel } from '../declaration/declaration.js';

/** The priority areas of environmental customs enforcement (plus general smuggling). */
export const PRIORITY_AREAS = [
  'plastic-waste',
  'e-waste',
  'waste-and-scrap-metal',
  'green-technology',
  'agricultural-chemicals',
  'endangered-species',
  'intellectual-property',
  'energy',
  'general-smuggling',
] as const;
export type PriorityArea = (typeof PRIORITY_AREAS)[number];

/** Forms of customs control, least to most intrusive. */
export const CONTROL_FORMS = [
  'documentary-check',
  'scanning',
  'physical-inspection',
  'sampling-laboratory',
] as const;
export type ControlForm = (typeof CONTROL_FORMS)[number];

/**
 * Where a version stands in the joint authoring workflow: a draft is submitted for approval and
 * becomes active once every named agency has approved it; a newer active version supersedes it;
 * a retired one is out of use. At most one version of an indicator (or list) is active.
 */
export const INDICATOR_STATUSES = [
  'draft',
  'awaiting-approval',
  'active',
  'superseded',
  'retired',
] as const;
export type IndicatorStatus = (typeof INDICATOR_STATUSES)[number];

/**
 * National (confidential) method information never leaves the node; shareable information may be
 * sent to partner administrations.
 */
export const SHARING_LEVELS = ['national', 'shareable'] as const;
export type SharingLevel = (typeof SHARING_LEVELS)[number];

/** Who authors and approves a versioned piece of method information, and where it stands. */
export interface Authored {
  status: IndicatorStatus;
  ownerAgencyId: string;
  /** Agencies that author it with the owner; each must approve a version before it is active. */
  coAuthorAgencyIds: string[];
  sharing: SharingLevel;
}

/** One version of a risk indicator: a CEL condition on the screening context and what a hit means. */
export interface Indicator {
  id: string;
  version: number;
  title: string;
  priorityArea: PriorityArea;
  /** CEL over `declaration`, `item` and `trader` (see screening-context.ts). */
  condition: string;
  /** Score added when the indicator hits; ignored when `directChannel` is set. */
  weight: number;
  /** Routes straight to this channel when it hits, whatever the score. */
  directChannel: Exclude<Channel, 'green'> | null;
  controlForm: ControlForm;
  rationale: string;
  validFrom: string | null;
  validTo: string | null;
  status: IndicatorStatus;
  ownerAgencyId: string;
}

/** Method information kept with an indicator beside what screening needs. */
export interface IndicatorMethod {
  /** Documents the indicator expects a compliant declaration to carry (type code + what it is). */
  expectedDocuments: Array<{ type: string; title: string }>;
  /** Where the method comes from: conventions, regulations, guidance. */
  sources: string[];
}

/** A reference list used by `hsIn` / `inList`: HS prefixes, countries, party ids… Lists are data, versioned. */
export interface ReferenceList {
  name: string;
  version: number;
  kind: 'hs-prefixes' | 'countries' | 'parties' | 'values';
  title: string;
  entries: string[];
}

/** True when the indicator applies on the given date (ISO 8601). */
export function isInForce(i: Pick<Indicator, 'validFrom' | 'validTo'>, at: string): boolean {
  return (i.validFrom === null || i.validFrom <= at) && (i.validTo === null || at < i.validTo);
}

/** Two letters per priority area, as the reference library's codes use them (GL-EW-01). */
export const PRIORITY_AREA_CODES = {
  'plastic-waste': 'PW',
  'e-waste': 'EW',
  'waste-and-scrap-metal': 'WS',
  'green-technology': 'GT',
  'agricultural-chemicals': 'AC',
  'endangered-species': 'ES',
  'intellectual-property': 'IP',
  energy: 'EN',
  'general-smuggling': 'SM',
} as const satisfies Record<PriorityArea, string>;

/**
 * The readable code of a new indicator: the owner agency's code, the area's two letters and the
 * next free number in that series (`BY-CUSTOMS-EW-03`), so that people can say and search it;
 * the agency prefix keeps it apart from the reference library's `GL-…` codes.
 */
export function nextIndicatorCode(
  agencyCode: string,
  area: PriorityArea,
  taken: Iterable<string>,
): string {
  const prefix = `${
    agencyCode
      .toUpperCase()
      .replace(/[^A-Z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 35) || 'IND'
  }-${PRIORITY_AREA_CODES[area]}-`;
  let highest = 0;
  for (const id of taken) {
    if (!id.startsWith(prefix)) continue;
    const n = /^\d{1,6}$/.test(id.slice(prefix.length)) ? Number(id.slice(prefix.length)) : 0;
    highest = Math.max(highest, n);
  }
  return `${prefix}${String(highest + 1).padStart(2, '0')}`;
}
