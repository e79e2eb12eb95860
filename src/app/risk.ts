import { randomInt } from 'node:crypto';
import type { DeclarationContent } from '../core/declaration/declaration.js';
import type { Clock, Repositories, Storage } from '../core/ports.js';
import {
  assessDeclaration,
  DEFAULT_RISK_SETTINGS,
  type Assessment,
  type RiskSettings,
} from '../core/risk/assess.js';
import { compileIndicators, RiskEngine } from '../core/risk/engine.js';
import { PermitRules } from '../core/permits/check.js';
import { loadRiskModel, type ModelInUse } from '../core/model/risk-model.js';
import { RightsRegister } from '../core/ipr/register.js';
import { reconcileMirror } from '../core/reconciliation/mirror.js';
import { MirrorGaps, NO_MIRROR } from '../core/reconciliation/mirror-gaps.js';
import { mirrorInputOf } from '../core/reconciliation/mirror-record.js';
import { isPermitNumber } from '../core/permits/permit.js';
import { isInForce, type ReferenceList } from '../core/risk/indicator.js';
import {
  NO_PROFILE,
  screeningTrader,
  traderParty,
  type TraderProfile,
} from '../core/traders/certificate.js';

/** The engine in use and the settings it decides with; rebuilt when indicators or lists change. */
export interface RiskRuntime {
  readonly settings: RiskSettings;
  engine(): Promise<RiskEngine>;
  /** The reference lists in force, for validating conditions. */
  lists(): Promise<ReadonlyMap<string, ReferenceList>>;
  /** Call after a change to indicators or lists: the next screening uses a fresh engine. */
  invalidate(): void;
}

/**
 * Keeps one compiled engine per process. It is rebuilt on `invalidate()` and at most `maxAgeMs`
 * after the last build, so that validity windows opening or closing are picked up, and so are
 * changes made by other processes sharing the database.
 */
export function riskRuntime(
  storage: Storage,
  clock: Clock,
  settings: RiskSettings = DEFAULT_RISK_SETTINGS,
  maxAgeMs = 60_000,
): RiskRuntime {
  let built:
    | { at: number; engine: Promise<RiskEngine>; lists: Promise<Map<string, ReferenceList>> }
    | undefined;
  // The mirror gaps take a reconciliation of a year of trade figures (about a second for 5,000
  // HS6 × partner pairs): rebuilt every ten minutes in the background, never while a
  // declaration waits once a first one exists.
  let mirror: { at: number; gaps: Promise<MirrorGaps> } | undefined;
  let mirrorNext: Promise<MirrorGaps> | undefined;
  const mirrorGaps = (): Promise<MirrorGaps> => {
    const now = clock.now().getTime();
    if (!mirror) {
      mirror = { at: now, gaps: buildMirrorGaps(storage, clock) };
      mirror.gaps.catch(() => (mirror = undefined));
    } else if (now - mirror.at > 10 * maxAgeMs && !mirrorNext) {
      const next = buildMirrorGaps(storage, clock);
      mirrorNext = next;
      next.then(
        () => {
          mirror = { at: clock.now().getTime(), gaps: next };
          mirrorNext = undefined;
        },
        () => (mirrorNext = undefined),
      );
    }
    return mirror.gaps;
  };
  // The approved models, one per administration: parsed and compiled once per version.
  const compiled = new Map<string, ModelInUse>();
  const activeModels = async (): Promise<Map<string, ModelInUse>> => {
    const active = await storage.read.riskModels.listActive();
    const models = new Map<string, ModelInUse>();
    for (const { administrationId, version } of active) {
      const key = `${administrationId}/${version}`;
      let inUse = compiled.get(key);
      if (!inUse) {
        const record = await storage.read.riskModels.find(administrationId, version);
        if (!record) continue; // retired meanwhile
        inUse = loadRiskModel(version, record.model);
        compiled.set(key, inUse);
      }
      models.set(administrationId, inUse);
    }
    for (const key of compiled.keys())
      if (!active.some((a) => `${a.administrationId}/${a.version}` === key)) compiled.delete(key);
    return models;
  };
  const current = () => {
    const now = clock.now().getTime();
    if (!built || now - built.at > maxAgeMs) {
      const lists = storage.read.referenceLists
        .listActive()
        .then((all) => new Map(all.map((l): [string, ReferenceList] => [l.name, l])));
      const engine = Promise.all([
        lists,
        storage.read.indicators.listActive(),
        storage.read.ipr.listAccepted(),
        mirrorGaps().catch(() => NO_MIRROR),
        activeModels(),
      ]).then(([l, indicators, applications, gaps, models]) => {
        const at = clock.now().toISOString();
        const inForce = indicators.filter((i) => i.status === 'active' && isInForce(i, at));
        return new RiskEngine(
          compileIndicators(inForce, l),
          new PermitRules(settings.permitRequirements, l),
          new RightsRegister(applications),
          gaps,
          models,
        );
      });
      built = { at: now, engine, lists };
      // A failed build must not stick: the next call tries again.
      engine.catch(() => (built = undefined));
    }
    return built;
  };
  return {
    settings,
    engine: () => current().engine,
    lists: () => current().lists,
    invalidate: () => {
      built = undefined;
    },
  };
}

/** What the register knows of the declaration's trader: certificates and compliance record. */
export async function traderProfile(
  read: Repositories,
  d: DeclarationContent,
  engine?: RiskEngine,
): Promise<TraderProfile> {
  const { id } = traderParty(d);
  const numbers = [
    ...new Set(
      [...(d.documents ?? []), ...d.goodsItems.flatMap((g) => g.documents ?? [])]
        .map((x) => x.reference)
        // Only numbers of the register's own shape can name a permit in it.
        .filter(isPermitNumber),
    ),
  ];
  if (id === '' && numbers.length === 0) return NO_PROFILE;
  // Permits matter when an item needs one, an indicator asks for one, or one is quoted.
  const needsPermits =
    engine === undefined ||
    engine.usesPermits ||
    numbers.length > 0 ||
    (engine.permitRules?.anyRequired(d.goodsItems) ?? false);
  const [certificates, record, permits] = await Promise.all([
    id === '' ? [] : read.certificates.ofHolder(id),
    id === '' ? undefined : read.traderRecords.find(id),
    needsPermits ? read.permits.forScreening(id, numbers) : [],
  ]);
  return { certificates, record, permits };
}

/**
 * Screens a normalised declaration with the current engine, judging validity at `at` (receipt);
 * the random seed is drawn here and recorded. The learned model is the active one of
 * `administrationId` (none when not given).
 */
export async function screen(
  risk: RiskRuntime,
  read: Repositories,
  declaration: DeclarationContent,
  seed: number = randomInt(0, 2 ** 32),
  at: string = declaration.submittedAt,
  administrationId?: string,
): Promise<Assessment> {
  const engine = await risk.engine();
  const profile = await traderProfile(read, declaration, engine);
  return assessDeclaration(
    engine,
    declaration,
    screeningTrader(declaration, profile),
    risk.settings,
    seed,
    at,
    administrationId === undefined ? null : (engine.models.get(administrationId) ?? null),
  );
}

/** The latest mirror gaps from the trade figures of the last twelve months. */
async function buildMirrorGaps(storage: Storage, clock: Clock): Promise<MirrorGaps> {
  const now = clock.now();
  const month = (back: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
  const records = await storage.read.mirror.listRecords({
    fromMonth: month(12),
    toMonth: month(0),
    limit: 500_000,
  });
  if (records.length === 0) return NO_MIRROR;
  return new MirrorGaps(reconcileMirror(mirrorInputOf(records)));
}
