/**
 * The hostile-input case table (issue 14): requests an attacker would send, generated from the
 * OpenAPI document so that every route that takes a body, a query or a path parameter is covered,
 * plus field-level cases over valid bodies of the routes that store numbers and dates.
 */

/** The demo users the cases act as (each signs in with the demo password). */
export const HOSTILE_ROLES = [
  'admin',
  'analyst',
  'officer',
  'manager',
  'ecologist',
  'trader',
] as const;
export type HostileRole = (typeof HOSTILE_ROLES)[number];

export interface HostileCase {
  /** The class of attack (the describe block). */
  group: string;
  name: string;
  method: string;
  url: string;
  as: HostileRole | null;
  headers?: Record<string, string>;
  /** A function for big bodies: made when the case runs, not held for the whole suite. */
  payload?: string | Buffer | (() => string | Buffer);
  /**
   * `refused`: a 4xx problem document and no row changed. `harmless`: never 5xx, a problem
   * document when 4xx, no row changed (reads with odd filters may well answer 200).
   */
  expect: 'refused' | 'harmless';
  /** Exact statuses allowed, when the case pins them. */
  status?: number[];
  /** A field the problem's `errors` must name (matched at the end of `errors[].field`). */
  field?: string;
  /** The response must not contain this (e.g. the contents of /etc/passwd). */
  mustNotContain?: string;
  /** The request may be valid after all (a coercible value in a free-text field): rows may be added, never lost. */
  mayWrite?: boolean;
  /** Carries a body: run on every backend (the rest on SQLite only). */
  body: boolean;
}

/** Ids of existing things, so that path parameters other than the hostile one resolve. */
export interface HostileFixtures {
  declarationId: string;
  permitId: string;
  /** A permit under review that only the field-level cases of the issue step aim at. */
  issuablePermitId: string;
  certificateId: string;
  indicatorId: string;
  referenceList: string;
  cargoReportId: string;
  referralId: string;
  userId: string;
  traderId: string;
  rulePack: string;
}

interface OpenApiParameter {
  in: string;
  name: string;
  schema?: { type?: string; format?: string };
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: {
    content: Record<string, { schema?: OpenApiSchema }>;
  };
}
interface OpenApiSchema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** The schema itself, following a `$ref` to a named component. */
function resolved(
  doc: OpenApiDocument,
  schema: OpenApiSchema | undefined,
): OpenApiSchema | undefined {
  const name = schema?.$ref?.replace('#/components/schemas/', '');
  if (name === undefined) return schema;
  const target = doc.components?.schemas?.[name];
  if (!target) throw new Error(`the OpenAPI document has no component ${name}`);
  return target;
}

/** Which demo user may do what a route does, so that hostile input reaches validation. */
export function roleFor(method: string, path: string): HostileRole {
  const post = method === 'POST';
  if (path.startsWith('/api/users')) return 'admin';
  if (path.startsWith('/api/rule-packs')) return 'analyst';
  if (post && (path === '/api/declarations' || path === '/api/cargo-reports')) return 'trader';
  if (/^\/api\/declarations\/\{id\}\/(amendments|cancellation)$/.test(path)) return 'trader';
  if (path.endsWith('/reply') || path.endsWith('/respond')) return 'trader';
  if (post && path === '/api/permits') return 'trader';
  if (path.startsWith('/api/permits') || path.startsWith('/api/certificates')) return 'ecologist';
  if (
    path.startsWith('/api/indicators') ||
    path.startsWith('/api/reference-lists') ||
    path.startsWith('/api/exchange') ||
    path === '/api/screen'
  )
    return 'analyst';
  if (path.startsWith('/api/metrics')) return 'manager';
  return 'officer';
}

const enc = encodeURIComponent;

/** Hostile values for a path parameter, percent-encoded as they go on the wire. */
export const PATH_VALUES: Array<[string, string]> = [
  ['traversal ../../etc/passwd (encoded slashes)', '..%2F..%2F..%2Fetc%2Fpasswd'],
  ['traversal with dot segments', '..%2e%2e'],
  ['traversal %2e%2e', '%2e%2e'],
  ['traversal ....//', '....%5C%5C....%5Cwindows%5Cwin.ini'],
  ['NUL byte', 'abc%00def'],
  ['invalid UTF-8 byte %FF', '%FF%FE'],
  ['encoded lone surrogate (CESU)', '%ED%A0%80'],
  ['overlong UTF-8 slash', '%C0%AF'],
  ['SQL injection quote', enc("' OR '1'='1")],
  ['SQL injection stacked', enc('1; DROP TABLE declarations; --')],
  ['SQL injection union', enc("x' UNION SELECT password_hash FROM users --")],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['prototype', 'prototype'],
  ['toString', 'toString'],
  ['hasOwnProperty', 'hasOwnProperty'],
  ['formula cell', enc("=cmd|' /C calc'!A0")],
  ['script tag', enc('<script>alert(1)</script>')],
  ['very long (5,000 characters)', 'A'.repeat(5000)],
  ['number 1e308', '1e308'],
  ['negative zero', '-0'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['integer beyond 2^53', '9007199254740993'],
  ['integer beyond 2^63', '99999999999999999999'],
  ['negative', '-1'],
  ['hex', '0x10'],
];

/** Hostile header values (none matches an event id or an idempotency key). */
const HEADER_VALUES: Array<[string, string]> = [
  ['SQL injection', "' OR 1=1 --"],
  ['very long', '9'.repeat(5000)],
  ['beyond 2^63', '99999999999999999999'],
  ['negative', '-1'],
  ['formula cell', '=1+1'],
];

/** Hostile values for query parameters, by the parameter's type. */
const QUERY_ANY: Array<[string, string]> = [
  ['SQL injection', enc("' OR 1=1 --")],
  ['SQL injection stacked', enc("x'); DELETE FROM declarations; --")],
  ['LIKE wildcards', enc('%_%')],
  ['very long (20,000 characters)', 'q'.repeat(20_000)],
  ['invalid UTF-8', '%FF%FE%FD'],
  ['encoded lone surrogate', '%ED%A0%80'],
  ['NUL byte', 'a%00b'],
  ['formula cell', enc('=HYPERLINK("http://evil.example","x")')],
  ['__proto__', '__proto__'],
  ['empty', ''],
];
const QUERY_NUMBER: Array<[string, string]> = [
  ['1e308', '1e308'],
  ['-0', '-0'],
  ['1e-9', '1e-9'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['beyond 2^53', '9007199254740993'],
  ['99999999999', '99999999999'],
  ['negative', '-1'],
  ['hex', '0x1F'],
  ['array', '1&x=2'],
];
const QUERY_DATE: Array<[string, string]> = [
  ['leap second', '2026-12-31T23:59:60Z'],
  ['year 99999', '99999-01-01T00:00:00Z'],
  ['expanded year +099999', enc('+099999-01-01T00:00:00Z')],
  ['30 February', '2026-02-30T00:00:00Z'],
  ['month 13', '2026-13-01'],
  ['year 0000', '0000-00-00'],
  ['epoch number', '99999999999999'],
];

const BODY_ROUTE_LIMIT = 1024 * 1024;

/** Nested JSON arrays `depth` deep. */
export const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** Nested JSON objects `depth` deep. */
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const XXE_FILE =
  '<?xml version="1.0"?><!DOCTYPE CC315A [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
  '<CC315A><HEAHEA><RefNumHEA4>&xxe;</RefNumHEA4></HEAHEA></CC315A>';
const XXE_URL =
  '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/x">]><d>&xxe;</d>';
const XXE_PARAMETER =
  '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><d/>';
const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from(
    { length: 9 },
    (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
  ).join('') +
  ']><lolz>&lol9;</lolz>';
/** One route of each area, for the cases that cost most to send. */
const REPRESENTATIVE = new Set([
  'POST /api/auth/login',
  'POST /api/declarations',
  'POST /api/declarations/{id}/amendments',
  'POST /api/indicators',
  'POST /api/indicators/preview',
  'POST /api/indicators/{key}/approve',
  'POST /api/certificates',
  'POST /api/permits',
  'POST /api/declarations/{id}/inspections',
  'POST /api/cargo-reports',
  'PUT /api/rule-packs/{name}',
]);

const QUADRATIC_BLOWUP =
  `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "${'a'.repeat(50_000)}">]><d>` +
  '&a;'.repeat(10_000) +
  '</d>';
const XML_WIDE = `<CC315A>${'<a/>'.repeat(250_000)}</CC315A>`.slice(0, 1024 * 1024 - 16);
const XML_DEEP = '<a>'.repeat(50_000) + '</a>'.repeat(50_000);
const XML_ATTRIBUTES = `<a ${Array.from({ length: 20_000 }, (_, i) => `x${i}="1"`).join(' ')}/>`;

/** Every case generated from the OpenAPI document. */
export function hostileCases(doc: OpenApiDocument, f: HostileFixtures): HostileCase[] {
  const cases: HostileCase[] = [];
  const fixed: Record<string, string> = {
    id: f.declarationId,
    userId: f.userId,
    traderId: f.traderId,
    name: f.rulePack,
    key: f.indicatorId,
    version: '1',
    a: '1',
    b: '2',
  };
  const fill = (path: string, over: Record<string, string> = {}) =>
    path.replace(/\{(\w+)\}/g, (_, p: string) => over[p] ?? idFor(path, p, f) ?? fixed[p]!);

  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/') || path.startsWith('/api/docs')) continue;
    for (const [m, op] of Object.entries(methods)) {
      const method = m.toUpperCase();
      const as = roleFor(method, path);
      const hasBody = op.requestBody !== undefined;
      const bodyless = method === 'POST' || method === 'PUT' ? '{}' : undefined;
      const json = { 'content-type': 'application/json' };
      const base = {
        method,
        as,
        body: hasBody || bodyless !== undefined,
      };

      for (const p of op.parameters ?? []) {
        if (p.in === 'path') {
          for (const [what, value] of PATH_VALUES) {
            cases.push({
              ...base,
              group: 'path parameters',
              name: `${method} ${path} {${p.name}} = ${what}`,
              url: fill(path, { [p.name]: value }),
              ...(bodyless ? { payload: bodyless, headers: json } : {}),
              // A read may answer a list that is empty for a name that matches nothing.
              expect: method === 'GET' ? 'harmless' : 'refused',
              body: false,
            });
          }
        }
        if (p.in === 'header') {
          // Values that do not match the header's pattern (a matching Last-Event-ID opens a stream).
          for (const [what, value] of HEADER_VALUES) {
            cases.push({
              ...base,
              group: 'query values',
              name: `${method} ${path} header ${p.name} = ${what}`,
              url: fill(path),
              headers: {
                [p.name]: value,
                ...(bodyless || hasBody ? { 'content-type': 'application/json' } : {}),
              },
              ...(bodyless || hasBody ? { payload: '{}' } : {}),
              expect: 'refused',
              body: false,
            });
          }
        }
        if (p.in === 'query') {
          const t = p.schema?.type;
          const values = [
            ...QUERY_ANY,
            ...(t === 'integer' || t === 'number' ? QUERY_NUMBER : []),
            ...(p.schema?.format === 'date-time' || /^(from|to)$/.test(p.name) ? QUERY_DATE : []),
          ];
          for (const [what, value] of values) {
            cases.push({
              ...base,
              group: 'query values',
              name: `${method} ${path} ?${p.name} = ${what}`,
              url: `${fill(path)}?${p.name}=${value}`,
              ...(bodyless ? { payload: bodyless, headers: json } : {}),
              expect: 'harmless',
              body: false,
            });
          }
        }
      }
      if (method === 'GET' && (op.parameters ?? []).some((p) => p.in === 'query')) {
        for (const q of ['__proto__=1', '__proto__[admin]=1', 'constructor[prototype][x]=1']) {
          cases.push({
            ...base,
            group: 'prototype keys',
            name: `${method} ${path} ?${q}`,
            url: `${fill(path)}?${q}`,
            expect: 'harmless',
            body: false,
          });
        }
      }

      if (!hasBody) continue;
      const url = fill(path);
      const content = op.requestBody!.content;
      const acceptsXml = 'application/xml' in content;
      const props = Object.keys(
        resolved(doc, content['application/json']?.schema)?.properties ?? {},
      );
      const field = props[0] ?? 'x';
      const B = (group: string, name: string, rest: Partial<HostileCase>) =>
        cases.push({
          ...base,
          group,
          name: `${method} ${path}: ${name}`,
          url,
          headers: json,
          expect: 'refused',
          body: true,
          ...rest,
        });

      // A value that the schema coerces to a string may make a valid body of a route whose
      // first field is free text: such cases must not fail, but they may store.
      const coercible = { expect: 'harmless' as const, mayWrite: true };
      B('empty and wrong-shaped bodies', 'empty body', { payload: '' });
      B('empty and wrong-shaped bodies', 'blank body', { payload: '  \n ' });
      B('empty and wrong-shaped bodies', 'no body, no content type', { headers: {} });
      B('empty and wrong-shaped bodies', 'null', { payload: 'null' });
      B('empty and wrong-shaped bodies', 'array where an object is expected', { payload: '[]' });
      B('empty and wrong-shaped bodies', 'array of an object', { payload: '[{}]' });
      B('empty and wrong-shaped bodies', 'a string', { payload: '"x"' });
      B('empty and wrong-shaped bodies', 'a number', { payload: '42' });
      B('empty and wrong-shaped bodies', 'true', { payload: 'true' });
      B('empty and wrong-shaped bodies', 'truncated JSON', { payload: `{"${field}": "` });
      B('empty and wrong-shaped bodies', 'trailing garbage', { payload: '{} {}' });
      B('empty and wrong-shaped bodies', 'field is an array', {
        payload: JSON.stringify({ [field]: [[[]]] }),
      });
      B('empty and wrong-shaped bodies', 'field is an object', {
        payload: JSON.stringify({ [field]: { $gt: '' } }),
      });

      B('wrong content types', 'text/plain', {
        payload: '{}',
        headers: { 'content-type': 'text/plain' },
        status: [400, 415],
      });
      B('wrong content types', 'form-urlencoded', {
        payload: `${field}=x`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: [400, 415],
      });
      B('wrong content types', 'multipart', {
        payload: '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        status: [400, 415],
      });
      B('wrong content types', 'JSON declared as UTF-16', {
        payload: Buffer.from('{}', 'utf16le'),
        headers: { 'content-type': 'application/json; charset=utf-16' },
        status: [400, 415],
      });
      B('wrong content types', 'made-up media type', {
        payload: '{}',
        headers: { 'content-type': 'application/x-evil' },
        status: [415],
      });
      if (!acceptsXml) {
        B('wrong content types', 'XML to a JSON route', {
          payload: '<a/>',
          headers: { 'content-type': 'application/xml' },
        });
      }

      // The costly cases run on one route of each area: the parser and the limits are shared.
      const costly = REPRESENTATIVE.has(`${method} ${path}`);
      if (costly) {
        B('deep nesting', 'JSON arrays 100,000 deep', { payload: () => deepArray(100_000) });
        B('deep nesting', 'JSON objects 100,000 deep', { payload: () => deepObject(100_000) });
      }
      B('deep nesting', 'JSON 40 deep under the field', {
        payload: `{"${field}":${deepObject(40)}}`,
      });

      B('huge bodies', 'one byte over the limit', {
        payload: () => `{"${field}":"${'x'.repeat(BODY_ROUTE_LIMIT)}"}`,
        status: [413],
      });
      B('huge bodies', 'declared length over the limit', {
        payload: '{}',
        headers: { ...json, 'content-length': String(BODY_ROUTE_LIMIT * 100) },
        status: [400, 413],
      });
      B('very long strings', 'a 10,000-character field', {
        payload: JSON.stringify({ [field]: 'z'.repeat(10_000) }),
      });
      if (costly) {
        B('huge bodies', 'many keys within the limit', {
          payload: () => `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":1`).join(',')}}`,
        });
        B('huge bodies', 'a long array within the limit', {
          payload: () => `{"${field}":[${'0,'.repeat(100_000)}0]}`,
        });
        B('very long strings', 'a 500,000-character field', {
          payload: () => JSON.stringify({ [field]: 'é'.repeat(250_000) }),
        });
      }

      B('prototype keys', '__proto__ key', {
        payload: `{"__proto__":{"admin":true,"roles":["admin"]},"${field}":1}`,
      });
      B('prototype keys', 'constructor.prototype', {
        payload: `{"constructor":{"prototype":{"admin":true}},"${field}":1}`,
      });
      B('prototype keys', 'prototype key', { payload: `{"prototype":{"x":1}}` });
      B('prototype keys', '__proto__ nested', {
        payload: `{"${field}":{"__proto__":{"polluted":1}}}`,
      });

      B('invalid UTF-8 and lone surrogates', 'lone high surrogate in a value', {
        payload: `{"${field}":"abc\\ud800"}`,
        status: [400],
        field: `/${field}`,
      });
      B('invalid UTF-8 and lone surrogates', 'lone low surrogate in a value', {
        payload: `{"${field}":"\\udfffxyz"}`,
        status: [400],
        field: `/${field}`,
      });
      B('invalid UTF-8 and lone surrogates', 'reversed surrogate pair', {
        payload: `{"${field}":"\\udc00\\ud800"}`,
        status: [400],
        field: `/${field}`,
      });
      B('invalid UTF-8 and lone surrogates', 'lone surrogate in a key', {
        payload: `{"k\\ud83d":1}`,
        status: [400],
      });
      B('invalid UTF-8 and lone surrogates', 'lone surrogate deep in an array', {
        payload: `{"${field}":[1,["ok","\\ud800"]]}`,
        status: [400],
        field: `/${field}/1/1`,
      });
      B('invalid UTF-8 and lone surrogates', 'invalid UTF-8 bytes', {
        payload: Buffer.concat([
          Buffer.from(`{"${field}":"`),
          Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
          Buffer.from('"}'),
        ]),
        status: [400],
      });
      B('invalid UTF-8 and lone surrogates', 'CESU-8 encoded surrogate bytes', {
        payload: Buffer.concat([
          Buffer.from(`{"${field}":"`),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
        status: [400],
      });

      B('odd numbers', 'field 1e400 (Infinity)', {
        ...coercible,
        payload: `{"${field}":1e400}`,
      });
      B('odd numbers', 'field -1e400', {
        ...coercible,
        payload: `{"${field}":-1e400}`,
      });
      B('odd numbers', 'field 2^53 + 1', {
        ...coercible,
        payload: `{"${field}":9007199254740993}`,
      });
      B('odd numbers', 'field "NaN"', {
        ...coercible,
        payload: `{"${field}":"NaN"}`,
      });
      B('SQL injection strings', 'field SQL injection', {
        ...coercible,
        payload: JSON.stringify({ [field]: "'); DROP TABLE declarations; --" }),
      });
      B('formula cells', 'field formula', {
        ...coercible,
        payload: JSON.stringify({ [field]: "=cmd|' /C calc'!A0", [`${field}x`]: '@SUM(1+1)' }),
      });

      const xmlTarget = acceptsXml ? 'XML' : 'XML to a JSON route';
      const X = (name: string, payload: HostileCase['payload'], rest: Partial<HostileCase> = {}) =>
        B('XML entities and nesting', `${xmlTarget}: ${name}`, {
          payload,
          headers: { 'content-type': 'application/xml' },
          ...rest,
        });
      X('XXE file entity', XXE_FILE, { mustNotContain: 'root:' });
      X('XXE URL entity', XXE_URL);
      X('XXE parameter entity', XXE_PARAMETER, { mustNotContain: 'root:' });
      X('billion laughs', BILLION_LAUGHS);
      if (acceptsXml) {
        X('quadratic blow-up', () => QUADRATIC_BLOWUP);
        X('50,000 elements deep', () => XML_DEEP);
        X('250,000 sibling elements (1 MB)', () => XML_WIDE);
        X('20,000 attributes', () => XML_ATTRIBUTES);
        X('not well-formed', '<CC315A><HEAHEA></CC315A>');
        X('XML declared as UTF-16', '<?xml version="1.0" encoding="UTF-16"?><CC315A/>');
        X('processing instruction and CDATA', '<?evil x?><CC315A><![CDATA[<x>]]></CC315A>');
        X('invalid UTF-8 bytes', '<CC315A>\uFFFD</CC315A>', {
          payload: Buffer.concat([
            Buffer.from('<CC315A>'),
            Buffer.from([0xff, 0xc0]),
            Buffer.from('</CC315A>'),
          ]),
        });
      }
    }
  }
  return cases;
}

/** The fixture that fills `{param}` of `path`, when it is not the generic one. */
function idFor(path: string, param: string, f: HostileFixtures): string | undefined {
  if (param === 'id') {
    if (path.startsWith('/api/permits')) return f.permitId;
    if (path.startsWith('/api/certificates')) return f.certificateId;
    if (path.startsWith('/api/indicators')) return f.indicatorId;
    if (path.startsWith('/api/cargo-reports')) return f.cargoReportId;
    if (path.startsWith('/api/cargo-referrals')) return f.referralId;
  }
  if (param === 'key' && path.startsWith('/api/reference-lists')) return f.referenceList;
  if (param === 'name' && path.startsWith('/api/reference-lists')) return f.referenceList;
  return undefined;
}

/** A JSON field value as raw JSON text (so that 1e400 and "\ud800" reach the parser as sent). */
export type RawJson = string;

/** One field-level mutation of a valid body: set `pointer` to the raw JSON `value`. */
export interface FieldMutation {
  name: string;
  pointer: string;
  value: RawJson;
  /** The field the problem must name (default: `pointer`). */
  field?: string;
}

/** Sets a JSON pointer in a copy of `body` to a placeholder, then swaps the raw value in. */
export function mutate(body: unknown, pointer: string, raw: RawJson): string {
  const copy = structuredClone(body) as Record<string, unknown>;
  const steps = pointer.split('/').slice(1);
  let at: Record<string, unknown> = copy;
  for (const s of steps.slice(0, -1)) at = at[s] as Record<string, unknown>;
  const mark = '\u0001HOSTILE\u0001';
  at[steps[steps.length - 1]!] = mark;
  return JSON.stringify(copy).replace(JSON.stringify(mark), raw);
}

/** Odd numbers for a bounded, positive quantity, mass or value. */
export const ODD_AMOUNTS: Array<[string, RawJson]> = [
  ['1e308', '1e308'],
  ['1e400 (Infinity when parsed)', '1e400'],
  ['-1e400', '-1e400'],
  ['beyond 2^53', '9007199254740993'],
  ['1e13 (over the bound)', '1e13'],
  ['negative', '-5'],
  ['"NaN" string', '"NaN"'],
  ['"Infinity" string', '"Infinity"'],
  ['"1e3" string', '"1e3"'],
  ['null', 'null'],
  ['an object', '{"valueOf":1}'],
];

/** Odd date-times: each must be refused where a date-time is expected. */
export const ODD_DATES: Array<[string, RawJson]> = [
  ['leap second', '"2026-12-31T23:59:60Z"'],
  ['year 99999', '"99999-01-01T00:00:00Z"'],
  ['expanded year +099999', '"+099999-01-01T00:00:00Z"'],
  ['30 February', '"2026-02-30T00:00:00Z"'],
  ['hour 24', '"2026-05-01T24:00:00Z"'],
  ['no zone', '"2026-05-01T10:00:00"'],
  ['epoch number', '1767225600000'],
  ['lone surrogate', '"2026-05-01T10:00:00Z\\ud800"'],
  ['SQL injection', `"2026-05-01' OR '1'='1"`],
];

/** Odd integers for counts and sequence numbers. */
export const ODD_COUNTS: Array<[string, RawJson]> = [
  ['beyond 2^53', '9007199254740993'],
  ['beyond 2^31', '2147483648'],
  ['1e308', '1e308'],
  ['fraction', '1.5'],
  ['negative', '-1'],
  ['"1" string', '"1"'],
];
