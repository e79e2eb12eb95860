import type { paths } from '../../api-types.js';

type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;

export type Message = Json<paths['/api/exchange/messages']['get']['responses'][200]>[number];
export type MessageType = Message['type'];
export type Partner = Json<paths['/api/exchange/partners']['get']['responses'][200]>[number];
export type Contact = Json<paths['/api/exchange/contacts']['get']['responses'][200]>[number];
export type ContactInput =
  paths['/api/exchange/contacts/{id}']['put']['requestBody']['content']['application/json'];
export type NodeInfo = Json<paths['/api/exchange/node']['get']['responses'][200]>;
export type Adoption = Json<paths['/api/exchange/messages/{id}/adopt']['post']['responses'][200]>;
export type Compose =
  paths['/api/exchange/messages']['post']['requestBody']['content']['application/json'];

/** The bodies of the messages, as src/core/exchange/messages.ts defines them (types only). */
export type { BodyOf } from '../../../../src/core/exchange/messages.js';
