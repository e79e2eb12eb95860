import type { Authored, Indicator, IndicatorMethod, ReferenceList } from './indicator.js';

/** An indicator as partner administrations receive it: the method, without who wrote it. */
export interface SharedIndicator extends IndicatorMethod {
  id: string;
  version: number;
  title: string;
  priorityArea: Indicator['priorityArea'];
  condition: string;
  weight: number;
  directChannel: Indicator['directChannel'];
  controlForm: Indicator['controlForm'];
  rationale: string;
  validFrom: string | null;
  validTo: string | null;
}

export interface SharedList {
  name: string;
  version: number;
  kind: ReferenceList['kind'];
  title: string;
  entries: string[];
}

export interface ShareableExport {
  indicators: SharedIndicator[];
  lists: SharedList[];
}

/**
 * The only way method information leaves the node: keeps shareable records, drops national
 * (confidential) ones, and copies field by field so nothing else (owner, authors, approvals,
 * created by) can slip through.
 */
export function exportShareable(
  indicators: ReadonlyArray<Indicator & IndicatorMethod & Authored>,
  lists: ReadonlyArray<ReferenceList & Authored>,
): ShareableExport {
  return {
    indicators: indicators
      .filter((i) => i.sharing === 'shareable')
      .map((i) => ({
        id: i.id,
        version: i.version,
        title: i.title,
        priorityArea: i.priorityArea,
        condition: i.condition,
        weight: i.weight,
        directChannel: i.directChannel,
        controlForm: i.controlForm,
        rationale: i.rationale,
        validFrom: i.validFrom,
        validTo: i.validTo,
        expectedDocuments: i.expectedDocuments,
        sources: i.sources,
      })),
    lists: lists
      .filter((l) => l.sharing === 'shareable')
      .map((l) => ({
        name: l.name,
        version: l.version,
        kind: l.kind,
        title: l.title,
        entries: l.entries,
      })),
  };
}
