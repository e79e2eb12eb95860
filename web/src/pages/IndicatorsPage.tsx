// The page lives in pages/indicators/ (editor, reference, approval step, effectiveness).
export { IndicatorsPage } from './indicators/IndicatorsPage.js';
