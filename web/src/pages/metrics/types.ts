import type { paths } from '../../api-types.js';

/** The performance metrics answer (generated from the API's schema). */
export type Metrics =
  paths['/api/metrics/performance']['get']['responses']['200']['content']['application/json'];
export type PeriodMetrics = Metrics['previous'];
export type Counts = Metrics['totals'];
export type Proportion = Counts['seizureRate'];
