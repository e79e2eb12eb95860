import { useEffect, useRef } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { PointCases } from './Cases.js';
import { ReconciliationSection } from './Reconciliation.js';
import { COMMODITY_WORDS, percent, UNIT_OF } from './words.js';

/**
 * One interconnection point: what both sides call it, its meters, losses and accuracy, and, for
 * those who may follow the flows, the reconciliation of its figures over a period.
 */
export function PointDetail({
  id,
  me,
  recorded,
  selectedCase = null,
  onSelectCase,
  casesChanged = 0,
}: {
  id: string;
  me: Me;
  recorded: number;
  selectedCase?: string | null;
  onSelectCase?: (id: string) => void;
  casesChanged?: number;
}) {
  const point = useAsync(
    () => api.GET('/api/energy/points/{id}', { params: { path: { id } } }),
    [id],
  );
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'start' });
  }, [id]);
  return (
    <section ref={ref} className="detail energy-point" aria-labelledby="energy-point-title">
      <AsyncView state={point} isEmpty={() => false}>
        {(p) => {
          const unit = UNIT_OF[p.commodity] ?? '';
          const own = p.meteringPoints.filter((m) => m.side === 'own');
          const partner = p.meteringPoints.filter((m) => m.side === 'partner');
          const meters = (ms: typeof own) =>
            ms.length === 0 ? 'none recorded' : ms.map((m) => `${m.id} (${m.operator})`).join(', ');
          return (
            <>
              <h2 id="energy-point-title">{p.name}</h2>
              <dl className="facts" aria-label="Interconnection point">
                <dt>Identifier</dt>
                <dd>
                  {p.id}
                  {p.partnerPointId ? `; the partner calls it ${p.partnerPointId}` : ''}
                  {p.eic ? `; EIC ${p.eic}` : ''}
                </dd>
                <dt>Commodity</dt>
                <dd>
                  {COMMODITY_WORDS[p.commodity] ?? p.commodity}, declared under HS {p.hsCode};
                  compared in {unit}
                </dd>
                <dt>Partner</dt>
                <dd>{p.partner}</dd>
                <dt>Our meter</dt>
                <dd>{meters(own)}</dd>
                <dt>Partner’s meter</dt>
                <dd>{meters(partner)}</dd>
                <dt>Local time</dt>
                <dd>
                  {p.timeZone}; the day starts at {String(p.dayStartHour).padStart(2, '0')}:00
                </dd>
                <dt>Loss on the line</dt>
                <dd>{percent(p.lossFraction)} of the exporter’s figure</dd>
                <dt>Meter accuracy</dt>
                <dd>
                  ±{percent(p.meterAccuracy)} of the larger figure, and at least{' '}
                  {formatNumber(p.absoluteTolerancePerHour, 3)} {unit} an hour
                </dd>
                {p.calorificValueMJPerM3 !== undefined && (
                  <>
                    <dt>Calorific value</dt>
                    <dd>{formatNumber(p.calorificValueMJPerM3, 3)} MJ/m³</dd>
                  </>
                )}
                {p.densityKgPerM3 !== undefined && (
                  <>
                    <dt>Density</dt>
                    <dd>{formatNumber(p.densityKgPerM3, 3)} kg/m³</dd>
                  </>
                )}
                {p.agreement && (
                  <>
                    <dt>Agreement</dt>
                    <dd>{p.agreement}</dd>
                  </>
                )}
                <dt>Last changed</dt>
                <dd>
                  {formatDateTime(p.updatedAt)} (version {p.version})
                </dd>
              </dl>
              {me.may('read', 'energy-flow') && (
                <ReconciliationSection point={p} recorded={recorded} />
              )}
              {me.may('read', 'energy-case') && onSelectCase && (
                <PointCases
                  pointId={p.id}
                  selected={selectedCase}
                  onSelect={onSelectCase}
                  changed={casesChanged + recorded}
                />
              )}
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
