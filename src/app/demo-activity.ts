import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import { SeededRandom } from '../core/random.js';
import type { AppContext } from './context.js';
import { recordInspection } from './controls.js';
import { BY_OFFICES, generateDeclarations } from './generate-declarations.js';
import { issueCertificate } from './manage-certificates.js';
import { applyForPermit, permitStep, releaseDeclaration } from './manage-permits.js';
import { submitDeclaration } from './submit-declaration.js';
import { seedDemoCargo } from './demo-cargo.js';

export interface DemoActors {
  officer: Principal;
  analyst: Principal;
  ecologist: Principal;
  trader: Principal;
}

/**
 * A few weeks of activity for the demo, so that every console page has something to show:
 * a certificate and trusted-trader status, permits at each stage (issued, expedited and due,
 * waiting for information), a few hundred screened declarations, and controls with findings,
 * seizures and releases. Deterministic (seeded).
 */
export async function seedDemoActivity(
  ctx: AppContext,
  actors: DemoActors,
  declarations = 300,
): Promise<{ declarations: number; inspections: number; cargoReports: number }> {
  const { officer, analyst, ecologist, trader } = actors;
  const holder = trader.traderId!;
  const year = new Date().getUTCFullYear();
  const validFrom = `${year - 1}-01-01T00:00:00Z`;
  const validTo = `${year + 2}-01-01T00:00:00Z`;

  await issueCertificate(ctx, ecologist, {
    type: 'recycler-compliance-programme',
    reference: 'BY-RCP-0042',
    holderId: holder,
    holderName: 'EcoMet Recycling LLC (demo)',
    hsScope: ['7204', '7404', '7602'],
    validFrom,
    validTo,
  });
  await issueCertificate(ctx, analyst, {
    type: 'trusted-trader',
    reference: 'BY-AEO-0007',
    holderId: holder,
    holderName: 'EcoMet Recycling LLC (demo)',
    hsScope: [],
    validFrom,
    validTo,
  });

  const base = { issuerAgency: 'BY-ENV', validFrom, validTo };
  const consent = await applyForPermit(ctx, trader, {
    ...base,
    type: 'waste-consent',
    counterpart: { name: 'Baltic E-Cycle UAB', country: 'LT' },
    hsScope: ['8549'],
    quantity: 120,
    unit: 'TNE',
    route: { dispatch: ['LT'], destination: ['BY'] },
    maxShipments: 12,
    wasteToResource: true,
    details: { wasteCode: 'A1180', operation: 'R4' },
  });
  await permitStep(ctx, ecologist, consent.id, { step: 'review' });
  await permitStep(ctx, ecologist, consent.id, { step: 'issue' });
  await applyForPermit(ctx, trader, {
    ...base,
    type: 'green-tech',
    counterpart: { name: 'Solar Modules GmbH', country: 'DE' },
    hsScope: ['854143'],
    quantity: 4000,
    unit: 'NAR',
  });
  const pesticide = await applyForPermit(ctx, trader, {
    ...base,
    type: 'pesticide-licence',
    counterpart: { name: 'AgroChem AG', country: 'DE' },
    hsScope: ['3808'],
    quantity: 2000,
    unit: 'KGM',
    details: { substance: 'glyphosate' },
  });
  await permitStep(ctx, ecologist, pesticide.id, {
    step: 'request-information',
    message: 'Attach the registration certificate of the product',
  });

  const lodged = [];
  // Lodged over the last two weeks, so that worklist ages and clearance times look like a day's work.
  const now = ctx.clock.now().getTime();
  // At the demo node's own (Belarusian) offices.
  const inputs = [...generateDeclarations(declarations, 7, { offices: BY_OFFICES })].map(
    (input, k) => ({
      ...input,
      submittedAt: new Date(
        now - ((declarations - k) / declarations) * 14 * 86_400_000,
      ).toISOString(),
    }),
  );
  for (let i = 0; i < inputs.length; i += 50) {
    const batch = await Promise.all(
      inputs
        .slice(i, i + 50)
        .map((input) => submitDeclaration(ctx, officer, { sourceFormat: 'json', input })),
    );
    for (const r of batch) if (r.outcome === 'created') lodged.push(r.declaration);
  }

  // Controls on the first forty declarations routed to control: a quarter with findings.
  const random = new SeededRandom(11);
  let inspections = 0;
  for (const d of lodged.filter((x) => x.channel !== 'green').slice(0, 40)) {
    const finding = random.next() < 0.25;
    const seize = finding && random.next() < 0.5;
    const started = new Date(Date.parse(d.submittedAt) + 3600_000).toISOString();
    const ended = new Date(Date.parse(d.submittedAt) + 5400_000).toISOString();
    const item = d.goodsItems[0]!;
    await recordInspection(ctx, officer, d.id, {
      controlForm: d.assessment?.controlForm ?? 'documentary-check',
      startedAt: started,
      endedAt: ended,
      result: finding ? 'non-compliant' : 'compliant',
      findings: finding
        ? [random.pick(['undervalued', 'misdeclared-hs', 'missing-permit'] as const)]
        : [],
      findingsText: finding
        ? 'Goods differ from the declaration; see the report.'
        : 'Goods as declared.',
      itemsAffected: finding ? [item.sequence] : [],
      ...(seize
        ? {
            seizures: [
              {
                itemSequence: item.sequence,
                quantity: item.quantity ?? item.netMass ?? 1,
                unit: item.unit ?? 'KGM',
                estimatedValue: item.value ?? 0,
                currency: item.currency ?? 'EUR',
                storageLocation: `${d.office ?? 'BY'} bonded warehouse`,
                legalBasis: 'Customs Code, seizure of goods pending proceedings',
              },
            ],
          }
        : {}),
    });
    inspections++;
    if (!finding) {
      try {
        await releaseDeclaration(ctx, officer, d.id);
      } catch (e) {
        // Goods needing a permit without one stay: that is what the demo shows.
        if (!(e instanceof DomainError)) throw e;
      }
    }
  }
  const cargoReports = await seedDemoCargo(ctx, trader);
  return { declarations: lodged.length, inspections, cargoReports };
}
