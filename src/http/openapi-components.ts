/**
 * Moves every schema that carries a `title` (its component name) out of the routes into
 * `components.schemas`, leaving a `$ref` where it was, so that the document names its shared
 * shapes once and the generated client types read `components['schemas']['Permit']` instead of
 * repeating an anonymous object at every route. Two different schemas under one name are a
 * programming error and throw when the document is built.
 */
export function hoistNamedSchemas<T extends object>(doc: T): T {
  const root = doc as { components?: { schemas?: Record<string, unknown> } };
  const components = (root.components ??= {});
  const schemas = (components.schemas ??= {});
  const seen = new Map<string, string>(); // name → canonical JSON of the hoisted schema

  const visit = (node: unknown, isSchema: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => visit(n, isSchema));
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      // Under these keys the values are schemas (or maps/lists of schemas); `properties`,
      // `patternProperties` and `$defs` map names to schemas, so a property named "title" is
      // not taken for the keyword.
      if (SCHEMA_MAPS.has(key) && value && typeof value === 'object' && !Array.isArray(value))
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, visit(v, true)]),
        );
      else out[key] = visit(value, SCHEMA_KEYS.has(key) || (isSchema && SCHEMA_LISTS.has(key)));
    }
    if (!isSchema || typeof obj.title !== 'string') return out;
    const name = obj.title;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name))
      throw new Error(`schema title ${JSON.stringify(name)} is not a component name`);
    // A description says what the value means where it is used: it stays beside the $ref.
    const { description, ...shape } = out;
    const text = stableJson(shape);
    const before = seen.get(name);
    if (before === undefined) {
      seen.set(name, text);
      schemas[name] = shape;
    } else if (before !== text) {
      throw new Error(`two different schemas are both named ${name}:\n${before}\n${text}`);
    }
    const ref = { $ref: `#/components/schemas/${name}` };
    return description === undefined ? ref : { ...ref, description };
  };

  for (const [key, value] of Object.entries(doc)) {
    if (key === 'components') continue;
    (doc as Record<string, unknown>)[key] = visit(value, false);
  }
  return doc;
}

/** Keys whose value is one schema. */
const SCHEMA_KEYS = new Set([
  'schema',
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
]);
/** Keys whose value is a list of schemas (inside a schema). */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keys whose value maps names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
