import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTROL_FORMS,
  INDICATOR_STATUSES,
  PRIORITY_AREAS,
  SHARING_LEVELS,
  type Authored,
  type Indicator,
  type IndicatorMethod,
  type ReferenceList,
  type SharingLevel,
} from '../risk/indicator.js';
import type { Agreement } from './agreements.js';
import { releaseFor, riskShareBody, type Composed } from './boundary.js';
import { canonicalBytes } from './canonical-json.js';
import { buildEnvelope, sendingAgreement } from './envelope.js';
import {
  ANSWER_TYPES,
  carriesNominal,
  validateEnvelope,
  type BodyOf,
  type Envelope,
  type MessageType,
} from './messages.js';

/**
 * The boundary, end to end as `sendMessage` (src/app/exchange.ts) composes: records of every
 * sharing level, random parties and random agreements go through `sendingAgreement`,
 * `releaseFor` (or `riskShareBody`), `buildEnvelope` and canonicalisation, and the bytes that
 * would be signed are searched for canaries. National records carry `⟦national:…⟧`, the
 * authorship of indicators and lists `⟦internal:…⟧`, parties `⟦party:…⟧` / `⟦pid:…⟧`, shareable
 * content `⟦shared:…⟧`. The random text around them never contains `⟦`.
 */

const RUNS = 200;
const FROM = 'BY/GTK';
const PARTNERS = ['KZ/KGD', 'UZ/DTK', 'CN/GACC'] as const;
const COMPOSED_TYPES = [
  'alert',
  'assistance.request',
  'assistance.status',
  'assistance.reply',
  'seizure.report',
] as const satisfies readonly MessageType[];
type ComposedType = (typeof COMPOSED_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Text: ASCII, Cyrillic, controls and JSON specials (escaped by JCS), astral characters.

const unit = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-.,/:') },
  {
    weight: 3,
    arbitrary: fc.integer({ min: 0x410, max: 0x44f }).map((c) => String.fromCodePoint(c)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCodePoint(c)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('"', '\\', '\u2028', '\u007f', 'é', '漢', '🦜', '\u{1F600}'),
  },
);
const noise = fc.string({ unit, maxLength: 16 });

/** Cuts to `max` UTF-16 code units (never inside a pair) and pads to `min` code points. */
function fit(s: string, max: number, min = 1): string {
  const points = Array.from(s);
  let length = s.length;
  while (length > max) length -= points.pop()!.length;
  let out = points.join('');
  while (Array.from(out).length < min) out += 'x';
  return out;
}

/** Random text within the schema's bounds, beginning with `tag` when it fits. */
const text = (max: number, tag = '', min = 1) =>
  noise.map((n) => fit(tag === '' ? n : `${tag} ${n}`, max, min));

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const upper = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: n, maxLength: n });
const country = fc.constantFrom('CN', 'KZ', 'BY', 'UZ', 'DE', 'VN', 'CM');
const MIN_TIME = Date.parse('2024-01-01T00:00:00.000Z');
const MAX_TIME = Date.parse('2031-01-01T00:00:00.000Z');
const instant = fc.integer({ min: MIN_TIME, max: MAX_TIME }).map((t) => new Date(t));
const dateTime = instant.map((d) => d.toISOString());
const priorityArea = fc.constantFrom(...PRIORITY_AREAS);
const messageId = fc.string({
  unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZabcxyz_-'),
  minLength: 10,
  maxLength: 40,
});

// ---------------------------------------------------------------------------------------------
// Bodies of the composed types, every free text field tagged with the record's canary.

const goods = (tag: string) =>
  fc.record(
    { hsCode: digits(4, 10), description: text(500, tag) },
    { requiredKeys: ['description'] },
  );
const routeLeg = (tag: string) =>
  fc.record(
    {
      from: text(35, tag),
      to: text(35, tag),
      via: fc.array(text(35, tag), { maxLength: 3 }),
      mode: fc.constantFrom('sea', 'air', 'road', 'rail', 'post', 'pipeline', 'other'),
    },
    { requiredKeys: [] },
  );
const conveyance = (tag: string) =>
  fc.record({
    mode: fc.constantFrom('sea', 'air', 'road', 'rail', 'post', 'other'),
    identifier: text(70, tag),
  });

/** 0–4 parties, each named with its own canary; sometimes no `parties` member at all. */
const parties = (record: string) =>
  fc.option(
    fc
      .array(
        fc.record(
          {
            role: fc.constantFrom(
              'consignor',
              'consignee',
              'declarant',
              'carrier',
              'owner',
              'other',
            ),
            name: noise,
            identifier: noise,
            country,
          },
          { requiredKeys: ['role', 'name'] },
        ),
        { maxLength: 4 },
      )
      .map((list) =>
        list.map((p, i) => ({
          ...p,
          name: fit(`${partyTag(record, i)} ${p.name}`, 200),
          ...(p.identifier === undefined ? {} : { identifier: pidTag(record, i) }),
        })),
      ),
    { nil: undefined },
  );
const partyTag = (record: string, i: number) => `⟦party:${record}:${i}⟧`;
// The whole record id (base64url of the UUID's 16 bytes) fits an identifier's 35 characters.
const pidTag = (record: string, i: number) =>
  `⟦pid:${Buffer.from(record.replaceAll('-', ''), 'hex').toString('base64url')}:${i}⟧`;

/** Puts `parties` in the body only when there are some (or an empty list), never undefined. */
const withParties = <B extends object>(body: B, list: unknown[] | undefined): B =>
  list === undefined ? body : { ...body, parties: list };

const bodies: { [T in ComposedType]: (tag: string, record: string) => fc.Arbitrary<BodyOf[T]> } = {
  alert: (tag, record) =>
    fc
      .record(
        {
          priorityArea,
          summary: text(300, tag, 3),
          details: text(5000, tag),
          goods: fc.array(goods(tag), { maxLength: 3 }),
          routes: fc.array(routeLeg(tag), { maxLength: 3 }),
          conveyances: fc.array(conveyance(tag), { maxLength: 3 }),
          validUntil: fc.option(dateTime, { nil: undefined }),
          parties: parties(record),
        },
        { requiredKeys: ['priorityArea', 'summary', 'details', 'goods', 'routes', 'conveyances'] },
      )
      .map(({ parties: list, validUntil, ...b }) =>
        withParties(validUntil === undefined ? b : { ...b, validUntil }, list),
      ),
  'assistance.request': (tag, record) =>
    fc
      .record({
        subject: text(300, tag, 3),
        priorityArea,
        questions: fc.array(text(2000, tag), { minLength: 1, maxLength: 3 }),
        references: fc.array(
          fc.record({
            type: fc.constantFrom('declaration', 'mrn', 'container', 'seizure', 'permit', 'other'),
            value: text(100, tag),
          }),
          { maxLength: 3 },
        ),
        deadline: dateTime,
        parties: parties(record),
      })
      .map(({ parties: list, ...b }) => withParties(b, list)),
  'assistance.status': (tag) =>
    fc.record(
      {
        status: fc.constantFrom('acknowledged', 'in-progress', 'refused'),
        note: text(2000, tag),
      },
      { requiredKeys: ['status'] },
    ),
  'assistance.reply': (tag, record) =>
    fc
      .record({
        answers: fc.array(text(5000, tag), { minLength: 1, maxLength: 3 }),
        final: fc.boolean(),
        parties: parties(record),
      })
      .map(({ parties: list, ...b }) => withParties(b, list)),
  'seizure.report': (tag, record) =>
    fc
      .record(
        {
          seizedOn: dateTime.map((t) => t.slice(0, 10)),
          place: fc.record(
            { country, locode: upper(5), description: text(200, tag) },
            { requiredKeys: ['country'] },
          ),
          priorityArea,
          hsCode: digits(4, 10),
          description: text(500, tag),
          species: text(200, tag),
          quantity: fc.record({
            value: fc.double({ min: 0, max: 1e12, noNaN: true }),
            unit: text(10),
          }),
          concealment: text(500, tag),
          route: fc.array(routeLeg(tag), { maxLength: 3 }),
          detectionMethod: fc.constantFrom(
            'risk-profile',
            'random-selection',
            'intelligence',
            'scanning',
            'detector-dog',
            'documentary-check',
            'physical-inspection',
            'other',
          ),
          parties: parties(record),
        },
        {
          requiredKeys: [
            'seizedOn',
            'place',
            'priorityArea',
            'hsCode',
            'description',
            'quantity',
            'route',
            'detectionMethod',
          ],
        },
      )
      .map(({ parties: list, ...b }) => withParties(b, list)),
};

interface Case {
  composed: Composed;
  /** `⟦national:…⟧` or `⟦shared:…⟧`. */
  tag: string;
  record: string;
}

const composedOf = (type: ComposedType): fc.Arbitrary<Case> =>
  fc
    .record({ sharing: fc.constantFrom<SharingLevel>(...SHARING_LEVELS), record: fc.uuid() })
    .chain(({ sharing, record }) => {
      const tag = sharing === 'national' ? `⟦national:${record}⟧` : `⟦shared:${record}⟧`;
      return (bodies[type] as (t: string, r: string) => fc.Arbitrary<BodyOf[ComposedType]>)(
        tag,
        record,
      ).map((body) => ({ composed: { type, body, sharing }, tag, record }));
    });

// ---------------------------------------------------------------------------------------------
// Agreements and the moment of sending.

const HOUR = 3_600_000;

/** 0–3 agreements per partner, some expired or not yet in force, nominal or not. */
const agreementsAt = (now: Date) =>
  fc
    .array(
      fc.record({
        partnerId: fc.constantFrom(...PARTNERS),
        nominal: fc.boolean(),
        types: fc.subarray([...COMPOSED_TYPES, 'risk.share' as const], { minLength: 1 }),
        fromOffsetHours: fc.integer({ min: -5000, max: 48 }),
        lengthHours: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: null }),
        legalBasis: fc.constantFrom('SCO-CUSTOMS-2007', 'EAEU-TC-2017', 'BILATERAL-BY-KZ'),
      }),
      { maxLength: 6 },
    )
    .map((list) =>
      list.map((a, i): Agreement => {
        const from = now.getTime() + a.fromOffsetHours * HOUR;
        return {
          id: `agreement-${i}`,
          partnerId: a.partnerId,
          title: 'Agreement (test)',
          legalBasis: a.legalBasis,
          messageTypes: a.types,
          nominal: a.nominal,
          validFrom: new Date(from).toISOString(),
          validTo:
            a.lengthHours === null ? null : new Date(from + a.lengthHours * HOUR).toISOString(),
          createdAt: new Date(MIN_TIME).toISOString(),
          createdBy: 'test',
        };
      }),
    );

interface Sending {
  now: Date;
  agreements: Agreement[];
  to: string[];
  ttlHours: number;
  expiresInMs: number | null;
  ids: string[];
}

const sending: fc.Arbitrary<Sending> = instant.chain((now) =>
  fc.record({
    now: fc.constant(now),
    agreements: agreementsAt(now),
    to: fc.subarray([...PARTNERS], { minLength: 1 }),
    ttlHours: fc.integer({ min: 1, max: 24 * 60 }),
    expiresInMs: fc.option(fc.integer({ min: 1, max: 400 * 24 * HOUR }), { nil: null }),
    ids: fc.array(messageId, { minLength: 3, maxLength: 3 }),
  }),
);

interface Sent {
  envelope: Envelope;
  bytes: Buffer;
  agreement: Agreement;
}

/** What `sendMessage` queues for one composed message: one envelope per partner it may go to. */
function send(composed: Composed, s: Sending): Sent[] {
  const at = s.now.toISOString();
  const out: Sent[] = [];
  for (const [i, to] of s.to.entries()) {
    const agreement = sendingAgreement(
      s.agreements,
      to,
      composed.type,
      at,
      carriesNominal(composed.body),
    );
    if (!agreement) continue; // refused: no agreement covers the type
    const released = releaseFor(composed, agreement);
    if (!released.ok) {
      expect(composed.sharing).toBe('national');
      expect(released.reason).toBe('national-only');
      continue;
    }
    const answer = ANSWER_TYPES.has(composed.type);
    const envelope = buildEnvelope(composed.type, released, {
      id: `${s.ids[i]!}${i}`,
      from: FROM,
      to,
      conversation: answer ? `${s.ids[1]!}c` : null,
      refTo: answer ? `${s.ids[2]!}r` : null,
      now: s.now,
      expiresAt:
        s.expiresInMs === null
          ? undefined
          : new Date(s.now.getTime() + s.expiresInMs).toISOString(),
      ttlHours: s.ttlHours,
      legalBasis: agreement.legalBasis,
    });
    const checked = validateEnvelope(envelope);
    if (!checked.ok) throw new Error(`invalid envelope: ${JSON.stringify(checked.issues)}`);
    expect(envelope.legalBasis).toBe(agreement.legalBasis);
    expect(envelope.handling).toBe(
      (envelope.body as { parties?: unknown[] }).parties?.length ? 'nominal' : 'non-nominal',
    );
    out.push({ envelope, bytes: Buffer.from(canonicalBytes(envelope)), agreement });
  }
  return out;
}

function partyTags(c: Case): string[] {
  const list = (c.composed.body as { parties?: Array<{ identifier?: string }> }).parties ?? [];
  return list.flatMap((p, i) => [
    partyTag(c.record, i),
    ...(p.identifier === undefined ? [] : [pidTag(c.record, i)]),
  ]);
}

/** The properties of one session: every case sent to every partner named. */
function checkSession(cases: Case[], s: Sending): void {
  const sent = cases.map((c) => ({ c, out: send(c.composed, s) }));
  const all = sent.flatMap(({ out }) => out.map((o) => o.bytes));
  const national = cases.filter((c) => c.composed.sharing === 'national');
  for (const bytes of all) {
    expect(bytes.includes('⟦national')).toBe(false);
    for (const c of national) expect(bytes.includes(c.tag)).toBe(false);
  }
  for (const { c, out } of sent) {
    if (c.composed.sharing === 'national') {
      expect(out).toHaveLength(0);
      continue;
    }
    const tags = partyTags(c);
    for (const o of out) {
      // Parties leave only under an agreement that allows nominal data, and then it says so.
      const nominal = o.agreement.nominal && tags.length > 0;
      for (const t of tags) expect(o.bytes.includes(t)).toBe(nominal);
      if (nominal) expect(o.envelope.handling).toBe('nominal');
      if (!o.agreement.nominal) expect(o.envelope.handling).toBe('non-nominal');
      // Nothing else changes on the way out, and the bytes are the envelope.
      const { parties: _p, ...rest } = c.composed.body as { parties?: unknown };
      const dropped = !o.agreement.nominal && tags.length > 0;
      expect(o.envelope.body).toEqual(dropped ? rest : c.composed.body);
      expect(JSON.parse(o.bytes.toString('utf8'))).toEqual(o.envelope);
      // The shareable content itself does leave (the search above looks at the right bytes).
      if (JSON.stringify(rest).includes(c.tag)) expect(o.bytes.includes(c.tag)).toBe(true);
    }
    // Other records' parties never ride along.
    for (const other of cases) {
      if (other === c) continue;
      for (const t of partyTags(other))
        for (const o of out) expect(o.bytes.includes(t)).toBe(false);
    }
  }
}

describe('the boundary: composed messages', () => {
  for (const type of COMPOSED_TYPES) {
    it(`${type}: nothing national leaves, parties only under a nominal agreement, valid envelopes`, () => {
      fc.assert(
        fc.property(
          fc.array(composedOf(type), { minLength: 1, maxLength: 4 }),
          sending,
          checkSession,
        ),
        { numRuns: RUNS },
      );
    });
  }

  it('a mixed session of every composed type to several partners', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...COMPOSED_TYPES).chain(composedOf), {
          minLength: 2,
          maxLength: 8,
        }),
        sending,
        checkSession,
      ),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Shared risk information: indicators and lists of random sharing, with internal authorship.

type AuthoredIndicator = Indicator & IndicatorMethod & Authored;
type AuthoredList = ReferenceList & Authored;

const authorship = (record: string, sharing: SharingLevel): fc.Arbitrary<Authored> =>
  fc.record({
    status: fc.constantFrom(...INDICATOR_STATUSES),
    ownerAgencyId: fc.constant(`⟦internal:owner:${record}⟧`),
    coAuthorAgencyIds: fc.constant([`⟦internal:coauthor:${record}⟧`]),
    sharing: fc.constant(sharing),
  });

const tagged = <T>(make: (tag: string, record: string, sharing: SharingLevel) => fc.Arbitrary<T>) =>
  fc
    .record({ sharing: fc.constantFrom<SharingLevel>(...SHARING_LEVELS), record: fc.uuid() })
    .chain(({ sharing, record }) =>
      make(sharing === 'national' ? `⟦national:${record}⟧` : `⟦shared:${record}⟧`, record, sharing),
    );

const indicator = tagged<AuthoredIndicator>((tag, record, sharing) =>
  fc
    .record({
      version: fc.integer({ min: 1, max: 50 }),
      title: text(200, tag),
      priorityArea,
      condition: text(4000, tag),
      weight: fc.double({ min: 0, max: 1000, noNaN: true }),
      directChannel: fc.constantFrom('yellow' as const, 'red' as const, null),
      controlForm: fc.constantFrom(...CONTROL_FORMS),
      rationale: text(2000, tag),
      validFrom: fc.option(dateTime, { nil: null }),
      validTo: fc.option(dateTime, { nil: null }),
      expectedDocuments: fc.array(fc.record({ type: text(35), title: text(200, tag) }), {
        maxLength: 3,
      }),
      sources: fc.array(text(500, tag), { maxLength: 3 }),
      authored: authorship(record, sharing),
    })
    .map(({ authored, ...i }) => ({ id: tag, ...i, ...authored })),
);

const list = tagged<AuthoredList>((tag, record, sharing) =>
  fc
    .record({
      version: fc.integer({ min: 1, max: 50 }),
      kind: fc.constantFrom(
        'hs-prefixes' as const,
        'countries' as const,
        'parties' as const,
        'values' as const,
      ),
      title: text(200, tag),
      entries: fc.array(text(200, tag), { maxLength: 5 }),
      authored: authorship(record, sharing),
    })
    .map(({ authored, ...l }) => ({ name: tag, ...l, ...authored })),
);

describe('the boundary: shared risk information', () => {
  it('risk.share: only shareable indicators and lists leave, never national ones or who wrote them', () => {
    fc.assert(
      fc.property(
        fc.array(indicator, { maxLength: 6 }),
        fc.array(list, { maxLength: 4 }),
        fc.option(text(2000), { nil: undefined }),
        sending,
        (indicators, lists, note, s) => {
          const body = riskShareBody(indicators, lists, note);
          const out = send({ type: 'risk.share', body, sharing: 'shareable' }, s);
          const shareable = [
            ...indicators.filter((i) => i.sharing === 'shareable').map((i) => i.id),
            ...lists.filter((l) => l.sharing === 'shareable').map((l) => l.name),
          ];
          const national = [
            ...indicators.filter((i) => i.sharing === 'national').map((i) => i.id),
            ...lists.filter((l) => l.sharing === 'national').map((l) => l.name),
          ];
          for (const o of out) {
            expect(o.bytes.includes('⟦national')).toBe(false);
            expect(o.bytes.includes('⟦internal')).toBe(false);
            for (const t of national) expect(o.bytes.includes(t)).toBe(false);
            for (const t of shareable) expect(o.bytes.includes(t)).toBe(true);
            expect(o.envelope.handling).toBe('non-nominal');
            expect((o.envelope.body as BodyOf['risk.share']).indicators).toHaveLength(
              indicators.filter((i) => i.sharing === 'shareable').length,
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
