import { useState } from 'react';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { formatDateTime } from '../../format.js';
import type { EnergyCase } from './types.js';
import {
  CASE_KIND_WORDS,
  CASE_RESOLUTION_WORDS,
  CASE_STATUS_WORDS,
  DIRECTION_WORDS,
} from './words.js';

type StatusFilter = 'open' | 'closed' | 'all';

/** "2026-12" → "December 2026". */
export const caseMonthWords = (month: string) =>
  /^\d{4}-\d{2}$/.test(month)
    ? new Intl.DateTimeFormat(undefined, {
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }).format(new Date(`${month}-01T00:00:00Z`))
    : month;

export const caseStatusWords = (c: EnergyCase) =>
  c.status === 'closed' && c.resolution
    ? `closed: ${CASE_RESOLUTION_WORDS[c.resolution] ?? c.resolution}`
    : (CASE_STATUS_WORDS[c.status] ?? c.status);

/** The cases as a table; a row opens the case. */
export function CasesTable({
  label,
  rows,
  selected,
  onSelect,
  emptyText,
  showPoint = true,
}: {
  label: string;
  rows: readonly EnergyCase[];
  selected: string | null;
  onSelect: (c: EnergyCase) => void;
  emptyText: string;
  showPoint?: boolean;
}) {
  return (
    <DataTable<EnergyCase>
      label={label}
      rows={rows}
      rowKey={(c) => c.id}
      selected={selected}
      onSelect={onSelect}
      rowLabel={(c) => `${CASE_KIND_WORDS[c.kind] ?? c.kind}, ${c.pointId}, ${c.month}`}
      emptyText={emptyText}
      pageSize={20}
      columns={[
        {
          key: 'opened',
          header: 'Opened',
          cell: (c) => formatDateTime(c.openedAt),
          sortValue: (c) => c.openedAt,
        },
        ...(showPoint
          ? [
              {
                key: 'point',
                header: 'Point',
                cell: (c: EnergyCase) => c.pointId,
                sortValue: (c: EnergyCase) => c.pointId,
              },
            ]
          : []),
        {
          key: 'kind',
          header: 'Kind',
          cell: (c) => CASE_KIND_WORDS[c.kind] ?? c.kind,
          sortValue: (c) => c.kind,
        },
        {
          key: 'month',
          header: 'Month',
          cell: (c) => caseMonthWords(c.month),
          sortValue: (c) => c.month,
        },
        {
          key: 'direction',
          header: 'Direction',
          cell: (c) => `energy ${DIRECTION_WORDS[c.direction]}`,
          sortValue: (c) => c.direction,
        },
        { key: 'summary', header: 'Summary', cell: (c) => c.summary },
        {
          key: 'status',
          header: 'Status',
          cell: (c) => (
            <strong className={`energy-case-status ${c.status}`}>{caseStatusWords(c)}</strong>
          ),
          sortValue: (c) => c.status,
        },
      ]}
    />
  );
}

/**
 * The reconciliation cases the figures raised, newest first: open ones by default, closed ones
 * or all of them, of every point or one.
 */
export function CasesSection({
  selected,
  onSelect,
  changed,
}: {
  selected: string | null;
  onSelect: (id: string) => void;
  /** Bumped when a case changes, so that the list reads it again. */
  changed: number;
}) {
  const [status, setStatus] = useState<StatusFilter>('open');
  const [pointId, setPointId] = useState('');
  const points = useAsync(() => api.GET('/api/energy/points'), []);
  const list = useAsync(
    () =>
      api.GET('/api/energy/cases', {
        params: {
          query: {
            ...(status === 'all' ? {} : { status }),
            ...(pointId ? { pointId } : {}),
            limit: 200,
          },
        },
      }),
    [status, pointId, changed],
  );
  return (
    <section className="energy-cases" aria-labelledby="energy-cases-title">
      <h2 id="energy-cases-title">Reconciliation cases</h2>
      <form
        className="energy-period"
        aria-label="Filter the cases"
        onSubmit={(e) => e.preventDefault()}
      >
        <FormField label="Status" problem={list.error} field="/querystring/status">
          <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
            <option value="open">Open</option>
            <option value="closed">Closed</option>
            <option value="all">All</option>
          </select>
        </FormField>
        <FormField label="Point" problem={list.error} field="/querystring/pointId">
          <select value={pointId} onChange={(e) => setPointId(e.target.value)}>
            <option value="">All points</option>
            {(points.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </FormField>
      </form>
      <AsyncView state={list} isEmpty={() => false}>
        {(rows) => (
          <CasesTable
            label="Reconciliation cases"
            rows={rows}
            selected={selected}
            onSelect={(c) => onSelect(c.id)}
            emptyText={
              status === 'open'
                ? 'No open case: the figures agree, or every case is closed.'
                : 'No case matches.'
            }
          />
        )}
      </AsyncView>
    </section>
  );
}

/** A point's open cases, in its detail. */
export function PointCases({
  pointId,
  selected,
  onSelect,
  changed,
}: {
  pointId: string;
  selected: string | null;
  onSelect: (id: string) => void;
  changed: number;
}) {
  const list = useAsync(
    () => api.GET('/api/energy/cases', { params: { query: { status: 'open', pointId } } }),
    [pointId, changed],
  );
  return (
    <section className="energy-point-cases" aria-labelledby="energy-point-cases-title">
      <h3 id="energy-point-cases-title">Open cases of this point</h3>
      <AsyncView state={list} isEmpty={() => false}>
        {(rows) => (
          <CasesTable
            label="Open cases of this point"
            rows={rows}
            selected={selected}
            onSelect={(c) => onSelect(c.id)}
            emptyText="No open case for this point."
            showPoint={false}
          />
        )}
      </AsyncView>
    </section>
  );
}
