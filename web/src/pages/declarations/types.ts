import type { paths } from '../../api-types.js';

/** The answers and bodies of the declaration routes, as the generated client types them. */
export type DeclarationList =
  paths['/api/declarations']['get']['responses']['200']['content']['application/json'];
export type ListedDeclaration = DeclarationList['items'][number];
export type TraderDeclaration = Extract<ListedDeclaration, { audience: 'trader' }>;
export type OfficerDeclaration = Exclude<ListedDeclaration, { audience: 'trader' }>;
export type DeclarationQuery = paths['/api/declarations']['get']['parameters']['query'];
export type DeclarationStatus = TraderDeclaration['status'];
export type DeclarationKind = ListedDeclaration['kind'];
export type Channel = NonNullable<DeclarationQuery['channel']>;
export type DeclarationInput =
  paths['/api/declarations']['post']['requestBody']['content']['application/json'];
export type TransportMode = NonNullable<NonNullable<DeclarationInput['route']>['transportMode']>;
export type BatchAnswer =
  paths['/api/declarations/batch']['post']['responses']['200']['content']['application/json'];
export type BatchResult = BatchAnswer['results'][number];
export type DeclarationChange =
  paths['/api/declarations/{id}/amendments']['post']['responses']['200']['content']['application/json'];
export type AmendmentBody =
  paths['/api/declarations/{id}/amendments']['post']['requestBody']['content']['application/json'];
