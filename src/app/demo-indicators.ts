import type { Principal } from '../core/auth/identity.js';
import type { ReferenceList } from '../core/risk/indicator.js';
import type { IndicatorInput } from '../core/risk/validate-indicator.js';
import type { AppContext } from './context.js';
import { saveIndicator, saveReferenceList } from './manage-indicators.js';

/**
 * A few starter lists and indicators so that a demo screens something. HS headings from HS 2022
 * (8549 e-waste, 3915 plastic waste, 7204/7404/7602 scrap); the full reference library with
 * sources comes with the shared-indicator workflow.
 */
const DEMO_LISTS: Array<{
  name: string;
  kind: ReferenceList['kind'];
  title: string;
  entries: string[];
}> = [
  {
    name: 'e-waste',
    kind: 'hs-prefixes',
    title: 'E-waste (HS 2022 heading 8549)',
    entries: ['8549'],
  },
  {
    name: 'plastic-waste',
    kind: 'hs-prefixes',
    title: 'Plastic waste (HS 3915)',
    entries: ['3915'],
  },
  {
    name: 'metal-scrap',
    kind: 'hs-prefixes',
    title: 'Metal waste and scrap',
    entries: ['7204', '7404', '7503', '7602', '7802', '7902', '8002'],
  },
  {
    name: 'cites-chapters',
    kind: 'hs-prefixes',
    title: 'Chapters where CITES specimens are declared',
    entries: ['01', '03', '05', '06', '41', '42', '43', '44', '97'],
  },
];

const DEMO_INDICATORS: IndicatorInput[] = [
  {
    title: 'E-waste without a waste-shipment consent',
    priorityArea: 'e-waste',
    condition: 'hsIn(item.hs, "e-waste") && !hasValidPermit("waste-consent")',
    weight: 60,
    controlForm: 'physical-inspection',
    rationale: 'Transboundary movements of e-waste need prior informed consent (Basel Convention).',
    status: 'active',
  },
  {
    title: 'Plastic waste declared at a low unit value',
    priorityArea: 'plastic-waste',
    condition: 'hsIn(item.hs, "plastic-waste") && item.valuePerKg < 0.05',
    weight: 45,
    controlForm: 'sampling-laboratory',
    rationale:
      'Mixed or contaminated plastic waste is often declared as clean scrap at a token price.',
    status: 'active',
  },
  {
    title: 'Metal scrap by road from outside the customs union',
    priorityArea: 'waste-and-scrap-metal',
    condition:
      'hsIn(item.hs, "metal-scrap") && declaration.transportMode == "road" && !(item.origin in ["BY", "RU", "KZ", "AM", "KG"])',
    weight: 30,
    controlForm: 'scanning',
    rationale: 'Radioactively contaminated or mis-declared scrap crosses land borders by truck.',
    status: 'active',
  },
  {
    title: 'CITES specimen without a CITES permit',
    priorityArea: 'endangered-species',
    condition: 'item.species != "" && !hasDocument("C400") && !hasDocument("C635")',
    weight: 0,
    directChannel: 'red',
    controlForm: 'physical-inspection',
    rationale: 'Specimens of listed species need a CITES permit (document codes C400/C635).',
    status: 'active',
  },
  {
    title: 'Live animals or wildlife products with a species name declared',
    priorityArea: 'endangered-species',
    condition: 'hsIn(item.hs, "cites-chapters") && has(item.species)',
    weight: 25,
    controlForm: 'documentary-check',
    rationale: 'Check the species against the CITES appendices and the permit on file.',
    status: 'active',
  },
];

/** Saves the demo lists and indicators as the given analyst. */
export async function seedDemoIndicators(ctx: AppContext, analyst: Principal): Promise<number> {
  for (const list of DEMO_LISTS) await saveReferenceList(ctx, analyst, list);
  for (const indicator of DEMO_INDICATORS) await saveIndicator(ctx, analyst, undefined, indicator);
  return DEMO_INDICATORS.length;
}
