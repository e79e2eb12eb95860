import type { BodyOf } from '../exchange/messages.js';
import type { IprCase } from './case.js';
import type { IprCaseState } from './procedure.js';

type IprReport = BodyOf['ipr.report'];
type Stage = IprReport['stage'];

/** How far a case has come, as a report to partners says it. */
export function reportStage(c: IprCase, state: IprCaseState): Stage {
  if (state.stage === 'destroyed') return 'destroyed';
  if (state.stage === 'released') return 'released';
  if (state.outcome === 'proceedings') return 'proceedings';
  if (c.events.some((e) => e.event.type === 'holder-confirmed')) return 'infringement-confirmed';
  return 'detained';
}

export interface ReportOptions {
  /** Where the goods were detained: the administration's country, and the office's UN/LOCODE if known. */
  place: { country: string; locode?: string };
  /** Name the right holder and the declarant (nominal data: only where an agreement allows). */
  includeParties: boolean;
  note?: string;
}

/**
 * The detention report of a case for partner administrations: marks, goods, route and stage.
 * Nothing names a person or a company unless `includeParties` is set; the sender's boundary then
 * decides per partner whether the agreement lets the parties through.
 */
export function iprReportOf(c: IprCase, state: IprCaseState, o: ReportOptions): IprReport {
  const goods = c.items
    .filter((g) => /^[0-9]{4,10}$/.test(g.hs))
    .map((g) => ({
      hsCode: g.hs,
      description: (g.description || 'goods').slice(0, 500),
      ...(g.brand ? { brand: g.brand.slice(0, 200) } : {}),
      ...(g.quantity !== null && g.unit
        ? { quantity: { value: g.quantity, unit: g.unit.slice(0, 10) } }
        : {}),
    }));
  const body: IprReport = {
    detainedOn: c.suspendedAt.slice(0, 10),
    stage: reportStage(c, state),
    procedure: c.procedure,
    place: { country: o.place.country, ...(o.place.locode ? { locode: o.place.locode } : {}) },
    rights: c.rights.map((r) => ({
      type: r.type,
      mark: r.mark,
      ...(r.registrationNumber ? { registrationNumber: r.registrationNumber } : {}),
    })),
    goods,
    route: {
      ...(/^[A-Z]{2}$/.test(c.route.dispatchCountry)
        ? { dispatchCountry: c.route.dispatchCountry }
        : {}),
      originCountries: c.route.originCountries.filter((x) => /^[A-Z]{2}$/.test(x)),
      ...(c.route.transportMode ? { transportMode: c.route.transportMode.slice(0, 20) } : {}),
    },
    ...(o.note ? { note: o.note } : {}),
  };
  if (o.includeParties) {
    const parties: NonNullable<IprReport['parties']> = [
      { role: 'declarant', name: c.declarantName.slice(0, 200) },
    ];
    if (c.holderName) parties.push({ role: 'owner', name: c.holderName.slice(0, 200) });
    body.parties = parties;
  }
  return body;
}

/** A CEL string literal. */
const lit = (s: string): string => JSON.stringify(s);

/**
 * A draft indicator from a partner's IPR report: goods whose brand looks like one of the reported
 * marks (after case, accents, spacing and look-alike characters), under the reported HS headings,
 * unless a party is authorised for a right registered here. The route goes into the rationale:
 * counterfeiters change routes faster than marks, and the analyst narrows the draft if wanted.
 */
export function indicatorFromIprReport(from: string, messageId: string, r: IprReport) {
  const marks = [...new Set(r.rights.map((x) => x.mark))];
  const headings = [...new Set(r.goods.map((g) => g.hsCode.slice(0, 4)))].sort();
  const brand = marks.map((m) => `brandLike(${lit(m)})`).join(' || ');
  const hs = headings.map((h) => `item.hs.startsWith(${lit(h)})`).join(' || ');
  const condition = `(${brand}) && (${hs}) && !authorisedForRight()`;
  const route = [
    r.route.originCountries.length > 0 ? `origin ${r.route.originCountries.join(', ')}` : '',
    r.route.dispatchCountry ? `dispatched from ${r.route.dispatchCountry}` : '',
    r.route.transportMode ? `by ${r.route.transportMode}` : '',
  ]
    .filter((x) => x !== '')
    .join(', ');
  return {
    title: `Goods bearing ${marks.join(', ')} reported by ${from}`.slice(0, 200),
    priorityArea: 'intellectual-property' as const,
    condition,
    weight: 40,
    directChannel: null,
    controlForm: 'physical-inspection',
    rationale: [
      `${from} reported goods bearing ${marks.join(', ')} (${r.stage}, ${r.procedure} procedure) detained on ${r.detainedOn} in ${r.place.country}.`,
      route ? `Route: ${route}.` : '',
      r.note ? `Note: ${r.note}` : '',
    ]
      .filter((x) => x !== '')
      .join(' ')
      .slice(0, 2000),
    validFrom: null,
    validTo: null,
    sharing: 'national' as const,
    expectedDocuments: [],
    sources: [`ipr.report from ${from} (message ${messageId})`],
  };
}
