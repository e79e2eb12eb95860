import { useState } from 'react';
import type { Me } from '../App.js';
import { api } from '../api.js';
import { useAsync } from '../components/AsyncView.js';
import { FormField } from '../components/FormField.js';
import { ProblemAlert } from '../components/ProblemAlert.js';
import { formatNumber } from '../format.js';
import { DeclarationsSection } from './mirror/Declarations.js';
import { GapsSection, refreshOwnImports, rowKey } from './mirror/Gaps.js';
import type { Refresh } from './mirror/types.js';
import { shiftMonth, spanWords } from './mirror/words.js';
import './mirror/mirror.css';

const thisMonth = () => new Date().toISOString().slice(0, 7);

/**
 * Mirror reconciliation of goods: what partners report as exported to us against what we
 * declared as imported, by partner, HS6 and month, flagged where they part; a row opens the
 * declarations behind it. Those who may load figures compute our imports from the declarations.
 */
export function MirrorPage({ me }: { me: Me }) {
  const [toMonth, setTo] = useState(thisMonth);
  const [fromMonth, setFrom] = useState(() => shiftMonth(thisMonth(), -11));
  const [partner, setPartner] = useState('');
  const [hs6, setHs6] = useState('');
  const [flaggedOnly, setFlaggedOnly] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [refreshed, setRefreshed] = useState<Refresh | null>(null);
  const [refreshProblem, setRefreshProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const monthsValid = /^\d{4}-\d{2}$/.test(fromMonth) && /^\d{4}-\d{2}$/.test(toMonth);
  const p = partner.trim().toUpperCase();
  const h = hs6.trim();
  const gaps = useAsync(
    () =>
      monthsValid
        ? api.GET('/api/mirror/gaps', {
            params: {
              query: {
                fromMonth,
                toMonth,
                ...(/^[A-Z]{2}$/.test(p) ? { partner: p } : {}),
                ...(/^\d{6}$/.test(h) ? { hs6: h } : {}),
                ...(flaggedOnly ? {} : { all: true }),
                limit: 2000,
              },
            },
          })
        : Promise.resolve({ error: { title: 'Choose both months', errors: [] } }),
    [fromMonth, toMonth, p, h, flaggedOnly, monthsValid],
  );
  const row = gaps.data?.rows.find((r) => rowKey(r) === selected);
  const refresh = async () => {
    setBusy(true);
    setRefreshProblem(null);
    const r = await refreshOwnImports(fromMonth, toMonth);
    setBusy(false);
    if (r.error) setRefreshProblem(r.error);
    else {
      setRefreshed(r.data ?? null);
      gaps.reload();
    }
  };
  return (
    <section className="mirror" aria-labelledby="mirror-title">
      <h1 id="mirror-title">Mirror gaps</h1>
      <p>
        What a partner administration records as exported to us should match what we record as
        imported, once freight and insurance are allowed for. Where our declared value falls short
        of the partner’s figure, or the goods moved to another code, the gap is worth a look.
      </p>
      <form
        className="mirror-filters"
        aria-label="Filters of the mirror gaps"
        onSubmit={(e) => e.preventDefault()}
      >
        <FormField label="From" problem={gaps.error} field="/querystring/fromMonth">
          <input
            type="month"
            value={fromMonth}
            max={toMonth}
            onChange={(e) => setFrom(e.target.value)}
          />
        </FormField>
        <FormField label="To" problem={gaps.error} field="/querystring/toMonth">
          <input
            type="month"
            value={toMonth}
            min={fromMonth}
            onChange={(e) => setTo(e.target.value)}
          />
        </FormField>
        <FormField label="Partner" hint="country, e.g. CN">
          <input
            value={partner}
            maxLength={2}
            autoComplete="off"
            onChange={(e) => setPartner(e.target.value)}
          />
        </FormField>
        <FormField label="HS6" hint="six digits">
          <input
            value={hs6}
            maxLength={6}
            inputMode="numeric"
            autoComplete="off"
            onChange={(e) => setHs6(e.target.value)}
          />
        </FormField>
        <label className="check">
          <input
            type="checkbox"
            checked={flaggedOnly}
            onChange={(e) => setFlaggedOnly(e.target.checked)}
          />{' '}
          Flagged rows only
        </label>
      </form>
      {me.may('lodge', 'trade-mirror') && (
        <div className="mirror-refresh">
          <button type="button" disabled={busy || !monthsValid} onClick={() => void refresh()}>
            Compute our imports from the declarations
          </button>
          {refreshed && (
            <p role="status" className="mirror-refreshed">
              {spanWords(refreshed.fromMonth, refreshed.toMonth)}: {formatNumber(refreshed.items)}{' '}
              goods items gave {formatNumber(refreshed.records)} import figures in{' '}
              {refreshed.rates.currency}
              {refreshed.unconverted.length > 0 &&
                `; ${formatNumber(refreshed.unconverted.reduce((n, u) => n + u.items, 0))} items in a currency without a rate left out`}
              .
            </p>
          )}
          <ProblemAlert problem={refreshProblem} />
        </div>
      )}
      <GapsSection state={gaps} selected={selected} onSelect={(r) => setSelected(rowKey(r))} />
      {row && <DeclarationsSection key={rowKey(row)} row={row} />}
    </section>
  );
}
