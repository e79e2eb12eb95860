import { DECLARATION_FEATURES } from '../../core/model/declaration-features.js';
import type { PermitCheck } from '../../core/permits/check.js';
import type { Assessment } from '../../core/risk/assess.js';
import type { PriorityArea } from '../../core/risk/indicator.js';
import { aName } from '../../core/permits/permit-types.js';
import { CONTROL_WORDS, PERMIT_TITLES, permitProblem } from './declaration-view.js';

/**
 * The risk engine's explanation as an officer reads it: which risks, why, and what to check, in
 * words. No score, weight, condition or code: those stay in the assessment, for those who author
 * indicators.
 */
export interface OfficerExplanation {
  /** One sentence: the channel and the control it calls for. */
  summary: string;
  risks: Array<{
    title: string;
    /** The priority area in words. */
    area: string;
    /** Goods items concerned. */
    items: number[];
    /** The indicator's rationale: why this is a risk. */
    why: string;
    /** What to check, in words. */
    check: string;
    /** Documents to ask for or look at. */
    documents: string[];
  }>;
  /** Permits that did not cover the goods, in words. */
  permits: string[];
  /** What else moved the decision (certificates, the trader's record), in words. */
  adjustments: string[];
  /** Picked by the random selection as well (or only). */
  randomlySelected: boolean;
}

/** What an indicator version says of itself: rationale and expected documents. */
export interface IndicatorWords {
  rationale: string;
  expectedDocuments: ReadonlyArray<{ type: string; title: string }>;
}

export const PRIORITY_AREA_WORDS: Readonly<Record<PriorityArea, string>> = {
  'plastic-waste': 'plastic waste',
  'e-waste': 'electronic waste',
  'waste-and-scrap-metal': 'waste and scrap metal',
  'green-technology': 'ozone-depleting substances and green technology',
  'agricultural-chemicals': 'agricultural chemicals',
  'endangered-species': 'endangered species (CITES)',
  'intellectual-property': 'counterfeit goods (intellectual property)',
  energy: 'energy goods',
  'general-smuggling': 'smuggling',
};

const FEATURE_WORDS = new Map(DECLARATION_FEATURES.map((f) => [f.name, f.description]));

const CHANNEL_WORDS = { green: 'Green', yellow: 'Yellow', red: 'Red' } as const;

/** The explanation of an assessment; `indicators` by `id@version` (missing ones say less). */
export function explainAssessment(
  a: Assessment,
  indicators: ReadonlyMap<string, IndicatorWords>,
): OfficerExplanation {
  const risks = new Map<string, OfficerExplanation['risks'][number]>();
  for (const h of a.hits) {
    const key = `${h.indicatorId}@${h.indicatorVersion}`;
    const r = risks.get(key);
    if (r) {
      if (!r.items.includes(h.itemSequence)) r.items.push(h.itemSequence);
      continue;
    }
    const words = indicators.get(key);
    risks.set(key, {
      title: h.title,
      area: PRIORITY_AREA_WORDS[h.priorityArea] ?? 'other risks',
      items: [h.itemSequence],
      why: words?.rationale ?? rationaleOf(h.reason),
      check: capitalise(CONTROL_WORDS[h.controlForm] ?? 'a check'),
      documents: (words?.expectedDocuments ?? []).map((d) => d.title),
    });
  }
  const permits = a.permits.flatMap((p) => {
    const problem = officerPermitProblem(p);
    if (problem === null) return [];
    return [
      `Item ${p.itemSequence} needs ${aName(PERMIT_TITLES[p.required] ?? 'permit')}: ${problem}.`,
    ];
  });
  const adjustments = a.effects.flatMap((e) => {
    if (e.kind === 'certificate')
      return [
        e.points < 0
          ? `The trader holds a valid certificate (${e.reference ?? 'on file'}) that covers these goods, which lowers the risk.`
          : `The trader's certificate (${e.reference ?? 'on file'}) does not cover all these goods, so it does not lower the risk.`,
      ];
    if (e.kind === 'compliance-record')
      return [`The trader's record raises the risk: ${e.reason}.`];
    if (e.kind === 'model' && a.model) {
      const reasons = a.model.topFeatures
        .filter((f) => f.contribution > 0)
        .slice(0, 3)
        .map((f) => `${FEATURE_WORDS.get(f.feature) ?? f.feature}: ${String(f.value ?? 'none')}`);
      return [
        `The learned risk model (version ${a.model.version}) puts the chance of a finding at ` +
          `${(a.model.probability * 100).toFixed(0)} %` +
          (reasons.length > 0 ? `, mostly for ${reasons.join('; ')}` : '') +
          (e.minimumChannel ? `, which calls for at least the ${e.minimumChannel} channel.` : '.'),
      ];
    }
    return []; // permit effects are told under permits
  });
  const form = a.controlForm;
  const control = form ? CONTROL_WORDS[form] : a.channel === 'green' ? null : 'a check';
  const why =
    risks.size === 0 && permits.length === 0
      ? a.random.selected
        ? ' It was picked by the random selection.'
        : ''
      : ` ${plural(risks.size + permits.length, 'reason')} below.`;
  return {
    summary:
      a.channel === 'green'
        ? `Green channel: no control is called for.${why}`
        : `${CHANNEL_WORDS[a.channel]} channel: ${control} is called for.${why}`,
    risks: [...risks.values()].map((r) => ({ ...r, items: r.items.sort((x, y) => x - y) })),
    permits,
    adjustments,
    randomlySelected: a.random.selected,
  };
}

/** The rationale part of a hit's reason (`<rationale> (condition: …)`), for records without it. */
function rationaleOf(reason: string): string {
  const at = reason.lastIndexOf(' (condition: ');
  return at >= 0 ? reason.slice(0, at) : reason;
}

function plural(n: number, word: string): string {
  return n === 1 ? `One ${word}` : `${n} ${word}s`;
}

/** What is wrong with a permit check, said to the officer (the trader's words say "you"). */
export function officerPermitProblem(p: PermitCheck): string | null {
  const words = permitProblem(p);
  return words && words.replace(/\b(to|for) you\b/g, '$1 the trader');
}

const capitalise = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
