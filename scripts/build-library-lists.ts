// Builds library/lists.json, the HS and country lists of GreenLane's reference library, from the
// shared priority-area HS list and HS 2022 (run: npx tsx scripts/build-library-lists.ts).
// Every HS code must exist in HS 2022 or the script stops naming it. The output is committed
// (format it with `npx prettier --write library/lists.json`).
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

const shared = process.argv[2] ?? '../shared/data';
type Row = Record<string, string>;
const read = (file: string) =>
  parse<Row>(readFileSync(`${shared}/${file}`), { columns: true, skip_empty_lines: true });

const hs = new Map(
  read('harmonized-system/harmonized-system.csv')
    .filter((r) => r.section !== 'TOTAL')
    .map((r) => [r.hscode!, r.description!]),
);
const priority = read('priority-hs-codes/priority-hs-codes.csv');

const PRIORITY_SOURCE =
  'GreenLane priority-area HS list (shared/data/priority-hs-codes, curated for GreenLane from the ' +
  'Basel, Stockholm, Rotterdam, Montreal and CITES conventions and WCO/EU IPR seizure categories; ' +
  'descriptions from HS 2022, datasets/harmonized-system, ODC-PDDL-1.0). Not an official ' +
  'correlation table: verify against the Basel Annex VIII/IX correlation, the national tariff and ' +
  'the CITES checklist before blocking goods.';
const HS_SOURCE = 'Selected by GreenLane from HS 2022 (datasets/harmonized-system, ODC-PDDL-1.0)';

interface ListSpec {
  name: string;
  title: string;
  /** priority_area values of the shared CSV to take. */
  areas?: string[];
  /** HS codes added by hand, each with why. */
  extra?: Array<[code: string, why: string]>;
  source?: string;
}

const LISTS: ListSpec[] = [
  {
    name: 'plastic-waste',
    title: 'Plastic waste, parings and scrap (HS 3915)',
    areas: ['plastic_waste'],
  },
  {
    name: 'plastic-misdeclaration',
    title:
      'Plastics that hide plastic waste: PET in primary forms (flakes) and plates, sheets, film',
    extra: [
      ['390761', 'PET flakes from bottle recycling declared as primary PET'],
      ['390769', 'other PET in primary forms, same pattern'],
      ['3920', 'baled post-consumer film declared as plastic sheets or film'],
    ],
    source: HS_SOURCE,
  },
  {
    name: 'e-waste',
    title: 'Electrical and electronic waste and scrap (HS 2022 heading 8549)',
    areas: ['e_waste'],
  },
  {
    name: 'batteries',
    title: 'Electric accumulators (HS 8507), spent ones misdeclared as new',
    areas: ['e_waste_related'],
  },
  {
    name: 'used-electronics',
    title: 'Electrical equipment often shipped used as a cover for e-waste',
    extra: [
      ['8471', 'computers'],
      ['8528', 'monitors and television receivers'],
      ['8517', 'telephones and network equipment'],
      ['8443', 'printers and copiers'],
      ['8418', 'refrigerators and freezers (also ozone-depleting foams and refrigerants)'],
      ['8415', 'air conditioning machines (refrigerants)'],
      ['8450', 'washing machines'],
      ['8516', 'electric heaters, ovens and other household appliances'],
    ],
    source:
      HS_SOURCE +
      '; Basel Convention technical guidelines on transboundary movements of e-waste and used EEE',
  },
  {
    name: 'metal-scrap',
    title:
      'Metal waste and scrap (ferrous, copper, nickel, aluminium, lead, zinc, tin, other base metals, precious metals)',
    areas: ['scrap_metal'],
  },
  {
    name: 'slag-ash-residues',
    title: 'Slag, ash and residues (HS 2618 to 2621)',
    extra: [
      ['2618', 'granulated slag from iron and steel'],
      ['2619', 'slag, dross and other waste from iron and steel'],
      ['2620', 'ash and residues containing metals'],
      ['2621', 'other slag and ash, including municipal waste incineration ash'],
    ],
    source: HS_SOURCE + '; Basel Convention Annex VIII entries A1010 to A1190 and A4100',
  },
  {
    name: 'waste-oils',
    title: 'Waste oils of petroleum (HS 2710.91, 2710.99)',
    extra: [
      ['271091', 'waste oils containing PCBs, PCTs or PBBs'],
      ['271099', 'other waste oils'],
    ],
    source: HS_SOURCE + '; Basel Convention Y8 and A3020',
  },
  {
    name: 'green-technology',
    title: 'Clean-energy goods: PV, wind, heat pumps, EV and batteries, LED',
    areas: ['green_technology'],
  },
  { name: 'pesticides', title: 'Pesticides (HS 3808)', areas: ['pesticides'] },
  {
    name: 'pops-pesticides',
    title:
      'Banned POPs and PIC-listed active substances and mixtures with their own HS 2022 subheadings',
    areas: ['pesticides_pops_active_ingredients'],
  },
  { name: 'fertilizers', title: 'Fertilizers (HS chapter 31)', areas: ['fertilizers'] },
  {
    name: 'ods-hfc',
    title: 'Ozone-depleting substances and HFCs (Montreal Protocol, Kigali Amendment)',
    areas: ['ods_montreal', 'hfc_kigali'],
  },
  {
    name: 'cites-risk',
    title:
      'Goods where CITES specimens are declared: live animals, fish, ivory and horn, plants, skins, furs, listed timber, collections',
    areas: ['cites_wildlife'],
    extra: [['9705', 'collections and collectors’ pieces of zoological and botanical interest']],
  },
  {
    name: 'ipr-counterfeit-prone',
    title: 'Goods most often counterfeited (indicative)',
    areas: ['ipr_counterfeit_prone'],
  },
  {
    name: 'energy',
    title: 'Energy commodities: coal, crude, petroleum oils, gases, electrical energy',
    areas: ['energy'],
  },
];

/** OECD members (38, since Costa Rica joined in 2021): Basel Ban Amendment destinations. */
const OECD =
  'AT AU BE CA CH CL CO CR CZ DE DK EE ES FI FR GB GR HU IE IL IS IT JP KR LT LU LV MX NL NO NZ PL PT SE SI SK TR US';

/** Drops entries covered by a shorter prefix in the same list. */
function minimal(codes: string[]): string[] {
  const sorted = [...new Set(codes)].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const kept: string[] = [];
  for (const c of sorted) if (!kept.some((k) => c.startsWith(k))) kept.push(c);
  return kept.sort();
}

const out = LISTS.map((spec) => {
  const codes: string[] = [];
  for (const area of spec.areas ?? []) {
    const rows = priority.filter((r) => r.priority_area === area);
    if (rows.length === 0) throw new Error(`no rows for priority area ${area}`);
    codes.push(...rows.map((r) => r.hscode!));
  }
  for (const [code] of spec.extra ?? []) codes.push(code);
  for (const code of codes) {
    if (!hs.has(code)) throw new Error(`list ${spec.name}: ${code} is not an HS 2022 code`);
  }
  const source = [
    spec.areas ? PRIORITY_SOURCE : undefined,
    spec.extra
      ? (spec.source ?? HS_SOURCE) + ': ' + spec.extra.map(([c, why]) => `${c} ${why}`).join('; ')
      : undefined,
  ]
    .filter(Boolean)
    .join(' + ');
  return {
    name: spec.name,
    kind: 'hs-prefixes',
    title: spec.title,
    source,
    entries: minimal(codes),
  };
});
out.push({
  name: 'oecd-members',
  kind: 'countries',
  title:
    'OECD member countries (Basel Ban Amendment: hazardous waste may not go from them to others)',
  source: 'OECD list of member countries (38 members since 2021)',
  entries: OECD.split(' '),
});

writeFileSync(
  'library/lists.json',
  JSON.stringify(
    {
      note: 'Generated by scripts/build-library-lists.ts; see library/README.md for sources and licences.',
      lists: out,
    },
    null,
    2,
  ) + '\n',
);
console.log(out.map((l) => `${l.name}: ${l.entries.length}`).join('\n'));
