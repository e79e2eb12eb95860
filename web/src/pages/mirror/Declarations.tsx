import { useState } from 'react';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { formatDateTime, formatNumber } from '../../format.js';
import type { DeclaredItem, GapRow } from './types.js';
import { importMonths, spanWords } from './words.js';

const PAGE = 50;

/**
 * Our declarations behind a gap row: the goods items of its partner and HS6 declared in the
 * import months it compared, each linked to its declaration; a page at a time.
 */
export function DeclarationsSection({ row }: { row: GapRow }) {
  const { fromMonth, toMonth } = importMonths(row);
  // The cursors of the pages before the one shown.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const state = useAsync(
    () =>
      api.GET('/api/mirror/declarations', {
        params: {
          query: {
            partner: row.partner,
            hs6: row.hs6,
            fromMonth,
            toMonth,
            limit: PAGE,
            ...(after !== undefined ? { after } : {}),
          },
        },
      }),
    [row.partner, row.hs6, fromMonth, toMonth, after],
  );
  const title = `Declarations behind ${row.partner}, HS ${row.hs6}, ${spanWords(fromMonth, toMonth)}`;
  return (
    <section aria-labelledby="mirror-declarations">
      <h2 id="mirror-declarations">{title}</h2>
      <AsyncView state={state} isEmpty={() => false}>
        {(p) => (
          <>
            <DataTable<DeclaredItem>
              label="Declarations behind the row"
              rows={p.items}
              rowKey={(i) => `${i.declarationId}|${i.sequence}`}
              emptyText="None of our import declarations of these months has this partner and HS6."
              columns={[
                {
                  key: 'declaration',
                  header: 'Declaration',
                  cell: (i) => (
                    <>
                      <a href={`#/declarations/${encodeURIComponent(i.declarationId)}`}>
                        {i.reference}
                      </a>
                      <div className="note">
                        item {i.sequence} · {i.status}
                      </div>
                    </>
                  ),
                },
                { key: 'date', header: 'Declared', cell: (i) => formatDateTime(i.submittedAt) },
                {
                  key: 'declarant',
                  header: 'Declarant',
                  cell: (i) => (
                    <>
                      {i.declarant.name ?? '—'}
                      {i.declarant.id && <div className="note">{i.declarant.id}</div>}
                    </>
                  ),
                },
                { key: 'hs', header: 'HS code', cell: (i) => i.hsCode },
                {
                  key: 'value',
                  header: 'Value declared',
                  className: 'num',
                  cell: (i) =>
                    i.value === null ? '—' : `${formatNumber(i.value, 2)} ${i.currency ?? ''}`,
                },
                {
                  key: 'comparison',
                  header: `Value (${p.currency})`,
                  className: 'num',
                  cell: (i) => formatNumber(i.comparisonValue, 2),
                },
                {
                  key: 'mass',
                  header: 'Net mass (kg)',
                  className: 'num',
                  cell: (i) => formatNumber(i.netMass, 3),
                },
              ]}
            />
            {(cursors.length > 0 || p.next !== null) && (
              <nav className="pager" aria-label="Declarations: pages">
                <button
                  type="button"
                  disabled={cursors.length === 0}
                  onClick={() => setCursors((c) => c.slice(0, -1))}
                >
                  Previous
                </button>
                <button
                  type="button"
                  disabled={p.next === null}
                  onClick={() => p.next !== null && setCursors((c) => [...c, p.next!])}
                >
                  Next
                </button>
              </nav>
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}
