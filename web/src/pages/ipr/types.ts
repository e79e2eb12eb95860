import type { components, paths } from '../../api-types.js';

export type Application = components['schemas']['ApplicationForAction'];
export type ApplicationInput =
  paths['/api/ipr/applications']['post']['requestBody']['content']['application/json'];
export type Right = Application['rights'][number];
export type CaseView = components['schemas']['IprCaseView'];
export type IprCase = CaseView['case'];
export type Deadline = CaseView['state']['deadlines'][number];
export type Calendar = components['schemas']['WorkingDayCalendar'];
export type EventBody =
  paths['/api/ipr/cases/{id}/events']['post']['requestBody']['content']['application/json'];
export type Decision =
  paths['/api/ipr/applications/{id}/decision']['post']['requestBody']['content']['application/json']['decision'];
