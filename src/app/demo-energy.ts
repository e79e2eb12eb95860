import type { Principal } from '../core/auth/identity.js';
import type { AppContext } from './context.js';
import { definePoint, recordReports } from './manage-energy.js';

export const DEMO_LINE = 'BY-LT-330-SMORGON';

/**
 * The energy part of the demo: a 330 kV line to Lithuania with the last three days of hourly
 * figures from our operator's meter and the partner's, one hour of which our meter read 4% short,
 * and yesterday's declaration of the imported energy, 10% below what the meters agree on.
 */
export async function seedDemoEnergy(ctx: AppContext, analyst: Principal): Promise<void> {
  await definePoint(ctx, analyst, {
    id: DEMO_LINE,
    name: 'Smorgon – Vilnius 330 kV line (demo)',
    commodity: 'electricity',
    hsCode: '2716',
    partner: 'LT/MUITINE',
    partnerPointId: 'LT-330-VILNIUS-1',
    meteringPoints: [
      { id: 'SMORGON-M1', side: 'own', operator: 'Belenergo (demo)' },
      { id: 'VILNIUS-M1', side: 'partner', operator: 'Litgrid (demo)' },
    ],
    timeZone: 'Europe/Minsk',
    dayStartHour: 0,
    lossFraction: 0.012,
    meterAccuracy: 0.005,
    absoluteTolerancePerHour: 0.5,
    agreement: 'SCO Protocol on the exchange of information on energy transfer control (2008)',
  });
  await recordReports(ctx, analyst, demoEnergyReports(ctx.clock.now().getTime()));
}

export interface DemoEnergyReport {
  id: string;
  source: 'partner' | 'own-meter' | 'declaration';
  pointId: string;
  direction: 'import' | 'export';
  start: string;
  end: string;
  quantity: number;
  unit: 'MWh';
}

/** The demo line's reports for the three whole Minsk days before `now` (epoch milliseconds). */
export function demoEnergyReports(now: number): DemoEnergyReport[] {
  const HOUR = 3_600_000;
  // Whole local days in Minsk (UTC+3): the three days before today.
  const todayMinsk = Math.floor((now + 3 * HOUR) / (24 * HOUR)) * 24 * HOUR - 3 * HOUR;
  const start = todayMinsk - 3 * 24 * HOUR;
  const iso = (t: number) => new Date(t).toISOString();
  const reports: DemoEnergyReport[] = [];
  let declared = 0;
  for (let h = 0; h < 72; h++) {
    const t = start + h * HOUR;
    // A daily shape: more in the evening.
    const sent = Math.round(180 + 60 * Math.sin(((h % 24) - 6) * (Math.PI / 12)));
    const arrived = sent * (1 - 0.012);
    reports.push({
      id: `VILNIUS-M1-${iso(t)}`,
      source: 'partner',
      pointId: DEMO_LINE,
      direction: 'export',
      start: iso(t),
      end: iso(t + HOUR),
      quantity: sent,
      unit: 'MWh',
    });
    reports.push({
      id: `SMORGON-M1-${iso(t)}`,
      source: 'own-meter',
      pointId: DEMO_LINE,
      direction: 'import',
      start: iso(t),
      end: iso(t + HOUR),
      quantity: Math.round(arrived * (h === 40 ? 0.96 : 1) * 1000) / 1000,
      unit: 'MWh',
    });
    if (h >= 48) declared += arrived;
  }
  reports.push({
    id: 'ECOMET-ENERGY-D1',
    source: 'declaration',
    pointId: DEMO_LINE,
    direction: 'import',
    start: iso(start + 48 * HOUR),
    end: iso(start + 72 * HOUR),
    quantity: Math.round(declared * 0.9),
    unit: 'MWh',
  });
  return reports;
}
