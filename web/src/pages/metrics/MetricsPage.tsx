import { useState } from 'react';
import { api, session } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { FormField } from '../../components/FormField.js';
import { formatNumber, formatUtcDate } from '../../format.js';
import { Charts } from './charts.js';
import { Figures } from './figures.js';

const LABELS = { '/querystring/from': 'From', '/querystring/to': 'To' };
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** Performance metrics: what the controls found and seized, against the previous period. */
export function MetricsPage() {
  const [from, setFrom] = useState('2020-01-01');
  const [to, setTo] = useState(tomorrow());
  const state = useAsync(async () => {
    const { data, error } = await api.GET('/api/metrics/performance', {
      params: { query: { from, to, groupBy: 'priority-area' } },
    });
    // Without format=csv the answer is the JSON figures; the CSV form is for the export.
    if (typeof data === 'string') return { error: new Error('The figures could not be read.') };
    return { data, error };
  }, [from, to]);

  const downloadCsv = async () => {
    const query = new URLSearchParams({ from, to, groupBy: 'priority-area', format: 'csv' });
    const response = await fetch(`/api/metrics/performance?${query.toString()}`, {
      headers: { Authorization: `Bearer ${session.token() ?? ''}` },
    });
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `greenlane-metrics-${from}-${to}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="metrics">
      <h1>Metrics</h1>
      <form className="filters" aria-label="Period" onSubmit={(e) => e.preventDefault()}>
        <FormField label="From" field="/querystring/from" problem={state.error}>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </FormField>
        <FormField label="To (not included)" field="/querystring/to" problem={state.error}>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </FormField>
        <button type="button" onClick={() => void downloadCsv()}>
          Export CSV
        </button>
      </form>
      <AsyncView state={state} labels={LABELS}>
        {(m) => (
          <>
            <p className="metrics-period">
              Declarations lodged from {formatUtcDate(m.period.from)} up to{' '}
              {formatUtcDate(m.period.to)} (not included; days in UTC), compared with the{' '}
              {formatNumber((Date.parse(m.period.to) - Date.parse(m.period.from)) / 86_400_000, 1)}{' '}
              days before: from {formatUtcDate(m.previous.period.from)}.
            </p>
            <Figures m={m} />
            <Charts m={m} />
          </>
        )}
      </AsyncView>
    </section>
  );
}
