import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Me } from '../App.js';
import { api, describeProblem } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';
import type { paths } from '../api-types.js';
import { RecordProof } from './ledger/RecordProof.js';

type Report =
  paths['/api/cargo-reports']['get']['responses'][200]['content']['application/json'][number];
type View =
  paths['/api/cargo-reports/{id}']['get']['responses'][200]['content']['application/json'];
type Referral = View['referrals'][number];
type Message =
  paths['/api/cargo-reports/{id}/messages']['get']['responses'][200]['content']['application/json'][number];
type Outcome = Report['outcome'];

const OUTCOMES: Record<Outcome, string> = {
  'assessment-complete': 'complete',
  'information-request': 'information request',
  'high-risk-control': 'high-risk control',
  'do-not-load': 'do not load',
};
const KINDS: Record<Referral['kind'], string> = {
  'information-request': 'Information request',
  'high-risk-control': 'High-risk control',
  'do-not-load': 'Do not load',
};
/** Roles that close a referral (the API checks the same, and the agency). */

function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return <span className={`outcome ${outcome}`}>{OUTCOMES[outcome]}</span>;
}

function Lodging({ lodging: l }: { lodging: Report['lodging'] }) {
  if (l.status === 'on-time') return <span title={l.rule ?? undefined}>on time</span>;
  if (l.status === 'late')
    return (
      <strong className="overdue" title={`${l.rule ?? ''}, due ${formatDateTime(l.deadline)}`}>
        late by {formatNumber(l.minutesLate)} min
      </strong>
    );
  return <span>not checked{l.reason ? `: ${l.reason}` : ''}</span>;
}

/** Advance cargo information: the reports lodged before arrival and what customs asked for. */
export function CargoPage({ me, id }: { me: Me; id?: string | undefined }) {
  if (id) return <CargoReportDetail id={id} me={me} />;
  return <CargoList me={me} />;
}

function CargoList({ me }: { me: Me }) {
  const [list, setList] = useState<Report[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | ''>('');

  const load = useCallback(async () => {
    setError(null);
    const { data, error: problem } = await api.GET('/api/cargo-reports', {
      params: { query: { limit: 200, ...(outcome ? { outcome } : {}) } },
    });
    if (problem) setError(describeProblem(problem));
    else setList(data ?? []);
  }, [outcome]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section>
      <h1>Cargo reports</h1>
      <p className="note">
        {me.agencyKind === 'trader'
          ? 'Entry summary declarations your organisation lodged, and what customs asked for before arrival.'
          : 'Entry summary declarations lodged with your agency, screened before the goods arrive.'}
      </p>
      {me.agencyKind === 'trader' && me.may('lodge', 'cargo-report') && (
        <LodgeForm onLodged={load} />
      )}
      <form className="filters" aria-label="Filter" onSubmit={(e) => e.preventDefault()}>
        <label>
          Pre-arrival outcome
          <select value={outcome} onChange={(e) => setOutcome(e.target.value as Outcome | '')}>
            <option value="">any</option>
            {(Object.keys(OUTCOMES) as Outcome[]).map((o) => (
              <option key={o} value={o}>
                {OUTCOMES[o]}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!list && !error && <p className="status">Loading…</p>}
      {list && list.length === 0 && (
        <p className="empty">
          {outcome
            ? `No cargo report with the outcome “${OUTCOMES[outcome]}”.`
            : 'No cargo reports.'}
        </p>
      )}
      {list && list.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Cargo reports">
            <thead>
              <tr>
                <th>MRN</th>
                <th>LRN</th>
                <th>Lodged</th>
                <th>Expected arrival</th>
                <th>Lodging</th>
                <th>Pre-arrival outcome</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.declarationId}>
                  <td>
                    <a href={`#/cargo/${encodeURIComponent(r.declarationId)}`}>{r.mrn}</a>
                    {r.version > 1 ? <div className="note">version {r.version}</div> : null}
                  </td>
                  <td>{r.lrn}</td>
                  <td>{formatDateTime(r.lodgedAt)}</td>
                  <td>{formatDateTime(r.arrivalAt)}</td>
                  <td>
                    <Lodging lodging={r.lodging} />
                  </td>
                  <td>
                    <OutcomeBadge outcome={r.outcome} />
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

/** One cargo report: what was lodged, the referrals and the messages received. */
function CargoReportDetail({ id, me }: { id: string; me: Me }) {
  const [view, setView] = useState<View | null>(null);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const path = { params: { path: { id } } };
    const [v, m] = await Promise.all([
      api.GET('/api/cargo-reports/{id}', path),
      api.GET('/api/cargo-reports/{id}/messages', path),
    ]);
    if (v.error || !v.data) {
      setError(describeProblem(v.error));
      return;
    }
    setError(null);
    setView(v.data);
    setMessages(m.data ?? null);
    if (m.error) setError(describeProblem(m.error));
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const back = (
    <p>
      <a href="#/cargo">← All cargo reports</a>
    </p>
  );
  if (error && !view)
    return (
      <section>
        {back}
        <p role="alert" className="error">
          {error}
        </p>
      </section>
    );
  if (!view) return <p className="status">Loading…</p>;
  const { report: r, declaration: d, referrals } = view;
  const staff = me.agencyKind !== 'trader';
  const lodger = me.agencyKind === 'trader';
  const closer = me.may('close', 'cargo-report');

  return (
    <article>
      {back}
      <h1>
        Cargo report {r.mrn} <OutcomeBadge outcome={r.outcome} />
      </h1>
      {notice && <p className="status notice">{notice}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <dl className="facts" aria-label="Cargo report">
        <dt>MRN</dt>
        <dd>{r.mrn}</dd>
        <dt>LRN</dt>
        <dd>{r.lrn}</dd>
        <dt>Version</dt>
        <dd>
          {r.version}
          {r.amendedAt ? ` (amended ${formatDateTime(r.amendedAt)})` : ' (as lodged)'}
        </dd>
        <dt>Sender</dt>
        <dd>{r.sender ?? '—'}</dd>
        <dt>Lodged</dt>
        <dd>{formatDateTime(r.lodgedAt)}</dd>
        <dt>Expected arrival</dt>
        <dd>{formatDateTime(r.arrivalAt)}</dd>
        <dt>Lodging</dt>
        <dd>
          <Lodging lodging={r.lodging} />
          {r.lodging.rule ? <span className="note"> ({r.lodging.rule})</span> : null}
          {r.lodging.deadline ? (
            <span className="note"> deadline {formatDateTime(r.lodging.deadline)}</span>
          ) : null}
        </dd>
        <dt>Outcome</dt>
        <dd>
          <OutcomeBadge outcome={r.outcome} />
        </dd>
        {staff && (
          <>
            <dt>Declaration</dt>
            <dd>
              <a href={`#/declarations/${encodeURIComponent(r.declarationId)}`}>
                {d.reference} ({'channel' in d ? (d.channel ?? 'not screened') : d.status})
              </a>
            </dd>
          </>
        )}
        <dt>Not mapped</dt>
        <dd>
          {r.notes.length === 0 ? (
            'everything in the message was mapped'
          ) : (
            <ul className="notes" aria-label="Not mapped">
              {r.notes.map((n, k) => (
                <li key={k}>{n}</li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <section aria-labelledby="cargo-goods">
        <h2 id="cargo-goods">Goods items</h2>
        <div className="table-scroll">
          <table aria-label="Goods items">
            <thead>
              <tr>
                <th>#</th>
                <th>HS code</th>
                <th>Description</th>
                <th>Gross mass (kg)</th>
                <th>Documents</th>
              </tr>
            </thead>
            <tbody>
              {d.goodsItems.map((g) => (
                <tr key={g.sequence}>
                  <td>{g.sequence}</td>
                  <td>{g.hsCode ?? '—'}</td>
                  <td>{g.description}</td>
                  <td className="num">{formatNumber(g.grossMass, 1)}</td>
                  <td>{(g.documents ?? []).map((x) => `${x.type} ${x.reference}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="cargo-referrals">
        <h2 id="cargo-referrals">Referrals</h2>
        {referrals.length === 0 && (
          <p className="empty">No referral: nothing to do before arrival.</p>
        )}
        {referrals.map((f) => (
          <ReferralView
            key={`${f.id}:${f.status}`}
            referral={f}
            lodger={lodger}
            closer={closer}
            onReplied={async (said) => {
              setNotice(said);
              await load();
            }}
            onClosed={load}
          />
        ))}
      </section>
      <section aria-labelledby="cargo-messages">
        <h2 id="cargo-messages">Messages received</h2>
        {!messages && <p className="status">Loading…</p>}
        {messages && messages.length === 0 && <p className="empty">No message kept.</p>}
        {messages && messages.length > 0 && <Messages messages={messages} />}
      </section>
      <RecordProof me={me} subjectType="declaration" subjectId={r.declarationId} />
    </article>
  );
}

function ReferralView({
  referral: f,
  lodger,
  closer,
  onReplied,
  onClosed,
}: {
  referral: Referral;
  lodger: boolean;
  closer: boolean;
  onReplied: (notice: string) => Promise<void>;
  onClosed: () => Promise<void>;
}) {
  const heading = `referral-${f.id}`;
  return (
    <section className="referral detail" aria-labelledby={heading}>
      <h3 id={heading}>
        {KINDS[f.kind]} <span className={`referral-status ${f.status}`}>{f.status}</span>
      </h3>
      <dl className="facts" aria-label={`${KINDS[f.kind]} details`}>
        <dt>Reason</dt>
        <dd>{f.reason}</dd>
        {f.documents.length > 0 && (
          <>
            <dt>Documents asked for</dt>
            <dd>
              <ul className="requested" aria-label="Documents asked for">
                {f.documents.map((doc, k) => (
                  <li key={k}>
                    {doc.anyOf.map((a) => `${a.type} (${a.title})`).join(' or ')} for item
                    {doc.items.length > 1 ? 's' : ''} {doc.items.join(', ')}
                    <div className="note">{'why' in doc ? doc.why : doc.problem}</div>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        <dt>Deadline</dt>
        <dd>
          {f.deadline ? formatDateTime(f.deadline) : 'none given'}
          {f.overdue ? <strong className="overdue"> overdue</strong> : null}
        </dd>
        {f.office && (
          <>
            <dt>Office</dt>
            <dd>{f.office}</dd>
          </>
        )}
        {'indicators' in f && f.indicators.length > 0 && (
          <>
            <dt>Indicators</dt>
            <dd>{f.indicators.join(', ')}</dd>
          </>
        )}
        <dt>Opened</dt>
        <dd>{formatDateTime(f.createdAt)}</dd>
        {f.reply && (
          <>
            <dt>Reply</dt>
            <dd>
              {formatDateTime(f.repliedAt)}:{' '}
              {f.reply.documents.map((x) => `${x.type} ${x.reference}`).join(', ')}
              {f.reply.note ? ` — ${f.reply.note}` : ''}
            </dd>
          </>
        )}
        {f.status === 'closed' && (
          <>
            <dt>Closed</dt>
            <dd>
              {formatDateTime(f.closedAt)}: {f.closedReason ?? '—'}
            </dd>
          </>
        )}
      </dl>
      {lodger && f.kind === 'information-request' && f.status === 'open' && (
        <ReplyForm referral={f} onDone={onReplied} />
      )}
      {closer && f.status !== 'closed' && <CloseForm referral={f} onDone={onClosed} />}
    </section>
  );
}

interface DocumentRow {
  type: string;
  reference: string;
  items: string;
}

/** Parses "1, 2" into goods item numbers; null when something is not a whole number. */
function parseItems(text: string): number[] | null {
  const parts = text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const numbers = parts.map(Number);
  return numbers.every((n) => Number.isInteger(n) && n > 0) ? numbers : null;
}

/** The lodging organisation answers an information request with documents. */
function ReplyForm({
  referral,
  onDone,
}: {
  referral: Referral;
  onDone: (notice: string) => Promise<void>;
}) {
  const empty: DocumentRow = { type: '', reference: '', items: '' };
  const [rows, setRows] = useState<DocumentRow[]>([empty]);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const types = [...new Set(referral.documents.flatMap((d) => d.anyOf.map((a) => a.type)))];
  const listId = `types-${referral.id}`;
  const set = (k: number, row: Partial<DocumentRow>) =>
    setRows(rows.map((r, i) => (i === k ? { ...r, ...row } : r)));

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const documents = [];
    for (const [k, r] of rows.entries()) {
      const items = parseItems(r.items);
      if (!items) {
        setError(`Document ${k + 1}: goods items are whole numbers separated by commas.`);
        return;
      }
      documents.push({
        type: r.type.trim(),
        reference: r.reference.trim(),
        ...(items.length > 0 ? { items } : {}),
      });
    }
    setSending(true);
    const { data, error: problem } = await api.POST('/api/cargo-referrals/{id}/reply', {
      params: { path: { id: referral.id } },
      body: { documents, ...(note.trim() ? { note: note.trim() } : {}) },
    });
    setSending(false);
    if (problem || !data) {
      setError(describeProblem(problem));
      return;
    }
    await onDone(
      `Reply sent; the report was screened again: ${OUTCOMES[data.outcome]} (${data.reason}).`,
    );
  };

  return (
    <form
      className="editor step"
      aria-label="Reply to the information request"
      onSubmit={(e) => void send(e)}
    >
      <h4>Reply with documents</h4>
      <datalist id={listId}>
        {types.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      {rows.map((r, k) => (
        <fieldset key={k}>
          <legend>Document {k + 1}</legend>
          <label>
            Document type
            <input
              list={listId}
              value={r.type}
              onChange={(e) => set(k, { type: e.target.value })}
              maxLength={35}
              required
            />
          </label>
          <label>
            Document reference
            <input
              value={r.reference}
              onChange={(e) => set(k, { reference: e.target.value })}
              maxLength={70}
              required
            />
          </label>
          <label>
            Goods items (comma-separated; empty: the whole report)
            <input
              inputMode="numeric"
              value={r.items}
              onChange={(e) => set(k, { items: e.target.value })}
            />
          </label>
          {rows.length > 1 && (
            <button type="button" onClick={() => setRows(rows.filter((_, i) => i !== k))}>
              Remove document {k + 1}
            </button>
          )}
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" onClick={() => setRows([...rows, empty])}>
          Add a document
        </button>
      </div>
      <label>
        Note (optional)
        <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} />
      </label>
      <button type="submit" disabled={sending}>
        Send reply
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

/** An officer closes a referral (control done, loading allowed), saying why. */
function CloseForm({ referral, onDone }: { referral: Referral; onDone: () => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const { error: problem } = await api.POST('/api/cargo-referrals/{id}/close', {
      params: { path: { id: referral.id } },
      body: { reason },
    });
    if (problem) {
      setError(describeProblem(problem));
      return;
    }
    await onDone();
  };
  return (
    <form
      className="editor step"
      aria-label={`Close the ${KINDS[referral.kind].toLowerCase()} referral`}
      onSubmit={(e) => void send(e)}
    >
      <label>
        Reason for closing
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} required />
      </label>
      <button type="submit">Close referral</button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

/** The messages as received; each one's text on demand. */
function Messages({ messages }: { messages: Message[] }) {
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div className="table-scroll">
      <table aria-label="Messages received">
        <thead>
          <tr>
            <th>Version</th>
            <th>Type</th>
            <th>Format</th>
            <th>Received</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((m) => (
            <tr key={m.version}>
              <td className="num">{m.version}</td>
              <td>{m.messageType}</td>
              <td>{m.format}</td>
              <td>{formatDateTime(m.receivedAt)}</td>
              <td>
                <button
                  type="button"
                  aria-expanded={open === m.version}
                  onClick={() => setOpen(open === m.version ? null : m.version)}
                >
                  {open === m.version ? 'Hide' : 'Show'} message {m.version}
                </button>
                {open === m.version && (
                  <pre className="raw" aria-label={`Message ${m.version}`} tabIndex={0}>
                    {m.message}
                  </pre>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Violation {
  field: string;
  detail: string;
  code?: string;
}

/**
 * A trader pastes an entry summary declaration (IE315, or an IE313 amending one) and sends it as
 * XML; a refusal lists every broken business rule.
 */
function LodgeForm({ onLodged }: { onLodged: () => Promise<void> }) {
  const [xml, setXml] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [violations, setViolations] = useState<Violation[]>([]);
  const [done, setDone] = useState<{ id: string; text: string } | null>(null);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setViolations([]);
    setDone(null);
    const { data, error: problem } = await api.POST('/api/cargo-reports', {
      body: xml,
      // Sent as the XML text itself, not JSON-encoded; problems still come back as JSON.
      bodySerializer: (body) => body,
      headers: { 'Content-Type': 'application/xml', Accept: 'application/json' },
    });
    if (problem || !data) {
      const p = problem as { detail?: string; title?: string; errors?: Violation[] } | undefined;
      setError(p?.detail ?? p?.title ?? describeProblem(problem));
      setViolations(p?.errors ?? []);
      return;
    }
    setDone({
      id: data.declarationId,
      text: `${data.action === 'lodged' ? 'Lodged' : 'Amended'} as ${data.mrn}: ${OUTCOMES[data.outcome]} (${data.reason}).`,
    });
    setXml('');
    await onLodged();
  };

  return (
    <details className="lodge">
      <summary>Lodge a cargo report</summary>
      <form className="editor" aria-label="Lodge a cargo report" onSubmit={(e) => void send(e)}>
        <label>
          Entry summary declaration (IE315 or IE313, XML)
          <textarea
            value={xml}
            onChange={(e) => setXml(e.target.value)}
            rows={10}
            spellCheck={false}
            required
          />
        </label>
        <button type="submit">Send</button>
        {error && (
          <div role="alert" className="error">
            <p>{error}</p>
            {violations.length > 0 && (
              <div className="table-scroll">
                <table aria-label="Rule violations">
                  <thead>
                    <tr>
                      <th>Code</th>
                      <th>Location</th>
                      <th>Message</th>
                    </tr>
                  </thead>
                  <tbody>
                    {violations.map((v, k) => (
                      <tr key={k}>
                        <td>{v.code ?? '—'}</td>
                        <td>
                          <code>{v.field}</code>
                        </td>
                        <td>{v.detail}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
        {done && (
          <p className="status">
            {done.text} <a href={`#/cargo/${encodeURIComponent(done.id)}`}>Open the report</a>
          </p>
        )}
      </form>
    </details>
  );
}
