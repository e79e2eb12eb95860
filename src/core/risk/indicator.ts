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

export const INDICATOR_STATUSES = ['draft', 'awaiting-approval', 'active', 'retired'] as const;
export type IndicatorStatus = (typeof INDICATOR_STATUSES)[number];

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
