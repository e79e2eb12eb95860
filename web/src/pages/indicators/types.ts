import type { paths } from '../../api-types.js';

type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;

export type Indicator = Json<paths['/api/indicators']['get']['responses'][200]>[number];
export type IndicatorBody =
  paths['/api/indicators']['post']['requestBody']['content']['application/json'];
export type Preview = Json<paths['/api/indicators/preview']['post']['responses'][200]>;
export type AgencyApprovals = Json<
  paths['/api/indicators/{key}/agencies']['get']['responses'][200]
>;
export type Diff = Json<
  paths['/api/indicators/{key}/versions/{a}/diff/{b}']['get']['responses'][200]
>;
export type Effectiveness = Json<
  paths['/api/indicators/{key}/effectiveness']['get']['responses'][200]
>;
export type ConditionReference = Json<paths['/api/indicators/context']['get']['responses'][200]>;

/** The body that saves or previews a version as it stands (what the approver is shown). */
export function bodyOf(i: Indicator): IndicatorBody {
  return {
    title: i.title,
    priorityArea: i.priorityArea,
    condition: i.condition,
    weight: i.weight,
    directChannel: i.directChannel,
    controlForm: i.controlForm,
    rationale: i.rationale,
    ...(i.validFrom ? { validFrom: i.validFrom } : {}),
    ...(i.validTo ? { validTo: i.validTo } : {}),
  };
}
