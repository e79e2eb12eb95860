import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import type { FieldIssue } from '../core/errors.js';
import { toSourcePaths, type ReadResult } from './types.js';
import { readWcoDeclaration } from './wco-dms.js';
import { parseXmlSafely } from './xml.js';
import { HMRC_DMS_SAMPLES } from '../test-support/fixtures.js';

const SAMPLES = HMRC_DMS_SAMPLES;
const NOW = '2026-03-01T12:00:00.000Z';

/** Every Step* file (the messages a test scenario sends), as paths relative to SAMPLES. */
const stepFiles = existsSync(SAMPLES)
  ? readdirSync(SAMPLES, { recursive: true })
      .map((file) => String(file).split(path.sep).join('/'))
      .filter((file) => /(^|\/)Step[^/]*$/.test(file))
      .sort()
  : [];

/** Step files that are not declarations, with what the refusal must say. */
const REFUSED: Record<string, RegExp> = {
  'TT_IM026a/Movement_Messages/Step1_GPN.xml': /goods presentation notification \(TypeCode GPR\)/,
  'TT_IM077a/Movement_Messages/Step2_GPN.xml': /goods presentation notification \(TypeCode GPR\)/,
  'TT_IM134a/Movement_Messages/Step2_GPN.xml': /goods presentation notification \(TypeCode GPR\)/,
  'TT_IM176a/Movement_Messages/Step2_GPN.xml': /goods presentation notification \(TypeCode GPR\)/,
  'TT_IM035a/Movement_Messages/Step2_UKCIRM_Validate_Movement_Response.xml':
    /InventoryLinkingImportsValidateMovementResponse is not a declaration message/,
  'TT_IM083a/Movement_Messages/Step2_VMRes.xml':
    /InventoryLinkingImportsValidateMovementResponse is not a declaration message/,
  'TT_IM061a/Step1_TT_IM061a.xml': /final supplementary declaration \(TypeCode IMQ\)/,
  'TT_IM068a/Step2_TT_IM68a_Amendment.xml':
    /amendment \(FunctionCode 13, TypeCode COR\) of 25GB17K2U6WMM38A05 that carries only the amended data elements/,
};

/**
 * The Step files whose DE 1/2 additional declaration type is simplified (IMC, IMJ, IMK): their
 * goods items may lack a commodity code (TT_IM176a, TT_IM179a) or a description (TT_IM178a).
 */
const SIMPLIFIED = [
  'TT_IM092a/Step1_TT_IM092a.xml',
  'TT_IM134a/Step1_TT_IM134a.xml',
  'TT_IM176a/Step1_TT_IM176a.xml',
  'TT_IM178a/Step1_TT_IM178a.xml',
  'TT_IM179a/Step1_TT_IM179a.xml',
  'TT_IM194a/Step1_TT_IM194a.xml',
];

function sample(file: string): string {
  return readFileSync(path.join(SAMPLES, file), 'utf8');
}

/** GovernmentAgencyGoodsItem elements in the raw text, counted without the parser. */
function goodsItemCount(xml: string): number {
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  return withoutComments.match(/<(?:\w+:)?GovernmentAgencyGoodsItem[\s>]/g)?.length ?? 0;
}

/** Reads and validates a message, returning the candidate input and its source paths. */
function ingest(xml: string): {
  read: ReadResult;
  issues: FieldIssue[];
  input?: DeclarationInput;
  sourcePaths?: ReadonlyMap<string, string>;
} {
  const read = readWcoDeclaration(xml);
  if (!read.ok) return { read, issues: read.issues };
  const checked = validateDeclaration(read.value.input, NOW);
  return {
    read,
    issues: checked.ok ? [] : toSourcePaths(checked.issues, read.value.sourcePaths),
    input: read.value.input as DeclarationInput,
    sourcePaths: read.value.sourcePaths,
  };
}

/** The candidate input of a sample that must read and validate cleanly. */
function declaration(xml: string): DeclarationInput {
  const { issues, input } = ingest(xml);
  expect(issues).toEqual([]);
  if (!input) throw new Error('no declaration read');
  return input;
}

describe('HMRC CDS WCO DMS samples', () => {
  it('finds the sample folder and its 102 Step files', () => {
    expect(existsSync(SAMPLES), `missing sample folder ${SAMPLES}`).toBe(true);
    expect(stepFiles).toHaveLength(102);
    expect(stepFiles).toEqual(expect.arrayContaining([...Object.keys(REFUSED), ...SIMPLIFIED]));
  });

  it('ingests every declaration, 94 of them; the 8 others are refused', () => {
    const ingested = stepFiles.filter((file) => {
      const { read, issues } = ingest(sample(file));
      return read.ok && issues.length === 0;
    });
    expect(ingested).toHaveLength(94);
    expect(stepFiles.filter((file) => !ingested.includes(file))).toEqual(
      Object.keys(REFUSED).sort(),
    );
  });

  it('marks exactly the simplified declarations as simplified', () => {
    const simplified = stepFiles.filter((file) => ingest(sample(file)).input?.simplified === true);
    expect(simplified).toEqual(SIMPLIFIED);
  });

  it.each(stepFiles)('%s', (file) => {
    const xml = sample(file);
    const { read, issues, input } = ingest(xml);
    const refusal = REFUSED[file];
    if (refusal) {
      expect(read.ok).toBe(false);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.reason).toMatch(refusal);
      return;
    }
    expect(issues).toEqual([]);
    expect(input?.goodsItems).toHaveLength(goodsItemCount(xml));
    for (const item of input?.goodsItems ?? []) {
      // Only a simplified declaration may leave out either; none of these leaves out both.
      if (input?.simplified !== true || item.hsCode !== undefined) {
        expect(item.hsCode).toMatch(/^\d{6,10}$/);
      }
      if (input?.simplified !== true || item.description !== undefined) {
        expect(item.description).toMatch(/\S/);
      }
      expect(item.hsCode ?? item.description).toBeDefined();
    }
  });
});

describe('readWcoDeclaration field mapping', () => {
  it('maps TT_IM001a (single item, sea, exporter with address) field by field', () => {
    expect(declaration(sample('TT_IM001a/Step1_TT_IM001a.xml'))).toEqual({
      kind: 'import',
      reference: '7847767E1WB6',
      office: 'WLALONBTW',
      declarant: { id: 'GB603202734852' },
      consignor: {
        name: 'US Clipper Inc.',
        country: 'US',
        address: '1 Shaver Street, New York, NY1 234',
      },
      consignee: { id: 'GB553202734852' },
      route: {
        dispatchCountry: 'US',
        destinationCountry: 'GB',
        officeOfEntry: 'WLALONBTW',
        transportMode: 'sea',
        conveyance: '12345',
      },
      goodsItems: [
        {
          sequence: 1,
          hsCode: '8510900000',
          description: 'Parts for electric shavers, hair clippers and hair-removing appliances',
          quantity: 50,
          unit: 'PK',
          netMass: 100,
          grossMass: 150,
          value: 1000,
          currency: 'GBP',
          originCountry: 'US',
          documents: [
            { type: 'C506', reference: 'GBDPO1108654' },
            { type: 'N935', reference: '12345/19.01.2024' },
            { type: 'C505', reference: 'GBCGU55320273485220191113093459' },
          ],
        },
      ],
      documents: [
        { type: 'DAN', reference: '1108654' },
        { type: 'DCR', reference: '4GB553202734852-12345' },
        { type: '355', reference: '24GB34F7Y1O2CX8PT4' },
      ],
    });
  });

  it('maps TT_IM176a, a simplified declaration (IMK) whose item has no commodity code', () => {
    const xml = sample('TT_IM176a/Step1_TT_IM176a.xml');
    const input = declaration(xml);
    expect(input).toEqual({
      kind: 'import',
      reference: 'U.78494315HBY1',
      simplified: true,
      office: 'GBBEL004',
      declarant: { id: 'XI553202734852' },
      consignee: { id: 'XI553202734852' },
      route: {
        dispatchCountry: 'GB',
        officeOfEntry: 'BELBELBEL',
        transportMode: 'sea',
        conveyance: '12345',
      },
      goodsItems: [
        {
          sequence: 1,
          description: 'Antiques - Original engravings, prints and lithographs',
          quantity: 20,
          unit: 'PK',
          grossMass: 12,
          documents: [
            { type: 'N710', reference: '0054047' },
            { type: 'C514', reference: 'XIEIR553202734852I20231019133850' },
          ],
        },
      ],
      documents: [
        { type: '355', reference: '24GB34F7Y1O2CX8PT4' },
        { type: 'DCR', reference: '4GB427168118378-12345' },
        { type: 'ZZZ', reference: 'STK12345' },
      ],
    });
    expect(input.goodsItems[0]).not.toHaveProperty('hsCode');
    const read = readWcoDeclaration(xml);
    expect(read.ok && read.value.sourcePaths?.get('/simplified')).toBe(
      '/MetaData/Declaration/TypeCode',
    );
  });

  it('requires the commodity code of the same goods in a standard declaration (IMA)', () => {
    const xml = sample('TT_IM176a/Step1_TT_IM176a.xml').replace(
      '<TypeCode>IMK</TypeCode>',
      '<TypeCode>IMA</TypeCode>',
    );
    const { read, issues } = ingest(xml);
    expect(read.ok && read.value.input).not.toHaveProperty('simplified');
    expect(issues).toEqual([
      {
        path: '/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem (/goodsItems/0/hsCode)',
        reason: 'required (only a simplified declaration may omit it)',
      },
    ]);
  });

  it('maps TT_IM178a, a simplified declaration (IMJ) whose item has no description', () => {
    const input = declaration(sample('TT_IM178a/Step1_TT_IM178a.xml'));
    expect(input).toMatchObject({
      kind: 'import',
      reference: 'U.7847767W587L',
      simplified: true,
      declarant: { id: 'XI150454489082' },
      route: { dispatchCountry: 'GB', transportMode: 'air' },
      goodsItems: [{ sequence: 1, hsCode: '4818209900', quantity: 50, unit: 'PK' }],
    });
    expect(input.goodsItems[0]).not.toHaveProperty('description');
  });

  it('accepts the continental shelf codes ZN (Norway) and ZU (UK sector) in TT_IM095a', () => {
    expect(declaration(sample('TT_IM095a/Step1_TT_IM095a.xml'))).toMatchObject({
      kind: 'import',
      reference: 'U.7847767M8NGZ',
      consignor: { name: 'Norway Seafood Inc.', country: 'NO' },
      route: { dispatchCountry: 'ZN', destinationCountry: 'ZU', transportMode: 'sea' },
      goodsItems: [
        {
          sequence: 1,
          hsCode: '0307311010',
          description: 'Chilled mussels of Mytilus species intended for human consumption',
          quantity: 50,
          unit: 'PK',
          netMass: 100,
          grossMass: 150,
          value: 300,
          currency: 'GBP',
          originCountry: 'ZN',
        },
      ],
    });
    expect(declaration(sample('TT_IM097a/Step1_TT_IM097a.xml')).goodsItems[0]?.originCountry).toBe(
      'ZU',
    );
  });

  it('maps every item of TT_IM017a, counting packages where supplementary units name no unit', () => {
    const { goodsItems } = declaration(sample('TT_IM017a/Step1_TT_IM017a.xml'));
    expect(goodsItems).toMatchObject([
      { sequence: 1, hsCode: '8510900000', quantity: 50, unit: 'PK', value: 1000 },
      {
        sequence: 2,
        hsCode: '8510100000',
        description: 'Shaver',
        quantity: 15,
        unit: 'PK',
        netMass: 10,
        grossMass: 15,
        value: 100,
        currency: 'GBP',
        originCountry: 'US',
      },
      { sequence: 3, hsCode: '8510200000', quantity: 15, unit: 'PK', value: 100 },
    ]);
  });

  it('keeps the leading zero of a chapter 01 code (TT_IM184a, item 4 of 4)', () => {
    const { goodsItems } = declaration(sample('TT_IM184a/Step1_TT_IM184a.xml'));
    expect(goodsItems.map((item) => item.hsCode)).toEqual([
      '1804000000',
      '8510100000',
      '8510900000',
      '0101900000',
    ]);
    expect(goodsItems[3]).toMatchObject({ value: 10000, currency: 'GBP', originCountry: 'US' });
  });

  it('reads the declaration inside the submitDeclarationRequest wrapper of TT_IM133a', () => {
    const xml = sample('TT_IM133a/Step1_TT_IM133a.xml');
    expect(declaration(xml)).toMatchObject({
      kind: 'import',
      reference: 'U.784732355S51',
      declarant: { id: 'XI553202734852' },
      consignor: { id: 'XI553202734852' },
      consignee: { id: 'XI553202734852' },
      // DE 5/14 is declared on the item in this scenario.
      route: { dispatchCountry: 'GB', destinationCountry: 'GB', transportMode: 'sea' },
      goodsItems: [{ hsCode: '1904201000', value: 2000, currency: 'GBP', netMass: 500 }],
    });
    const read = readWcoDeclaration(xml);
    expect(read.ok && read.value.sourcePaths?.get('/reference')).toBe(
      '/submitDeclarationRequest/requestDetail/MetaData/Declaration/FunctionalReferenceID',
    );
  });

  it('reads TT_IM222a, whose element names lost their colons (mdMetaData, pDateTimeString)', () => {
    const xml = sample('TT_IM222a/Step1_TT_IM222a.xml');
    expect(declaration(xml)).toMatchObject({
      kind: 'import',
      reference: 'U.7867523YQA0I',
      submittedAt: '2026-02-24T16:25:30+01:00',
      consignor: {
        name: 'Tunisian Fine Boukha',
        country: 'TN',
        address: '10 Nile Ave, Tunis, TU1 5IA',
      },
      route: { dispatchCountry: 'TN', destinationCountry: 'GB' },
      goodsItems: [
        { hsCode: '2103909089', description: 'Sauces and preparations', originCountry: 'TN' },
      ],
    });
    const read = readWcoDeclaration(xml);
    expect(read.ok && read.value.sourcePaths?.get('/submittedAt')).toBe(
      '/mdMetaData/Declaration/AcceptanceDateTime/pDateTimeString',
    );
  });

  it('maps TT_IM124a: post, a 6-digit code, and the customs value when there is no item price', () => {
    expect(declaration(sample('TT_IM124a/Step1_TT_IM124a.xml'))).toMatchObject({
      consignor: { name: 'Invaluable Fine Arts Inc', country: 'AU' },
      route: { transportMode: 'post', officeOfEntry: 'BELBFSBEL' },
      goodsItems: [
        {
          hsCode: '970200',
          grossMass: 2,
          value: 140,
          currency: 'USD',
          documents: [{ type: '9WKS', reference: 'See attached Worksheet1154-01122021' }],
        },
      ],
    });
  });

  it('decodes the XML entities in TT_IM152a', () => {
    const { goodsItems } = declaration(sample('TT_IM152a/Step1_TT_IM152a.xml'));
    expect(goodsItems[0]?.description).toBe(
      'Ferro-Chromiuim - Containing by weight not more than 0.05% of carbon > Other',
    );
  });

  it('refuses the TT_IM068a amendment, which holds only the changed customs value', () => {
    const read = readWcoDeclaration(sample('TT_IM068a/Step2_TT_IM68a_Amendment.xml'));
    expect(read).toEqual({
      ok: false,
      issues: [
        {
          path: '/MetaData/Declaration/TypeCode',
          reason: expect.stringContaining('of 25GB17K2U6WMM38A05') as unknown,
        },
      ],
    });
  });

  it('reads an amendment that restates the whole declaration, naming the MRN it amends', () => {
    const xml = sample('TT_IM001a/Step1_TT_IM001a.xml')
      .replace('<FunctionCode>9</FunctionCode>', '<FunctionCode>13</FunctionCode>')
      .replace('<TypeCode>IMA</TypeCode>', '<TypeCode>COR</TypeCode><ID>24GB22WOA1EV2P6AR5</ID>');
    expect(declaration(xml)).toMatchObject({
      kind: 'import',
      reference: '7847767E1WB6',
      amends: '24GB22WOA1EV2P6AR5',
    });
  });

  it('takes the direction of a CO declaration from where the goods leave', () => {
    const xml = sample('TT_IM181a/Step1_TT_IM181a.xml');
    expect(declaration(xml).kind).toBe('import'); // Jersey to GB
    const outbound = xml
      .replace(/(<Destination>\s*<CountryCode>)GB</, '$1JE<')
      .replace(/(<ExportCountry>[\s\S]*?<ID>)JE</, '$1GB<');
    expect(declaration(outbound)).toMatchObject({
      kind: 'export',
      route: { dispatchCountry: 'GB', destinationCountry: 'JE' },
    });
  });
});

describe('readWcoDeclaration source paths', () => {
  it('names the Classification ID of an unknown HS code', () => {
    const xml = sample('TT_IM017a/Step1_TT_IM017a.xml').replace(
      '<ID>85101000</ID>',
      '<ID>99999999</ID>',
    );
    const { read, issues } = ingest(xml);
    expect(read.ok).toBe(true);
    expect(issues).toEqual([
      {
        path: '/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Commodity/Classification[1]/ID',
        reason: expect.stringContaining("HS code '9999999900'") as unknown,
      },
    ]);
  });

  it('names the goods item when a required field is missing', () => {
    const xml = sample('TT_IM001a/Step1_TT_IM001a.xml').replace(
      /<Description>[^<]*<\/Description>/,
      '',
    );
    expect(ingest(xml).issues).toEqual([
      {
        path: '/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem (/goodsItems/0/description)',
        reason: 'required (only a simplified declaration may omit it)',
      },
    ]);
  });

  it('refuses a number that is not one, at its XML path', () => {
    const xml = sample('TT_IM001a/Step1_TT_IM001a.xml').replace(
      '<GrossMassMeasure>150</GrossMassMeasure>',
      '<GrossMassMeasure>0x96</GrossMassMeasure>',
    );
    expect(readWcoDeclaration(xml)).toEqual({
      ok: false,
      issues: [
        {
          path: '/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem/Commodity/GoodsMeasure/GrossMassMeasure',
          reason: "'0x96' is not a decimal number",
        },
      ],
    });
  });

  it('refuses a mass in a unit other than kilograms', () => {
    const xml = sample('TT_IM001a/Step1_TT_IM001a.xml').replace(
      '<NetNetWeightMeasure>100</NetNetWeightMeasure>',
      '<NetNetWeightMeasure unitCode="TNE">0.1</NetNetWeightMeasure>',
    );
    const read = readWcoDeclaration(xml);
    expect(read.ok || read.issues.map((issue) => issue.path)).toEqual([
      '/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem/Commodity/GoodsMeasure/NetNetWeightMeasure/@unitCode',
    ]);
  });
});

describe('XML safety', () => {
  const refusal = (result: { ok: boolean; issues?: FieldIssue[] }) =>
    result.ok ? 'accepted' : result.issues?.map((issue) => `${issue.path} ${issue.reason}`);

  it('refuses a DOCTYPE with entity declarations (billion laughs)', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      '  <!ENTITY lol "lol">',
      '  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
      '  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">',
      ']>',
      '<lolz>&lol2;</lolz>',
    ].join('\n');
    expect(refusal(readWcoDeclaration(lol))).toEqual([
      '/ DOCTYPE and ENTITY declarations are not accepted',
    ]);
    expect(refusal(parseXmlSafely('<!doctype x SYSTEM "file:///etc/passwd"><x/>'))).toEqual([
      '/ DOCTYPE and ENTITY declarations are not accepted',
    ]);
  });

  it('refuses input over the size limit, counted in bytes', () => {
    const big = `<MetaData>${'x'.repeat(5 * 1024 * 1024)}</MetaData>`;
    expect(refusal(readWcoDeclaration(big))).toEqual([
      `/ XML is ${big.length} bytes, more than the 5242880 accepted`,
    ]);
    // 9 characters, 11 bytes in UTF-8
    expect(refusal(parseXmlSafely('<a>éé</a>', { maxBytes: 10 }))).toEqual([
      '/ XML is 11 bytes, more than the 10 accepted',
    ]);
  });

  it('refuses nesting deeper than the limit', () => {
    const nest = (depth: number, leaf = '') => '<a>'.repeat(depth) + leaf + '</a>'.repeat(depth);
    const tooDeep = ['/ XML nests elements deeper than 64 levels'];
    expect(refusal(readWcoDeclaration(nest(200)))).toEqual(tooDeep);
    expect(parseXmlSafely(nest(64)).ok).toBe(true);
    expect(refusal(parseXmlSafely(nest(65)))).toEqual(tooDeep);
    expect(refusal(parseXmlSafely(nest(64, '<b/>')))).toEqual(tooDeep);
    expect(refusal(parseXmlSafely(nest(10), { maxDepth: 9 }))).toEqual([
      '/ XML nests elements deeper than 9 levels',
    ]);
  });

  it('refuses malformed XML, saying where', () => {
    expect(refusal(readWcoDeclaration('<MetaData>\n  <Declaration>\n</MetaData>'))).toEqual([
      expect.stringMatching(/^\/ malformed XML at line 3, column \d+: .*Declaration/),
    ]);
    expect(refusal(parseXmlSafely('<a/><b/>'))).toEqual([
      '/ XML must have exactly one root element',
    ]);
  });

  it('decodes only the predefined entities and legal character references', () => {
    const parsed = parseXmlSafely('<a b="1&amp;2">A &amp; B &#65;&#x42; &#0; &foo;</a>');
    expect(parsed.ok && [parsed.root.text, parsed.root.attribute('b')]).toEqual([
      'A & B AB &#0; &foo;',
      '1&2',
    ]);
  });

  it('refuses a DMS notification, although it holds a Declaration', () => {
    const xml = sample('TT_IM001a/Example_Notifications/01_DMSACC.xml');
    expect(xml).toContain('<Declaration>');
    expect(refusal(readWcoDeclaration(xml))).toEqual([
      '/MetaData/Response a DMS notification (Response to a declaration), not a declaration',
    ]);
  });
});
