import { describe, expect, it } from 'vitest';
import { applyAmendment, type AmendmentChange, type AmendmentNote } from './amendment.js';
import type { DeclarationContent } from './declaration.js';
import { validateDeclaration } from './validate-declaration.js';

const lodged = (() => {
  const checked = validateDeclaration(
    {
      kind: 'import',
      reference: 'LRN-1',
      submittedAt: '2026-03-01T10:00:00Z',
      declarant: { id: 'GB123', name: 'Declarant' },
      consignor: { name: 'Old name', country: 'US', address: 'Old line, Old city, 1' },
      goodsItems: [
        {
          sequence: 1,
          hsCode: '0901210000',
          description: 'Coffee',
          netMass: 10,
          quantity: 5,
          unit: 'PK',
          value: 100,
          currency: 'GBP',
        },
        {
          sequence: 2,
          hsCode: '1806310000',
          description: 'Chocolate',
          netMass: 3,
          quantity: 2,
          unit: 'KGM',
        },
      ],
    },
    '2026-03-01T10:00:00Z',
  );
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.value;
})();

const set = (field: string, value: unknown, item?: number, extra: Partial<AmendmentChange> = {}) =>
  ({
    op: 'set',
    field,
    value,
    source: `/X${field}`,
    ...(item !== undefined ? { item } : {}),
    ...extra,
  }) as AmendmentChange;

interface Case {
  name: string;
  changes: AmendmentChange[];
  notHeld?: AmendmentNote[];
  expect:
    | { ok: true; check: (c: DeclarationContent) => unknown; notes?: RegExp }
    | { ok: false; issues: Array<{ path: string | RegExp; reason: RegExp }> };
}

const CASES: Case[] = [
  {
    name: 'sets an item field by sequence',
    changes: [set('/netMass', 62, 2)],
    expect: { ok: true, check: (c) => expect(c.goodsItems[1]!.netMass).toBe(62) },
  },
  {
    name: 'sets a party field',
    changes: [set('/consignor/name', 'New name')],
    expect: {
      ok: true,
      check: (c) => expect(c.consignor).toMatchObject({ name: 'New name', country: 'US' }),
    },
  },
  {
    name: 'sets value and currency together',
    changes: [set('/value', 998, 1), set('/currency', 'EUR', 1)],
    expect: {
      ok: true,
      check: (c) => expect(c.goodsItems[0]).toMatchObject({ value: 998, currency: 'EUR' }),
    },
  },
  {
    name: 'removes a goods item',
    changes: [{ op: 'remove-item', item: 1, source: '/Pointer[3]' }],
    expect: { ok: true, check: (c) => expect(c.goodsItems.map((g) => g.sequence)).toEqual([2]) },
  },
  {
    name: 'applies a package count only to a quantity in packages, noting the other',
    changes: [
      set('/quantity', 53, 1, { whenUnit: 'PK' }),
      set('/quantity', 9, 2, { whenUnit: 'PK' }),
    ],
    expect: {
      ok: true,
      check: (c) => expect(c.goodsItems.map((g) => g.quantity)).toEqual([53, 2]),
      notes: /goods item 2 declares its quantity in KGM, not PK/,
    },
  },
  {
    name: 'keeps the content when only elements GreenLane does not hold are amended',
    changes: [],
    notHeld: [{ source: '/TotalPackageQuantity', note: 'not held' }],
    expect: { ok: true, check: (c) => expect(c).toEqual(lodged) },
  },
  {
    name: 'refuses an item that is not in the declaration, naming the source',
    changes: [set('/netMass', 1, 9)],
    expect: {
      ok: false,
      issues: [
        { path: '/X/netMass', reason: /goods item 9 is not in the declaration \(items 1, 2\)/ },
      ],
    },
  },
  {
    name: 'refuses removing an item that is not there',
    changes: [{ op: 'remove-item', item: 7, source: '/Pointer[3]' }],
    expect: {
      ok: false,
      issues: [{ path: '/Pointer[3]', reason: /goods item 7 is not in the declaration/ }],
    },
  },
  {
    name: 'refuses removing every item: that is a cancellation',
    changes: [
      { op: 'remove-item', item: 1, source: '/a' },
      { op: 'remove-item', item: 2, source: '/b' },
    ],
    expect: {
      ok: false,
      issues: [{ path: '/goodsItems', reason: /cancel the declaration instead/ }],
    },
  },
  {
    name: 'refuses the identity of the declaration',
    changes: [set('/reference', 'OTHER'), set('/kind', 'export')],
    expect: {
      ok: false,
      issues: [
        { path: '/X/reference', reason: /cannot be amended/ },
        { path: '/X/kind', reason: /cannot be amended/ },
      ],
    },
  },
  {
    name: 'refuses the sequence of an item',
    changes: [set('/sequence', 3, 1)],
    expect: { ok: false, issues: [{ path: '/X/sequence', reason: /cannot be amended/ }] },
  },
  {
    name: 'validates the result as a lodging, naming the source element',
    changes: [set('/originCountry', 'ZG', 1)],
    expect: {
      ok: false,
      issues: [
        {
          path: /^\/X\/originCountry \(\/goodsItems\/0\/originCountry\)$/,
          reason: /unknown country code 'ZG'/,
        },
      ],
    },
  },
  {
    name: 'refuses an amendment that changes nothing',
    changes: [],
    expect: { ok: false, issues: [{ path: '/changes', reason: /changes no data element/ }] },
  },
];

describe('applyAmendment', () => {
  it.each(CASES)('$name', ({ changes, notHeld, expect: e }) => {
    const before = structuredClone(lodged);
    const r = applyAmendment(lodged, { changes, notHeld: notHeld ?? [] });
    // The stored content is never modified in place.
    expect(lodged).toEqual(before);
    if (e.ok) {
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      e.check(r.value);
      if (e.notes) expect(r.notes?.map((n) => n.note).join('\n')).toMatch(e.notes);
      else expect(r.notes ?? []).toEqual([]);
      return;
    }
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(e.issues.length);
    e.issues.forEach((want, i) => {
      expect(r.issues[i]!.path).toMatch(want.path);
      expect(r.issues[i]!.reason).toMatch(want.reason);
    });
  });
});
