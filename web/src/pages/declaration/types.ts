import type { paths } from '../../api-types.js';

/** GET /api/declarations/{id} as the typed client gives it. */
export type DeclarationAnswer =
  paths['/api/declarations/{id}']['get']['responses']['200']['content']['application/json'];
export type TraderDeclaration = Extract<DeclarationAnswer, { audience: 'trader' }>;
export type Assessment = NonNullable<
  Extract<DeclarationAnswer, { assessment: unknown }>['assessment']
>;
export type InspectionBody = NonNullable<
  paths['/api/declarations/{id}/inspections']['post']['requestBody']
>['content']['application/json'];
