import type { Channel, DeclarationContent } from '../declaration/declaration.js';
import {
  checkPermits,
  DEFAULT_PERMIT_REQUIREMENTS,
  type PermitCheck,
  type PermitOutcome,
  type PermitRequirement,
} from '../permits/check.js';
import { SeededRandom } from '../random.js';
import { scoreDeclaration, type ModelInUse, type ModelScore } from '../model/risk-model.js';
import type { RulesFacts } from '../model/declaration-features.js';
import type { RiskEngine } from './engine.js';
import { CONTROL_FORMS, type ControlForm, type PriorityArea } from './indicator.js';
import {
  isValidOn,
  screeningContexts,
  type HeldDocument,
  type ScreeningTrader,
} from './screening-context.js';

/** Bumped whenever the way an Assessment is computed changes. */
export const ENGINE_VERSION = 'greenlane-risk/4';

/** How scores become channels, and what lowers or raises them. */
export interface RiskSettings {
  thresholds: { yellow: number; red: number };
  /** Score removed per valid certificate type held by the trader (e.g. trusted-trader: 30). */
  certificateReductions: Record<string, number>;
  /** Added when the trader's record shows at least `minControls` controls with this finding rate. */
  compliancePenalty: { minControls: number; findingRate: number; points: number };
  /** Share of otherwise-green declarations sent to control at random (0–1). */
  randomShare: number;
  /** Which goods need which permits (compiled with the reference lists into the engine). */
  permitRequirements: PermitRequirement[];
  /**
   * What a goods item whose required permit does not match does, by reason: points added to the
   * score and the channel the declaration gets at least. Indicators that ask `hasValidPermit`
   * score the same fact, so by default a mismatch sets a floor rather than adding points twice.
   */
  permitMismatch: Record<
    Exclude<PermitOutcome, 'matched' | 'document-declared'>,
    { points: number; channel: Exclude<Channel, 'green'> | null }
  >;
  /**
   * How the learned model's probability of a finding joins the rules' score, when a model is
   * active: `weight × probability` points (rounded), and at least `channel` from `threshold` on.
   */
  model: { weight: number; threshold: number; channel: Exclude<Channel, 'green'> };
}

export const DEFAULT_RISK_SETTINGS: RiskSettings = {
  thresholds: { yellow: 40, red: 80 },
  certificateReductions: {
    'trusted-trader': 30,
    'environmental-compliance': 20,
    'recycler-compliance-programme': 15,
  },
  compliancePenalty: { minControls: 3, findingRate: 0.2, points: 25 },
  randomShare: 0.02,
  permitRequirements: DEFAULT_PERMIT_REQUIREMENTS,
  permitMismatch: {
    // Ask for the permit: a documentary check.
    missing: { points: 0, channel: 'yellow' },
    'not-issued': { points: 0, channel: 'yellow' },
    'not-yet-valid': { points: 0, channel: 'yellow' },
    expired: { points: 0, channel: 'yellow' },
    'quantity-not-declared': { points: 0, channel: 'yellow' },
    'out-of-scope': { points: 0, channel: 'yellow' },
    'route-mismatch': { points: 0, channel: 'yellow' },
    'insufficient-balance': { points: 0, channel: 'yellow' },
    suspended: { points: 0, channel: 'yellow' },
    exhausted: { points: 0, channel: 'yellow' },
    // Someone else's or a revoked permit quoted on a declaration: a physical control.
    'wrong-holder': { points: 0, channel: 'red' },
    revoked: { points: 0, channel: 'red' },
  },
  model: { weight: 40, threshold: 0.9, channel: 'yellow' },
};

export interface Hit {
  indicatorId: string;
  indicatorVersion: number;
  title: string;
  priorityArea: PriorityArea;
  itemSequence: number;
  hsCode: string;
  weight: number;
  directChannel: Exclude<Channel, 'green'> | null;
  controlForm: ControlForm;
  reason: string;
}

export interface ScoreEffect {
  kind: 'certificate' | 'compliance-record' | 'permit' | 'model';
  /** Certificate type, 'finding-rate', the permit check outcome, or 'probability'. */
  subject: string;
  reference: string | null;
  points: number;
  /** Permit mismatches and a model probability past its threshold: the channel at least. */
  minimumChannel?: Exclude<Channel, 'green'>;
  reason: string;
}

/** The explained, reproducible outcome of screening one declaration. */
export interface Assessment {
  engineVersion: string;
  rulesetId: string;
  /** Sum of the weights of the distinct indicators that hit (each counts once per declaration). */
  hitScore: number;
  score: number;
  channel: Channel;
  controlForm: ControlForm | null;
  hits: Hit[];
  effects: ScoreEffect[];
  /** Every goods item that needs a permit, checked against the permits on file. */
  permits: PermitCheck[];
  /** The indicator whose direct channel decided, if any. */
  override: {
    indicatorId: string;
    indicatorVersion: number;
    channel: Exclude<Channel, 'green'>;
  } | null;
  random: { share: number; seed: number; draw: number; selected: boolean };
  /**
   * The trader's compliance record as screening saw it (what the model's features read).
   * Assessments made before greenlane-risk/4 have neither this nor `model`.
   */
  trader?: { controls: number; findings: number };
  /** The learned model's view, when a model was active: version, probability, reasons. */
  model?: ModelScore | null;
}

/**
 * Screens a declaration: runs the engine per goods item, scores the distinct hits, applies
 * certificate reductions and the compliance-record penalty, lets direct-channel indicators
 * override, and draws the random selection from `seed`. Same inputs, same Assessment.
 * Permits, certificates and lodging limits are judged at `at`: the time GreenLane received the
 * declaration (the declared date only for history screened in bulk). `learned` is the approved
 * model of the declaration's administration, if any: its probability joins the score.
 */
export function assessDeclaration(
  engine: RiskEngine,
  declaration: DeclarationContent,
  trader: ScreeningTrader,
  settings: RiskSettings,
  seed: number,
  at: string = declaration.submittedAt,
  learned: ModelInUse | null = null,
): Assessment {
  const hits: Hit[] = [];
  const weights = new Map<number, number>();
  let override: Assessment['override'] = null;
  const contexts = screeningContexts(declaration, trader, at, engine.rights, engine.mirror);
  for (const context of contexts) {
    for (const i of engine.matches(context)) {
      const { indicator } = engine.indicators[i]!;
      hits.push({
        indicatorId: indicator.id,
        indicatorVersion: indicator.version,
        title: indicator.title,
        priorityArea: indicator.priorityArea,
        itemSequence: context.item.sequence,
        hsCode: context.item.hs,
        weight: indicator.directChannel ? 0 : indicator.weight,
        directChannel: indicator.directChannel,
        controlForm: indicator.controlForm,
        reason: `${indicator.rationale} (condition: ${indicator.condition})`,
      });
      if (indicator.directChannel) {
        if (!override || rank(indicator.directChannel) > rank(override.channel)) {
          override = {
            indicatorId: indicator.id,
            indicatorVersion: indicator.version,
            channel: indicator.directChannel,
          };
        }
      } else {
        weights.set(i, indicator.weight);
      }
    }
  }
  const hitScore = [...weights.values()].reduce((a, b) => a + b, 0);

  const effects: ScoreEffect[] = [];
  // Judged on receipt, not on the date the declarant wrote (see screeningContexts).
  const date = at;
  // A certificate lowers the score only when it covers the goods under suspicion: every item with
  // a weighted hit (every item when nothing hit). One effect per type, the first covering
  // certificate in code-unit order (not the locale's: the Assessment must not depend on the machine).
  const weighed = hits.filter((h) => h.weight > 0);
  const concerned = (weighed.length > 0 ? weighed : itemsOf(declaration)).filter(
    (h, k, all) => all.findIndex((o) => o.itemSequence === h.itemSequence) === k,
  );
  const byType = new Map<string, HeldDocument[]>();
  for (const cert of [...trader.certificates].sort(
    (a, b) => compareText(a.type, b.type) || compareText(a.reference, b.reference),
  )) {
    if (settings.certificateReductions[cert.type] === undefined) continue;
    if (!isValidOn(cert, date)) continue; // expired, revoked or suspended certificates give nothing
    const list = byType.get(cert.type);
    if (list) list.push(cert);
    else byType.set(cert.type, [cert]);
  }
  for (const [type, certs] of byType) {
    const points = settings.certificateReductions[type]!;
    const covering = certs.find((cert) => concerned.every((h) => inScope(cert, h.hsCode)));
    if (covering) {
      const scope = covering.hsScope.length === 0 ? 'all goods' : covering.hsScope.join(', ');
      effects.push({
        kind: 'certificate',
        subject: type,
        reference: covering.reference,
        points: -points,
        reason: `valid ${type} certificate ${covering.reference} (scope: ${scope})`,
      });
    } else {
      const cert = certs[0]!;
      const outside = concerned.filter((h) => !inScope(cert, h.hsCode));
      effects.push({
        kind: 'certificate',
        subject: type,
        reference: cert.reference,
        points: 0,
        reason:
          `valid ${type} certificate ${cert.reference} does not cover ` +
          outside
            .map((h) => `item ${h.itemSequence} (HS ${h.hsCode || 'not declared'})`)
            .join(', ') +
          ': no reduction',
      });
    }
  }
  const permits =
    engine.permitRules === null || contexts.length === 0
      ? []
      : checkPermits(
          contexts[0]!.declaration,
          contexts.map((c) => c.item),
          trader.id,
          trader.permitsOnFile,
          engine.permitRules,
          documentReferences(declaration),
        );
  /** The channel permits (and the model past its threshold) set at least. */
  let permitFloor: Channel = 'green';
  for (const check of permits) {
    if (check.outcome === 'matched' || check.outcome === 'document-declared') continue;
    const rule = settings.permitMismatch[check.outcome];
    effects.push({
      kind: 'permit',
      subject: check.outcome,
      reference: check.permitNumber,
      points: rule.points,
      ...(rule.channel ? { minimumChannel: rule.channel } : {}),
      reason:
        `item ${check.itemSequence} (HS ${check.hsCode || 'not declared'}) needs ${check.required}: ${check.reason}` +
        (rule.channel ? ` (at least ${rule.channel})` : ''),
    });
    if (rule.channel && rank(rule.channel) > rank(permitFloor)) permitFloor = rule.channel;
  }
  const { minControls, findingRate, points } = settings.compliancePenalty;
  if (trader.controls >= minControls && trader.findings / trader.controls >= findingRate) {
    effects.push({
      kind: 'compliance-record',
      subject: 'finding-rate',
      reference: null,
      points,
      reason: `${trader.findings} findings in ${trader.controls} controls`,
    });
  }
  // The model reads what the rules found (before its own effect) and the trader's record.
  const model =
    learned === null
      ? null
      : scoreDeclaration(learned, declaration, {
          hitScore,
          hits,
          effects,
          permits,
          override,
          trader: { controls: trader.controls, findings: trader.findings },
        });
  if (model) {
    const rule = settings.model;
    const reached = model.probability >= rule.threshold;
    effects.push({
      kind: 'model',
      subject: 'probability',
      reference: `model v${model.version}`,
      points: Math.round(rule.weight * model.probability),
      ...(reached ? { minimumChannel: rule.channel } : {}),
      reason:
        `the learned model (version ${model.version}) puts the chance of a finding at ` +
        `${(model.probability * 100).toFixed(1)} %` +
        (model.topFeatures.length > 0
          ? `, mostly for ${model.topFeatures.map((f) => f.feature).join(', ')}`
          : '') +
        (reached ? ` (at least ${rule.channel} from ${(rule.threshold * 100).toFixed(0)} %)` : ''),
    });
    if (reached && rank(rule.channel) > rank(permitFloor)) permitFloor = rule.channel;
  }
  const score = Math.max(0, hitScore + effects.reduce((a, e) => a + e.points, 0));

  let channel: Channel =
    score >= settings.thresholds.red
      ? 'red'
      : score >= settings.thresholds.yellow
        ? 'yellow'
        : 'green';
  if (override && rank(override.channel) > rank(channel)) channel = override.channel;
  if (rank(permitFloor) > rank(channel)) channel = permitFloor;

  const draw = mulberry32(seed);
  const selected = channel === 'green' && draw < settings.randomShare;
  if (selected) channel = 'yellow';

  return {
    engineVersion: ENGINE_VERSION,
    rulesetId: engine.rulesetId,
    hitScore,
    score,
    channel,
    controlForm: controlFormFor(channel, hits),
    hits,
    effects,
    permits,
    override,
    random: { share: settings.randomShare, seed, draw, selected },
    trader: { controls: trader.controls, findings: trader.findings },
    model,
  };
}

const rank = (c: Channel): number => (c === 'red' ? 2 : c === 'yellow' ? 1 : 0);

/** Yellow is a documentary check; red is at least a physical inspection, or what the hits ask for. */
function controlFormFor(channel: Channel, hits: readonly Hit[]): ControlForm | null {
  if (channel === 'green') return null;
  if (channel === 'yellow') return 'documentary-check';
  let form: ControlForm = 'physical-inspection';
  for (const h of hits)
    if (CONTROL_FORMS.indexOf(h.controlForm) > CONTROL_FORMS.indexOf(form)) form = h.controlForm;
  return form;
}

/** One draw in [0, 1) from a 32-bit seed (mulberry32): cheap, and anyone can reproduce it. */
export function mulberry32(seed: number): number {
  return new SeededRandom(seed).next();
}

/** Document references on each goods item and on the declaration: where permit numbers are quoted. */
function documentReferences(d: DeclarationContent): (item: { sequence: number }) => string[] {
  const common = (d.documents ?? []).flatMap((x) => (x.reference ? [x.reference] : []));
  const byItem = new Map(
    d.goodsItems.map((g) => [
      g.sequence,
      [...(g.documents ?? []).flatMap((x) => (x.reference ? [x.reference] : [])), ...common],
    ]),
  );
  return (item) => byItem.get(item.sequence) ?? common;
}

function inScope(cert: HeldDocument, hs: string): boolean {
  return cert.hsScope.length === 0 || (hs !== '' && cert.hsScope.some((p) => hs.startsWith(p)));
}

function itemsOf(d: DeclarationContent): Array<{ itemSequence: number; hsCode: string }> {
  return d.goodsItems.map((g) => ({ itemSequence: g.sequence, hsCode: g.hsCode ?? '' }));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What the model's features read of an Assessment: the same facts at screening (before the
 * model's effect) and at training (from the stored assessment), as `declarationFeatures` ignores
 * the model's own effect. Assessments before greenlane-risk/4 have no trader record (missing).
 */
export function rulesFactsOf(a: Assessment): RulesFacts {
  return {
    hitScore: a.hitScore,
    hits: a.hits,
    effects: a.effects.filter((e) => e.kind !== 'model'),
    permits: a.permits,
    override: a.override,
    trader: a.trader ?? null,
  };
}
