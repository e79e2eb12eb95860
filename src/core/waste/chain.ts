/**
 * The chain of custody of a waste lot (issue 21): every step — generated, taken over by a
 * carrier, out of and into a country at the border, received at the facility, recovered or
 * disposed of, split or grouped into other lots — is signed by its actor's Ed25519 key and names
 * the hash of the step before, so that the chain can be checked by anyone holding the actors'
 * public keys, offline. Pure: signing goes through a `StepSigner` held by an adapter.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalBytes } from '../exchange/canonical-json.js';
import { concat, decodeBase64, encodeBase64, encodeBase64Url, hex, utf8 } from '../ledger/bytes.js';

/** What each step of a chain says happened. */
export const STEP_KINDS = [
  'generated',
  'derived',
  'taken-over',
  'border-exit',
  'border-entry',
  'received',
  'treated',
  'split',
  'grouped',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Units a lot's quantity is counted in, with their kilograms. */
export const MASS_UNITS = { KGM: 1, TNE: 1000 } as const;
export type MassUnit = keyof typeof MASS_UNITS;

/** A quantity in thousandths of its unit (integers: sums never drift). */
export interface WasteQuantity {
  milli: number;
  unit: MassUnit;
  /** Estimated by the generator rather than weighed. */
  estimated: boolean;
}

/** The step as its actor signs it: everything but the signature. */
export interface UnsignedStep {
  lotId: string;
  /** 1 for the first step of the lot, then +1. */
  seq: number;
  kind: StepKind;
  /** The organisation that signs, and which of its keys. */
  actor: { organisationId: string; keyId: string };
  at: string;
  /** The quantity the step is about (generated, taken over, weighed on receipt, treated…). */
  quantity: WasteQuantity | null;
  /** Hex SHA-256 of the previous step of the lot (null for the first). */
  previous: string | null;
  /** Kind-specific facts: carrier leg, declaration at the border, R/D operation, lots derived… */
  details: Record<string, string | number | boolean | null | string[]>;
}

export interface SignedStep extends UnsignedStep {
  /** Base64 Ed25519 signature over `stepMessage(step)`. */
  signature: string;
}

/** Signs with one Ed25519 key held elsewhere; returns the raw 64 bytes. */
export interface StepSigner {
  readonly organisationId: string;
  readonly keyId: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const DOMAIN = utf8('greenlane-waste-step/1\n');

/** The bytes a step's signature covers: a domain prefix, then the RFC 8785 form of the step. */
export function stepMessage(step: UnsignedStep): Uint8Array {
  const { lotId, seq, kind, actor, at, quantity, previous, details } = step;
  return concat(
    DOMAIN,
    canonicalBytes({ lotId, seq, kind, actor, at, quantity, previous, details }),
  );
}

/** Hex SHA-256 of the signed step (its content and its signature): what the next step names. */
export function stepHash(step: SignedStep): string {
  return hex(
    createHash('sha256')
      .update(stepMessage(step))
      .update(utf8(`\n${step.signature}`))
      .digest(),
  );
}

export async function signStep(step: UnsignedStep, signer: StepSigner): Promise<SignedStep> {
  if (step.actor.organisationId !== signer.organisationId || step.actor.keyId !== signer.keyId)
    throw new RangeError(
      `step ${step.seq} names ${step.actor.organisationId}/${step.actor.keyId}, the signer is ${signer.organisationId}/${signer.keyId}`,
    );
  return { ...step, signature: encodeBase64(await signer.sign(stepMessage(step))) };
}

/** One problem of a chain, naming the step (seq; 0 for the chain as a whole). */
export interface ChainIssue {
  seq: number;
  problem: string;
}

/** Public keys by `organisationId/keyId`, 32 raw bytes each. */
export type KeyDirectory = ReadonlyMap<string, Uint8Array>;

/** Which kinds may follow which (a lot's life, in order). */
const FOLLOWS: Readonly<Record<StepKind, readonly (StepKind | 'start')[]>> = {
  generated: ['start'],
  derived: ['start'],
  'taken-over': ['generated', 'derived', 'taken-over', 'border-exit', 'border-entry'],
  'border-exit': ['taken-over', 'border-entry'],
  'border-entry': ['border-exit'],
  received: ['taken-over', 'border-entry'],
  treated: ['received', 'treated'],
  split: ['generated', 'derived', 'received'],
  grouped: ['generated', 'derived', 'received'],
};

/** Steps that end a lot: nothing follows them. */
const TERMINAL: ReadonlySet<StepKind> = new Set(['split', 'grouped']);

/** A quantity in kilograms (thousandths). */
export function gramsOf(q: WasteQuantity): number {
  return q.milli * MASS_UNITS[q.unit];
}

/**
 * Checks a lot's chain for integrity: every signature against the directory, the hash links,
 * the numbering, the order of the kinds and of the dates, and well-formed quantities. Returns
 * every problem, each naming its step; empty when the chain holds. What the quantities say is
 * `quantityFindings`' business: a short delivery is a finding, not a broken chain.
 */
export function verifyChain(steps: readonly SignedStep[], keys: KeyDirectory): ChainIssue[] {
  const issues: ChainIssue[] = [];
  if (steps.length === 0) return [{ seq: 0, problem: 'the chain has no steps' }];
  const lotId = steps[0]!.lotId;
  let previous: SignedStep | null = null;
  for (const [k, step] of steps.entries()) {
    const at = (problem: string) => issues.push({ seq: step.seq, problem });
    if (step.lotId !== lotId) at(`belongs to lot ${step.lotId}, not ${lotId}`);
    if (step.seq !== k + 1) at(`is step ${step.seq} in position ${k + 1}`);
    const key = keys.get(`${step.actor.organisationId}/${step.actor.keyId}`);
    if (!key)
      at(`signed by ${step.actor.organisationId}/${step.actor.keyId}, a key not in the directory`);
    else if (!verifySignature(key, stepMessage(step), step.signature))
      at(`the signature of ${step.actor.organisationId} does not match the step`);
    const expected = previous === null ? null : stepHash(previous);
    if (step.previous !== expected)
      at(
        previous === null
          ? 'the first step names a previous one'
          : `does not follow step ${previous.seq} (its hash differs)`,
      );
    const before: StepKind | 'start' = previous === null ? 'start' : previous.kind;
    if (!FOLLOWS[step.kind].includes(before))
      at(`${step.kind} cannot follow ${before === 'start' ? 'the start of the chain' : before}`);
    if (previous !== null && TERMINAL.has(previous.kind))
      at(`follows step ${previous.seq}, which ended the lot (${previous.kind})`);
    if (previous !== null && step.at < previous.at) at(`dated before step ${previous.seq}`);
    const q = step.quantity;
    if (q !== null && (!Number.isSafeInteger(q.milli) || q.milli < 0 || !(q.unit in MASS_UNITS)))
      at('the quantity is not a whole number of thousandths ≥ 0 of kg or t');
    if (q === null && QUANTIFIED.has(step.kind)) at(`${step.kind} without a quantity`);
    previous = step;
  }
  return issues;
}

/** Kinds that must state a quantity. */
const QUANTIFIED: ReadonlySet<StepKind> = new Set(['generated', 'derived', 'received', 'treated']);

/** A quantity that does not add up, at a step: what raises a case. */
export interface QuantityFinding {
  seq: number;
  kind: 'short-taken-over' | 'weighed-off' | 'over-treated';
  /** Grams (thousandths of kg) expected and found. */
  expected: number;
  found: number;
  text: string;
}

/**
 * What the quantities of a (verified) chain say: a carrier taking over or a facility weighing
 * more or less than was handed over beyond the weighing tolerance (default 2 %; a refusal
 * declared on receipt, `details.refusedMilli`, explains its part), and more treated than accepted.
 */
export function quantityFindings(
  steps: readonly SignedStep[],
  tolerance = 0.02,
): QuantityFinding[] {
  const out: QuantityFinding[] = [];
  let handedOver: number | null = null;
  let accepted: number | null = null;
  let treated = 0;
  for (const step of steps) {
    const grams = step.quantity === null ? null : gramsOf(step.quantity);
    const add = (kind: QuantityFinding['kind'], expected: number, found: number, text: string) =>
      out.push({ seq: step.seq, kind, expected, found, text });
    switch (step.kind) {
      case 'generated':
      case 'derived':
        handedOver = grams;
        break;
      case 'taken-over':
        if (grams !== null && handedOver !== null && !within(grams, handedOver, tolerance))
          add(
            'short-taken-over',
            handedOver,
            grams,
            `taken over ${kg(grams)} of ${kg(handedOver)}`,
          );
        if (grams !== null) handedOver = grams;
        break;
      case 'received': {
        if (grams === null) break;
        if (handedOver !== null && !within(grams, handedOver, tolerance))
          add(
            'weighed-off',
            handedOver,
            grams,
            `weighed ${kg(grams)} of ${kg(handedOver)} handed over`,
          );
        const refused = Number(step.details.refusedMilli ?? 0) * MASS_UNITS[step.quantity!.unit];
        accepted = Math.max(0, grams - (Number.isFinite(refused) ? refused : 0));
        break;
      }
      case 'treated':
        if (grams === null) break;
        treated += grams;
        if (accepted !== null && treated > accepted)
          add(
            'over-treated',
            accepted,
            treated,
            `${kg(treated)} treated of ${kg(accepted)} accepted`,
          );
        break;
      default:
        break;
    }
  }
  return out;
}

const within = (value: number, reference: number, tolerance: number) =>
  Math.abs(value - reference) <= tolerance * reference;

const kg = (grams: number) => `${(grams / 1000).toLocaleString('en-GB')} kg`;

const keyCache = new Map<string, KeyObject | null>();

function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: string): boolean {
  const raw = decodeBase64(signature);
  if (!raw || raw.length !== 64 || publicKey.length !== 32) return false;
  const id = hex(publicKey);
  let key = keyCache.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(publicKey) },
        format: 'jwk',
      });
    } catch {
      key = null;
    }
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(id, key);
  }
  if (!key) return false;
  try {
    return verify(null, message, key, raw);
  } catch {
    return false;
  }
}
