import type { components } from '../../api-types.js';

export type Point = components['schemas']['InterconnectionPoint'];
export type Reconciliation = components['schemas']['EnergyReconciliation'];
export type Pair = Reconciliation['pairs'][number];
export type Month = Reconciliation['months'][number];
export type Bias = Reconciliation['bias'][number];
export type DeclarationCheck = Reconciliation['declarations'][number];
export type Issue = Reconciliation['issues'][number];
export type Recorded = components['schemas']['RecordedReports'];
export type EnergyCase = components['schemas']['EnergyCase'];
export type CasePeriod = EnergyCase['periods'][number];
export type CaseHistoryEntry = EnergyCase['history'][number];
