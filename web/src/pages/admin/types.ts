import type { paths } from '../../api-types.js';

type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;

export type AgenciesAnswer = Json<paths['/api/agencies']['get']['responses'][200]>;
export type Agency = AgenciesAnswer['agencies'][number];
export type AgencyKind = AgenciesAnswer['kinds'][number];
export type User = Json<paths['/api/users']['get']['responses'][200]>[number];
export type ApiToken = Json<paths['/api/api-tokens']['get']['responses'][200]>[number];
export type Session = Json<paths['/api/sessions']['get']['responses'][200]>[number];
export type IssuedToken = Json<paths['/api/users/{userId}/api-tokens']['post']['responses'][201]>;
