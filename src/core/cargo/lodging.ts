import type { DeclarationContent, TransportMode } from '../declaration/declaration.js';

/**
 * When advance cargo information must be lodged, by mode of transport: so many hours before the
 * goods are loaded at the last port of departure, or before they arrive at the office of first
 * entry. The defaults follow the EU's time limits for entry summary declarations (UCC Delegated
 * Act, Articles 105–109), simplified to what a cargo report carries.
 */
export interface LodgingRule {
  /** Which rule this is, in the words an officer uses. */
  name: string;
  mode: TransportMode;
  /** Applies to containerised cargo only (true), to other cargo only (false), or to both. */
  containerised?: boolean;
  anchor: 'loading' | 'arrival';
  hoursBefore: number;
}

export const DEFAULT_LODGING_RULES: readonly LodgingRule[] = [
  {
    name: 'sea, containerised: 24 h before loading',
    mode: 'sea',
    containerised: true,
    anchor: 'loading',
    hoursBefore: 24,
  },
  {
    name: 'sea, bulk and break bulk: 4 h before arrival',
    mode: 'sea',
    containerised: false,
    anchor: 'arrival',
    hoursBefore: 4,
  },
  { name: 'air: 4 h before arrival', mode: 'air', anchor: 'arrival', hoursBefore: 4 },
  { name: 'rail: 2 h before arrival', mode: 'rail', anchor: 'arrival', hoursBefore: 2 },
  { name: 'road: 1 h before arrival', mode: 'road', anchor: 'arrival', hoursBefore: 1 },
  {
    name: 'inland waterway: 2 h before arrival',
    mode: 'inland-waterway',
    anchor: 'arrival',
    hoursBefore: 2,
  },
];

/** Whether a cargo report was lodged in time, and against which rule. */
export type LodgingCheck =
  | {
      status: 'on-time' | 'late';
      rule: string;
      deadline: string;
      /** Whole minutes after the deadline (0 when on time). */
      minutesLate: number;
    }
  | { status: 'not-checked'; rule: string | null; deadline: null; minutesLate: 0; reason: string };

/**
 * Checks the lodging time (`lodgedAt`, ISO 8601) of a cargo report against the rule for its mode
 * of transport. A report without the time the rule counts from is not checked, and says why.
 */
export function checkLodging(
  d: Pick<DeclarationContent, 'route'>,
  lodgedAt: string,
  rules: readonly LodgingRule[] = DEFAULT_LODGING_RULES,
): LodgingCheck {
  const mode = d.route.transportMode;
  if (mode === undefined) return notChecked(null, 'the report declares no mode of transport');
  const containerised = (d.route.containers?.length ?? 0) > 0;
  const rule = rules.find(
    (r) => r.mode === mode && (r.containerised === undefined || r.containerised === containerised),
  );
  if (!rule) return notChecked(null, `no lodging time limit applies to ${mode} transport`);
  const from = rule.anchor === 'loading' ? d.route.loadingAt : d.route.arrivalAt;
  if (from === undefined) {
    return notChecked(
      rule.name,
      `the report gives no ${rule.anchor === 'loading' ? 'loading' : 'expected arrival'} time`,
    );
  }
  const deadline = Date.parse(from) - rule.hoursBefore * 3_600_000;
  const lodged = Date.parse(lodgedAt);
  const minutesLate = Math.max(0, Math.floor((lodged - deadline) / 60_000));
  return {
    status: lodged > deadline ? 'late' : 'on-time',
    rule: rule.name,
    deadline: new Date(deadline).toISOString(),
    minutesLate,
  };
}

function notChecked(rule: string | null, reason: string): LodgingCheck {
  return { status: 'not-checked', rule, deadline: null, minutesLate: 0, reason };
}
