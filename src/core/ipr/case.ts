import type { RightType } from './application.js';
import type { IprEvent, IprProcedure } from './procedure.js';

/** A goods item whose release is suspended, as it was declared. */
export interface DetainedItem {
  sequence: number;
  hs: string;
  description: string;
  brand: string;
  quantity: number | null;
  unit: string | null;
  grossMassKg: number | null;
}

/** A right the detained goods are suspected of infringing, and how the mark was found. */
export interface SuspectedRight {
  rightId: string;
  type: RightType;
  mark: string;
  registrationNumber: string;
  /** How the declared brand matched: exact, normalised, confusable or near; manual when an officer named it. */
  match: string;
  matchedText: string;
}

/** An event of a case as stored: its position, who recorded it, and the event itself. */
export interface StoredIprEvent {
  seq: number;
  by: string;
  event: IprEvent;
}

/**
 * A detention case: the suspension of release of a declaration's goods suspected of infringing
 * intellectual-property rights, and everything that followed, as append-only events. Its state
 * (deadlines, outcome) is computed from the events with the administration's calendar.
 */
export interface IprCase {
  id: string;
  administrationId: string;
  declarationId: string;
  declarationReference: string;
  /** Null for an ex-officio case until an application is accepted for it. */
  applicationId: string | null;
  holderAgencyId: string | null;
  holderName: string | null;
  /** The organisation that lodged the declaration: it answers as declarant. */
  declarantAgencyId: string;
  declarantName: string;
  procedure: IprProcedure;
  perishable: boolean;
  suspendedAt: string;
  suspendedBy: string;
  /** Why the officer suspended release, in words the declarant reads. */
  grounds: string;
  rights: SuspectedRight[];
  items: DetainedItem[];
  /** Where the goods came from and how: for the metrics by route and for partners' reports. */
  route: { dispatchCountry: string; originCountries: string[]; transportMode: string };
  events: StoredIprEvent[];
  closed: boolean;
}
