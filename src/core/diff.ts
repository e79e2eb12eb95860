/** One field that differs between two versions of a record. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** The listed fields whose values differ (compared as JSON, so arrays and objects compare by content). */
export function diffFields<T extends object>(
  a: T,
  b: T,
  fields: ReadonlyArray<keyof T & string>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) {
      changes.push({ field, from: a[field], to: b[field] });
    }
  }
  return changes;
}
