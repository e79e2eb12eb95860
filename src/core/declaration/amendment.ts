import type { Checked, FieldIssue } from '../errors.js';
import type { DeclarationContent } from './declaration.js';
import { validateDeclaration } from './validate-declaration.js';

/** How an amendment or a cancellation names the declaration it acts on. */
export interface DeclarationRef {
  /** Movement reference number (WCO `Declaration/ID`), or GreenLane's own declaration id. */
  mrn?: string;
  /** The declarant's local reference number (DE 2/5, `FunctionalReferenceID`). */
  lrn?: string;
}

/**
 * One amended data element in GreenLane's terms. `field` is a JSON pointer into the declaration,
 * or into the goods item with sequence `item`; `source` is where the sender wrote it (an XML
 * path), so that an issue names the sender's element.
 */
export type AmendmentChange =
  | {
      op: 'set';
      item?: number;
      field: string;
      value: unknown;
      source: string;
      /** Applies only when the item's quantity is in this unit (a package count is 'PK'). */
      whenUnit?: string;
    }
  | { op: 'remove-item'; item: number; source: string };

/** An amended data element GreenLane's model does not hold: kept with the version, not applied. */
export interface AmendmentNote {
  source: string;
  note: string;
}

/** An amendment (WCO FunctionCode 13, TypeCode COR) read from a message, before it is applied. */
export interface AmendmentCandidate {
  kind: 'amendment';
  declaration: DeclarationRef;
  /** WCO ChangeReasonCode of each Amendment element, in message order. */
  reasonCodes: string[];
  /** The declarant's own words (AdditionalInformation statements), if any. */
  statements: string[];
  changes: AmendmentChange[];
  notHeld: AmendmentNote[];
}

/** A cancellation (invalidation, WCO TypeCode INV) read from a message. */
export interface CancellationCandidate {
  kind: 'cancellation';
  declaration: DeclarationRef;
  reasonCode?: string;
  reason: string;
}

/** Declaration-level fields an amendment may set (the identity and the kind stay). */
const DECLARATION_FIELDS: ReadonlySet<string> = new Set([
  'declarant',
  'consignor',
  'consignee',
  'carrier',
  'route',
  'office',
  'documents',
]);

/** Goods-item fields an amendment may set (the sequence is the item's identity). */
const ITEM_FIELDS: ReadonlySet<string> = new Set([
  'hsCode',
  'description',
  'quantity',
  'unit',
  'netMass',
  'grossMass',
  'value',
  'currency',
  'originCountry',
  'documents',
  'packages',
  'species',
  'brand',
]);

export type AppliedAmendment = Checked<DeclarationContent> & { notes?: AmendmentNote[] };

/**
 * Applies an amendment to a declaration's content: the new content, validated as a lodging would
 * be, with notes for changes that do not apply to it; or an issue for every change it cannot
 * apply, named by the sender's path. Nothing is skipped silently.
 */
export function applyAmendment(
  content: DeclarationContent,
  amendment: Pick<AmendmentCandidate, 'changes' | 'notHeld'>,
): AppliedAmendment {
  const next = structuredClone<DeclarationContent>(content);
  const issues: FieldIssue[] = [];
  const notes: AmendmentNote[] = [];
  // JSON pointers of the result that each change wrote, for naming validation issues.
  const written: Array<{ pointer: string; source: string }> = [];
  const sequences = () => next.goodsItems.map((g) => g.sequence).join(', ');

  if (amendment.changes.length === 0 && amendment.notHeld.length === 0) {
    issues.push({ path: '/changes', reason: 'the amendment changes no data element' });
  }
  for (const change of amendment.changes) {
    if (change.op === 'remove-item') {
      const at = next.goodsItems.findIndex((g) => g.sequence === change.item);
      if (at < 0) {
        issues.push({
          path: change.source,
          reason: `goods item ${change.item} is not in the declaration (items ${sequences()})`,
        });
      } else next.goodsItems.splice(at, 1);
      continue;
    }
    const segments = pointerSegments(change.field);
    if (change.item === undefined) {
      if (segments.length === 0 || !DECLARATION_FIELDS.has(segments[0]!)) {
        issues.push({ path: change.source, reason: `${change.field} cannot be amended` });
        continue;
      }
      setAt(next as unknown as Record<string, unknown>, segments, change.value);
      written.push({ pointer: change.field, source: change.source });
      continue;
    }
    const at = next.goodsItems.findIndex((g) => g.sequence === change.item);
    const item = next.goodsItems[at];
    if (!item) {
      issues.push({
        path: change.source,
        reason: `goods item ${change.item} is not in the declaration (items ${sequences()})`,
      });
      continue;
    }
    if (segments.length === 0 || !ITEM_FIELDS.has(segments[0]!)) {
      issues.push({ path: change.source, reason: `goods item ${change.field} cannot be amended` });
      continue;
    }
    if (change.whenUnit !== undefined && item.unit !== change.whenUnit) {
      notes.push({
        source: change.source,
        note: `not applied: goods item ${change.item} declares its quantity in ${item.unit ?? 'no unit'}, not ${change.whenUnit}`,
      });
      continue;
    }
    setAt(item, segments, change.value);
    written.push({ pointer: `/goodsItems/${at}${change.field}`, source: change.source });
  }
  if (next.goodsItems.length === 0) {
    issues.push({
      path: '/goodsItems',
      reason: 'an amendment cannot remove every goods item: cancel the declaration instead',
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  const checked = validateDeclaration(next, content.submittedAt);
  if (!checked.ok) {
    return {
      ok: false,
      issues: checked.issues.map((issue) => {
        const by = written.find(
          (w) => issue.path === w.pointer || issue.path.startsWith(`${w.pointer}/`),
        );
        return by ? { ...issue, path: `${by.source} (${issue.path})` } : issue;
      }),
    };
  }
  return { ok: true, value: checked.value, notes };
}

function pointerSegments(pointer: string): string[] {
  if (!pointer.startsWith('/')) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Writes `value` at `segments` under `target`, creating the objects on the way. */
function setAt(target: Record<string, unknown>, segments: string[], value: unknown): void {
  let at = target;
  for (const key of segments.slice(0, -1)) {
    const inner = at[key];
    if (inner === null || typeof inner !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
}
