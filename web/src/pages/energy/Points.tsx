import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import type { Point } from './types.js';
import { COMMODITY_WORDS, percent } from './words.js';

/** The administration's interconnection points; one opens above the list at #/energy/<id>. */
export function PointsSection({ selected }: { selected: string | undefined }) {
  const list = useAsync(() => api.GET('/api/energy/points'), []);
  return (
    <section aria-labelledby="energy-points">
      <h2 id="energy-points">Interconnection points</h2>
      <AsyncView state={list} emptyText="No power line or pipeline to a partner is recorded.">
        {(rows) => (
          <DataTable<Point>
            label="Interconnection points"
            rows={rows}
            rowKey={(p) => p.id}
            selected={selected ?? null}
            onSelect={(p) => {
              window.location.hash = `#/energy/${encodeURIComponent(p.id)}`;
            }}
            rowLabel={(p) => p.name}
            columns={[
              {
                key: 'name',
                header: 'Name',
                cell: (p) => (
                  <>
                    <a href={`#/energy/${encodeURIComponent(p.id)}`}>{p.name}</a>
                    <div className="note">{p.id}</div>
                  </>
                ),
                sortValue: (p) => p.name,
              },
              {
                key: 'commodity',
                header: 'Commodity',
                cell: (p) => `${COMMODITY_WORDS[p.commodity] ?? p.commodity} (HS ${p.hsCode})`,
                sortValue: (p) => p.commodity,
              },
              {
                key: 'partner',
                header: 'Partner',
                cell: (p) => p.partner,
                sortValue: (p) => p.partner,
              },
              { key: 'zone', header: 'Time zone', cell: (p) => p.timeZone },
              {
                key: 'accuracy',
                header: 'Meter accuracy',
                className: 'num',
                cell: (p) => `±${percent(p.meterAccuracy)}`,
                sortValue: (p) => p.meterAccuracy,
              },
              {
                key: 'loss',
                header: 'Loss on the line',
                className: 'num',
                cell: (p) => percent(p.lossFraction),
                sortValue: (p) => p.lossFraction,
              },
            ]}
          />
        )}
      </AsyncView>
    </section>
  );
}
