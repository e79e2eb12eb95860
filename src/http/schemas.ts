import Type from 'typebox';
import { DeclarationInputSchema } from '../core/declaration/declaration.js';

/** RFC 9457 problem document. */
export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), detail: Type.String() }))),
});

/** A stored declaration: what was declared plus what GreenLane assigned. */
export const DeclarationSchema = Type.Object({
  ...DeclarationInputSchema.properties,
  submittedAt: Type.String({ format: 'date-time' }),
  id: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  agencyId: Type.String({ description: 'Owning customs agency' }),
  submitterAgencyId: Type.String(),
  submittedBy: Type.String(),
  sourceFormat: Type.Enum(['json', 'wco-xml', 'csv', 'ndjson']),
  channel: Type.Union([Type.Enum(['green', 'yellow', 'red']), Type.Null()], {
    description: 'Control channel; null until screened',
  }),
});
