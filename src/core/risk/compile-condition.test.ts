import { describe, expect, it } from 'vitest';
import { MirrorGaps, NO_MIRROR } from '../reconciliation/mirror-gaps.js';
import { reconcileMirror } from '../reconciliation/mirror.js';
import type { DeclarationContent } from '../declaration/declaration.js';
import { compileCondition, ConditionError, type Guard } from './compile-condition.js';
import type { ReferenceList } from './indicator.js';
import type { PermitOnFile } from '../permits/check.js';
import { NO_RIGHTS, RightsRegister } from '../ipr/register.js';
import {
  celEnvironment,
  screeningContexts,
  type HeldDocument,
  type ScreeningContext,
  type ScreeningDeclaration,
  type ScreeningItem,
  type ScreeningTrader,
} from './screening-context.js';

const LISTS: ReadonlyMap<string, ReferenceList> = new Map(
  (
    [
      { name: 'e-waste', kind: 'hs-prefixes', entries: ['8549', '854810', '3915'] },
      { name: 'high-risk-origins', kind: 'countries', entries: ['CN', 'HK', 'VN'] },
      { name: 'watch-parties', kind: 'parties', entries: ['CN000000000042'] },
      { name: 'modes', kind: 'values', entries: ['post', 'air'] },
      { name: 'empty', kind: 'hs-prefixes', entries: [] },
    ] as const
  ).map((l) => [l.name, { ...l, version: 1, title: l.name, entries: [...l.entries] }]),
);

const DATE = '2026-11-02T10:00:00.000Z';

function onFile(patch: Partial<PermitOnFile> = {}): PermitOnFile {
  return {
    id: 'P1',
    number: 'P-1',
    type: 'waste-consent',
    holderId: 'BY100',
    hsScope: [],
    species: [],
    unit: 'KGM',
    remainingMilli: 5_000_000,
    route: { dispatch: [], transit: [], destination: [] },
    maxShipments: null,
    shipments: 0,
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    status: 'issued',
    ...patch,
  };
}

function held(patch: Partial<HeldDocument> = {}): HeldDocument {
  return {
    type: 'waste-import',
    reference: 'P-1',
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    status: 'valid',
    hsScope: [],
    ...patch,
  };
}

/** One accepted application: the Swooshex mark on footwear, importer BY200 authorised. */
const SWOOSHEX = new RightsRegister([
  {
    id: 'APP1',
    administrationId: 'BY',
    applicantAgencyId: 'RH',
    status: 'accepted',
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    submittedAt: '2025-12-01T00:00:00.000Z',
    decidedAt: '2025-12-31T00:00:00.000Z',
    decidedBy: 'ipr-unit',
    customsNote: null,
    version: 2,
    applicant: {
      kind: 'right-holder',
      name: 'Swoosh Brands B.V.',
      id: 'NL800000001',
      country: 'NL',
    },
    representatives: [],
    rights: [
      {
        type: 'trademark',
        mark: 'Swooshex',
        registrationNumber: 'EUTM 1',
        goods: ['6403', '6404'],
      },
    ],
    goods: [{ hs: '64', description: 'Footwear' }],
    authenticFeatures: [],
    placesOfProduction: [],
    authorisedTraders: [{ name: 'Authorised importer', id: 'BY200', country: 'BY' }],
    knownInfringers: [],
    knownRoutes: [],
    smallConsignmentsProcedure: false,
    undertakings: { liability: true, costs: true },
  },
]);

interface Patch {
  declaration?: Partial<ScreeningDeclaration>;
  item?: Partial<ScreeningItem>;
  trader?: Partial<ScreeningTrader>;
  rights?: RightsRegister;
  mirror?: MirrorGaps;
}

/** China's exports of waste batteries (HS 854921) to us, and our imports declared at half. */
const BATTERY_GAPS = new MirrorGaps(
  reconcileMirror(
    {
      partnerExports: {
        aggregates: [
          {
            partner: 'CN',
            hs6: '854921',
            month: '2026-05',
            fobValue: 100_000,
            quantity: 50_000,
            unit: 'KGM',
          },
        ],
      },
      ownImports: {
        aggregates: [
          {
            partner: 'CN',
            hs6: '854921',
            month: '2026-05',
            cifValue: 53_000,
            quantity: 50_000,
            unit: 'KGM',
          },
        ],
      },
    },
    { lagMonths: 0 },
  ),
);

/** Waste lead-acid batteries from China by rail, as one goods item's screening context. */
function context(patch: Patch = {}): ScreeningContext {
  return {
    declaration: {
      kind: 'import',
      office: 'BY112000',
      transportMode: 'rail',
      dispatchCountry: 'CN',
      destinationCountry: 'BY',
      transitCountries: ['KZ', 'RU'],
      declarantId: 'BY100',
      consignorId: 'CN000000000042',
      consignorCountry: 'CN',
      consigneeId: 'BY100',
      itemCount: 2,
      date: DATE,
      lateFiling: false,
      minutesLate: 0,
      ...patch.declaration,
    },
    item: {
      sequence: 1,
      hs: '8549210000',
      description: 'Waste batteries, lead-acid',
      quantity: 1200,
      unit: 'KGM',
      netMass: 1200,
      grossMass: 1300,
      value: 840,
      currency: 'USD',
      origin: 'CN',
      species: '',
      brand: '',
      documents: ['C400', 'N935'],
      valuePerKg: 0.7,
      ...patch.item,
    },
    trader: {
      id: 'BY100',
      country: 'BY',
      controls: 10,
      findings: 3,
      certificates: [],
      permitsOnFile: [],
      ...patch.trader,
    },
    rights: patch.rights ?? NO_RIGHTS,
    rightMatches: null,
    mirror: patch.mirror ?? NO_MIRROR,
  };
}

const evaluate = (condition: string, patch?: Patch) =>
  compileCondition(condition, LISTS).evaluate(context(patch));

type Case = [condition: string, hit: boolean, patch?: Patch];

const ABSENT: Patch = {
  item: { value: undefined, netMass: undefined, quantity: undefined, valuePerKg: undefined },
};

const GOLDEN: Record<string, Case[]> = {
  'and, or, not': [
    ['item.origin == "CN" && item.hs.startsWith("85")', true],
    ['item.origin == "CN" && item.hs.startsWith("39")', false],
    ['item.origin == "DE" || item.hs.startsWith("85")', true],
    ['item.origin == "DE" || item.hs.startsWith("39")', false],
    ['!(item.origin == "DE")', true],
    ['!(item.origin == "CN")', false],
    ['!(item.origin == "DE") && !!(item.origin == "CN")', true],
  ],
  'equality, with absent values': [
    ['item.origin == "CN"', true],
    ['"CN" == item.origin', true],
    ['item.origin != "DE"', true],
    ['item.origin != "CN"', false],
    ['item.value == 840.0', true],
    ['item.value != 840.0', false],
    ['item.value != 1.0', true],
    ['trader.controls == 10', true],
    ['declaration.transitCountries == ["KZ", "RU"]', true],
    ['declaration.transitCountries == ["RU", "KZ"]', false],
    // An absent number: every comparison is false, == and != alike.
    ['item.value == 840.0', false, ABSENT],
    ['item.value != 840.0', false, ABSENT],
    ['item.netMass != 0.0', false, ABSENT],
    ['item.valuePerKg == 0.7', false, ABSENT],
    // …but a negated comparison with it is true: `!` is plain boolean negation.
    ['!(item.value == 840.0)', true, ABSENT],
  ],
  'ordering on numbers and strings': [
    ['item.value < 841.0', true],
    ['item.value < 840.0', false],
    ['item.value <= 840.0', true],
    ['item.value <= 839.9', false],
    ['item.value > 839.5', true],
    ['item.value > 840.0', false],
    ['item.value >= 840.0', true],
    ['item.value >= 840.1', false],
    ['item.value > 800', true], // double against an int literal
    ['trader.controls >= 10', true],
    ['declaration.itemCount < 2', false],
    ['item.hs < "8550"', true],
    ['item.hs > "8549"', true],
    ['item.origin <= "CN"', true],
    ['item.origin >= "CO"', false],
    ['declaration.date >= "2026-11-02"', true],
    ['declaration.date < "2026-11-01"', false],
    ['item.value < 1000000.0', false, ABSENT],
    ['item.value > -1.0', false, ABSENT],
    ['item.netMass <= 0.0', false, ABSENT],
    ['item.quantity >= 0.0', false, ABSENT],
  ],
  arithmetic: [
    ['item.value + 160.0 == 1000.0', true],
    ['item.value - 40.0 == 800.0', true],
    ['item.value * 2.0 == 1680.0', true],
    ['item.value / 2.0 == 420.0', true],
    ['7.0 / 2.0 == 3.5', true],
    ['trader.controls % 3 == 1', true],
    ['trader.controls + trader.findings == 13', true],
    ['item.description + "!" == "Waste batteries, lead-acid!"', true],
    // int division truncates toward zero, as in CEL.
    ['7 / 2 == 3', true],
    ['-7 / 2 == -3', true],
    ['trader.findings / trader.controls == 0', true],
    ['declaration.itemCount / 2 == 1', true, { declaration: { itemCount: 3 } }],
    // Division (and remainder) by zero has no value: no comparison with it holds.
    ['item.value / 0.0 > 0.0', false],
    ['item.value / 0.0 <= 0.0', false],
    ['trader.controls / 0 == 0', false],
    ['trader.controls % 0 == 0', false],
    ['trader.controls % 0 != 0', false],
    ['item.value + 1.0 > 0.0', false, ABSENT],
    ['item.value * 0.0 == 0.0', false, ABSENT],
  ],
  'unary minus': [
    ['-item.value == -840.0', true],
    ['-item.value < 0.0', true],
    ['-trader.controls < 0', true],
    ['-(-trader.controls) == 10', true],
    ['-item.value < 0.0', false, ABSENT],
  ],
  'conditional ?:': [
    ['(item.origin == "CN" ? item.value : 0.0) > 800.0', true],
    ['(item.origin == "CN" ? item.value : 0.0) > 800.0', false, { item: { origin: 'DE' } }],
    ['item.origin == "CN" ? true : false', true],
    ['item.origin == "DE" ? true : item.hs.startsWith("85")', true],
    ['item.value > 1.0 ? false : true', true, ABSENT],
  ],
  'in, literal list and list field': [
    ['item.origin in ["CN", "HK"]', true],
    ['item.origin in ["CN", "HK"]', false, { item: { origin: 'DE' } }],
    ['item.origin in []', false],
    ['item.origin in [declaration.dispatchCountry, "HK"]', true],
    ['declaration.itemCount in [1, 2]', true],
    ['item.value in [840.0, 1.0]', true],
    ['item.value in [840.0, 1.0]', false, ABSENT],
    ['"KZ" in declaration.transitCountries', true],
    ['"BY" in declaration.transitCountries', false],
    ['"KZ" in declaration.transitCountries', false, { declaration: { transitCountries: [] } }],
    ['"C400" in item.documents', true],
    ['"C401" in item.documents', false],
    ['item.origin in declaration.transitCountries', true, { item: { origin: 'RU' } }],
  ],
  'index []': [
    ['item.documents[0] == "C400"', true],
    ['item.documents[1] == "C400"', false],
    ['item.documents[5] == "C400"', false],
    ['item.documents[5] != "C400"', false],
    ['declaration.transitCountries[1] == "RU"', true],
    ['["a", "b"][1] == "b"', true],
  ],
  'has()': [
    ['has(item.species)', false],
    ['has(item.species)', true, { item: { species: 'Psittacus erithacus' } }],
    ['has(item.value)', true],
    ['has(item.value)', false, ABSENT],
    ['has(item.netMass)', true, { item: { netMass: 0 } }],
    ['has(item.documents)', true],
    ['has(item.documents)', false, { item: { documents: [] } }],
    ['!has(item.brand)', true],
  ],
  'size() and .size()': [
    ['size(item.documents) == 2', true],
    ['item.documents.size() == 2', true],
    ['size(declaration.transitCountries) == 0', true, { declaration: { transitCountries: [] } }],
    ['size(item.hs) == 10', true],
    ['item.hs.size() == 10', true],
    ['item.hs.size() > 10', false],
    // Code points, as in CEL, not UTF-16 units ('😀' is two).
    ['item.description.size() == 5', true, { item: { description: 'Café😀' } }],
  ],
  'int(), double(), string()': [
    ['int(item.value) == 840', true],
    ['int(item.value) == 840', true, { item: { value: 840.9 } }],
    ['int(-item.value) == -840', true, { item: { value: 840.9 } }],
    ['int(item.valuePerKg) == 0', true],
    ['int("42") == 42', true],
    ['int("-42") == -42', true],
    ['int(item.value) == 0', false, ABSENT],
    ['int(item.species) == 0', false],
    ['int("4.2") == 4', false],
    ['double(trader.controls) == 10.0', true],
    ['double(trader.controls) / 4.0 == 2.5', true],
    ['double("2.5") == 2.5', true],
    ['double("1e3") == 1000.0', true],
    ['double(item.value) > 0.0', false, ABSENT],
    // An empty (absent) string is not zero.
    ['double(item.species) == 0.0', false],
    ['double(item.brand) < 1.0', false],
    ['double(" ") == 0.0', false],
    ['string(item.value) == "840"', true],
    ['string(item.value) == "840.5"', true, { item: { value: 840.5 } }],
    ['string(trader.controls) == "10"', true],
    ['string(item.hs) == item.hs', true],
    ['string(item.value) == "840"', false, ABSENT],
  ],
  'string functions': [
    ['item.hs.startsWith("8549")', true],
    ['item.hs.startsWith("85491")', false],
    ['item.hs.endsWith("0000")', true],
    ['item.hs.endsWith("85")', false],
    ['item.description.contains("batteries")', true],
    ['item.description.contains("Batteries")', false],
    ['item.description.lowerAscii().contains("waste")', true],
    ['item.origin.lowerAscii() == "cn"', true],
    ['item.description.upperAscii() == "WASTE BATTERIES, LEAD-ACID"', true],
    ['"ÉA".lowerAscii() == "Éa"', true],
    ['"éa".upperAscii() == "éA"', true],
    ['item.species.startsWith("")', true],
  ],
  'exists, all, exists_one': [
    ['item.documents.exists(d, d.startsWith("C"))', true],
    ['item.documents.exists(d, d.startsWith("X"))', false],
    ['item.documents.all(d, d.size() == 4)', true],
    ['item.documents.all(d, d.startsWith("C"))', false],
    ['item.documents.exists_one(d, d.startsWith("N"))', true],
    ['declaration.transitCountries.exists_one(c, c.size() == 2)', false],
    ['item.documents.exists(d, true)', false, { item: { documents: [] } }],
    ['item.documents.all(d, false)', true, { item: { documents: [] } }],
    ['declaration.transitCountries.exists(c, inList(c, "high-risk-origins"))', false],
    [
      'declaration.transitCountries.exists(c, inList(c, "high-risk-origins"))',
      true,
      { declaration: { transitCountries: ['KZ', 'HK'] } },
    ],
    // Nested, the inner predicate seeing the outer variable.
    [
      'declaration.transitCountries.exists(c, item.documents.exists(d, d.startsWith("C") && c == "RU"))',
      true,
    ],
    ['item.documents.all(d, item.documents.exists_one(e, e == d))', true],
    // A bound variable shadows a context root of the same name.
    ['declaration.transitCountries.exists(item, item == "KZ")', true],
  ],
  'hsIn (HS prefix list)': [
    ['hsIn(item.hs, "e-waste")', true],
    ['hsIn(item.hs, "e-waste")', true, { item: { hs: '3915100000' } }],
    ['hsIn(item.hs, "e-waste")', true, { item: { hs: '854810' } }],
    ['hsIn(item.hs, "e-waste")', false, { item: { hs: '8548900000' } }],
    ['hsIn(item.hs, "e-waste")', false, { item: { hs: '85' } }],
    ['hsIn(item.hs, "empty")', false],
    ['hsIn("8548101000", "e-waste")', true],
  ],
  inList: [
    ['inList(item.origin, "high-risk-origins")', true],
    ['inList(item.origin, "high-risk-origins")', false, { item: { origin: 'DE' } }],
    ['inList(declaration.consignorId, "watch-parties")', true],
    ['inList(declaration.transportMode, "modes")', false],
    [
      'inList(declaration.transportMode, "modes")',
      true,
      { declaration: { transportMode: 'post' } },
    ],
    // Entries match whole values, not prefixes.
    ['inList(item.hs, "e-waste")', false],
    ['inList(item.hs, "e-waste")', true, { item: { hs: '8549' } }],
  ],
  hasDocument: [
    ['hasDocument("C400")', true],
    ['hasDocument("N935")', true],
    ['hasDocument("C401")', false],
    ['hasDocument("C400")', false, { item: { documents: [] } }],
  ],
  'hasValidPermit (type, window, status, HS scope, route, balance, holder)': [
    ['hasValidPermit("waste-consent")', true, { trader: { permitsOnFile: [onFile()] } }],
    ['hasValidPermit("waste-consent")', false],
    ['hasValidPermit("ods-licence")', false, { trader: { permitsOnFile: [onFile()] } }],
    // A family name matches its members.
    [
      'hasValidPermit("cites")',
      true,
      { trader: { permitsOnFile: [onFile({ type: 'cites-import' })] } },
    ],
    [
      'hasValidPermit("waste-consent")',
      false,
      { trader: { permitsOnFile: [onFile({ validTo: '2026-11-01T00:00:00.000Z' })] } },
    ],
    // validTo is exclusive, validFrom inclusive.
    [
      'hasValidPermit("waste-consent")',
      false,
      { trader: { permitsOnFile: [onFile({ validTo: DATE })] } },
    ],
    [
      'hasValidPermit("waste-consent")',
      true,
      { trader: { permitsOnFile: [onFile({ validFrom: DATE })] } },
    ],
    [
      'hasValidPermit("waste-consent")',
      false,
      { trader: { permitsOnFile: [onFile({ validFrom: '2026-12-01T00:00:00.000Z' })] } },
    ],
    ...(['suspended', 'revoked', 'exhausted', 'applied', 'refused'] as const).map(
      (status): Case => [
        'hasValidPermit("waste-consent")',
        false,
        { trader: { permitsOnFile: [onFile({ status })] } },
      ],
    ),
    [
      'hasValidPermit("waste-consent")',
      true,
      { trader: { permitsOnFile: [onFile({ hsScope: ['3915', '8549'] })] } },
    ],
    [
      'hasValidPermit("waste-consent")',
      false,
      { trader: { permitsOnFile: [onFile({ hsScope: ['3915', '854810'] })] } },
    ],
    // The same judgement as the permit check: route, balance for this item, the holder.
    [
      'hasValidPermit("waste-consent")',
      true,
      {
        trader: {
          permitsOnFile: [
            onFile({ route: { dispatch: ['CN'], transit: ['KZ', 'RU'], destination: ['BY'] } }),
          ],
        },
      },
    ],
    [
      'hasValidPermit("waste-consent")',
      false,
      {
        trader: {
          permitsOnFile: [onFile({ route: { dispatch: ['DE'], transit: [], destination: [] } })],
        },
      },
    ],
    [
      'hasValidPermit("waste-consent")',
      false,
      {
        trader: {
          permitsOnFile: [onFile({ route: { dispatch: [], transit: ['KZ'], destination: [] } })],
        },
      },
    ],
    // 1,000 kg left, 1,200 kg declared.
    [
      'hasValidPermit("waste-consent")',
      false,
      { trader: { permitsOnFile: [onFile({ remainingMilli: 1_000_000 })] } },
    ],
    [
      'hasValidPermit("waste-consent")',
      true,
      { trader: { permitsOnFile: [onFile({ remainingMilli: 1_200_000 })] } },
    ],
    // Referenced on the declaration but someone else's: not the trader's permit.
    [
      'hasValidPermit("waste-consent")',
      false,
      { trader: { permitsOnFile: [onFile({ holderId: 'BY200' })] } },
    ],
    [
      'hasValidPermit("waste-consent")',
      true,
      {
        trader: {
          permitsOnFile: [
            onFile({ status: 'revoked' }),
            onFile({ hsScope: ['3915'] }),
            onFile({ id: 'P2', number: 'P-2' }),
          ],
        },
      },
    ],
    // Certificates are not permits.
    [
      'hasValidPermit("waste-consent")',
      false,
      { trader: { certificates: [held({ type: 'waste-consent' })] } },
    ],
  ],
  'hasValidCertificate (valid, expired, revoked)': [
    [
      'hasValidCertificate("trusted-trader")',
      true,
      { trader: { certificates: [held({ type: 'trusted-trader' })] } },
    ],
    ['hasValidCertificate("trusted-trader")', false],
    [
      'hasValidCertificate("trusted-trader")',
      false,
      { trader: { certificates: [held({ type: 'trusted-trader', status: 'expired' })] } },
    ],
    [
      'hasValidCertificate("trusted-trader")',
      false,
      { trader: { certificates: [held({ type: 'trusted-trader', status: 'revoked' })] } },
    ],
    [
      'hasValidCertificate("trusted-trader")',
      false,
      {
        trader: {
          certificates: [held({ type: 'trusted-trader', validTo: '2026-06-01T00:00:00.000Z' })],
        },
      },
    ],
    [
      'hasValidCertificate("trusted-trader")',
      false,
      { trader: { certificates: [held({ type: 'environmental-compliance' })] } },
    ],
    // A certificate counts only for goods in its HS scope.
    [
      'hasValidCertificate("trusted-trader")',
      false,
      { trader: { certificates: [held({ type: 'trusted-trader', hsScope: ['01'] })] } },
    ],
    [
      'hasValidCertificate("trusted-trader")',
      true,
      { trader: { certificates: [held({ type: 'trusted-trader', hsScope: ['01', '8549'] })] } },
    ],
  ],
  'trader record': [
    ['trader.findingRate == 0.3', true],
    ['trader.findingRate >= 0.2', true],
    ['trader.findingRate > 0.0', false, { trader: { controls: 0, findings: 0 } }],
    ['trader.findingRate == 0.0', true, { trader: { controls: 0, findings: 0 } }],
    ['trader.controls > 5', true],
    ['trader.findings == 3', true],
    ['trader.id == "BY100"', true],
    ['trader.country == "BY"', true],
  ],
  // Marks reported by partners: case, accents, spacing and look-alike characters do not hide them.
  brandLike: [
    ['brandLike("Swooshex")', true, { item: { brand: 'SW00SHEX Air', hs: '6404110000' } }],
    ['brandLike("Swooshex")', true, { item: { brand: 'Swоoshex' } }], // Cyrillic о
    [
      'brandLike("Swooshex")',
      true,
      { item: { brand: '', description: 'Trainers with Swoosh-ex logo' } },
    ],
    ['brandLike("Swooshex")', false, { item: { brand: 'Swooshexpress' } }],
    ['brandLike("Nike")', false, { item: { brand: 'Nikon' } }],
    ['brandLike("")', false, { item: { brand: 'Anything' } }],
    ['brandLike(item.origin)', false],
  ],
  // Rights registered in accepted applications for action, and the traders they authorise.
  'registered rights': [
    [
      'bearsRegisteredRight()',
      true,
      { item: { brand: 'Swooshex', hs: '6404110000' }, rights: SWOOSHEX },
    ],
    [
      'bearsRegisteredRight()',
      false,
      { item: { brand: 'Swooshex', hs: '9503000000' }, rights: SWOOSHEX },
    ],
    ['bearsRegisteredRight()', false, { item: { brand: 'Swooshex', hs: '6404110000' } }],
    [
      'bearsRegisteredRight() && !authorisedForRight()',
      true,
      { item: { brand: 'Sw00shex', hs: '6404110000' }, rights: SWOOSHEX },
    ],
    [
      'authorisedForRight()',
      true,
      {
        item: { brand: 'Swooshex', hs: '6404110000' },
        declaration: { consigneeId: 'BY200' },
        rights: SWOOSHEX,
      },
    ],
    [
      'authorisedForRight()',
      false,
      {
        item: { brand: '', hs: '6404110000' },
        declaration: { declarantId: 'BY200' },
        rights: SWOOSHEX,
      },
    ],
  ],
  // The mirror reconciliation: our imports of the item's HS6 from its country of dispatch
  // against the partner's exports (waste batteries from China declared at half their value).
  mirror: [
    ['mirrorValueGap() < -0.5', true, { mirror: BATTERY_GAPS }],
    [
      'mirrorValueGap() < -0.5',
      false,
      { mirror: BATTERY_GAPS, declaration: { dispatchCountry: 'KZ' } },
    ],
    // No figures for the pair: the gap is 0, never a hit on "declared lower".
    ['mirrorValueGap() == 0.0', true],
    ['mirrorUnitValueGap() < -0.5', true, { mirror: BATTERY_GAPS }],
    ['mirrorUnitValueGap() < -0.5', false, { mirror: BATTERY_GAPS, item: { hs: '8549220000' } }],
  ],
  'item.valuePerKg': [
    ['item.valuePerKg < 1.0', true],
    ['item.valuePerKg > 0.5 && item.valuePerKg < 0.8', true],
    ['item.valuePerKg < 1.0', false, ABSENT],
  ],
};

describe('compileCondition: golden evaluations', () => {
  for (const [group, cases] of Object.entries(GOLDEN)) {
    describe(group, () => {
      it.each(cases.map(([condition, hit, patch]) => ({ condition, hit, patch })))(
        '$condition → $hit',
        ({ condition, hit, patch }) => {
          expect(evaluate(condition, patch)).toBe(hit);
        },
      );
    });
  }

  it('sees a declaration-level document on every goods item', () => {
    const declaration: DeclarationContent = {
      kind: 'import',
      reference: 'LRN-1',
      submittedAt: DATE,
      declarant: { id: 'BY100' },
      route: { transitCountries: [] },
      documents: [{ type: 'N935', reference: 'INV-1' }],
      goodsItems: [
        {
          sequence: 1,
          hsCode: '0106390000',
          description: 'Parrots',
          documents: [{ type: 'C400', reference: 'CITES-1' }],
        },
        { sequence: 2, hsCode: '8549210000', description: 'Batteries', documents: [] },
      ],
    };
    const trader = context().trader;
    const contexts = screeningContexts(declaration, trader);
    const invoice = compileCondition('hasDocument("N935")', LISTS);
    const permit = compileCondition('hasDocument("C400")', LISTS);
    expect(contexts.map((c) => invoice.evaluate(c))).toEqual([true, true]);
    expect(contexts.map((c) => permit.evaluate(c))).toEqual([true, false]);
  });

  it('evaluates to false, not to an error, on a non-bool result at run time', () => {
    // The last element is past the end of the list: no value, so not a hit.
    expect(evaluate('[true][1]')).toBe(false);
  });
});

/** What cel-js itself says about a condition: the first line of its message. */
function celMessage(text: string): string {
  let message: string;
  try {
    const parsed = celEnvironment().parse(text);
    const checked = parsed.check();
    if (checked.valid) throw new Error(`cel-js accepts ${text}`);
    message = String((checked.error as Error).message);
  } catch (e) {
    message = (e as Error).message;
  }
  return message.split('\n')[0]!;
}

function refusal(text: string): ConditionError {
  try {
    compileCondition(text, LISTS);
  } catch (e) {
    expect(e).toBeInstanceOf(ConditionError);
    return e as ConditionError;
  }
  throw new Error(`compiled: ${text}`);
}

describe('compileCondition: refusals', () => {
  it.each([
    { text: 'item.hs ==', message: 'Unexpected token: EOF', position: 10 },
    { text: '(item.hs == "85"', message: 'Expected RPAREN, got EOF', position: 16 },
    { text: 'item.hs == "85" &&& x', message: 'Unexpected character: &', position: 18 },
    { text: 'item.hs == "85', message: 'Unterminated string', position: 11 },
  ])(
    'syntax error in $text: the CEL message at offset $position',
    ({ text, message, position }) => {
      const e = refusal(text);
      expect(e.name).toBe('ConditionError');
      expect(e.message).toBe(message);
      expect(e.message).toBe(celMessage(text));
      expect(e.position).toBe(position);
    },
  );

  it.each([
    { text: 'item.value == "x"', message: 'no such overload: double == string', position: 0 },
    { text: 'item.value == 840', message: 'no such overload: double == int', position: 0 },
    {
      text: 'item.hs.startsWith(85)',
      message: "found no matching overload for 'string.startsWith(int)'",
      position: 0,
    },
    {
      text: 'hsIn(item.hs, 3)',
      message: "found no matching overload for 'hsIn(string, int)'",
      position: 0,
    },
    { text: 'item.colour == "red"', message: 'No such key: colour', position: 5 },
    { text: 'declaration.colour == "red"', message: 'No such key: colour', position: 12 },
    { text: 'trader.certificates.size() > 0', message: 'No such key: certificates', position: 7 },
    { text: 'colour == "red"', message: 'Unknown variable: colour', position: 0 },
    { text: 'foo(1)', message: "found no matching overload for 'foo(int)'", position: 0 },
  ])('type error in $text: the CEL message', ({ text, message, position }) => {
    const e = refusal(text);
    expect(e.message).toBe(message);
    expect(e.message).toBe(celMessage(text));
    expect(e.position).toBe(position);
  });

  it.each([
    // cel-js lets has() through on an unknown field; a misspelt !has(…) would hit everything.
    { text: 'has(item.colour)', message: "unknown item field 'colour'", position: 9 },
    {
      text: '!has(declaration.colour)',
      message: "unknown declaration field 'colour'",
      position: 17,
    },
    { text: 'hsIn(item.hs, "nope")', message: "unknown reference list 'nope'", position: 14 },
    { text: 'inList(item.origin, "nope")', message: "unknown reference list 'nope'", position: 20 },
    {
      text: 'hsIn(item.hs, "high-risk-origins")',
      message: "reference list 'high-risk-origins' holds countries, not hs-prefixes",
      position: 14,
    },
    {
      text: 'hsIn(item.hs, item.origin)',
      message: 'the list name must be a string literal',
      position: 19,
    },
    {
      text: 'inList(item.origin, "high-" + "risk-origins")',
      message: 'the list name must be a string literal',
      position: 20,
    },
    { text: 'item.value', message: 'a condition must be bool, this one is double', position: 0 },
    { text: 'item.hs', message: 'a condition must be bool, this one is string', position: 0 },
    {
      text: 'item.hs.matches("^85")',
      message: "method 'matches' is not supported in GreenLane conditions",
      position: 0,
    },
    {
      text: 'item.documents.filter(d, d == "C400").size() > 0',
      message: "method 'filter' is not supported in GreenLane conditions",
      position: 0,
    },
    {
      text: 'timestamp(declaration.date) > timestamp("2026-01-01T00:00:00Z")',
      message: "function 'timestamp' is not supported in GreenLane conditions",
      position: 0,
    },
    {
      text: '{"CN": true}[item.origin]',
      message: "'map' is not supported in GreenLane conditions",
      position: 0,
    },
  ])('refuses $text: $message', ({ text, message, position }) => {
    const e = refusal(text);
    expect(e.message).toBe(message);
    expect(e.position).toBe(position);
  });

  it('refuses a condition longer than 4000 characters, and accepts one of 4000', () => {
    const of = (length: number) => `item.hs == "${'8'.repeat(length - 13)}"`;
    expect(of(4000)).toHaveLength(4000);
    expect(compileCondition(of(4000), LISTS).evaluate(context())).toBe(false);
    const e = refusal(of(4001));
    expect(e.message).toBe('condition longer than 4000 characters');
    expect(e.position).toBeUndefined();
  });
});

describe('compileCondition: guards for the candidate index', () => {
  const cases: Array<[condition: string, guard: Guard]> = [
    ['item.hs.startsWith("8549") && item.origin == "CN"', { hs: ['8549'], origin: ['CN'] }],
    ['item.hs.startsWith("8549")', { hs: ['8549'] }],
    ['item.hs == "8549210000"', { hs: ['8549210000'] }],
    ['item.hs in ["8549", "3915"]', { hs: ['8549', '3915'] }],
    ['item.origin == "CN"', { origin: ['CN'] }],
    ['"CN" == item.origin', { origin: ['CN'] }],
    ['item.origin in ["CN", "HK"]', { origin: ['CN', 'HK'] }],
    ['declaration.office == "BY112000"', { office: ['BY112000'] }],
    ['declaration.transportMode == "post"', { mode: ['post'] }],
    ['declaration.transportMode in ["post", "air"]', { mode: ['post', 'air'] }],
    ['declaration.dispatchCountry == "CN"', { dispatch: ['CN'] }],
    ['hsIn(item.hs, "e-waste")', { hs: ['8549', '854810', '3915'] }],
    ['hsIn(item.hs, "empty")', { hs: [] }],
    ['inList(item.origin, "high-risk-origins")', { origin: ['CN', 'HK', 'VN'] }],
    ['inList(declaration.dispatchCountry, "high-risk-origins")', { dispatch: ['CN', 'HK', 'VN'] }],
    ['inList(declaration.transportMode, "modes")', { mode: ['post', 'air'] }],
    // `or`: only the dimensions both sides guard, with the union of their values.
    ['item.hs.startsWith("8549") || item.hs.startsWith("3915")', { hs: ['8549', '3915'] }],
    ['item.origin == "CN" || item.origin in ["HK", "CN"]', { origin: ['CN', 'HK'] }],
    ['item.hs.startsWith("8549") || item.origin == "CN"', {}],
    [
      '(item.hs.startsWith("85") && item.origin == "CN") || (item.hs.startsWith("39") && item.origin == "HK")',
      { hs: ['85', '39'], origin: ['CN', 'HK'] },
    ],
    [
      '(item.origin == "CN" && declaration.office == "X") || item.origin == "HK"',
      { origin: ['CN', 'HK'] },
    ],
    // `and`: either side's guard is necessary; of two on one dimension the one with fewer values.
    ['item.hs.startsWith("85") && hsIn(item.hs, "e-waste")', { hs: ['85'] }],
    ['item.documents.exists(d, d == "C400") && declaration.office == "X"', { office: ['X'] }],
    // Nothing necessary is known through a negation, an inequality or a computed value.
    ['!(item.origin == "CN")', {}],
    ['!item.hs.startsWith("85")', {}],
    ['item.origin != "CN"', {}],
    ['item.origin.lowerAscii() == "cn"', {}],
    ['item.origin == declaration.dispatchCountry', {}],
    ['item.origin == "CN" ? true : false', {}],
    ['item.hs.startsWith("85") == true', {}],
    ['item.hs.startsWith(item.origin)', {}],
    ['item.hs.endsWith("85")', {}],
    ['hsIn(item.origin, "e-waste")', {}],
    ['item.value > 1000.0', {}],
    ['declaration.destinationCountry == "BY"', {}],
    ['"CN" in declaration.transitCountries', {}],
    ['declaration.transitCountries.exists(item, item == "KZ")', {}],
    ['hasDocument("C400")', {}],
  ];
  it.each(cases.map(([condition, guard]) => ({ condition, guard })))(
    '$condition',
    ({ condition, guard }) => {
      expect(compileCondition(condition, LISTS).guard).toEqual(guard);
    },
  );
});
