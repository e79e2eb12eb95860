import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../errors.js';
import type { DeclarationInput, GoodsItem } from './declaration.js';
import { validateDeclaration } from './validate-declaration.js';

const RECEIVED_AT = '2026-03-01T12:00:00.000Z';
const NOT_SIMPLIFIED = 'required (only a simplified declaration may omit it)';

/** A valid declaration of one goods item, with `changes` applied to the declaration and the item. */
function declaration(
  changes: Record<string, unknown> = {},
  item: Record<string, unknown> = {},
): Record<string, unknown> {
  const goodsItem: GoodsItem = {
    sequence: 1,
    hsCode: '0106390000',
    description: 'Live birds',
    quantity: 2,
    unit: 'NAR',
    value: 500,
    currency: 'EUR',
    originCountry: 'NO',
  };
  const base: DeclarationInput = {
    kind: 'import',
    reference: 'LRN-1',
    declarant: { id: 'GB553202734852' },
    route: { dispatchCountry: 'NO', destinationCountry: 'GB' },
    goodsItems: [goodsItem],
  };
  return { ...base, goodsItems: [withChanges(goodsItem, item)], ...changes };
}

/** `object` with each change applied; an undefined value removes the field. */
function withChanges(object: object, changes: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...object, ...changes };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete result[key];
  }
  return result;
}

function issuesOf(input: unknown): FieldIssue[] {
  const checked = validateDeclaration(input, RECEIVED_AT);
  return checked.ok ? [] : checked.issues;
}

describe('validateDeclaration', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, FieldIssue[]]>([
    [
      'HS code missing',
      {},
      { hsCode: undefined },
      [{ path: '/goodsItems/0/hsCode', reason: NOT_SIMPLIFIED }],
    ],
    [
      'HS code missing, simplified: false',
      { simplified: false },
      { hsCode: undefined },
      [{ path: '/goodsItems/0/hsCode', reason: NOT_SIMPLIFIED }],
    ],
    ['HS code missing, simplified', { simplified: true }, { hsCode: undefined }, []],
    [
      'description missing',
      {},
      { description: undefined },
      [{ path: '/goodsItems/0/description', reason: NOT_SIMPLIFIED }],
    ],
    ['description missing, simplified', { simplified: true }, { description: undefined }, []],
    [
      'both missing',
      {},
      { hsCode: undefined, description: undefined },
      [
        { path: '/goodsItems/0/hsCode', reason: NOT_SIMPLIFIED },
        { path: '/goodsItems/0/description', reason: NOT_SIMPLIFIED },
      ],
    ],
    [
      'HS code of an unknown heading',
      {},
      { hsCode: '0100000000' },
      [
        {
          path: '/goodsItems/0/hsCode',
          reason: "HS code '0100000000' has no HS 2022 heading 0100",
        },
      ],
    ],
    [
      'HS code of an unknown chapter, simplified',
      { simplified: true },
      { hsCode: '9900000000', description: undefined },
      [
        {
          path: '/goodsItems/0/hsCode',
          reason: "HS code '9900000000' has no HS 2022 heading 9900",
        },
      ],
    ],
    [
      'continental shelf codes ZN (Norway) and ZU (UK sector)',
      { route: { dispatchCountry: 'ZN', destinationCountry: 'ZU' } },
      { originCountry: 'ZN' },
      [],
    ],
    [
      'unknown countries',
      {
        consignor: { name: 'Acme', country: 'QQ' },
        route: { dispatchCountry: 'NO', transitCountries: ['SE', 'ZZ'] },
      },
      { originCountry: 'XX' },
      [
        {
          path: '/consignor/country',
          reason: "unknown country code 'QQ' (ISO 3166-1 alpha-2 expected)",
        },
        {
          path: '/route/transitCountries/1',
          reason: "unknown country code 'ZZ' (ISO 3166-1 alpha-2 expected)",
        },
        {
          path: '/goodsItems/0/originCountry',
          reason: "unknown country code 'XX' (ISO 3166-1 alpha-2 expected)",
        },
      ],
    ],
    [
      'value without currency',
      {},
      { currency: undefined },
      [{ path: '/goodsItems/0/currency', reason: 'required when a value is given' }],
    ],
    [
      'quantity without unit',
      {},
      { unit: undefined },
      [{ path: '/goodsItems/0/unit', reason: 'required when a quantity is given' }],
    ],
    [
      'unknown field on the declaration',
      { surprise: 1 },
      {},
      [{ path: '/surprise', reason: 'unknown field' }],
    ],
    [
      'unknown field on a goods item, its name escaped in the pointer',
      {},
      { 'colour/shade': 'green' },
      [{ path: '/goodsItems/0/colour~1shade', reason: 'unknown field' }],
    ],
    [
      'simplified that is not a boolean',
      { simplified: 'yes' },
      {},
      [{ path: '/simplified', reason: expect.any(String) as string }],
    ],
  ])('%s', (_, changes, item, issues) => {
    expect(issuesOf(declaration(changes, item))).toEqual(issues);
  });

  it('refuses a repeated goods item sequence, at the repetition', () => {
    const input = declaration();
    const [item] = input.goodsItems as GoodsItem[];
    input.goodsItems = [item, { ...item, hsCode: '0106320000' }];
    expect(issuesOf(input)).toEqual([
      { path: '/goodsItems/1/sequence', reason: 'goods item sequence 1 is repeated' },
    ]);
  });

  it('normalises a valid declaration', () => {
    const input = declaration({ route: { dispatchCountry: 'NO' } });
    const [item] = input.goodsItems as GoodsItem[];
    const second = { ...item, sequence: 2, hsCode: '0106320000', description: 'Parrots' };
    const third = { ...item, sequence: 3, documents: [{ type: 'C400', reference: 'P-1' }] };
    input.goodsItems = [third, item, second];
    const checked = validateDeclaration(input, RECEIVED_AT);
    expect(checked).toEqual({
      ok: true,
      value: {
        kind: 'import',
        reference: 'LRN-1',
        declarant: { id: 'GB553202734852' },
        submittedAt: RECEIVED_AT,
        route: { dispatchCountry: 'NO', transitCountries: [] },
        documents: [],
        goodsItems: [
          { ...item, documents: [] },
          { ...second, documents: [] },
          { ...third, documents: [{ type: 'C400', reference: 'P-1' }] },
        ],
      },
    });
  });

  it('normalises the declaration date to UTC, and keeps simplified', () => {
    const checked = validateDeclaration(
      declaration(
        { submittedAt: '2026-02-24T16:25:30+01:00', simplified: true },
        { hsCode: undefined },
      ),
      RECEIVED_AT,
    );
    expect(checked.ok && checked.value).toMatchObject({
      submittedAt: '2026-02-24T15:25:30.000Z',
      simplified: true,
      goodsItems: [{ sequence: 1, description: 'Live birds' }],
    });
  });
});
