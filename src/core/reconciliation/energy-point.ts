import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Checked, FieldIssue } from '../errors.js';
import { schemaIssues } from '../schema-issues.js';
import {
  reconcileEnergy,
  type EnergyReconciliation,
  COMMODITY_HS,
  ENERGY_COMMODITIES,
  FLOW_UNITS,
  type FlowReport,
  type InterconnectionPoint,
} from './energy.js';
import { isTimeZone } from './zoned-time.js';
import { NODE_ID_PATTERN } from '../exchange/ports.js';

/**
 * An interconnection point as an administration records it: a power line or pipeline to one
 * partner administration, both sides' identifiers for it (ENTSO-E EIC or ENTSOG point codes
 * where they exist), the metering points and their operators, and what the comparison needs
 * (units, losses, accuracy, the local day). The reconciliation reads only the last part.
 */

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$' });

export const PointInputSchema = Type.Object(
  {
    /** Our identifier of the point (what reports name it by). */
    id: Id,
    name: Text(200),
    commodity: Type.Enum(ENERGY_COMMODITIES),
    /** HS heading or subheading it is declared under (2716, 2711, 2709, 2710…). */
    hsCode: Type.String({ pattern: '^[0-9]{4,10}$' }),
    /** The partner administration's node (as in the exchange directory). */
    partner: Type.String({ pattern: NODE_ID_PATTERN.source, maxLength: 20 }),
    /** The partner's identifier for the same point, as its figures name it. */
    partnerPointId: Type.Optional(Id),
    /** ENTSO-E Energy Identification Code or ENTSOG interconnection point code. */
    eic: Type.Optional(Type.String({ pattern: '^[0-9A-Z-]{16}$' })),
    meteringPoints: Type.Array(
      Type.Object(
        {
          id: Text(64),
          side: Type.Enum(['own', 'partner']),
          operator: Text(200),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    dayStartHour: Type.Integer({ minimum: 0, maximum: 23 }),
    lossFraction: Type.Number({ minimum: 0, maximum: 0.5 }),
    meterAccuracy: Type.Number({ exclusiveMinimum: 0, maximum: 0.2 }),
    absoluteTolerancePerHour: Type.Number({ minimum: 0, maximum: 1e9 }),
    calorificValueMJPerM3: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    densityKgPerM3: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 2000 })),
    /** The legal basis the figures are exchanged under (e.g. the 2008 Astana Protocol). */
    agreement: Type.Optional(Text(300)),
  },
  { additionalProperties: false },
);
export type PointInput = Static<typeof PointInputSchema>;

export interface EnergyPoint extends PointInput {
  administrationId: string;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

const pointStructure = Compile(PointInputSchema);

/** A point's content checked against the schema and what the comparison needs of it. */
export function validatePoint(input: unknown): Checked<PointInput> {
  if (!pointStructure.Check(input))
    return { ok: false, issues: schemaIssues(pointStructure, input, 'an interconnection point') };
  const p = input;
  const issues: FieldIssue[] = [];
  if (!isTimeZone(p.timeZone))
    issues.push({ path: '/timeZone', reason: `not an IANA time zone: ${p.timeZone}` });
  if (!p.hsCode.startsWith(COMMODITY_HS[p.commodity]))
    issues.push({
      path: '/hsCode',
      reason: `${p.commodity} is declared under HS ${COMMODITY_HS[p.commodity]}`,
    });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: p };
}

/** What the reconciliation reads of a point. */
export const comparisonOf = (p: EnergyPoint): InterconnectionPoint => ({
  id: p.id,
  commodity: p.commodity,
  timeZone: p.timeZone,
  dayStartHour: p.dayStartHour,
  lossFraction: p.lossFraction,
  meterAccuracy: p.meterAccuracy,
  absoluteTolerancePerHour: p.absoluteTolerancePerHour,
  ...(p.calorificValueMJPerM3 !== undefined
    ? { calorificValueMJPerM3: p.calorificValueMJPerM3 }
    : {}),
  ...(p.densityKgPerM3 !== undefined ? { densityKgPerM3: p.densityKgPerM3 } : {}),
});

const Instant = Type.String({ format: 'date-time', maxLength: 40 });

/** One figure as our operator's feed, an import file or the API sends it. */
export const ReportInputSchema = Type.Object(
  {
    /** The sender's own reference: sending it again records nothing new. */
    id: Id,
    source: Type.Enum(['own-meter', 'declaration', 'partner']),
    pointId: Id,
    direction: Type.Enum(['import', 'export']),
    start: Instant,
    end: Instant,
    quantity: Type.Number({ minimum: 0, maximum: 1e15 }),
    unit: Type.Enum(FLOW_UNITS),
    provisional: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ReportInput = Static<typeof ReportInputSchema>;

/** A figure as GreenLane keeps it: who sent it, when, under which message. */
export interface StoredFlowReport extends FlowReport {
  administrationId: string;
  receivedAt: string;
  recordedBy: string;
  /** The exchange message that carried a partner's figure. */
  messageId: string | null;
}

const reportStructure = Compile(ReportInputSchema);

/** One report checked; instants must be whole (UTC) and the period must run forwards. */
export function validateReport(input: unknown): Checked<ReportInput> {
  if (!reportStructure.Check(input))
    return { ok: false, issues: schemaIssues(reportStructure, input, 'a flow report') };
  const r = input;
  const start = Date.parse(r.start);
  const end = Date.parse(r.end);
  if (!Number.isFinite(start))
    return { ok: false, issues: [{ path: '/start', reason: 'not an instant' }] };
  if (!Number.isFinite(end))
    return { ok: false, issues: [{ path: '/end', reason: 'not an instant' }] };
  if (end <= start)
    return { ok: false, issues: [{ path: '/end', reason: 'the period ends after it starts' }] };
  if (end - start > 32 * 86_400_000)
    return { ok: false, issues: [{ path: '/end', reason: 'a period is at most a month' }] };
  return { ok: true, value: r };
}

/**
 * The reconciliation of one point from its stored reports, taken in the order they were received:
 * the first figure of a period stands against a later duplicate.
 */
export function reconcileStored(
  point: EnergyPoint,
  reports: readonly StoredFlowReport[],
): EnergyReconciliation {
  const ordered = [...reports].sort((a, b) =>
    a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0,
  );
  return reconcileEnergy([comparisonOf(point)], ordered);
}
