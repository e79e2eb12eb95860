import Type, { type Static } from 'typebox';
import type { PerformanceMetrics } from '../app/metrics.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

const ProportionSchema = Type.Object(
  {
    successes: Count,
    n: Count,
    rate: Nullable(Type.Number()),
    low: Nullable(Type.Number()),
    high: Nullable(Type.Number()),
  },
  {
    title: 'Proportion',
    description: 'successes of n, the rate (null when n is 0) and its 95 % Wilson interval',
  },
);

const DurationsSchema = Type.Object(
  {
    n: Count,
    medianHours: Nullable(Type.Number()),
    p90Hours: Nullable(Type.Number()),
  },
  { title: 'MetricDurations' },
);

const CountsProperties = {
  declarations: Count,
  goodsItems: Count,
  channels: Type.Object({ green: Count, yellow: Count, red: Count }),
  channelShare: Type.Object({
    green: Nullable(Type.Number()),
    yellow: Nullable(Type.Number()),
    red: Nullable(Type.Number()),
  }),
  controls: Type.Integer({
    minimum: 0,
    description:
      'Declarations with at least one effective inspection record (a corrected record does not count)',
  }),
  findings: Type.Integer({
    minimum: 0,
    description: 'Controlled declarations with a non-compliant effective record',
  }),
  seizures: Type.Integer({
    minimum: 0,
    description: 'Controlled declarations with goods seized in an effective record',
  }),
  detectionRate: { ...ProportionSchema, description: 'findings ÷ controls' },
  seizureRate: { ...ProportionSchema, description: 'seizures ÷ controls' },
};
const CountsSchema = Type.Object(CountsProperties, { title: 'MetricCounts' });

const ConvertedTotalSchema = Type.Object(
  {
    currency: Type.String(),
    total: Type.Number(),
    records: Count,
    unconverted: Type.Array(
      Type.Object({ currency: Type.String(), records: Count, amount: Type.Number() }),
      { description: 'Values in currencies the rate table has no rate for, in their own currency' },
    ),
  },
  { title: 'ConvertedTotal' },
);

const PeriodProperties = {
  period: Type.Object({ from: Type.String(), to: Type.String() }),
  totals: CountsSchema,
  seizures: Type.Object({
    records: Count,
    declarations: Count,
    estimatedValue: Type.Record(Type.String(), Type.Number(), {
      description: 'Estimated values by the currency they were recorded in',
    }),
    value: ConvertedTotalSchema,
  }),
  indicators: Type.Array(
    Type.Object({
      indicatorId: Type.String(),
      version: Type.Integer(),
      priorityArea: Type.String(),
      hits: Count,
      controls: Count,
      findings: Count,
      hitRate: Nullable(Type.Number()),
    }),
  ),
  selection: Type.Object({ random: ProportionSchema, targeted: ProportionSchema }),
  clearance: Type.Object({ certified: DurationsSchema, others: DurationsSchema }),
  permits: Type.Object({
    decided: Count,
    expedited: Type.Intersect([DurationsSchema, Type.Object({ withinDeadline: ProportionSchema })]),
    standard: Type.Intersect([DurationsSchema, Type.Object({ withinDeadline: ProportionSchema })]),
  }),
  collaboration: Type.Object({
    jointApprovals: Count,
    referrals: Count,
    informationRequests: Count,
    messages: Count,
    byAgencyPair: Type.Array(
      Type.Object({ from: Type.String(), to: Type.String(), events: Count }),
    ),
  }),
  exchanges: Type.Object({
    messages: Count,
    records: Count,
    byPartner: Type.Array(
      Type.Object({
        partner: Type.String(),
        messages: Count,
        records: Count,
        sent: Count,
        received: Count,
      }),
    ),
    byType: Type.Array(Type.Object({ type: Type.String(), sent: Count, received: Count })),
    byMonth: Type.Array(
      Type.Object({
        month: Type.String(),
        partner: Type.String(),
        type: Type.String(),
        sent: Count,
        received: Count,
      }),
    ),
    assistance: Type.Object({
      sent: Count,
      received: Count,
      answered: Count,
      overdue: Count,
      responseTime: DurationsSchema,
      ourResponseTime: DurationsSchema,
    }),
  }),
  groups: Nullable(Type.Array(Type.Object({ group: Type.String(), ...CountsProperties }))),
  daily: Type.Array(
    Type.Object({
      date: Type.String(),
      declarations: Count,
      green: Count,
      yellow: Count,
      red: Count,
      unscreened: Count,
    }),
  ),
};

const RateTableInfoSchema = Type.Object(
  {
    name: Type.String(),
    currency: Type.String(),
    date: Type.String(),
    source: Type.String(),
    illustrative: Type.Boolean({
      description: 'True for the shipped table: illustrative rates, to be replaced',
    }),
  },
  { title: 'RateTableInfo' },
);

/** The performance metrics answer: a period's figures, the previous period's, the rates used. */
export const PerformanceMetricsSchema = Type.Object(
  {
    ...PeriodProperties,
    previous: Type.Object(PeriodProperties, {
      description:
        'The same figures for the period of the same length that ends where this one starts',
    }),
    rates: RateTableInfoSchema,
  },
  { title: 'PerformanceMetrics' },
);

// The schema and the use case's type say the same (a field added to one only fails to compile).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same: Same<Static<typeof PerformanceMetricsSchema>, PerformanceMetrics> = true;
void same;
