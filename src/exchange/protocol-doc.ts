import { createHash, createPrivateKey } from 'node:crypto';
import type { TSchema } from 'typebox';
import { releaseFor, type Composed } from '../core/exchange/boundary.js';
import { canonicalBytes, canonicalJson } from '../core/exchange/canonical-json.js';
import { buildEnvelope } from '../core/exchange/envelope.js';
import {
  BODY_SCHEMAS,
  EnvelopeSchema,
  MESSAGE_TYPES,
  validateEnvelope,
  type Envelope,
  type Receipt,
} from '../core/exchange/messages.js';
import type { PublishedKey } from '../core/exchange/ports.js';
import { INBOX_PATH } from './http-transport.js';
import {
  DEFAULT_SUBJECT_PREFIX,
  MESSAGE_ID_HEADER,
  CORRELATION_HEADER,
  REPLY_TO_HEADER,
  natsSubjects,
} from './nats-transport.js';
import { jwkThumbprint, jwsVerifier, signCompact } from './signing.js';

/**
 * The parts of docs/exchange-protocol.md that are generated from the code: the tables of the
 * envelope and of every body (from the TypeBox schemas) and the worked example (an envelope
 * built, canonicalised and signed by the code itself, with published test keys). The document
 * marks each part `<!-- generated:NAME -->` … `<!-- /generated:NAME -->`;
 * `npm run docs:exchange` (scripts/exchange-example.ts) rewrites them and a test keeps them so.
 */

/** RFC 8037 appendix A.1: the Ed25519 key of the JOSE examples. A published key: never use it. */
export const RFC8037_KEY = {
  kty: 'OKP',
  crv: 'Ed25519',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
} as const;

/** RFC 8032 section 7.1, TEST 2 (secret 4ccd08…a6fb): the receiver's key. Published too. */
export const RFC8032_TEST2_KEY = {
  kty: 'OKP',
  crv: 'Ed25519',
  x: Buffer.from(
    '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    'hex',
  ).toString('base64url'),
  d: Buffer.from(
    '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    'hex',
  ).toString('base64url'),
} as const;

/** Everything fixed in the example, so that it comes out the same byte for byte. */
export const EXAMPLE_INPUT = {
  sender: 'BY/GTK',
  receiver: 'KZ/KGD',
  /** A ULID made at `createdAt`, as the node's id generator makes them. */
  messageId: '01KJPSTSX08Q4M2N6P3R5T7V9W',
  createdAt: '2026-03-02T08:15:00.000Z',
  receivedAt: '2026-03-02T08:15:02.318Z',
  /** The node's default time to live: 7 days. */
  ttlHours: 7 * 24,
  /** Keys valid from here (both nodes), without end. */
  keysValidFrom: '2026-01-01T00:00:00.000Z',
  agreement: {
    legalBasis: 'SCO-CUSTOMS-2007',
    nominal: false,
    validFrom: '2020-01-01T00:00:00.000Z',
  },
  composed: {
    type: 'alert',
    sharing: 'shareable',
    body: {
      priorityArea: 'e-waste',
      summary: 'Waste lead-acid batteries declared as ferrous scrap',
      details:
        'Three containers from one consignor, declared under HS 7204 (ferrous waste and scrap), ' +
        'show battery cells on the X-ray images. Destination: Брест.',
      goods: [{ hsCode: '854911', description: 'waste lead-acid accumulators' }],
      routes: [{ from: 'CNSHA', to: 'BYBRE', via: ['KZDOS'], mode: 'rail' }],
      conveyances: [{ mode: 'rail', identifier: 'wagon 5551234' }],
      parties: [{ role: 'consignor', name: 'Example Recycling Co (fictitious)', country: 'CN' }],
      validUntil: '2026-06-01T00:00:00.000Z',
    },
  } satisfies Composed<'alert'>,
} as const;

export interface ProtocolExample {
  senderKey: PublishedKey;
  receiverKey: PublishedKey;
  envelope: Envelope;
  canonical: string;
  protectedHeader: string;
  jws: string;
  digest: string;
  receipt: Receipt;
  receiptCanonical: string;
  receiptJws: string;
  partiesWithheld: number;
}

async function published(jwk: { x: string }, validFrom: string): Promise<PublishedKey> {
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x } as const;
  return { kid: await jwkThumbprint(publicJwk), jwk: publicJwk, validFrom, validTo: null };
}

/** Signs as a node with a fixed key does (`Keyring.sign`: `signCompact` with the key's kid). */
export function fixedSigner(
  jwk: { kty: string; crv: string; x: string; d: string },
  key: PublishedKey,
) {
  const privateKey = createPrivateKey({ key: { ...jwk }, format: 'jwk' });
  return {
    sign: (payload: Uint8Array) => signCompact(payload, privateKey, key.kid),
    publicKeys: () => [key],
  };
}

/**
 * The worked example: the alert composed by a liaison officer of BY/GTK goes through the
 * boundary (no agreement allowing nominal data: the party is withheld), the envelope is built,
 * validated, canonicalised and signed; KZ/KGD's receipt names its digest.
 */
export async function protocolExample(): Promise<ProtocolExample> {
  const x = EXAMPLE_INPUT;
  const senderKey = await published(RFC8037_KEY, x.keysValidFrom);
  const receiverKey = await published(RFC8032_TEST2_KEY, x.keysValidFrom);
  const released = releaseFor(x.composed as Composed<'alert'>, x.agreement);
  if (!released.ok) throw new Error('the example is national-only');
  const envelope: Envelope = buildEnvelope('alert', released, {
    id: x.messageId,
    from: x.sender,
    to: x.receiver,
    conversation: null,
    refTo: null,
    now: new Date(x.createdAt),
    ttlHours: x.ttlHours,
    legalBasis: x.agreement.legalBasis,
  });
  const checked = validateEnvelope(envelope);
  if (!checked.ok) throw new Error(`the example is invalid: ${JSON.stringify(checked.issues)}`);
  const jws = await fixedSigner(RFC8037_KEY, senderKey).sign(canonicalBytes(envelope));
  await jwsVerifier.verify(jws, senderKey.jwk);
  const digest = `sha-256:${createHash('sha256').update(jws, 'utf8').digest('base64url')}`;
  const receipt: Receipt = {
    v: 1,
    type: 'receipt',
    messageId: envelope.id,
    from: x.receiver,
    to: x.sender,
    digest,
    receivedAt: x.receivedAt,
    status: 'accepted',
    reason: null,
  };
  const receiptJws = await fixedSigner(RFC8032_TEST2_KEY, receiverKey).sign(
    canonicalBytes(receipt),
  );
  return {
    senderKey,
    receiverKey,
    envelope,
    canonical: canonicalJson(envelope),
    protectedHeader: Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8'),
    jws,
    digest,
    receipt,
    receiptCanonical: canonicalJson(receipt),
    receiptJws,
    partiesWithheld: released.droppedParties,
  };
}

// ---------------------------------------------------------------------------------------------
// Tables from the schemas.

interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
}

const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/** What a value is and its limits, in words. */
function describe(s: JsonSchema): { type: string; limits: string[] } {
  if (s.anyOf) {
    const parts = s.anyOf.map(describe);
    const nonNull = parts.filter((p) => p.type !== 'null');
    return {
      type: parts.map((p) => p.type).join(' or '),
      limits: nonNull.flatMap((p) => p.limits),
    };
  }
  if (s.const !== undefined)
    return { type: s.type ?? 'constant', limits: [`always ${code(s.const)}`] };
  if (s.enum) return { type: 'string', limits: [`one of ${s.enum.map(code).join(', ')}`] };
  const limits: string[] = [];
  switch (s.type) {
    case 'string':
      if (s.format === 'date-time') limits.push('RFC 3339 date-time');
      if (s.minLength !== undefined && s.maxLength !== undefined)
        limits.push(
          s.minLength === s.maxLength
            ? `exactly ${s.minLength} characters`
            : `${s.minLength}–${s.maxLength} characters`,
        );
      else if (s.maxLength !== undefined) limits.push(`at most ${s.maxLength} characters`);
      if (s.pattern !== undefined) limits.push(`pattern ${code(s.pattern)}`);
      return { type: 'string', limits };
    case 'number':
    case 'integer':
      if (s.minimum !== undefined) limits.push(`≥ ${s.minimum}`);
      if (s.maximum !== undefined) limits.push(`≤ ${s.maximum}`);
      return { type: s.type, limits };
    case 'array': {
      const item = describe(s.items ?? {});
      if (s.minItems !== undefined) limits.push(`${s.minItems} to ${s.maxItems ?? 'any'} items`);
      else if (s.maxItems !== undefined) limits.push(`at most ${s.maxItems} items`);
      limits.push(...item.limits.map((l) => `each ${l}`));
      return { type: `array of ${item.type}`, limits };
    }
    case 'object':
      return {
        type: 'object',
        limits:
          s.additionalProperties === false
            ? ['no other members']
            : ['the body of its `type` (tables below)'],
      };
    default:
      return { type: s.type ?? 'any', limits };
  }
}

function rows(s: JsonSchema, prefix: string, out: string[][]): void {
  for (const [name, member] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${name}`;
    const required = s.required?.includes(name) ? 'yes' : 'no';
    const d = describe(member);
    out.push([code(path), d.type, required, d.limits.join('; ')]);
    if (member.type === 'object' && member.properties && Object.keys(member.properties).length > 0)
      rows(member, `${path}.`, out);
    if (member.type === 'array' && member.items?.type === 'object')
      rows(member.items, `${path}[].`, out);
  }
}

const escapeCell = (c: string) => c.replaceAll('|', '\\|');

/**
 * A Markdown table of an object schema's members, nested members as `a.b` and `a[].b`; for a
 * union of objects one table per form, each named by the member whose constant tells them apart.
 */
export function schemaTable(schema: TSchema): string {
  const s: JsonSchema = schema;
  if (!s.anyOf) return objectTable(s);
  const forms = s.anyOf;
  return forms
    .map((form) => {
      const tag = Object.entries(form.properties ?? {}).find(([, m]) => m.const !== undefined);
      const title = tag ? `When ${code(tag[0])} is ${code(tag[1].const)}:` : 'Or:';
      return `${title}\n\n${objectTable(form)}`;
    })
    .join('\n\n');
}

function objectTable(schema: JsonSchema): string {
  const body: string[][] = [];
  rows(schema, '', body);
  return [
    '| Member | Type | Required | Limits |',
    '| --- | --- | --- | --- |',
    ...body.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The generated parts.

const fence = (lang: string, text: string) => `\`\`\`${lang}\n${text}\n\`\`\``;

function exampleMarkdown(e: ProtocolExample): string {
  const x = EXAMPLE_INPUT;
  const inbox = natsSubjects(x.receiver, DEFAULT_SUBJECT_PREFIX).inbox;
  const senderReceipts = natsSubjects(x.sender, DEFAULT_SUBJECT_PREFIX).receipts;
  const [h, p, sig] = e.jws.split('.') as [string, string, string];
  return [
    `Keys (published test vectors, never to be used by a real node): ${x.sender} signs with the`,
    `Ed25519 key of RFC 8037 appendix A.1, ${x.receiver} with RFC 8032 section 7.1 TEST 2.`,
    '',
    fence(
      'text',
      [
        `${x.sender}  x   ${e.senderKey.jwk.x}`,
        `        d   ${RFC8037_KEY.d}`,
        `        kid ${e.senderKey.kid}`,
        `${x.receiver}  x   ${e.receiverKey.jwk.x}`,
        `        d   ${RFC8032_TEST2_KEY.d}`,
        `        kid ${e.receiverKey.kid}`,
      ].join('\n'),
    ),
    '',
    `A liaison officer of ${x.sender} sends a shareable alert naming one party; the agreement`,
    `${x.agreement.legalBasis} with ${x.receiver} does not allow nominal data, so the boundary`,
    `withholds the party (${e.partiesWithheld} withheld) and the handling is \`${e.envelope.handling}\`.`,
    `The envelope, created at ${x.createdAt} with the default time to live of ${x.ttlHours} hours:`,
    '',
    fence('json', JSON.stringify(e.envelope, null, 2)),
    '',
    'Its canonical form (RFC 8785), the exact bytes signed (UTF-8; note the Cyrillic kept as is):',
    '',
    fence('text', e.canonical),
    '',
    'The JWS protected header, exactly as encoded in the first part:',
    '',
    fence('text', e.protectedHeader),
    '',
    'The compact JWS (header, payload and signature parts on lines of their own here; on the',
    'wire they are one string joined by `.`):',
    '',
    fence('text', [h, p, sig].join('\n')),
    '',
    'The same JWS as one string, as it is sent and digested:',
    '',
    fence('text', e.jws),
    '',
    `Its digest: \`${e.digest}\`.`,
    '',
    'Over HTTP:',
    '',
    fence(
      'text',
      [
        `POST ${INBOX_PATH} HTTP/1.1`,
        'content-type: application/jose',
        `greenlane-message-id: ${e.envelope.id}`,
        '',
        '<the compact JWS>',
        '',
        'HTTP/1.1 200 OK',
        'content-type: application/jose',
        'greenlane-receipt-status: accepted',
        '',
        '<the receipt JWS>',
      ].join('\n'),
    ),
    '',
    'Over NATS JetStream (default stream and prefix):',
    '',
    fence(
      'text',
      [
        `publish ${inbox}`,
        `  Nats-Msg-Id: ${x.sender}:${e.envelope.id}`,
        `  ${MESSAGE_ID_HEADER}: ${e.envelope.id}`,
        `  ${REPLY_TO_HEADER}: ${senderReceipts}`,
        '  <the compact JWS>',
        `publish ${senderReceipts}`,
        `  ${CORRELATION_HEADER}: ${e.envelope.id}`,
        '  <the receipt JWS>',
      ].join('\n'),
    ),
    '',
    `${x.receiver}'s receipt, received at ${x.receivedAt}, canonical form:`,
    '',
    fence('text', e.receiptCanonical),
    '',
    'Signed with its key:',
    '',
    fence('text', e.receiptJws),
  ].join('\n');
}

/** Every generated part of the document, by name. */
export async function generatedParts(): Promise<Record<string, string>> {
  const parts: Record<string, string> = {
    envelope: schemaTable(EnvelopeSchema),
  };
  for (const type of MESSAGE_TYPES) parts[`body:${type}`] = schemaTable(BODY_SCHEMAS[type]);
  parts.example = exampleMarkdown(await protocolExample());
  return parts;
}

const PART = /<!-- generated:([a-z.:-]+) -->\n([\s\S]*?)\n?<!-- \/generated:\1 -->/g;

/** The generated parts as they stand in a document. */
export function partsIn(doc: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of doc.matchAll(PART)) found[m[1]!] = m[2]!.trim();
  return found;
}

/** The document with every generated part rewritten; a part the document lacks is an error. */
export function fillParts(doc: string, parts: Record<string, string>): string {
  const missing = Object.keys(parts).filter((name) => !(name in partsIn(doc)));
  if (missing.length > 0) throw new Error(`the document has no part ${missing.join(', ')}`);
  return doc.replace(PART, (whole, name: string) =>
    name in parts
      ? `<!-- generated:${name} -->\n\n${parts[name]}\n\n<!-- /generated:${name} -->`
      : whole,
  );
}
