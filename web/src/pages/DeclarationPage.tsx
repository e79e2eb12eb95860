import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Me } from '../App.js';
import { CONTROL_FORMS, type ControlForm } from '../domain.js';
import { api, describeProblem } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';
import { RecordProof } from './ledger/RecordProof.js';

type Declaration = NonNullable<Awaited<ReturnType<typeof loadDeclaration>>['data']>;
interface Control {
  status: string;
  assignedTo: string | null;
  inspections: Array<{
    id: string;
    controlForm: string;
    result: string;
    findings: string[];
    findingsText: string;
    recordedAt: string;
  }>;
  seizures: Array<{
    id: string;
    itemSequence: number;
    quantity: number;
    unit: string;
    estimatedValue: number;
    currency: string;
    storageLocation: string;
  }>;
  referrals: Array<{ id: string; reason: string }>;
  outcome: { controlled: boolean; finding: boolean };
}

const loadDeclaration = (id: string) =>
  api.GET('/api/declarations/{id}', { params: { path: { id } } });

const FINDINGS = [
  'misdeclared-hs',
  'undervalued',
  'missing-permit',
  'prohibited-waste',
  'protected-species',
  'counterfeit',
  'other',
] as const;

/** One declaration: what was declared, the risk engine's explanation, and the control. */
export function DeclarationPage({ id, me }: { id: string; me: Me }) {
  const [d, setD] = useState<Declaration | null>(null);
  const [control, setControl] = useState<Control | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Only those who may follow controls ask for the control (a trader is answered 404).
  const followsControls = me.may('read', 'control');
  const load = useCallback(async () => {
    const [{ data, error: problem }, c] = await Promise.all([
      loadDeclaration(id),
      followsControls
        ? api.GET('/api/declarations/{id}/control', { params: { path: { id } } })
        : Promise.resolve({ data: undefined }),
    ]);
    if (problem || !data) {
      setError(describeProblem(problem));
      return;
    }
    setD(data);
    setControl(c.data ? (c.data as Control) : null);
  }, [id, followsControls]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!d) return <p className="status">Loading…</p>;
  // Traders get their own view: where it stands and what to do, not the risk engine's reasons.
  const trader = 'audience' in d ? d : null;
  const a = 'assessment' in d ? d.assessment : null;
  const channel = 'channel' in d ? d.channel : null;
  const route = d.route ?? {};
  const officer = me.may('inspect', 'control');

  return (
    <article>
      <h1>
        Declaration {d.reference}{' '}
        {trader ? (
          <span className={`declaration-status ${trader.status}`}>{trader.status}</span>
        ) : (
          <span className={`channel ${channel ?? ''}`}>{channel}</span>
        )}
      </h1>
      <p>
        {d.kind} at {d.office ?? '—'}, lodged {formatDateTime(d.submittedAt)};{' '}
        {control ? `status: ${control.status}` : ''}
      </p>
      {trader && <TraderStatus d={trader} />}
      <section aria-labelledby="parties">
        <h2 id="parties">Parties and route</h2>
        <dl className="facts">
          <dt>Declarant</dt>
          <dd>{[d.declarant.id, d.declarant.name].filter(Boolean).join(' — ')}</dd>
          <dt>Consignor</dt>
          <dd>{[d.consignor?.name, d.consignor?.country].filter(Boolean).join(', ') || '—'}</dd>
          <dt>Consignee</dt>
          <dd>{[d.consignee?.id, d.consignee?.name].filter(Boolean).join(' — ') || '—'}</dd>
          <dt>Route</dt>
          <dd>
            {route.dispatchCountry ?? '?'} →{' '}
            {(route.transitCountries ?? []).join(' → ') || 'direct'} →{' '}
            {route.destinationCountry ?? '?'} by {route.transportMode ?? 'unknown mode'}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="goods">
        <h2 id="goods">Goods items</h2>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>HS code</th>
              <th>Description</th>
              <th>Net mass (kg)</th>
              <th>Value</th>
              <th>Origin</th>
              <th>Documents</th>
            </tr>
          </thead>
          <tbody>
            {d.goodsItems.map((g) => (
              <tr key={g.sequence}>
                <td>{g.sequence}</td>
                <td>{g.hsCode}</td>
                <td>
                  {g.description}
                  {g.species ? <em> ({g.species})</em> : null}
                </td>
                <td className="num">{formatNumber(g.netMass, 1)}</td>
                <td className="num">
                  {formatNumber(g.value, 2)} {g.currency}
                </td>
                <td>{g.originCountry}</td>
                <td>{(g.documents ?? []).map((x) => `${x.type} ${x.reference}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {a && <Explanation a={a} />}
      {control && (
        <ControlSection
          id={id}
          control={control}
          officer={officer}
          items={d.goodsItems.map((g) => g.sequence)}
          onChange={load}
        />
      )}
      <RecordProof me={me} subjectType="declaration" subjectId={id} />
    </article>
  );
}

type Assessment = NonNullable<Extract<Declaration, { assessment: unknown }>['assessment']>;
type TraderDeclaration = Extract<Declaration, { audience: 'trader' }>;

function TraderStatus({ d }: { d: TraderDeclaration }) {
  return (
    <section aria-labelledby="standing">
      <h2 id="standing">Where it stands</h2>
      <p className="verdict">{d.message}</p>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{d.status}</dd>
        <dt>Control to expect</dt>
        <dd>{d.control ?? 'none planned'}</dd>
      </dl>
      {d.missingDocuments.length > 0 && (
        <ul className="requested" aria-label="Documents missing">
          {d.missingDocuments.map((m, k) => (
            <li key={k}>
              {m.anyOf.map((x) => `${x.title} (${x.type})`).join(' or ')} for item
              {m.items.length > 1 ? 's' : ''} {m.items.join(', ')}: {m.problem}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Explanation({ a }: { a: Assessment }) {
  return (
    <section aria-labelledby="why">
      <h2 id="why">Why this channel</h2>
      <p className="verdict">
        Score {formatNumber(a.score)} (indicators {formatNumber(a.hitScore)}) →{' '}
        <strong>{a.channel}</strong>
        {a.controlForm ? `, ${a.controlForm}` : ''}.
        {a.override ? ` An indicator sends it straight to ${a.override.channel}.` : ''}
      </p>
      {a.hits.length === 0 ? (
        <p className="empty">No indicator hit.</p>
      ) : (
        <ul className="hits">
          {a.hits.map((h, k) => (
            <li key={k}>
              <strong>{h.title}</strong> (version {h.indicatorVersion}, {h.priorityArea}) on item{' '}
              {h.itemSequence} (HS {h.hsCode}):{' '}
              {h.directChannel ? `sends it to ${h.directChannel}` : `+${formatNumber(h.weight)}`}.{' '}
              <span className="reason">{h.reason}</span>
            </li>
          ))}
        </ul>
      )}
      {a.effects.length > 0 && (
        <ul className="effects">
          {a.effects.map((e, k) => (
            <li key={k}>
              {e.kind}: {e.reason} ({e.points >= 0 ? '+' : ''}
              {formatNumber(e.points)})
            </li>
          ))}
        </ul>
      )}
      {a.permits.length > 0 && (
        <ul className="permits">
          {a.permits.map((p, k) => (
            <li key={k}>
              Item {p.itemSequence} needs {p.required}: {p.outcome} — {p.reason}
            </li>
          ))}
        </ul>
      )}
      <p className="random">
        Random selection: {a.random.selected ? 'selected' : 'not selected'} (share{' '}
        {formatNumber(a.random.share * 100, 1)} %, seed {a.random.seed}).
      </p>
    </section>
  );
}

function ControlSection({
  id,
  control,
  officer,
  items,
  onChange,
}: {
  id: string;
  control: Control;
  officer: boolean;
  items: number[];
  onChange: () => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<ControlForm>('physical-inspection');
  const [findings, setFindings] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [seize, setSeize] = useState(false);
  const [seizure, setSeizure] = useState({
    itemSequence: items[0] ?? 1,
    quantity: '',
    unit: 'KGM',
    estimatedValue: '',
    currency: 'EUR',
    storageLocation: '',
    legalBasis: '',
  });

  const act = async (run: () => Promise<{ error?: unknown }>) => {
    setError(null);
    const { error: problem } = await run();
    if (problem) setError(describeProblem(problem));
    else await onChange();
  };
  const record = (e: FormEvent) => {
    e.preventDefault();
    const now = new Date().toISOString();
    void act(() =>
      api.POST('/api/declarations/{id}/inspections', {
        params: { path: { id } },
        body: {
          controlForm: form,
          startedAt: now,
          endedAt: now,
          result: findings.length > 0 ? 'non-compliant' : 'compliant',
          findings: findings as (typeof FINDINGS)[number][],
          findingsText: text,
          itemsAffected: seize ? [seizure.itemSequence] : [],
          ...(seize
            ? {
                seizures: [
                  {
                    itemSequence: seizure.itemSequence,
                    quantity: Number(seizure.quantity),
                    unit: seizure.unit,
                    estimatedValue: Number(seizure.estimatedValue),
                    currency: seizure.currency,
                    storageLocation: seizure.storageLocation,
                    legalBasis: seizure.legalBasis,
                  },
                ],
              }
            : {}),
        },
      }),
    );
  };

  return (
    <section aria-labelledby="control">
      <h2 id="control">Control</h2>
      <p>
        Status <strong>{control.status}</strong>;{' '}
        {control.outcome.controlled
          ? control.outcome.finding
            ? 'controlled, finding recorded'
            : 'controlled, compliant'
          : 'not controlled yet'}
        .
      </p>
      {control.inspections.length > 0 && (
        <ul className="inspections">
          {control.inspections.map((i) => (
            <li key={i.id}>
              {formatDateTime(i.recordedAt)}: {i.controlForm}, {i.result}
              {i.findings.length > 0 ? ` (${i.findings.join(', ')})` : ''} — {i.findingsText}
            </li>
          ))}
        </ul>
      )}
      {control.seizures.length > 0 && (
        <ul className="seizures">
          {control.seizures.map((s) => (
            <li key={s.id}>
              Seized item {s.itemSequence}: {formatNumber(s.quantity)} {s.unit}, about{' '}
              {formatNumber(s.estimatedValue, 2)} {s.currency}, stored at {s.storageLocation}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {officer && !['released', 'seized'].includes(control.status) && (
        <>
          <form onSubmit={record} aria-label="Record an inspection" className="inspection">
            <label>
              Control performed
              <select value={form} onChange={(e) => setForm(e.target.value as ControlForm)}>
                {CONTROL_FORMS.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </label>
            <fieldset>
              <legend>Findings (none: compliant)</legend>
              {FINDINGS.map((f) => (
                <label key={f} className="check">
                  <input
                    type="checkbox"
                    checked={findings.includes(f)}
                    onChange={(e) =>
                      setFindings(
                        e.target.checked ? [...findings, f] : findings.filter((x) => x !== f),
                      )
                    }
                  />
                  {f}
                </label>
              ))}
            </fieldset>
            <label>
              What was found
              <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} />
            </label>
            <label className="check">
              <input type="checkbox" checked={seize} onChange={(e) => setSeize(e.target.checked)} />{' '}
              Seize goods
            </label>
            {seize && (
              <fieldset>
                <legend>Seizure</legend>
                <label>
                  Item
                  <select
                    value={seizure.itemSequence}
                    onChange={(e) =>
                      setSeizure({ ...seizure, itemSequence: Number(e.target.value) })
                    }
                  >
                    {items.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Quantity
                  <input
                    name="quantity"
                    inputMode="decimal"
                    value={seizure.quantity}
                    onChange={(e) => setSeizure({ ...seizure, quantity: e.target.value })}
                    required
                  />
                </label>
                <label>
                  Unit
                  <input
                    name="unit"
                    value={seizure.unit}
                    onChange={(e) => setSeizure({ ...seizure, unit: e.target.value })}
                    required
                  />
                </label>
                <label>
                  Estimated value
                  <input
                    name="estimatedValue"
                    inputMode="decimal"
                    value={seizure.estimatedValue}
                    onChange={(e) => setSeizure({ ...seizure, estimatedValue: e.target.value })}
                    required
                  />
                </label>
                <label>
                  Currency
                  <input
                    name="currency"
                    value={seizure.currency}
                    onChange={(e) => setSeizure({ ...seizure, currency: e.target.value })}
                    required
                  />
                </label>
                <label>
                  Storage location
                  <input
                    name="storageLocation"
                    value={seizure.storageLocation}
                    onChange={(e) => setSeizure({ ...seizure, storageLocation: e.target.value })}
                    required
                  />
                </label>
                <label>
                  Legal basis
                  <input
                    name="legalBasis"
                    value={seizure.legalBasis}
                    onChange={(e) => setSeizure({ ...seizure, legalBasis: e.target.value })}
                    required
                  />
                </label>
              </fieldset>
            )}
            <button type="submit">Record inspection</button>
          </form>
          <div className="actions">
            <button
              type="button"
              onClick={() =>
                void act(() =>
                  api.POST('/api/declarations/{id}/release', { params: { path: { id } } }),
                )
              }
            >
              Release
            </button>
            <button
              type="button"
              onClick={() =>
                void act(() =>
                  api.POST('/api/declarations/{id}/hold', {
                    params: { path: { id } },
                    body: { reason: 'Held from the console' },
                  }),
                )
              }
            >
              Hold
            </button>
          </div>
        </>
      )}
    </section>
  );
}
