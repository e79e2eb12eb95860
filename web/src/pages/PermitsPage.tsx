import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Me } from '../App.js';
import { api, describeProblem } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';

interface Permit {
  id: string;
  number: string | null;
  type: string;
  holderId: string;
  status: string;
  unit: string;
  authorisedMilli: number;
  remainingMilli: number;
  expedited: boolean;
  deadline: string;
  overdue: boolean;
  validTo: string;
  note: string | null;
}

const TYPES = [
  'waste-consent',
  'green-tech',
  'cites-import',
  'cites-export',
  'cites-re-export',
  'ods-licence',
  'pesticide-licence',
] as const;
const UNDECIDED = ['applied', 'under-review', 'information-requested'];

/** The Single Window: traders apply and follow their permits; issuing agencies decide. */
export function PermitsPage({ me }: { me: Me }) {
  const [list, setList] = useState<Permit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const trader = me.agencyKind === 'trader';
  const issuer = me.roles.includes('environmental_officer');

  const load = useCallback(async () => {
    const { data, error: problem } = await api.GET('/api/permits');
    if (problem) setError(describeProblem(problem));
    else setList(data ?? []);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const decide = async (p: Permit, step: 'issue' | 'review') => {
    setError(null);
    const { error: problem } =
      step === 'issue'
        ? await api.POST('/api/permits/{id}/issue', { params: { path: { id: p.id } }, body: {} })
        : await api.POST('/api/permits/{id}/review', { params: { path: { id: p.id } } });
    if (problem) setError(describeProblem(problem));
    await load();
  };

  return (
    <section>
      <h1>Permits</h1>
      {trader && <ApplicationForm onApplied={load} />}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!list && !error && <p className="status">Loading…</p>}
      {list && list.length === 0 && <p className="empty">No permits or applications.</p>}
      {list && list.length > 0 && (
        <table aria-label="Permits">
          <thead>
            <tr>
              <th>Number</th>
              <th>Type</th>
              <th>Holder</th>
              <th>Status</th>
              <th>Balance</th>
              <th>Deadline / valid to</th>
              <th>Decision</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id}>
                <td>{p.number ?? 'application'}</td>
                <td>
                  {p.type}
                  {p.expedited ? ' (expedited)' : ''}
                </td>
                <td>{p.holderId}</td>
                <td>
                  {p.status}
                  {p.overdue ? <strong className="overdue"> overdue</strong> : null}
                  {p.note ? <div className="note">{p.note}</div> : null}
                </td>
                <td className="num">
                  {formatNumber(p.remainingMilli / 1000, 3)} /{' '}
                  {formatNumber(p.authorisedMilli / 1000, 3)} {p.unit}
                </td>
                <td>
                  {UNDECIDED.includes(p.status)
                    ? `due ${formatDateTime(p.deadline)}`
                    : formatDateTime(p.validTo)}
                </td>
                <td>
                  {issuer && p.status === 'applied' && (
                    <button type="button" onClick={() => void decide(p, 'review')}>
                      Review {p.type}
                    </button>
                  )}
                  {issuer && (p.status === 'applied' || p.status === 'under-review') && (
                    <button type="button" onClick={() => void decide(p, 'issue')}>
                      Issue {p.type}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ApplicationForm({ onApplied }: { onApplied: () => Promise<void> }) {
  const year = new Date().getFullYear();
  const [type, setType] = useState<(typeof TYPES)[number]>('green-tech');
  const [issuer, setIssuer] = useState('BY-ENV');
  const [counterpart, setCounterpart] = useState('');
  const [country, setCountry] = useState('');
  const [hs, setHs] = useState('');
  const [quantity, setQuantity] = useState('');
  const [unit, setUnit] = useState<'KGM' | 'TNE' | 'LTR' | 'NAR'>('NAR');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const apply = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const { data, error: problem } = await api.POST('/api/permits', {
      body: {
        type,
        issuerAgency: issuer,
        counterpart: { name: counterpart, ...(country ? { country } : {}) },
        hsScope: hs
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
        quantity: Number(quantity),
        unit,
        validFrom: `${year}-01-01T00:00:00Z`,
        validTo: `${year + 1}-12-31T00:00:00Z`,
      },
    });
    if (problem) {
      setError(describeProblem(problem));
      return;
    }
    setDone(`Application sent; decision due ${formatDateTime(data.deadline)}.`);
    await onApplied();
  };

  return (
    <form onSubmit={(e) => void apply(e)} aria-label="Apply for a permit" className="editor">
      <h2>Apply for a permit</h2>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.target.value as (typeof TYPES)[number])}>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Issuing agency (code)
        <input value={issuer} onChange={(e) => setIssuer(e.target.value)} required />
      </label>
      <label>
        Counterpart
        <input value={counterpart} onChange={(e) => setCounterpart(e.target.value)} required />
      </label>
      <label>
        Counterpart country
        <input
          value={country}
          onChange={(e) => setCountry(e.target.value.toUpperCase())}
          maxLength={2}
        />
      </label>
      <label>
        HS codes covered (comma-separated)
        <input value={hs} onChange={(e) => setHs(e.target.value)} />
      </label>
      <label>
        Quantity
        <input
          inputMode="decimal"
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
          required
        />
      </label>
      <label>
        Unit
        <select value={unit} onChange={(e) => setUnit(e.target.value as typeof unit)}>
          {(['NAR', 'KGM', 'TNE', 'LTR'] as const).map((u) => (
            <option key={u}>{u}</option>
          ))}
        </select>
      </label>
      <button type="submit">Apply</button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {done && <p className="status">{done}</p>}
    </form>
  );
}
