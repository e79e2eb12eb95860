import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Me } from '../App.js';
import { api, describeProblem } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';
import type { paths } from '../api-types.js';
import { RecordProof } from './ledger/RecordProof.js';
import { AsyncView, useAsync } from '../components/AsyncView.js';
import { ApplicationForm } from './permits/ApplicationForm.js';
import { RespondForm } from './permits/RespondForm.js';
import { sizeWords } from './permits/documents.js';

type Permit = paths['/api/permits']['get']['responses'][200]['content']['application/json'][number];
type Usage =
  paths['/api/permits/{id}/usage']['get']['responses'][200]['content']['application/json'];

const UNDECIDED = ['applied', 'under-review', 'information-requested'];

/** A permit's status as people say it. */
const STATUS_WORDS: Readonly<Record<Permit['status'], string>> = {
  applied: 'applied',
  'under-review': 'under review',
  'information-requested': 'information requested',
  issued: 'issued',
  refused: 'refused',
  suspended: 'suspended',
  revoked: 'revoked',
  exhausted: 'used up',
  expired: 'expired',
};
const statusWords = (status: Permit['status']) => STATUS_WORDS[status] ?? status;

/** The Single Window: traders apply and follow their permits; issuing agencies decide. */
export function PermitsPage({ me }: { me: Me }) {
  const [list, setList] = useState<Permit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const applicant = me.may('apply', 'permit');
  const responder = me.may('respond', 'permit');
  const issuer = me.may('decide', 'permit');
  // What each permit type needs comes from the server: the form is built from it.
  // Their names too: every page that shows a permit says its type in words.
  const types = useAsync(() => api.GET('/api/permits/types'), []);
  const typeName = (type: Permit['type']) => types.data?.find((t) => t.type === type)?.name ?? type;

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
      {applicant && (
        <AsyncView state={types} emptyText="No permit types are offered.">
          {(list) => <ApplicationForm types={list} onApplied={() => void load()} />}
        </AsyncView>
      )}
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
          applicant={responder}
          canLink={me.agencyKind === 'customs'}
          onChanged={load}
          typeName={typeName}
        />
      )}
      {!list && !error && <p className="status">Loading…</p>}
      {list && list.length === 0 && <p className="empty">No permits or applications.</p>}
      {list && list.length > 0 && (
        // On a phone the table scrolls in its own box, not the page.
        <div className="table-scroll">
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
                    {typeName(p.type)}
                    {p.expedited ? ' (expedited)' : ''}
                  </td>
                  <td>
                    {p.holderName}
                    <div className="note">{p.holderId}</div>
                  </td>
                  <td>
                    {statusWords(p.status)}
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
                      aria-label={`Details of ${p.number ?? `${typeName(p.type)} application`}`}
                      aria-expanded={p.id === selected}
                      onClick={() => setSelected(p.id === selected ? null : p.id)}
                    >
                      Details
                    </button>
                    {issuer && p.status === 'applied' && (
                      <button type="button" onClick={() => void decide(p, 'review')}>
                        Review {typeName(p.type)}
                      </button>
                    )}
                    {issuer && (p.status === 'applied' || p.status === 'under-review') && (
                      <button type="button" onClick={() => void decide(p, 'issue')}>
                        Issue {typeName(p.type)}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
  typeName,
}: {
  permit: Permit;
  me: Me;
  issuer: boolean;
  applicant: boolean;
  canLink: boolean;
  onChanged: () => Promise<void>;
  typeName: (type: Permit['type']) => string;
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

  const name = p.number ?? `${typeName(p.type)} application`;
  const used = p.authorisedMilli - p.remainingMilli;
  const undecided = UNDECIDED.includes(p.status);
  return (
    <section ref={ref} className="detail" aria-labelledby="permit-detail">
      <h2 id="permit-detail">
        {name} <span className="note">({statusWords(p.status)})</span>
      </h2>
      <dl className="facts" aria-label="Permit">
        <dt>Type</dt>
        <dd>
          {typeName(p.type)}
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
        <dt>Documents</dt>
        <dd>
          {p.attachments.length === 0 ? (
            'none'
          ) : (
            <ul className="plain">
              {p.attachments.map((a, k) => (
                <li key={`${a.sha256}-${k}`}>
                  {a.name} <span className="note">({sizeWords(a.size)})</span>
                </li>
              ))}
            </ul>
          )}
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
        // On a phone the table scrolls in its own box, not the page.
        <div className="table-scroll">
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
        </div>
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
        <RespondForm permit={p} onDone={() => void onChanged()} />
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
  step: 'request-information' | 'refuse';
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
