import type { Principal } from '../core/auth/identity.js';
import type { IndicatorStatus, ReferenceList } from '../core/risk/indicator.js';
import {
  CONTEXT_FIELD_DOCS,
  CONTEXT_SCHEMA,
  HELPERS,
  type HelperName,
} from '../core/risk/screening-context.js';
import type { AppContext } from './context.js';
import { listReferenceLists } from './read-indicators.js';

/** One context field a condition can read, e.g. `item.hs`. */
export interface ReferenceField {
  /** The path written in a condition: `declaration.kind`, `item.hs`, `trader.findingRate`. */
  name: string;
  /** Its CEL type as the type checker sees it. */
  type: string;
  doc: string;
}

/** One helper function. */
export interface ReferenceHelper {
  name: HelperName;
  signature: string;
  doc: string;
}

/** One reference list a condition may name in `hsIn` / `inList`. */
export interface ReferenceListEntry {
  name: string;
  kind: ReferenceList['kind'];
  title: string;
  version: number;
  status: IndicatorStatus;
  entryCount: number;
}

export interface ConditionReference {
  fields: ReferenceField[];
  helpers: ReferenceHelper[];
  lists: ReferenceListEntry[];
  note: string;
}

/**
 * What a condition may use, for the editor's reference and completion: the context fields with
 * their types and meaning, the helpers (from the one table the CEL environment registers them
 * from), and the reference lists the principal reads (newest version of each).
 */
export async function conditionReference(
  ctx: AppContext,
  principal: Principal,
): Promise<ConditionReference> {
  const lists = await listReferenceLists(ctx, principal);
  const fields: ReferenceField[] = [];
  for (const [variable, types] of Object.entries(CONTEXT_SCHEMA)) {
    const docs = CONTEXT_FIELD_DOCS[variable as keyof typeof CONTEXT_SCHEMA] as Record<
      string,
      string
    >;
    for (const [field, type] of Object.entries(types)) {
      fields.push({ name: `${variable}.${field}`, type, doc: docs[field] ?? '' });
    }
  }
  return {
    fields,
    helpers: (Object.keys(HELPERS) as HelperName[]).map((name) => ({
      name,
      signature: HELPERS[name].signature,
      doc: HELPERS[name].doc,
    })),
    lists: lists
      .map((l) => ({
        name: l.name,
        kind: l.kind,
        title: l.title,
        version: l.version,
        status: l.status,
        entryCount: l.entries.length,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    note: 'A comparison with a value that was not declared (e.g. item.value on an item without value) is false.',
  };
}
