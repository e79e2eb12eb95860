import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Me } from '../App.js';
import { PRIORITY_AREAS, type PriorityArea, CONTROL_FORMS, type ControlForm } from '../domain.js';
import { api, describeProblem, type ProblemShape } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';
import type { paths } from '../api-types.js';
import { RecordProof } from './ledger/RecordProof.js';

type Indicator =
  paths['/api/indicators']['get']['responses'][200]['content']['application/json'][number];
type IndicatorBody = paths['/api/indicators']['post']['requestBody']['content']['application/json'];
type Preview =
  paths['/api/indicators/preview']['post']['responses'][200]['content']['application/json'];
type AgencyApprovals =
  paths['/api/indicators/{key}/agencies']['get']['responses'][200]['content']['application/json'];
type Diff =
  paths['/api/indicators/{key}/versions/{a}/diff/{b}']['get']['responses'][200]['content']['application/json'];

/** What the editor starts from: a new indicator, or the newest version of one to revise. */
interface Editing {
  indicator: Indicator;
  coAuthorCodes: string[];
}

/** Every indicator (newest version) with its place in the joint approval workflow, and an editor. */
export function IndicatorsPage({ me }: { me: Me }) {
  const [list, setList] = useState<Indicator[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [revision, setRevision] = useState(0);
  const author = me.may('author', 'indicator');

  const load = useCallback(async () => {
    const { data, error: problem } = await api.GET('/api/indicators');
    if (problem) setError(describeProblem(problem));
    else setList(data ?? []);
    setRevision((r) => r + 1);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const step = async (i: Indicator, what: 'submit' | 'approve') => {
    setError(null);
    const { error: problem } =
      what === 'submit'
        ? await api.POST('/api/indicators/{key}/submit', {
            params: { path: { key: i.id } },
            body: { version: i.version },
          })
        : await api.POST('/api/indicators/{key}/approve', {
            params: { path: { key: i.id } },
            body: { version: i.version, comment: `approved by ${me.username}` },
          });
    if (problem) setError(describeProblem(problem));
    await load();
  };

  const current = list?.find((i) => i.id === selected) ?? null;
  return (
    <section>
      <h1>Indicators</h1>
      {author && (
        <IndicatorEditor
          key={editing ? `${editing.indicator.id}@${editing.indicator.version}` : 'new'}
          editing={editing}
          canLink={me.agencyKind === 'customs'}
          onCancel={() => setEditing(null)}
          onSaved={async (id) => {
            setEditing(null);
            setSelected(id);
            await load();
          }}
        />
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {current && (
        <IndicatorDetail
          key={`${current.id}:${revision}`}
          indicator={current}
          me={me}
          author={author && current.status !== 'retired'}
          onChanged={load}
          onEdit={(coAuthorCodes) => {
            setEditing({ indicator: current, coAuthorCodes });
            window.scrollTo({ top: 0 });
          }}
        />
      )}
      {!list && !error && <p className="status">Loading…</p>}
      {list && list.length === 0 && <p className="empty">No indicators yet.</p>}
      {list && list.length > 0 && (
        <table aria-label="Indicators">
          <thead>
            <tr>
              <th>Id</th>
              <th>Title</th>
              <th>Area</th>
              <th>Version</th>
              <th>Status</th>
              <th>Weight</th>
              <th>Sharing</th>
              <th>Workflow</th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.id} aria-selected={i.id === selected ? true : undefined}>
                <td>{i.id}</td>
                <td>{i.title}</td>
                <td>{i.priorityArea}</td>
                <td className="num">{formatNumber(i.version)}</td>
                <td>{i.status}</td>
                <td className="num">
                  {i.directChannel ? `→ ${i.directChannel}` : formatNumber(i.weight)}
                </td>
                <td>{i.sharing}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Details of ${i.title}`}
                    aria-expanded={i.id === selected}
                    onClick={() => setSelected(i.id === selected ? null : i.id)}
                  >
                    Details
                  </button>
                  {author && i.status === 'draft' && (
                    <button type="button" onClick={() => void step(i, 'submit')}>
                      Submit {i.title}
                    </button>
                  )}
                  {author && i.status === 'awaiting-approval' && (
                    <button type="button" onClick={() => void step(i, 'approve')}>
                      Approve {i.title}
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

/** One indicator: the agencies that must approve it, its versions, and a diff between two. */
function IndicatorDetail({
  indicator,
  me,
  author,
  onEdit,
  onChanged,
}: {
  indicator: Indicator;
  me: Me;
  author: boolean;
  onEdit: (coAuthorCodes: string[]) => void;
  onChanged: () => Promise<void>;
}) {
  const key = indicator.id;
  const [agencies, setAgencies] = useState<AgencyApprovals | null>(null);
  const [versions, setVersions] = useState<Indicator[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState(Math.max(1, indicator.version - 1));
  const [to, setTo] = useState(indicator.version);
  const [diff, setDiff] = useState<Diff | null>(null);
  const [diffError, setDiffError] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // Chromium's scrollIntoView returns a promise: not a cleanup function for React.
    void ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);

  useEffect(() => {
    void Promise.all([
      api.GET('/api/indicators/{key}/agencies', { params: { path: { key } } }),
      api.GET('/api/indicators/{id}/versions', { params: { path: { id: key } } }),
    ]).then(([a, v]) => {
      if (a.error || v.error) setError(describeProblem(a.error ?? v.error));
      else {
        setAgencies(a.data);
        setVersions(v.data);
      }
    });
  }, [key]);

  const compare = async (e?: FormEvent) => {
    e?.preventDefault();
    setDiff(null);
    setDiffError(null);
    const { data, error: problem } = await api.GET('/api/indicators/{key}/versions/{a}/diff/{b}', {
      params: { path: { key, a: from, b: to } },
    });
    if (problem) setDiffError(describeProblem(problem));
    else setDiff(data);
  };

  return (
    <section ref={ref} className="detail" aria-labelledby="indicator-detail">
      <h2 id="indicator-detail">
        {indicator.title} <span className="note">({indicator.id})</span>
      </h2>
      {author && (
        <button
          type="button"
          onClick={() =>
            onEdit(
              agencies?.agencies.filter((a) => a.role === 'co-author').map((a) => a.code) ?? [],
            )
          }
        >
          Edit as a new version
        </button>
      )}
      {author && indicator.status === 'awaiting-approval' && (
        <RejectForm indicator={indicator} onDone={onChanged} />
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!error && (!agencies || !versions) && <p className="status">Loading…</p>}
      {agencies && (
        <>
          <h3>Approvals by agency</h3>
          <p className="note">
            Version {formatNumber(agencies.version)} is {agencies.status}; every agency below must
            approve it before it screens.
          </p>
          <table aria-label="Approvals by agency">
            <thead>
              <tr>
                <th>Agency</th>
                <th>Role</th>
                <th>Version {formatNumber(agencies.version)}</th>
                <th>Approvals given</th>
              </tr>
            </thead>
            <tbody>
              {agencies.agencies.map((a) => (
                <tr key={a.agencyId}>
                  <td>
                    {a.code}
                    <div className="note">{a.name}</div>
                  </td>
                  <td>{a.role}</td>
                  <td>{a.approvedNewest ? 'approved' : 'pending'}</td>
                  <td>
                    {a.approvals.length === 0 ? (
                      <span className="empty">none yet</span>
                    ) : (
                      <ul className="plain">
                        {a.approvals.map((x) => (
                          <li key={`${x.version}-${x.at}`}>
                            version {formatNumber(x.version)} by {x.displayName} ({x.username}),{' '}
                            {formatDateTime(x.at)}
                            {x.comment ? <span className="note"> — {x.comment}</span> : null}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {versions && (
        <>
          <h3>Version history</h3>
          <table aria-label="Versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Status</th>
                <th>Saved</th>
                <th>Weight</th>
                <th>Condition</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.version}>
                  <td className="num">{formatNumber(v.version)}</td>
                  <td>{v.status}</td>
                  <td>{formatDateTime(v.createdAt)}</td>
                  <td className="num">
                    {v.directChannel ? `→ ${v.directChannel}` : formatNumber(v.weight)}
                  </td>
                  <td>
                    <code>{v.condition}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {versions.length < 2 ? (
            <p className="empty">Only one version: nothing to compare yet.</p>
          ) : (
            <form
              className="filters"
              aria-label="Compare versions"
              onSubmit={(e) => void compare(e)}
            >
              <label>
                From version
                <select value={from} onChange={(e) => setFrom(Number(e.target.value))}>
                  {versions.map((v) => (
                    <option key={v.version} value={v.version}>
                      {v.version}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                To version
                <select value={to} onChange={(e) => setTo(Number(e.target.value))}>
                  {versions.map((v) => (
                    <option key={v.version} value={v.version}>
                      {v.version}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit">Compare</button>
            </form>
          )}
          {diffError && (
            <p role="alert" className="error">
              {diffError}
            </p>
          )}
          {diff && diff.changes.length === 0 && (
            <p className="empty">
              Versions {diff.from} and {diff.to} are the same.
            </p>
          )}
          {diff && diff.changes.length > 0 && (
            <table aria-label="Changes between versions" className="diff">
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Version {diff.from}</th>
                  <th>Version {diff.to}</th>
                </tr>
              </thead>
              <tbody>
                {diff.changes.map((c) => (
                  <tr key={c.field}>
                    <td>{c.field}</td>
                    <td className="removed">{show(c.from)}</td>
                    <td className="added">{show(c.to)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <RecordProof me={me} subjectType="indicator" subjectId={key} heading="h3" />
    </section>
  );
}

/** Sends the version awaiting approval back to draft, with the reason. */
function RejectForm({ indicator, onDone }: { indicator: Indicator; onDone: () => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const { error: problem } = await api.POST('/api/indicators/{key}/reject', {
      params: { path: { key: indicator.id } },
      body: { version: indicator.version, reason },
    });
    if (problem) setError(describeProblem(problem));
    else await onDone();
  };
  return (
    <form
      className="editor step"
      aria-label={`Reject version ${indicator.version}`}
      onSubmit={(e) => void send(e)}
    >
      <label>
        Reason for rejecting version {indicator.version}
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} required />
      </label>
      <button type="submit">Reject version {indicator.version}</button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

const show = (v: unknown): string =>
  v === null || v === undefined
    ? '—'
    : typeof v === 'number'
      ? formatNumber(v, 3)
      : typeof v === 'string'
        ? v
        : JSON.stringify(v);

function IndicatorEditor({
  editing,
  canLink,
  onSaved,
  onCancel,
}: {
  editing: Editing | null;
  /** Customs staff open the declarations a preview hits; other agencies do not read them. */
  canLink: boolean;
  onSaved: (id: string) => Promise<void>;
  onCancel: () => void;
}) {
  const start = editing?.indicator;
  const [title, setTitle] = useState(start?.title ?? '');
  const [area, setArea] = useState<PriorityArea>(start?.priorityArea ?? 'e-waste');
  const [condition, setCondition] = useState(start?.condition ?? '');
  const [weight, setWeight] = useState(String(start?.weight ?? 40));
  const [direct, setDirect] = useState<'' | 'yellow' | 'red'>(start?.directChannel ?? '');
  const [form, setForm] = useState<ControlForm>(start?.controlForm ?? 'documentary-check');
  const [rationale, setRationale] = useState(start?.rationale ?? '');
  const [coAuthors, setCoAuthors] = useState(editing?.coAuthorCodes.join(', ') ?? '');
  const [problem, setProblem] = useState<ProblemShape | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | 'loading' | null>(null);
  const [days, setDays] = useState('30');
  const [limit, setLimit] = useState('500');

  const body = (): IndicatorBody => ({
    title,
    priorityArea: area,
    condition,
    weight: Number(weight),
    directChannel: direct === '' ? null : direct,
    controlForm: form,
    rationale,
    coAuthorAgencies: coAuthors
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    // Kept as they are: the form does not edit the validity window.
    ...(start?.validFrom ? { validFrom: start.validFrom } : {}),
    ...(start?.validTo ? { validTo: start.validTo } : {}),
  });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setSaved(null);
    const { data, error } = start
      ? await api.PUT('/api/indicators/{id}', {
          params: { path: { id: start.id } },
          body: body(),
        })
      : await api.POST('/api/indicators', { body: body() });
    if (error) {
      setProblem(error);
      return;
    }
    setSaved(`Saved ${data.id} version ${data.version} as a draft.`);
    await onSaved(data.id);
  };

  const test = async () => {
    setProblem(null);
    setPreview('loading');
    const { data, error } = await api.POST('/api/indicators/preview', {
      params: { query: { days: Number(days), limit: Number(limit) } },
      body: body(),
    });
    if (error) {
      setProblem(error);
      setPreview(null);
      return;
    }
    setPreview(data);
  };
  const fieldError = (field: string) => problem?.errors?.find((x) => x.field === field)?.detail;
  const heading = start ? `New version of ${start.title}` : 'New indicator';

  return (
    <form onSubmit={(e) => void save(e)} aria-label={heading} className="editor">
      <h2>{heading}</h2>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} required />
      </label>
      <label>
        Priority area
        <select value={area} onChange={(e) => setArea(e.target.value as PriorityArea)}>
          {PRIORITY_AREAS.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <label>
        Condition (CEL)
        <textarea
          value={condition}
          onChange={(e) => setCondition(e.target.value)}
          rows={2}
          aria-invalid={fieldError('/condition') ? true : undefined}
          required
        />
      </label>
      {fieldError('/condition') && (
        <p role="alert" className="error">
          {fieldError('/condition')}
        </p>
      )}
      <div className="row">
        <label>
          Weight
          <input inputMode="numeric" value={weight} onChange={(e) => setWeight(e.target.value)} />
        </label>
        <label>
          Direct channel
          <select value={direct} onChange={(e) => setDirect(e.target.value as typeof direct)}>
            <option value="">none</option>
            <option value="yellow">yellow</option>
            <option value="red">red</option>
          </select>
        </label>
        <label>
          Control form
          <select value={form} onChange={(e) => setForm(e.target.value as ControlForm)}>
            {CONTROL_FORMS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
      </div>
      <label>
        Rationale
        <textarea
          value={rationale}
          onChange={(e) => setRationale(e.target.value)}
          rows={2}
          required
        />
      </label>
      <label>
        Co-author agencies (codes, comma-separated)
        <input
          value={coAuthors}
          onChange={(e) => setCoAuthors(e.target.value)}
          placeholder="BY-ENV"
        />
      </label>
      <fieldset className="row">
        <legend>Test window</legend>
        <label>
          Lodged within (days)
          <input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        <label>
          Newest declarations, at most
          <input inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} />
        </label>
      </fieldset>
      <div className="actions">
        <button type="submit">Save draft</button>
        <button type="button" onClick={() => void test()}>
          Test against recent declarations
        </button>
        {start && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {problem && !fieldError('/condition') && (
        <p role="alert" className="error">
          {describeProblem(problem)}
        </p>
      )}
      {saved && <p className="status">{saved}</p>}
      {preview === 'loading' && <p className="status">Testing against recent declarations…</p>}
      {preview && preview !== 'loading' && <PreviewResult preview={preview} canLink={canLink} />}
    </form>
  );
}

/** What the draft would have hit among recent declarations. */
function PreviewResult({ preview, canLink }: { preview: Preview; canLink: boolean }) {
  const rate = preview.hitRate === null ? '—' : `${formatNumber(preview.hitRate * 100, 1)} %`;
  return (
    <section className="preview" aria-label="Preview of the draft">
      <h3>Test against recent declarations</h3>
      <dl className="facts" aria-label="Preview figures">
        <dt>Examined</dt>
        <dd>
          {formatNumber(preview.examined)} declarations lodged {formatDateTime(preview.window.from)}{' '}
          – {formatDateTime(preview.window.to)}
        </dd>
        <dt>Would hit</dt>
        <dd>
          {formatNumber(preview.declarationsHit)} declarations ({formatNumber(preview.itemsHit)}{' '}
          goods items)
        </dd>
        <dt>Hit rate</dt>
        <dd>{rate}</dd>
      </dl>
      {preview.examined === 0 && (
        <p className="empty">No declaration was lodged in the period: nothing to test against.</p>
      )}
      {preview.examined > 0 && preview.hits.length === 0 && (
        <p className="empty">No recent declaration would hit.</p>
      )}
      {preview.hits.length > 0 && (
        <table aria-label="Preview hits">
          <thead>
            <tr>
              <th>Declaration</th>
              <th>Item</th>
              <th>HS code</th>
              <th>Points</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {preview.hits.map((h) => (
              <tr key={`${h.declarationId}-${h.itemSequence}`}>
                <td>
                  {canLink ? (
                    <a href={`#/declarations/${encodeURIComponent(h.declarationId)}`}>
                      {h.reference}
                    </a>
                  ) : (
                    h.reference
                  )}
                  <div className="note">{formatDateTime(h.submittedAt)}</div>
                </td>
                <td className="num">{formatNumber(h.itemSequence)}</td>
                <td>{h.hsCode}</td>
                <td className="num">
                  {h.directChannel ? `→ ${h.directChannel}` : formatNumber(h.points)}
                </td>
                <td className="reason">{h.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview.truncated && (
        <p className="note">
          The first {formatNumber(preview.hits.length)} of {formatNumber(preview.itemsHit)} item
          hits are listed.
        </p>
      )}
    </section>
  );
}
