export { MetricsPage } from './metrics/MetricsPage.js';
