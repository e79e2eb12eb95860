import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { acceptTextBodies } from '../text-body.js';
import type { AppContext } from '../../app/context.js';
import {
  MAX_DRILL_DOWN_PAGE,
  MAX_MIRROR_RECORDS,
  MAX_REFRESH_MONTHS,
  mirrorDeclarations,
  mirrorGaps,
  mirrorRecordsFromCsv,
  recordMirrorRecords,
  refreshOwnImports,
  listTariffs,
  MAX_TARIFF_RATES,
  recordTariffs,
  sendMirrorExports,
  tariffsFromCsv,
} from '../../app/manage-mirror.js';
import { MessageSchema, view as messageView } from './exchange.js';
import { TariffRateInputSchema } from '../../core/reconciliation/tariff-schedule.js';
import { CONTROL_STATUSES } from '../../core/controls/inspection.js';
import { MirrorRecordInputSchema } from '../../core/reconciliation/mirror-record.js';
import { DomainError } from '../../core/errors.js';
import { ProblemSchema } from '../schemas.js';

const CSV = 'text/csv';
const N = Type.Number();
const NullableN = Type.Union([Type.Number(), Type.Null()]);
const NullableS = Type.Union([Type.String(), Type.Null()]);
const Month = (description: string) =>
  Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description }));
const Span = {
  fromMonth: Month('default: 11 months before toMonth'),
  toMonth: Month('default: this month'),
};

const SideQuantitySchema = Type.Object(
  {
    total: NullableN,
    units: Type.Array(Type.String()),
    incomplete: Type.Boolean(),
  },
  { title: 'MirrorSideQuantity' },
);

/** One HS6 × partner × month, as `MirrorGapRow` in src/core/reconciliation/mirror.ts. */
const GapRowSchema = Type.Object(
  {
    hs6: Type.String(),
    partner: Type.String(),
    month: Type.String(),
    monthExportFob: N,
    monthImportCif: N,
    window: Type.Object({ from: Type.String(), to: Type.String() }),
    importOffset: Type.Integer({ description: 'import months = export months + this' }),
    exportFob: N,
    cifFactor: N,
    adjustedExport: N,
    importCif: N,
    exportQuantity: SideQuantitySchema,
    importQuantity: SideQuantitySchema,
    valueLogRatio: NullableN,
    quantityLogRatio: NullableN,
    unitValueLogRatio: NullableN,
    quantityNote: Type.Union([
      Type.Literal('units-differ'),
      Type.Literal('mixed-units'),
      Type.Literal('quantity-missing'),
      Type.Null(),
    ]),
    belowMinimum: Type.Boolean(),
    tariffRate: NullableN,
    flags: Type.Array(
      Type.Union([
        Type.Literal('under-declared-value'),
        Type.Literal('over-declared-value'),
        Type.Literal('quantity-gap'),
        Type.Literal('missing-import'),
        Type.Literal('missing-export'),
        Type.Literal('possible-misclassification'),
      ]),
    ),
  },
  { title: 'MirrorGapRow' },
);

const DifferenceSchema = Type.Union([
  Type.Object({
    kind: Type.Literal('hs-code'),
    exportHs6: Type.String(),
    importHs6: Type.String(),
  }),
  Type.Object({
    kind: Type.Literal('quantity'),
    exportQuantity: N,
    importQuantity: N,
    logRatio: N,
  }),
  Type.Object({ kind: Type.Literal('unit'), exportUnit: Type.String(), importUnit: Type.String() }),
  Type.Object({
    kind: Type.Literal('value'),
    exportFob: N,
    adjustedExport: N,
    importCif: N,
    logRatio: N,
  }),
  Type.Object({
    kind: Type.Literal('consignee'),
    exportConsignee: Type.String(),
    importConsignee: Type.String(),
  }),
]);

/** What GET /api/mirror/gaps answers: `MirrorGaps` of src/app/manage-mirror.ts. */
const MirrorGapsSchema = Type.Object(
  {
    settings: Type.Object({
      cifFactor: N,
      cifFactorByPartner: Type.Record(Type.String(), N),
      lagMonths: Type.Integer(),
      valueThreshold: N,
      quantityThreshold: N,
      minimumValue: N,
      declarationValueTolerance: N,
      declarationQuantityTolerance: N,
    }),
    records: Type.Integer({ description: 'figures of both sides compared' }),
    partnersWithoutExports: Type.Array(Type.String(), {
      description: 'partners with our import figures but none of theirs in the span: not compared',
    }),
    totalRows: Type.Integer({ description: 'rows before `all` and `limit` cut them' }),
    flaggedRows: Type.Integer(),
    rows: Type.Array(GapRowSchema),
    misclassifications: Type.Array(
      Type.Object({
        hs4: Type.String(),
        partner: Type.String(),
        month: Type.String(),
        fromHs6: Type.String(),
        toHs6: Type.String(),
        fromTariff: N,
        toTariff: N,
        tariffDifference: N,
        shortfall: N,
        surplus: N,
      }),
    ),
    declarations: Type.Object({
      matches: Type.Array(
        Type.Object({
          matchedBy: Type.Union([Type.Literal('transport-document'), Type.Literal('reference')]),
          exportReference: Type.String(),
          importDeclarationId: Type.String(),
          transportDocument: NullableS,
          differences: Type.Array(DifferenceSchema),
        }),
      ),
      unmatchedExports: Type.Array(Type.String()),
      unmatchedImports: Type.Array(Type.String()),
    }),
    rejected: Type.Array(
      Type.Object({
        source: Type.Union([
          Type.Literal('partner-export-aggregate'),
          Type.Literal('partner-export-declaration'),
          Type.Literal('own-import-aggregate'),
          Type.Literal('own-import-declaration'),
        ]),
        index: Type.Integer(),
        reason: Type.String(),
      }),
    ),
  },
  { title: 'MirrorGaps' },
);

const RateTableInfoSchema = Type.Object({
  name: Type.String(),
  currency: Type.String(),
  date: Type.String(),
  source: Type.String(),
  illustrative: Type.Boolean(),
});

const OwnImportsRefreshSchema = Type.Object(
  {
    fromMonth: Type.String(),
    toMonth: Type.String(),
    rates: RateTableInfoSchema,
    items: Type.Integer({ description: 'goods items summed' }),
    records: Type.Integer({ description: 'own-import figures written' }),
    replaced: Type.Integer({ description: 'own-import figures of the span held before' }),
    unconverted: Type.Array(
      Type.Object({ currency: NullableS, items: Type.Integer(), amount: N }),
      { description: 'items left out: no rate for their currency (or none given)' },
    ),
    itemsWithoutValue: Type.Integer(),
  },
  { title: 'MirrorOwnImportsRefresh' },
);

const MirrorDeclarationsSchema = Type.Object(
  {
    currency: Type.String({ description: 'of `comparisonValue`, as the gaps compare values' }),
    items: Type.Array(
      Type.Object({
        declarationId: Type.String(),
        reference: Type.String(),
        submittedAt: Type.String(),
        status: Type.Enum(CONTROL_STATUSES),
        declarant: Type.Object({ id: NullableS, name: NullableS }),
        sequence: Type.Integer(),
        hsCode: Type.String(),
        partner: Type.String({ description: 'country of dispatch, else of origin' }),
        dispatchCountry: NullableS,
        originCountry: NullableS,
        value: NullableN,
        currency: NullableS,
        comparisonValue: NullableN,
        netMass: NullableN,
      }),
    ),
    next: Type.Union([Type.String(), Type.Null()], {
      description: 'pass as `after` for the next page; null on the last',
    }),
  },
  { title: 'MirrorDeclarations' },
);

/** Mirror reconciliation: partners' exports against our imports, by HS6 and month. */
export const mirrorRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  acceptTextBodies(app, [CSV]);
  app.post(
    '/api/mirror/send',
    {
      schema: {
        tags: ['mirror'],
        summary:
          "Send our exports to a partner administration's country (our own-export figures of the months) as signed trade.exports messages, for its mirror comparison",
        body: Type.Object(
          {
            to: Type.String({ maxLength: 20, description: 'the partner node, e.g. KZ/KGD' }),
            fromMonth: Type.Optional(Month('default: 11 months before toMonth')),
            toMonth: Type.Optional(Month('default: this month')),
            note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Array(MessageSchema),
          400: ProblemSchema,
          403: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const sent = await sendMirrorExports(ctx, request.principal, request.body);
      return reply.code(202).send(sent.map((m) => messageView(ctx, m)));
    },
  );
  app.post(
    '/api/mirror/tariffs',
    {
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['mirror'],
        summary:
          'Load import duty rates (ad valorem, as a fraction) by HS chapter, heading, subheading or national line: JSON array or CSV `hsCode,rate`, all or nothing; a code sent again replaces its rate. The gaps use them to flag misclassification',
        description: `At most ${MAX_TARIFF_RATES} rates. An HS6 takes the rate of the longest code that is a prefix of it, or of its national lines when they all share one.`,
        body: {
          content: {
            'application/json': {
              schema: Type.Array(TariffRateInputSchema, { maxItems: MAX_TARIFF_RATES }),
            },
            [CSV]: { schema: Type.String({ description: 'CSV with a header row hsCode,rate' }) },
          },
        },
        response: {
          200: Type.Object({ recorded: Type.Integer() }),
          400: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    (request) => {
      if (typeof request.body === 'string')
        return recordTariffs(
          ctx,
          request.principal,
          tariffsFromCsv(request.body),
          (i, path) => `row ${i + 2}, column ${path.replace(/^\//, '') || '(all)'}`,
        );
      if (!Array.isArray(request.body))
        throw new DomainError('invalid_input', 'send an array of rates', [
          { path: 'body', reason: 'a JSON array' },
        ]);
      return recordTariffs(ctx, request.principal, request.body);
    },
  );
  app.get(
    '/api/mirror/tariffs',
    {
      schema: {
        tags: ['mirror'],
        summary: "The administration's import duty rates, by HS code",
        response: {
          200: Type.Array(
            Type.Object({
              hsCode: Type.String(),
              rate: Type.Number(),
              recordedAt: Type.String(),
              recordedBy: Type.String(),
            }),
          ),
          403: ProblemSchema,
        },
      },
    },
    async (request) =>
      (await listTariffs(ctx, request.principal)).map((r) => ({
        hsCode: r.hsCode,
        rate: r.rate,
        recordedAt: r.recordedAt,
        recordedBy: r.recordedBy,
      })),
  );
  app.post(
    '/api/mirror/records',
    {
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['mirror'],
        summary:
          "Load partners' export figures (FOB) or our import figures (CIF) by HS6 and month: JSON array or CSV, all or nothing; a month sent again replaces the figure",
        description: `At most ${MAX_MIRROR_RECORDS} records. CSV: a header row naming side, partner, hs6, month, value and optionally quantity, unit.`,
        body: {
          content: {
            'application/json': {
              schema: Type.Array(MirrorRecordInputSchema, { maxItems: MAX_MIRROR_RECORDS }),
            },
            [CSV]: { schema: Type.String({ description: 'CSV with a header row' }) },
          },
        },
        response: {
          200: Type.Object({ recorded: Type.Integer() }),
          400: ProblemSchema,
          403: ProblemSchema,
        },
      },
    },
    (request) => {
      if (typeof request.body === 'string')
        return recordMirrorRecords(
          ctx,
          request.principal,
          mirrorRecordsFromCsv(request.body),
          (i, path) => `row ${i + 2}, column ${path.replace(/^\//, '') || '(all)'}`,
        );
      if (!Array.isArray(request.body))
        throw new DomainError('invalid_input', 'send an array of records', [
          { path: 'body', reason: 'a JSON array' },
        ]);
      return recordMirrorRecords(ctx, request.principal, request.body);
    },
  );
  app.get(
    '/api/mirror/gaps',
    {
      schema: {
        tags: ['mirror'],
        summary:
          "Partners' exports raised to CIF against our imports, per HS6 × partner × month: value, quantity and unit-value gaps (log ratios), flags and misclassification findings; partners that sent no export figures for the span are named, not compared",
        querystring: Type.Object({
          ...Span,
          partner: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
          hs6: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
          lagMonths: Type.Optional(Type.Integer({ minimum: 0, maximum: 12 })),
          cifFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 2 })),
          minimumValue: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
          all: Type.Optional(Type.Boolean({ description: 'all rows, not only the flagged ones' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
        }),
        response: { 200: MirrorGapsSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => mirrorGaps(ctx, request.principal, request.query),
  );
  app.post(
    '/api/mirror/own-imports/refresh',
    {
      schema: {
        tags: ['mirror'],
        summary:
          'Compute our own imports from our declarations: the goods items of import declarations not cancelled, by HS6 × month × partner (country of dispatch, else of origin), declared value converted to the comparison currency (CIF) and net mass (KGM); they replace every own-import figure of the months, loaded or computed before',
        description: `At most ${MAX_REFRESH_MONTHS} months. Run it after declarations of the months changed; the gaps read the figures it writes, and so does screening.`,
        querystring: Type.Object(Span),
        response: { 200: OwnImportsRefreshSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => refreshOwnImports(ctx, request.principal, request.query),
  );
  app.get(
    '/api/mirror/declarations',
    {
      schema: {
        tags: ['mirror'],
        summary:
          'The goods items of our import declarations behind a gap row (partner, HS6 and the import months), each with its declaration: date, declarant, HS code, value and net mass; by declaration date, a page at a time',
        querystring: Type.Object({
          partner: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
          hs6: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
          ...Span,
          after: Type.Optional(
            Type.String({ maxLength: 400, description: '`next` of the page before' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DRILL_DOWN_PAGE })),
        }),
        response: { 200: MirrorDeclarationsSchema, 400: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => mirrorDeclarations(ctx, request.principal, request.query),
  );
};
