import type { Principal } from '../core/auth/identity.js';
import type { AppContext } from './context.js';
import { decideApplication, detainGoods, setCalendar, submitApplication } from './manage-ipr.js';
import { submitDeclaration } from './submit-declaration.js';

export interface DemoIprActors {
  admin: Principal;
  iprOfficer: Principal;
  officer: Principal;
  holder: Principal;
  trader: Principal;
}

/** Belarus's public holidays (fixed dates; Radunitsa moves with Orthodox Easter and is left out). */
export function belarusHolidays(year: number): string[] {
  return [
    `${year}-01-01`,
    `${year}-01-02`,
    `${year}-01-07`,
    `${year}-03-08`,
    `${year}-05-01`,
    `${year}-05-09`,
    `${year}-07-03`,
    `${year}-11-07`,
    `${year}-12-25`,
  ];
}

/**
 * The IPR part of the demo: the administration's working days (Minsk, Belarus's fixed public
 * holidays), a sports-goods right holder's application for action accepted by the IPR unit a few
 * days ago (so it is in force), and a shipment of trainers bearing a look-alike of its mark from
 * the demo trader, detained by the officer: the right holder and the trader each see the case
 * and their deadline.
 */
export async function seedDemoIpr(ctx: AppContext, a: DemoIprActors): Promise<void> {
  const year = ctx.clock.now().getUTCFullYear();
  await setCalendar(ctx, a.admin, {
    timeZone: 'Europe/Minsk',
    weekend: [0, 6],
    holidays: [
      ...belarusHolidays(year - 1),
      ...belarusHolidays(year),
      ...belarusHolidays(year + 1),
    ],
  });
  // Decided three days ago, so that it is in force today (acceptance counts from the next day).
  const earlier: AppContext = {
    ...ctx,
    clock: { now: () => new Date(ctx.clock.now().getTime() - 3 * 86_400_000) },
  };
  const application = await submitApplication(earlier, a.holder, {
    applicant: {
      kind: 'right-holder',
      name: 'Nordstride Sports AB (demo)',
      address: 'Sveavägen 44, 111 34 Stockholm, Sweden',
      id: 'SE5560000001',
      country: 'SE',
    },
    representatives: [{ name: 'Baltic IP Counsel (demo)', address: 'Minsk', country: 'BY' }],
    rights: [
      {
        type: 'trademark',
        mark: 'Nordstride',
        registrationNumber: 'EUTM 018000001',
        registeredIn: 'EUIPO',
        goods: ['6402', '6403', '6404', '6110', '4202'],
      },
      {
        type: 'design',
        mark: 'Nordstride Arc sole',
        registrationNumber: 'RCD 008000001-0001',
        registeredIn: 'EUIPO',
        goods: ['6402', '6403', '6404'],
      },
    ],
    goods: [
      { hs: '6402', description: 'Sports footwear with rubber or plastic uppers' },
      { hs: '6403', description: 'Sports footwear with leather uppers' },
      { hs: '6404', description: 'Sports footwear with textile uppers' },
      { hs: '6110', description: 'Jerseys and sweatshirts' },
      { hs: '4202', description: 'Sports bags and backpacks' },
    ],
    authenticFeatures: [
      {
        description:
          'Woven label inside the tongue with a 12-character serial; the serial is printed again on the box; laces with a reflective thread',
        images: [],
      },
    ],
    placesOfProduction: ['Ho Chi Minh City, Viet Nam', 'Porto, Portugal'],
    authorisedTraders: [{ name: 'Sportmaster Minsk LLC (demo)', id: 'BY191000777', country: 'BY' }],
    knownInfringers: [{ name: 'Putian Sunrise Footwear Trading (demo)', country: 'CN' }],
    knownRoutes: [{ origin: 'CN', via: ['KZ', 'RU'], description: 'Road via Khorgos and Moscow' }],
    smallConsignmentsProcedure: true,
    undertakings: { liability: true, costs: true },
  });
  await decideApplication(earlier, a.iprOfficer, application.id, { decision: 'accept' });
  ctx.risk.invalidate();

  const now = ctx.clock.now();
  const lodged = await submitDeclaration(ctx, a.trader, {
    sourceFormat: 'json',
    input: {
      kind: 'import',
      reference: 'ECOMET-IPR-0001',
      submittedAt: new Date(now.getTime() - 2 * 3_600_000).toISOString(),
      office: 'BY112000',
      declarant: { id: 'BY190000001', name: 'EcoMet Recycling LLC (demo)', country: 'BY' },
      consignor: { name: 'Putian Sunrise Footwear Trading (demo)', country: 'CN' },
      consignee: { id: 'BY190000001', name: 'EcoMet Recycling LLC (demo)', country: 'BY' },
      route: {
        dispatchCountry: 'CN',
        destinationCountry: 'BY',
        transitCountries: ['KZ', 'RU'],
        transportMode: 'road',
      },
      goodsItems: [
        {
          sequence: 1,
          hsCode: '6404110000',
          description: 'Sports footwear, textile uppers, rubber soles',
          brand: 'N0RDSTRIDE',
          quantity: 1200,
          unit: 'PR',
          netMass: 960,
          grossMass: 1040,
          value: 9600,
          currency: 'USD',
          originCountry: 'CN',
        },
      ],
      documents: [{ type: 'N935', reference: 'PSF-INV-2026-118' }],
    },
  });
  if (lodged.outcome !== 'created') return;
  await detainGoods(ctx, a.officer, lodged.declaration.id, {
    grounds:
      '1,200 pairs of trainers marked N0RDSTRIDE (zero for O) at 8 USD a pair; no woven serial label inside the tongue.',
  });
}
