import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDeclaration } from '../core/declaration/validate-declaration.js';
import { ensJsonToXml, readEnsMessage } from './ens.js';

const example = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/ens/examples/${name}`, import.meta.url), 'utf8');

describe('ENS mapping', () => {
  it('maps every part of the full IE315 example, noting what is not reference data', () => {
    const r = readEnsMessage(example('CC315A_full.xml'));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const { report } = r;
    expect(report).toMatchObject({ messageType: 'CC315A', lrn: 'refnum', amendsMrn: null });
    expect(report.declaredAt).toBe('2003-02-11T12:34:00.000Z');
    expect(report.input).toMatchObject({
      kind: 'cargo-report',
      reference: 'refnum',
      office: 'offOfLog',
      declarant: { name: 'declarant name', address: 'declarant street, declarant, declarant city' },
      consignor: { name: 'consignor name' },
      consignee: { name: 'consignee name' },
      carrier: { name: 'carrier name' },
      route: {
        transportMode: 'rail',
        officeOfEntry: 'AB3C4D5E',
        conveyance: 'Identity',
        containers: ['Container 1', 'Container 2'],
        arrivalAt: '2003-02-11T12:34:00.000Z',
        // 'AA' is no country; 'BB' is Barbados, the only country left on the itinerary.
        dispatchCountry: 'BB',
        transitCountries: [],
      },
    });
    expect(report.input.goodsItems).toEqual([
      {
        sequence: 42,
        description: 'Goods description',
        grossMass: 123.456,
        documents: [
          { type: 'type', reference: 'Document reference' },
          { type: 'typ2', reference: 'Document reference2' },
        ],
        packages: [
          { kind: 'AB', count: 100, pieces: 100, marks: 'Marks numbers of packages (long)' },
          { kind: 'AB', count: 1002, pieces: 1002, marks: 'Marks numbers of packages (long)2' },
        ],
      },
    ]);
    expect(report.notes).toEqual([
      "/CC315A/PERLODSUMDEC/CouCodPLD1 'EN' is not an ISO 3166 country code; left out",
      "/CC315A/TRACONCO1/CouCO125 'EN' is not an ISO 3166 country code; left out",
      "/CC315A/TRACONCE1/CouCE125 'EN' is not an ISO 3166 country code; left out",
      "/CC315A/TRACARENT601/CouCodTRACARENT605 'EN' is not an ISO 3166 country code; left out",
      "item 42: commodity code 'comco' is not an HS 2022 heading or subheading; screened on its description only",
      "/CC315A/ITI[1]/CouOfRouCodITI1 'AA' is not an ISO 3166 country code; left out",
    ]);
    expect(validateDeclaration(report.input, '2026-11-29T00:00:00.000Z').ok).toBe(true);
  });

  it('reads an IE313 as the amendment of the MRN it names', () => {
    const r = readEnsMessage(example('validAmendment.xml'));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.report).toMatchObject({ messageType: 'CC313A', amendsMrn: '12AB3C4D5E6F7G8H90' });
    expect(r.report.input.route?.transportMode).toBe('sea');
    expect(r.report.input.goodsItems.map((g) => g.sequence)).toEqual([1, 2]);
  });

  it('maps real HS codes and country codes, ro-ro sea transport, and item-level consignors', () => {
    const xml = `<ie:CC315A xmlns:ie="http://ics.dgtaxud.ec/CC315A"><HEAHEA><RefNumHEA4>L1</RefNumHEA4>
      <TraModAtBorHEA76>10</TraModAtBorHEA76></HEAHEA>
      <GOOITEGDS><IteNumGDS7>1</IteNumGDS7><COMCODGODITM><ComNomCMD1>39151000</ComNomCMD1></COMCODGODITM>
        <TRACONCO2><TINCO259>CN1</TINCO259></TRACONCO2></GOOITEGDS>
      <GOOITEGDS><IteNumGDS7>2</IteNumGDS7><COMCODGODITM><ComNomCMD1>85491</ComNomCMD1></COMCODGODITM>
        <TRACONCO2><TINCO259>CN1</TINCO259></TRACONCO2></GOOITEGDS>
      <ITI><CouOfRouCodITI1>cn</CouOfRouCodITI1></ITI><ITI><CouOfRouCodITI1>NL</CouOfRouCodITI1></ITI>
      <ITI><CouOfRouCodITI1>GB</CouOfRouCodITI1></ITI>
      <PERLODSUMDEC><TINPLD1>GB1</TINPLD1></PERLODSUMDEC></ie:CC315A>`;
    const r = readEnsMessage(xml);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.report.input.route).toMatchObject({
      transportMode: 'sea',
      dispatchCountry: 'CN',
      transitCountries: ['NL'],
      destinationCountry: 'GB',
    });
    expect(r.report.input.consignor).toEqual({ id: 'CN1' });
    expect(r.report.input.goodsItems.map((g) => g.hsCode)).toEqual(['39151000', '8549']);
  });

  it('refuses other messages and an IE313 without the MRN it amends', () => {
    expect(readEnsMessage('<a/>')).toMatchObject({ ok: false });
    const r = readEnsMessage('<ie:CC313A xmlns:ie="x"><HEAHEA/></ie:CC313A>');
    expect(r).toEqual({
      ok: false,
      issues: [
        {
          path: '/CC313A/HEAHEA/DocNumHEA5',
          reason: 'an amendment (IE313) must name the MRN of the report it amends',
        },
      ],
    });
  });

  it('writes the JSON form as the XML it stands for, escaping text and refusing bad names', () => {
    const r = ensJsonToXml({
      CC315A: { HEAHEA: { RefNumHEA4: 'A&B<1>' }, ITI: [{ X: 1 }, { X: 2 }] },
    });
    expect(r).toEqual({
      ok: true,
      xml: '<ie:CC315A xmlns:ie="http://ics.dgtaxud.ec/CC315A"><HEAHEA><RefNumHEA4>A&amp;B&lt;1&gt;</RefNumHEA4></HEAHEA><ITI><X>1</X></ITI><ITI><X>2</X></ITI></ie:CC315A>',
    });
    expect(ensJsonToXml({ CC315A: { 'bad name': 'x', ok: true } })).toEqual({
      ok: false,
      issues: [
        { path: '/CC315A/bad name', reason: "'bad name' is not an element name" },
        { path: '/CC315A/ok', reason: 'a string, a number, an object or an array expected' },
      ],
    });
    expect(ensJsonToXml({ CC999A: {} })).toMatchObject({ ok: false });
  });
});
