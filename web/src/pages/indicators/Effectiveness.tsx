import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { formatNumber } from '../../format.js';
import type { Effectiveness as Stats } from './types.js';
import { rateWords } from './words.js';

type Row = Stats['versions'][number] & { label: string };

/**
 * How well the indicator works, per version and in all: the declarations it hit, how many of
 * those were controlled, and how many controls found something; each rate with its counts.
 */
export function Effectiveness({ indicatorKey }: { indicatorKey: string }) {
  const state = useAsync(
    () =>
      api.GET('/api/indicators/{key}/effectiveness', {
        params: { path: { key: indicatorKey } },
      }),
    [indicatorKey],
  );
  return (
    <section aria-labelledby="indicator-effectiveness">
      <h3 id="indicator-effectiveness">Effectiveness</h3>
      <AsyncView state={state}>
        {(stats) => {
          const rows: Row[] = [
            ...stats.versions.map((v) => ({ ...v, label: `Version ${formatNumber(v.version)}` })),
            { ...stats.total, label: 'All versions' },
          ];
          return (
            <>
              <p className="note">
                Detection rate: the share of controls of hit declarations that found something
                (findings ÷ controls). Controlled: the share of hit declarations that were
                controlled.
              </p>
              <DataTable
                label="Effectiveness by version"
                rows={rows}
                rowKey={(r) => r.label}
                emptyText="No version has screened a declaration yet."
                columns={[
                  { key: 'version', header: 'Version', cell: (r) => r.label },
                  {
                    key: 'hits',
                    header: 'Declarations hit',
                    className: 'num',
                    cell: (r) => formatNumber(r.hits),
                  },
                  {
                    key: 'controlled',
                    header: 'Controlled',
                    cell: (r) => rateWords(r.controls, r.hits, 'hits'),
                  },
                  {
                    key: 'detection',
                    header: 'Detection rate',
                    cell: (r) => rateWords(r.findings, r.controls, 'controls'),
                  },
                ]}
              />
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
