/**
 * Lots split, grouped and forwarded: a lot ends with a `split` step naming the lots it became,
 * or a `grouped` step naming the lot it went into; each of those starts with a `derived` step
 * naming, by hash, the steps it came from. Quantities are conserved: the parts of a split add up
 * to the lot, a group is the sum of its lots. Pure.
 */
import {
  gramsOf,
  stepHash,
  type SignedStep,
  type UnsignedStep,
  type WasteQuantity,
} from './chain.js';

/** The quantity a lot holds at the end of its chain (its last stated quantity), in grams. */
export function currentGrams(chain: readonly SignedStep[]): number | null {
  for (let k = chain.length - 1; k >= 0; k--) {
    const step = chain[k]!;
    if (step.kind === 'split' || step.kind === 'grouped') continue;
    if (step.quantity !== null) return gramsOf(step.quantity);
  }
  return null;
}

/** The next step of a chain, for its actor to sign. */
export function nextStep(
  chain: readonly SignedStep[],
  step: Omit<UnsignedStep, 'lotId' | 'seq' | 'previous'>,
): UnsignedStep {
  const last = chain.at(-1);
  if (!last) throw new RangeError('a chain starts with a generated or derived step');
  return { ...step, lotId: last.lotId, seq: last.seq + 1, previous: stepHash(last) };
}

/** The first step of a lot made from others (`from`: their split or grouped steps, signed). */
export function derivedStep(
  lotId: string,
  quantity: WasteQuantity,
  from: readonly SignedStep[],
  actor: UnsignedStep['actor'],
  at: string,
): UnsignedStep {
  return {
    lotId,
    seq: 1,
    kind: 'derived',
    actor,
    at,
    quantity,
    previous: null,
    details: { from: from.map((s) => `${s.lotId}#${s.seq}:${stepHash(s)}`) },
  };
}

export interface LineageIssue {
  lotId: string;
  seq: number;
  problem: string;
}

/**
 * Checks every split and group among the lots given (by lot id): the lots named exist and start
 * with a derived step naming this step by hash, and the quantities are conserved (exactly, in
 * grams: a split is weighed into its parts).
 */
export function lineageIssues(lots: ReadonlyMap<string, readonly SignedStep[]>): LineageIssue[] {
  const issues: LineageIssue[] = [];
  const firstOf = (id: string) => lots.get(id)?.[0];
  const names = (derived: SignedStep | undefined, step: SignedStep) =>
    derived?.kind === 'derived' &&
    Array.isArray(derived.details.from) &&
    derived.details.from.includes(`${step.lotId}#${step.seq}:${stepHash(step)}`);
  for (const [lotId, chain] of lots) {
    for (const step of chain) {
      const at = (problem: string) => issues.push({ lotId, seq: step.seq, problem });
      const held = currentGrams(chain.slice(0, step.seq - 1));
      if (step.kind === 'split') {
        const into = Array.isArray(step.details.into) ? step.details.into : [];
        if (into.length < 2) at('a split names at least two lots');
        let sum = 0;
        for (const child of into) {
          const first = firstOf(child);
          if (!first) {
            at(`split into ${child}, a lot not given`);
            continue;
          }
          if (!names(first, step)) at(`${child} does not start from this split`);
          sum += first.quantity === null ? 0 : gramsOf(first.quantity);
        }
        if (held !== null && sum !== held)
          at(`split ${held / 1000} kg into parts of ${sum / 1000} kg in all`);
      }
      if (step.kind === 'grouped') {
        const into = typeof step.details.into === 'string' ? step.details.into : '';
        const first = firstOf(into);
        if (!first) {
          at(`grouped into ${into || 'no lot'}, a lot not given`);
          continue;
        }
        if (!names(first, step)) at(`${into} does not start from this group`);
      }
      if (step.kind === 'derived') {
        // A group: the sum of the lots it names.
        const from = Array.isArray(step.details.from) ? step.details.from : [];
        const parents = from.map((f) => {
          const [ref] = f.split(':');
          const [parentLot, seq] = (ref ?? '').split('#');
          return lots.get(parentLot ?? '')?.[Number(seq) - 1];
        });
        if (parents.some((p) => p === undefined)) {
          at('comes from a step not given');
          continue;
        }
        if (parents.every((p) => p!.kind === 'grouped') && parents.length > 0) {
          let sum = 0;
          for (const p of parents)
            sum += currentGrams(lots.get(p!.lotId)!.slice(0, p!.seq - 1)) ?? 0;
          const own = step.quantity === null ? 0 : gramsOf(step.quantity);
          if (own !== sum) at(`groups ${sum / 1000} kg of lots into ${own / 1000} kg`);
        }
      }
    }
  }
  return issues;
}
