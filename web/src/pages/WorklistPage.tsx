import { useState } from 'react';
import { PRIORITY_AREAS, type PriorityArea } from '../domain.js';
import { api } from '../api.js';
import { useLiveEvents } from '../live.js';
import { formatDateTime, formatNumber } from '../format.js';
import { AsyncView, useAsync } from '../components/AsyncView.js';
import { DataTable } from '../components/DataTable.js';
import { FormField } from '../components/FormField.js';
import { priorityAreaWords } from '../words.js';
import type { paths } from '../api-types.js';
import { kindWords, statusWords } from './declaration/words.js';

type Entry =
  paths['/api/worklist']['get']['responses']['200']['content']['application/json'][number];

/** Yellow and red declarations to control, red first, then the riskiest, then the oldest. */
export function WorklistPage() {
  const [area, setArea] = useState<string>('');
  const [trader, setTrader] = useState('');
  const list = useAsync(
    () =>
      api.GET('/api/worklist', {
        params: {
          query: {
            ...(area ? { priorityArea: area as PriorityArea } : {}),
            ...(trader ? { trader } : {}),
          },
        },
      }),
    [area, trader],
  );
  // Live updates: the server announces each yellow or red declaration lodged; the list reloads
  // (useLiveEvents opens the stream again after a break and stops when the session ends).
  useLiveEvents(['declaration'], list.reload);

  return (
    <section>
      <h1>Worklist</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <FormField label="Priority area">
          <select value={area} onChange={(e) => setArea(e.target.value)}>
            <option value="">All</option>
            {PRIORITY_AREAS.map((a) => (
              <option key={a} value={a}>
                {priorityAreaWords(a)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="Trader">
          <input
            value={trader}
            onChange={(e) => setTrader(e.target.value.trim())}
            placeholder="e.g. BY100"
          />
        </FormField>
      </form>
      <AsyncView state={list} emptyText="Nothing awaits control.">
        {(entries) => (
          <DataTable<Entry>
            label="Worklist"
            rows={entries}
            rowKey={(e) => e.id}
            columns={[
              {
                key: 'channel',
                header: 'Channel',
                cell: (e) => <span className={`channel ${e.channel ?? ''}`}>{e.channel}</span>,
              },
              {
                key: 'reference',
                header: 'Reference',
                cell: (e) => (
                  <a href={`#/declarations/${encodeURIComponent(e.id)}`}>{e.reference}</a>
                ),
              },
              { key: 'kind', header: 'Kind', cell: (e) => kindWords(e.kind) },
              { key: 'office', header: 'Office', cell: (e) => e.office },
              { key: 'declarant', header: 'Declarant', cell: (e) => e.declarantId },
              {
                key: 'items',
                header: 'Items',
                className: 'num',
                cell: (e) => formatNumber(e.itemCount),
              },
              { key: 'lodged', header: 'Lodged', cell: (e) => formatDateTime(e.submittedAt) },
              { key: 'status', header: 'Status', cell: (e) => statusWords(e.status) },
            ]}
          />
        )}
      </AsyncView>
    </section>
  );
}
