/**
 * What the hostile bench sends: the hostile bodies (built once, before the clock starts) and the
 * latency figures of the ordinary requests. Pure: no I/O.
 */
import { compileCondition } from '../../src/core/risk/compile-condition.js';
import { costRefusal } from '../../src/core/risk/condition-cost.js';

/** yyyyMMddHHmm (UTC) of now + `hours` (the ENS date-time format). */
function ensTime(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

/** The hostile sender of rule p2_p71: two letters and 40 spaces (a backtracking regex explodes). */
export const HOSTILE_SENDER = `AB${' '.repeat(40)}`;

/**
 * An air cargo IE315 shaped as src/test-support/ens-messages.ts builds a valid one, with the
 * message sender (MesSenMES3) replaced by HOSTILE_SENDER.
 */
export function hostileEntrySummary(lrn: string): string {
  return `<ie:CC315A xmlns:ie="http://ics.dgtaxud.ec/CC315A">
  <MesSenMES3>${HOSTILE_SENDER}</MesSenMES3>
  <DatOfPreMES9>261129</DatOfPreMES9>
  <TimOfPreMES10>1200</TimOfPreMES10>
  <MesIdeMES19>${lrn}</MesIdeMES19>
  <MesTypMES20>CC315A</MesTypMES20>
  <HEAHEA>
    <RefNumHEA4>${lrn}</RefNumHEA4>
    <TraModAtBorHEA76>4</TraModAtBorHEA76>
    <TotNumOfIteHEA305>1</TotNumOfIteHEA305>
    <TotNumOfPacHEA306>1</TotNumOfPacHEA306>
    <TotGroMasHEA307>120.000</TotGroMasHEA307>
    <DecPlaHEA394>LONDON</DecPlaHEA394>
    <ComRefNumHEA>AWB1234567</ComRefNumHEA>
    <ConRefNumHEA>BA0123</ConRefNumHEA>
    <PlaLoaGOOITE334>NAIROBI</PlaLoaGOOITE334>
    <PlaUnlGOOITE334>HEATHROW</PlaUnlGOOITE334>
    <DecDatTimHEA114>${ensTime(0)}</DecDatTimHEA114>
  </HEAHEA>
  <TRACONCE1><TINCE159>GB123456789000</TINCE159></TRACONCE1>
  <GOOITEGDS>
    <IteNumGDS7>1</IteNumGDS7>
    <GooDesGDS23>Live reptiles</GooDesGDS23>
    <PRODOCDC2><DocTypDC21>N380</DocTypDC21><DocRefDC23>INV-1</DocRefDC23></PRODOCDC2>
    <COMCODGODITM><ComNomCMD1>010620</ComNomCMD1></COMCODGODITM>
    <PACGS2><KinOfPacGS23>VR</KinOfPacGS23></PACGS2>
  </GOOITEGDS>
  <ITI><CouOfRouCodITI1>KE</CouOfRouCodITI1></ITI>
  <ITI><CouOfRouCodITI1>GB</CouOfRouCodITI1></ITI>
  <PERLODSUMDEC><TINPLD1>GB987654321000</TINPLD1></PERLODSUMDEC>
  <CUSOFFFENT730>
    <RefNumCUSOFFFENT731>GB000060</RefNumCUSOFFFENT731>
    <ExpDatOfArrFIRENT733>${ensTime(24)}</ExpDatOfArrFIRENT733>
  </CUSOFFFENT730>
</ie:CC315A>`;
}

/** An indicator input around `condition` (the fields POST /api/indicators asks for). */
export function indicatorDraft(title: string, condition: string): Record<string, unknown> {
  return {
    title,
    priorityArea: 'e-waste',
    condition,
    weight: 10,
    controlForm: 'documentary-check',
    rationale: 'hostile bench',
  };
}

/** Three nested macros over item.documents: about 198³ steps per goods item (refused on save). */
export const ENORMOUS_CONDITION =
  'item.documents.all(a, item.documents.all(b, item.documents.exists(c, c == a && c == b)))';

/** `item.documents.exists(d, d == "NONE0" || … )` with `terms` comparisons, none ever true. */
export function documentsWalk(terms: number): string {
  const ors = Array.from({ length: terms }, (_, k) => `d == "NONE${k}"`).join(' || ');
  return `item.documents.exists(d, ${ors})`;
}

/**
 * The costliest condition the cost bound still accepts, of the documentsWalk shape: the most
 * comparisons per document for which src/core/risk/condition-cost.ts does not refuse it.
 */
export function costliestAcceptedCondition(): { condition: string; steps: number } {
  let best: { condition: string; steps: number } | undefined;
  for (let terms = 1; terms < 200; terms++) {
    const condition = documentsWalk(terms);
    const cost = compileCondition(condition, new Map()).cost;
    if (costRefusal(cost) !== undefined) break;
    best = { condition, steps: cost.perDeclaration };
  }
  if (!best) throw new Error('no documentsWalk condition is within the cost bound');
  return best;
}

/** An XML body of `<Declaration>` holding as many `<a/>` as fit in `limitBytes`. */
export function manyElementsXml(limitBytes: number): { body: string; elements: number } {
  const head = '<?xml version="1.0"?><Declaration>';
  const tail = '</Declaration>';
  const elements = Math.floor((limitBytes - head.length - tail.length) / 4);
  return { body: head + '<a/>'.repeat(elements) + tail, elements };
}

/** JSON arrays nested `levels` deep: `[[[…]]]`. */
export function deepJson(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** A declaration whose goodsItems is an array of zeros filling `limitBytes`. */
export function wideJson(limitBytes: number): { body: string; elements: number } {
  const head = '{"kind":"import","reference":"WIDE","goodsItems":[0';
  const tail = ']}';
  const elements = 1 + Math.floor((limitBytes - head.length - tail.length) / 2);
  return { body: head + ',0'.repeat(elements - 1) + tail, elements };
}

export interface Latencies {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles (the smallest latency at least p of the requests did not exceed). */
export function percentiles(values: readonly number[]): Latencies {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return percentiles(values).p50;
}

/** `{201: 3, 400: 2}` → "201×3 400×2". */
export function statusSummary(statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s === 0 ? 'net' : s}×${n}`)
    .join(' ');
}
