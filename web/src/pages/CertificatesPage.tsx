import { useEffect, useState, type FormEvent } from 'react';
import { api, describeProblem } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';

interface Certificate {
  id: string;
  type: string;
  reference: string;
  holderId: string;
  holderName: string;
  hsScope: string[];
  validFrom: string;
  validTo: string | null;
  status: string;
}
interface Trader {
  traderId: string;
  record: { controls: number; findings: number; lastFindingAt: string | null };
  findingRate: number | null;
  certificates: Certificate[];
}

/** The certificate register and a trader's compliance record. */
export function CertificatesPage() {
  const [list, setList] = useState<Certificate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [traderId, setTraderId] = useState('');
  const [trader, setTrader] = useState<Trader | null>(null);

  useEffect(() => {
    void api.GET('/api/certificates').then(({ data, error: problem }) => {
      if (problem) setError(describeProblem(problem));
      else setList(data ?? []);
    });
  }, []);

  const lookUp = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const { data, error: problem } = await api.GET('/api/traders/{traderId}', {
      params: { path: { traderId } },
    });
    if (problem) setError(describeProblem(problem));
    else setTrader(data);
  };

  return (
    <section>
      <h1>Certificates and traders</h1>
      <form className="filters" aria-label="Trader record" onSubmit={(e) => void lookUp(e)}>
        <label>
          Trader id
          <input value={traderId} onChange={(e) => setTraderId(e.target.value.trim())} required />
        </label>
        <button type="submit">Show record</button>
      </form>
      {trader && (
        <dl className="facts" aria-label="Compliance record">
          <dt>Trader</dt>
          <dd>{trader.traderId}</dd>
          <dt>Controls</dt>
          <dd>{formatNumber(trader.record.controls)}</dd>
          <dt>Findings</dt>
          <dd>{formatNumber(trader.record.findings)}</dd>
          <dt>Finding rate</dt>
          <dd>
            {trader.findingRate === null ? '—' : `${formatNumber(trader.findingRate * 100, 1)} %`}
          </dd>
          <dt>Certificates</dt>
          <dd>
            {trader.certificates.map((c) => `${c.type} ${c.reference} (${c.status})`).join('; ') ||
              'none'}
          </dd>
        </dl>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!list && !error && <p className="status">Loading…</p>}
      {list && list.length === 0 && <p className="empty">No certificates registered.</p>}
      {list && list.length > 0 && (
        <table aria-label="Certificates">
          <thead>
            <tr>
              <th>Reference</th>
              <th>Type</th>
              <th>Holder</th>
              <th>HS scope</th>
              <th>Valid</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td>{c.reference}</td>
                <td>{c.type}</td>
                <td>
                  {c.holderId} — {c.holderName}
                </td>
                <td>{c.hsScope.join(', ') || 'all goods'}</td>
                <td>
                  {formatDateTime(c.validFrom)} – {formatDateTime(c.validTo)}
                </td>
                <td>{c.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
