import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { amendDeclaration, type AmendDeclarationResult } from '../../app/amend-declaration.js';
import { cancelDeclaration } from '../../app/cancel-declaration.js';
import type { AppContext } from '../../app/context.js';
import { declarationVersions } from '../../app/read-declarations.js';
import { presentDeclaration, seesTraderView } from '../../app/views/declaration-view.js';
import type { Principal } from '../../core/auth/identity.js';
import type { AmendmentChange } from '../../core/declaration/amendment.js';
import { DECLARATION_EVENTS } from '../../core/ports.js';
import type { WcoMessage } from '../../formats/wco-dms.js';
import { DeclarationViewSchema, ProblemSchema } from '../schemas.js';

const NoteSchema = Type.Object(
  {
    source: Type.String({ description: 'Where the sender wrote the element' }),
    note: Type.String(),
  },
  { title: 'DeclarationNote' },
);

/** What an amendment or a cancellation did. */
export const DeclarationChangeSchema = Type.Object(
  {
    event: Type.Enum(['amended', 'cancelled']),
    declarationId: Type.String(),
    version: Type.Integer({ minimum: 2, description: 'The version the change made' }),
    declaration: Type.Optional(DeclarationViewSchema),
    notes: Type.Array(NoteSchema, {
      description: 'Amended elements GreenLane does not hold: kept with the version, not applied',
    }),
  },
  { title: 'DeclarationChange' },
);

const Version = Type.Integer({
  minimum: 1,
  maximum: 2_147_483_647,
  description: 'The version the change is made against: a later version makes it a 409 conflict',
});

const AmendmentBody = Type.Object(
  {
    version: Version,
    reasonCode: Type.Optional(Type.String({ maxLength: 3, description: 'WCO ChangeReasonCode' })),
    statement: Type.Optional(Type.String({ maxLength: 512, description: 'Why, in words' })),
    changes: Type.Array(
      Type.Union([
        Type.Object(
          {
            op: Type.Optional(Type.Literal('set')),
            item: Type.Optional(
              Type.Integer({
                minimum: 1,
                description: 'Goods item sequence; absent: the declaration',
              }),
            ),
            field: Type.String({
              pattern: '^/',
              maxLength: 200,
              description: 'JSON pointer into the declaration or goods item, e.g. /netMass',
            }),
            value: Type.Unknown({ description: 'The new value; null removes the element' }),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          { op: Type.Literal('remove-item'), item: Type.Integer({ minimum: 1, maximum: 9999 }) },
          { additionalProperties: false },
        ),
      ]),
      { minItems: 1, maxItems: 999 },
    ),
  },
  { additionalProperties: false },
);

const CancellationBody = Type.Object(
  {
    version: Type.Optional(Version),
    reasonCode: Type.Optional(Type.String({ maxLength: 3, description: 'WCO ChangeReasonCode' })),
    reason: Type.String({ minLength: 1, maxLength: 512 }),
  },
  { additionalProperties: false },
);

const VersionSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    event: Type.Enum(DECLARATION_EVENTS),
    at: Type.String({ format: 'date-time' }),
    by: Type.String({ description: 'The user who lodged, amended or cancelled' }),
    channel: Type.Optional(
      Type.Union([Type.Enum(['green', 'yellow', 'red']), Type.Null()], {
        description: 'The channel the version was screened to (not shown to traders)',
      }),
    ),
    content: Type.Unknown({ description: 'The declaration as this version made it' }),
    details: Type.Unknown({ description: 'Reason codes, statements and notes of the change' }),
  },
  { title: 'DeclarationVersion' },
);

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const ERRORS = { 400: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };

/** A WCO amendment or cancellation posted to POST /api/declarations, applied to what it names. */
export async function applyWcoChange(
  ctx: AppContext,
  principal: Principal,
  message: Extract<WcoMessage, { kind: 'amendment' | 'cancellation' }>,
) {
  const { value } = message;
  if (value.kind === 'cancellation') {
    const done = await cancelDeclaration(ctx, principal, {
      ref: value.declaration,
      reason: value.reason,
      ...(value.reasonCode !== undefined ? { reasonCode: value.reasonCode } : {}),
    });
    return { event: 'cancelled' as const, ...done, notes: [] };
  }
  return amended(
    ctx,
    principal,
    await amendDeclaration(ctx, principal, { ref: value.declaration, amendment: value }),
  );
}

async function amended(ctx: AppContext, principal: Principal, r: AmendDeclarationResult) {
  return {
    event: 'amended' as const,
    declarationId: r.declaration.id,
    version: r.version,
    declaration: await presentDeclaration(ctx.storage.read, principal, r.declaration),
    notes: r.notes,
  };
}

/** Amend and cancel a declaration by id (JSON), and read its versions. */
export const declarationLifecycleRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.post(
    '/api/declarations/:id/amendments',
    {
      schema: {
        tags: ['declarations'],
        summary: 'Amend a declaration (only its declarant, before release or control)',
        description:
          'Each change sets one data element, of the declaration or of the goods item with sequence `item`, ' +
          'or removes a goods item. The amended declaration is validated as a lodging is and screened again. ' +
          '`version` must be the current version: of concurrent amendments made against one version, one ' +
          'applies and the others get 409.',
        params: Params,
        body: AmendmentBody,
        response: { 200: DeclarationChangeSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { version, reasonCode, statement, changes } = request.body;
      const mapped = changes.map((c, i): AmendmentChange => {
        const source = `/changes/${i}`;
        if (c.op === 'remove-item') return { op: 'remove-item', item: c.item, source };
        const value = c.value === null ? undefined : c.value;
        return {
          op: 'set',
          field: c.field,
          value,
          source,
          ...(c.item !== undefined ? { item: c.item } : {}),
        };
      });
      return amended(
        ctx,
        request.principal,
        await amendDeclaration(ctx, request.principal, {
          declarationId: request.params.id,
          expectedVersion: version,
          amendment: {
            changes: mapped,
            notHeld: [],
            reasonCodes: reasonCode !== undefined ? [reasonCode] : [],
            statements: statement !== undefined ? [statement] : [],
          },
        }),
      );
    },
  );

  app.post(
    '/api/declarations/:id/cancellation',
    {
      schema: {
        tags: ['declarations'],
        summary: 'Cancel a declaration (only its declarant, before release or control)',
        params: Params,
        body: CancellationBody,
        response: { 200: DeclarationChangeSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { version, reasonCode, reason } = request.body;
      const done = await cancelDeclaration(ctx, request.principal, {
        declarationId: request.params.id,
        reason,
        ...(version !== undefined ? { expectedVersion: version } : {}),
        ...(reasonCode !== undefined ? { reasonCode } : {}),
      });
      return { event: 'cancelled' as const, ...done, notes: [] };
    },
  );

  app.get(
    '/api/declarations/:id/versions',
    {
      schema: {
        tags: ['declarations'],
        summary: 'Every version of a declaration, oldest first',
        params: Params,
        response: { 200: Type.Object({ items: Type.Array(VersionSchema) }), 404: ProblemSchema },
      },
    },
    async (request) => {
      const items = await declarationVersions(ctx, request.principal, request.params.id);
      return {
        items: seesTraderView(request.principal)
          ? items.map(({ channel: _channel, ...v }) => v)
          : items,
      };
    },
  );
};
