import { api } from '../../api.js';
import { AsyncView, type AsyncState } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { formatNumber } from '../../format.js';
import type { GapRow, Gaps } from './types.js';
import { FLAG_WORDS, gapPercent, monthWords, reasonsOf, spanWords } from './words.js';

export const rowKey = (r: GapRow) => `${r.partner}|${r.hs6}|${r.month}`;

/** The gaps found, flagged rows first marked with their reasons; a row opens its declarations. */
export function GapsSection({
  state,
  selected,
  onSelect,
}: {
  state: AsyncState<Gaps>;
  selected: string | null;
  onSelect: (row: GapRow) => void;
}) {
  return (
    <section aria-labelledby="mirror-gaps">
      <h2 id="mirror-gaps">Gaps by partner and HS</h2>
      <AsyncView
        state={state}
        isEmpty={() => false}
        labels={{
          '/querystring/fromMonth': 'From',
          '/querystring/toMonth': 'To',
          '/querystring/partner': 'Partner',
          '/querystring/hs6': 'HS6',
        }}
      >
        {(g) => <GapsView g={g} selected={selected} onSelect={onSelect} />}
      </AsyncView>
    </section>
  );
}

function GapsView({
  g,
  selected,
  onSelect,
}: {
  g: Gaps;
  selected: string | null;
  onSelect: (row: GapRow) => void;
}) {
  const flagged = (r: GapRow) => reasonsOf(r, g.settings).length > 0;
  return (
    <>
      <p role="status" className="mirror-summary">
        {formatNumber(g.records)} figures of both sides compared: {formatNumber(g.totalRows)} rows,{' '}
        {formatNumber(g.flaggedRows)} flagged; the partner’s exports raised from FOB to CIF by{' '}
        {formatNumber(g.settings.cifFactor, 2)}, shipments allowed {g.settings.lagMonths} month(s)
        on the way.
        {g.rows.length < g.totalRows && ` The first ${formatNumber(g.rows.length)} rows are shown.`}
      </p>
      {g.partnersWithoutExports.length > 0 && (
        <p className="note mirror-unreported">
          Not compared, no export figures from them in these months:{' '}
          {g.partnersWithoutExports.join(', ')}.
        </p>
      )}
      <DataTable<GapRow>
        label="Mirror gaps"
        rows={g.rows}
        rowKey={rowKey}
        selected={selected}
        onSelect={onSelect}
        rowLabel={(r) =>
          `${r.partner} HS ${r.hs6} ${monthWords(r.month)}${flagged(r) ? ', flagged' : ''}`
        }
        rowClassName={(r) => (flagged(r) ? 'mirror-flagged' : undefined)}
        emptyText="No figures in these months: load the partner’s exports and compute our imports."
        pageSize={50}
        // Flagged rows first, those with the most reasons at the top.
        initialSort={{ key: 'reasons', direction: 'descending' }}
        columns={[
          {
            key: 'partner',
            header: 'Partner',
            cell: (r) => r.partner,
            sortValue: (r) => r.partner,
          },
          { key: 'hs6', header: 'HS6', cell: (r) => r.hs6, sortValue: (r) => r.hs6 },
          {
            key: 'month',
            header: 'Month',
            cell: (r) => (
              <>
                {monthWords(r.month)}
                {r.window.from !== r.window.to && (
                  <div className="note">summed {spanWords(r.window.from, r.window.to)}</div>
                )}
              </>
            ),
            sortValue: (r) => r.month,
          },
          {
            key: 'export',
            header: 'Partner’s exports, raised to CIF',
            className: 'num',
            cell: (r) => formatNumber(r.adjustedExport),
            sortValue: (r) => r.adjustedExport,
          },
          {
            key: 'import',
            header: 'Our imports (CIF)',
            className: 'num',
            cell: (r) => formatNumber(r.importCif),
            sortValue: (r) => r.importCif,
          },
          {
            key: 'value',
            header: 'Value gap',
            className: 'num',
            cell: (r) => gapPercent(r.valueLogRatio),
            sortValue: (r) => r.valueLogRatio,
          },
          {
            key: 'quantity',
            header: 'Quantity gap',
            className: 'num',
            cell: (r) => gapPercent(r.quantityLogRatio),
            sortValue: (r) => r.quantityLogRatio,
          },
          {
            key: 'unit-value',
            header: 'Unit value gap',
            className: 'num',
            cell: (r) => gapPercent(r.unitValueLogRatio),
            sortValue: (r) => r.unitValueLogRatio,
          },
          {
            key: 'reasons',
            header: 'Finding',
            cell: (r) => {
              const reasons = reasonsOf(r, g.settings);
              if (reasons.length === 0) return r.belowMinimum ? 'Below the minimum value' : '—';
              return (
                <ul className="mirror-reasons">
                  {reasons.map((x) => (
                    <li key={x}>{FLAG_WORDS[x] ?? x}</li>
                  ))}
                </ul>
              );
            },
            sortValue: (r) => reasonsOf(r, g.settings).length,
          },
        ]}
      />
      {g.misclassifications.length > 0 && (
        <>
          <h3>Possible misclassifications</h3>
          <ul aria-label="Possible misclassifications">
            {g.misclassifications.map((m) => (
              <li key={`${m.partner}|${m.month}|${m.fromHs6}|${m.toHs6}`}>
                {m.partner}, {monthWords(m.month)}: {formatNumber(m.shortfall)} short on HS{' '}
                {m.fromHs6} (duty {formatNumber(m.fromTariff * 100, 1)} %),{' '}
                {formatNumber(m.surplus)} over on HS {m.toHs6} (duty{' '}
                {formatNumber(m.toTariff * 100, 1)} %).
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** Computes our own-import figures of the months from the declarations, then reloads the gaps. */
export async function refreshOwnImports(fromMonth: string, toMonth: string) {
  return api.POST('/api/mirror/own-imports/refresh', {
    params: { query: { fromMonth, toMonth } },
  });
}
