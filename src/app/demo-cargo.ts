import type { Principal } from '../core/auth/identity.js';
import { AIRPORTS, landPath } from '../core/reference/trade-geography.js';
import { lodgeCargoReport } from './cargo-reports.js';
import type { AppContext } from './context.js';

/** One goods item of a demo entry summary declaration. */
interface DemoItem {
  hs: string;
  description: string;
  grossKg: number;
  documents?: Array<[type: string, reference: string]>;
}

interface DemoReport {
  lrn: string;
  mode: 'air' | 'rail';
  /** Hours from now to the expected arrival at the office of first entry. */
  arrivalHours: number;
  dispatch: string;
  items: DemoItem[];
  /** The consignee's EORI (TINCE159); by default the demo trader itself. */
  consignee?: string;
}

/** The demo trader's own EORI (see bootstrap.ts): it lodges its entry summaries under it. */
export const DEMO_TRADER_EORI = 'BY190000001';

/** Consignees of the demo reports: the demo trader and a few other Belarusian importers. */
const CONSIGNEES: Record<string, { name: string; street: string; postcode: string; city: string }> =
  {
    [DEMO_TRADER_EORI]: {
      name: 'EcoMet Recycling LLC (demo)',
      street: '12 Partizansky Avenue',
      postcode: '220033',
      city: 'Minsk',
    },
    BY191204518: {
      name: 'Minsk Digital Supply LLC',
      street: '100 Pobediteley Avenue',
      postcode: '220020',
      city: 'Minsk',
    },
    BY192877340: {
      name: 'Terra Pets LLC',
      street: '25 Kalvariyskaya Street',
      postcode: '220073',
      city: 'Minsk',
    },
    BY193015562: {
      name: 'Frost Climate LLC',
      street: '65 Timiryazeva Street',
      postcode: '220035',
      city: 'Minsk',
    },
    BY190544871: {
      name: 'AgroSfera LLC',
      street: '12 Sovetskaya Street',
      postcode: '246050',
      city: 'Gomel',
    },
  };

/** Flights that bring cargo to Minsk from each country of dispatch (carriers that fly there). */
const FLIGHTS: Record<string, string> = { CN: 'CA1047', KE: 'TK6343', IN: 'FZ1712', TR: 'TK6340' };

/**
 * Rail terminals where the goods are loaded, by UN/LOCODE (rail function): Beijing CNBJS,
 * Karaganda KZKGF, Duisburg DEDUI.
 */
const RAIL_TERMINALS: Record<string, string> = {
  CN: 'Beijing',
  KZ: 'Karaganda',
  DE: 'Duisburg',
};

/** yyyyMMddHHmm (UTC), as ICS writes times. */
function icsTime(at: number): string {
  return new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

/**
 * An IE315 that meets HMRC's ENS rules, by air (flight number) or rail (train identity, routed
 * through the countries on the way), for the demo: the same path a carrier's system would take.
 */
export function demoEnsMessage(
  r: DemoReport,
  now = Date.now(),
  /**
   * The person lodging (TINPLD1), when the sender lodges for someone else. By default the demo
   * trader sends and lodges its own report: the message names no person lodging, so its sender
   * (the trader's own EORI) is the declarant — HMRC's rules take only GB numbers as TINPLD1.
   */
  lodger?: string,
): string {
  const consigneeId = r.consignee ?? DEMO_TRADER_EORI;
  const known = CONSIGNEES[consigneeId];
  // HMRC's rules want the consignee's name and address beside a non-GB number.
  const consignee = known
    ? `<NamCE17>${known.name}</NamCE17><StrAndNumCE122>${known.street}</StrAndNumCE122>` +
      `<PosCodCE123>${known.postcode}</PosCodCE123><CitCE124>${known.city}</CitCE124>` +
      `<CouCE125>BY</CouCE125>`
    : '';
  const transport =
    r.mode === 'air'
      ? '<TraModAtBorHEA76>4</TraModAtBorHEA76>'
      : '<TraModAtBorHEA76>2</TraModAtBorHEA76><IdeOfMeaOfTraCroHEA85>TRAIN 4217</IdeOfMeaOfTraCroHEA85>';
  const conveyance =
    r.mode === 'air' ? `<ConRefNumHEA>${FLIGHTS[r.dispatch] ?? 'B2851'}</ConRefNumHEA>` : '';
  // Flown straight to Minsk; by rail through the countries on the way (core/reference/trade-geography.ts).
  const routing =
    r.mode === 'air' ? [r.dispatch, 'BY'] : (landPath(r.dispatch, 'BY') ?? [r.dispatch, 'BY']);
  const loading =
    r.mode === 'air'
      ? (AIRPORTS[r.dispatch]?.[0]?.[1] ?? `${r.dispatch} airport`)
      : (RAIL_TERMINALS[r.dispatch] ?? `${r.dispatch} rail terminal`);
  const total = r.items.reduce((kg, i) => kg + i.grossKg, 0);
  const items = r.items
    .map(
      (item, k) => `
  <GOOITEGDS>
    <IteNumGDS7>${k + 1}</IteNumGDS7>
    <GooDesGDS23>${item.description}</GooDesGDS23>
    <GroMasGDS46>${item.grossKg.toFixed(3)}</GroMasGDS46>
    ${(item.documents ?? [])
      .map(
        ([type, ref]) =>
          `<PRODOCDC2><DocTypDC21>${type}</DocTypDC21><DocRefDC23>${ref}</DocRefDC23></PRODOCDC2>`,
      )
      .join('')}
    <COMCODGODITM><ComNomCMD1>${item.hs}</ComNomCMD1></COMCODGODITM>
    <PACGS2><KinOfPacGS23>VR</KinOfPacGS23></PACGS2>
  </GOOITEGDS>`,
    )
    .join('');
  return `<ie:CC315A xmlns:ie="http://ics.dgtaxud.ec/CC315A">
  <MesSenMES3>${DEMO_TRADER_EORI}/1234567890</MesSenMES3>
  <MesIdeMES19>${r.lrn}</MesIdeMES19>
  <MesTypMES20>CC315A</MesTypMES20>
  <HEAHEA>
    <RefNumHEA4>${r.lrn}</RefNumHEA4>
    ${transport}
    <TotNumOfIteHEA305>${r.items.length}</TotNumOfIteHEA305>
    <TotGroMasHEA307>${total.toFixed(3)}</TotGroMasHEA307>
    <ComRefNumHEA>${r.lrn}-CRN</ComRefNumHEA>
    ${conveyance}
    <PlaLoaGOOITE334>${loading}</PlaLoaGOOITE334>
    <PlaUnlGOOITE334>Minsk</PlaUnlGOOITE334>
    <DecDatTimHEA114>${icsTime(now)}</DecDatTimHEA114>
  </HEAHEA>
  <TRACONCE1>${consignee}<TINCE159>${consigneeId}</TINCE159></TRACONCE1>${items}
  ${routing.map((c) => `<ITI><CouOfRouCodITI1>${c}</CouOfRouCodITI1></ITI>`).join('\n  ')}
  ${lodger === undefined ? '' : `<PERLODSUMDEC><TINPLD1>${lodger}</TINPLD1></PERLODSUMDEC>`}
  <CUSOFFFENT730>
    <RefNumCUSOFFFENT731>BY112000</RefNumCUSOFFFENT731>
    <ExpDatOfArrFIRENT733>${icsTime(now + r.arrivalHours * 3_600_000)}</ExpDatOfArrFIRENT733>
  </CUSOFFFENT730>
</ie:CC315A>`;
}

/** Reports whose outcomes the reference library decides: in time or late, documented or not. */
const REPORTS: DemoReport[] = [
  {
    lrn: 'ENS-DEMO-01',
    mode: 'air',
    arrivalHours: 20,
    dispatch: 'CN',
    consignee: 'BY191204518',
    items: [{ hs: '847130', description: 'Laptop computers', grossKg: 420 }],
  },
  {
    lrn: 'ENS-DEMO-02',
    mode: 'rail',
    arrivalHours: 30,
    dispatch: 'CN',
    items: [
      { hs: '854911', description: 'Waste lead-acid batteries', grossKg: 18_000 },
      { hs: '850760', description: 'Lithium-ion cells', grossKg: 2_000 },
    ],
  },
  {
    lrn: 'ENS-DEMO-03',
    mode: 'rail',
    arrivalHours: 40,
    dispatch: 'KZ',
    items: [{ hs: '720449', description: 'Ferrous waste and scrap', grossKg: 60_000 }],
  },
  {
    lrn: 'ENS-DEMO-04',
    mode: 'air',
    arrivalHours: 1,
    dispatch: 'KE',
    consignee: 'BY192877340',
    items: [{ hs: '010620', description: 'Live reptiles (tortoises)', grossKg: 35 }],
  },
  {
    lrn: 'ENS-DEMO-05',
    mode: 'air',
    arrivalHours: 12,
    dispatch: 'IN',
    consignee: 'BY193015562',
    items: [{ hs: '382711', description: 'Refrigerant gas mixtures (HFC)', grossKg: 900 }],
  },
  {
    lrn: 'ENS-DEMO-06',
    mode: 'rail',
    arrivalHours: 26,
    dispatch: 'DE',
    items: [
      {
        hs: '391590',
        description: 'Plastic waste, mixed, baled',
        grossKg: 24_000,
        documents: [['C672', 'DE-ANNEX-VII-2026-118']],
      },
    ],
  },
  {
    lrn: 'ENS-DEMO-07',
    mode: 'rail',
    arrivalHours: 50,
    dispatch: 'CN',
    consignee: 'BY190544871',
    items: [{ hs: '290381', description: 'Lindane (gamma-HCH), technical grade', grossKg: 5_000 }],
  },
];

/**
 * A few advance cargo reports for the demo, lodged by the trader under its own EORI through the
 * real intake (rules, mapping, screening, referrals), so the pre-arrival outcomes the library
 * leads to can be seen.
 */
export async function seedDemoCargo(ctx: AppContext, trader: Principal): Promise<number> {
  let lodged = 0;
  for (const report of REPORTS) {
    await lodgeCargoReport(ctx, trader, { format: 'xml', body: demoEnsMessage(report) });
    lodged++;
  }
  return lodged;
}
