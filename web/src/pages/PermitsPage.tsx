import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Me } from '../App.js';
import { api, describeProblem } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';
import type { paths } from '../api-types.js';
import { RecordProof } from './ledger/RecordProof.js';

type Permit = paths['/api/permits']['get']['responses'][200]['content']['application/json'][number];
type Usage =
  paths['/api/permits/{id}/usage']['get']['responses'][200]['content']['application/json'];

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
  const [selected, setSelected] = useState<string | null>(null);
  const trader = me.agencyKind === 'trader';
  const issuer = me.may('decide', 'permit');

  const load = useCallback(async () => {
    const { data, error: problem } = await api.GET('/api/permits');
    if (problem) setError(describeProblem(problem));
    else setList(data ?? []);
  }, []);
  const current = list?.find((p) => p.id === selected) ?? null;
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
      {current && (
        <PermitDetail
          key={`${current.id}:${current.updatedAt}`}
          permit={current}
          me={me}
          issuer={issuer}
          applicant={trader}
          canLink={me.agencyKind === 'customs'}
          onChanged={load}
        />
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
              <tr key={p.id} aria-selected={p.id === selected ? true : undefined}>
                <td>{p.number ?? 'application'}</td>
                <td>
                  {p.type}
                  {p.expedited ? ' (expedited)' : ''}
                </td>
                <td>
                  {p.holderName}
                  <div className="note">{p.holderId}</div>
                </td>
                <td>
                  {p.status}
                  {p.overdue ? (
                    <strong
                      className="overdue"
                      title={`decision was due ${formatDateTime(p.deadline)}`}
                    >
                      {' '}
                      overdue
                    </strong>
                  ) : null}
                  {p.note ? <div className="note">{p.note}</div> : null}
                </td>
                <td className="num">
                  {formatNumber(p.remainingMilli / 1000, 3)} /{' '}
                  {formatNumber(p.authorisedMilli / 1000, 3)} {p.unit}
                </td>
                <td>
                  {UNDECIDED.includes(p.status)
                    ? `due ${formatDateTime(p.deadline)}`
                    : `valid to ${formatDateTime(p.validTo)}`}
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Details of ${p.number ?? `${p.type} application`}`}
                    aria-expanded={p.id === selected}
                    onClick={() => setSelected(p.id === selected ? null : p.id)}
                  >
                    Details
                  </button>
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

const milli = (n: number) => formatNumber(n / 1000, 3);

/** One permit or application: what it covers, its balance and draw-downs, and the next steps. */
function PermitDetail({
  permit: p,
  me,
  issuer,
  applicant,
  canLink,
  onChanged,
}: {
  permit: Permit;
  me: Me;
  issuer: boolean;
  applicant: boolean;
  canLink: boolean;
  onChanged: () => Promise<void>;
}) {
  const [usage, setUsage] = useState<Usage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // Chromium's scrollIntoView returns a promise: not a cleanup function for React.
    void ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  useEffect(() => {
    void api
      .GET('/api/permits/{id}/usage', { params: { path: { id: p.id } } })
      .then(({ data, error: problem }) => {
        if (problem) setError(describeProblem(problem));
        else setUsage(data);
      });
  }, [p.id]);

  const name = p.number ?? `${p.type} application`;
  const used = p.authorisedMilli - p.remainingMilli;
  const undecided = UNDECIDED.includes(p.status);
  return (
    <section ref={ref} className="detail" aria-labelledby="permit-detail">
      <h2 id="permit-detail">
        {name} <span className="note">({p.status})</span>
      </h2>
      <dl className="facts" aria-label="Permit">
        <dt>Type</dt>
        <dd>
          {p.type}
          {p.expedited ? ' (expedited)' : ''}
        </dd>
        <dt>Holder</dt>
        <dd>
          {p.holderName} ({p.holderId})
        </dd>
        <dt>Counterpart</dt>
        <dd>
          {p.counterpart.name}
          {p.counterpart.country ? ` (${p.counterpart.country})` : ''}
        </dd>
        <dt>Goods</dt>
        <dd>
          {p.hsScope.length > 0 ? `HS ${p.hsScope.join(', ')}` : 'any HS code'}
          {p.species.length > 0 ? `; species ${p.species.join(', ')}` : ''}
        </dd>
        <dt>Balance</dt>
        <dd>
          {milli(p.remainingMilli)} of {milli(p.authorisedMilli)} {p.unit} remaining
          {p.authorisedMilli > 0 && (
            <meter
              min={0}
              max={p.authorisedMilli}
              value={p.remainingMilli}
              aria-label="Balance remaining"
            />
          )}
        </dd>
        <dt>Drawn</dt>
        <dd>
          {milli(used)} {p.unit} in {formatNumber(p.shipments)} shipment
          {p.shipments === 1 ? '' : 's'}
          {p.maxShipments !== null ? ` (at most ${formatNumber(p.maxShipments)})` : ''}
        </dd>
        <dt>Valid</dt>
        <dd>
          {formatDateTime(p.validFrom)} – {formatDateTime(p.validTo)}
        </dd>
        <dt>Applied</dt>
        <dd>{formatDateTime(p.submittedAt)}</dd>
        <dt>{undecided ? 'Decision due' : 'Decided'}</dt>
        <dd>
          {undecided ? formatDateTime(p.deadline) : formatDateTime(p.decidedAt)}
          {p.overdue ? <strong className="overdue"> overdue</strong> : null}
        </dd>
        {p.note && (
          <>
            <dt>Note</dt>
            <dd>{p.note}</dd>
          </>
        )}
      </dl>
      <h3>Usage</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!usage && !error && <p className="status">Loading…</p>}
      {usage && usage.length === 0 && <p className="empty">Nothing drawn from this permit yet.</p>}
      {usage && usage.length > 0 && (
        <table aria-label="Usage">
          <thead>
            <tr>
              <th>Released</th>
              <th>Declaration</th>
              <th>Item</th>
              <th>Quantity</th>
            </tr>
          </thead>
          <tbody>
            {usage.map((u) => (
              <tr key={`${u.declarationId}-${u.itemSequence}`}>
                <td>{formatDateTime(u.at)}</td>
                <td>
                  {canLink ? (
                    <a href={`#/declarations/${encodeURIComponent(u.declarationId)}`}>
                      {u.declarationId}
                    </a>
                  ) : (
                    u.declarationId
                  )}
                </td>
                <td className="num">{formatNumber(u.itemSequence)}</td>
                <td className="num">
                  {milli(u.quantityMilli)} {p.unit}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RecordProof me={me} subjectType="permit" subjectId={p.id} heading="h3" />
      {issuer && ['applied', 'under-review'].includes(p.status) && (
        <StepForm
          permit={p}
          step="request-information"
          title="Request information"
          field="Message to the applicant"
          onDone={onChanged}
        />
      )}
      {issuer && undecided && (
        <StepForm
          permit={p}
          step="refuse"
          title="Refuse"
          field="Reason for refusal"
          onDone={onChanged}
        />
      )}
      {applicant && p.status === 'information-requested' && (
        <StepForm
          permit={p}
          step="respond"
          title="Respond"
          field="Your answer"
          onDone={onChanged}
        />
      )}
    </section>
  );
}

/** A decision that needs a text: request information, refuse, or the applicant's answer. */
function StepForm({
  permit,
  step,
  title,
  field,
  onDone,
}: {
  permit: Permit;
  step: 'request-information' | 'refuse' | 'respond';
  title: string;
  field: string;
  onDone: () => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const path = { params: { path: { id: permit.id } } };
    const { error: problem } =
      step === 'refuse'
        ? await api.POST('/api/permits/{id}/refuse', { ...path, body: { reason: text } })
        : step === 'respond'
          ? await api.POST('/api/permits/{id}/respond', { ...path, body: { message: text } })
          : await api.POST('/api/permits/{id}/request-information', {
              ...path,
              body: { message: text },
            });
    if (problem) {
      setError(describeProblem(problem));
      return;
    }
    await onDone();
  };
  return (
    <form className="editor step" aria-label={title} onSubmit={(e) => void send(e)}>
      <label>
        {field}
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} required />
      </label>
      <button type="submit">{title}</button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
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
