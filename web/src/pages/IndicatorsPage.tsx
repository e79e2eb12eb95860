import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Me } from '../App.js';
import { PRIORITY_AREAS, type PriorityArea, CONTROL_FORMS, type ControlForm } from '../domain.js';
import { api, describeProblem, type ProblemShape } from '../api.js';

interface Indicator {
  id: string;
  version: number;
  title: string;
  priorityArea: string;
  status: string;
  weight: number;
  directChannel: string | null;
  sharing: string;
  ownerAgencyId: string;
  coAuthorAgencyIds: string[];
}

/** Every indicator (newest version) with its place in the joint approval workflow, and an editor. */
export function IndicatorsPage({ me }: { me: Me }) {
  const [list, setList] = useState<Indicator[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const author = me.roles.includes('risk_analyst') || me.roles.includes('environmental_officer');

  const load = useCallback(async () => {
    const { data, error: problem } = await api.GET('/api/indicators');
    if (problem) setError(describeProblem(problem));
    else setList(data ?? []);
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

  return (
    <section>
      <h1>Indicators</h1>
      {author && <IndicatorEditor onSaved={load} />}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
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
              <tr key={i.id}>
                <td>{i.id}</td>
                <td>{i.title}</td>
                <td>{i.priorityArea}</td>
                <td className="num">{i.version}</td>
                <td>{i.status}</td>
                <td className="num">{i.directChannel ? `→ ${i.directChannel}` : i.weight}</td>
                <td>{i.sharing}</td>
                <td>
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

function IndicatorEditor({ onSaved }: { onSaved: () => Promise<void> }) {
  const [title, setTitle] = useState('');
  const [area, setArea] = useState<PriorityArea>('e-waste');
  const [condition, setCondition] = useState('');
  const [weight, setWeight] = useState('40');
  const [form, setForm] = useState<ControlForm>('documentary-check');
  const [rationale, setRationale] = useState('');
  const [coAuthors, setCoAuthors] = useState('');
  const [problem, setProblem] = useState<ProblemShape | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setSaved(null);
    const { data, error } = await api.POST('/api/indicators', {
      body: {
        title,
        priorityArea: area,
        condition,
        weight: Number(weight),
        controlForm: form,
        rationale,
        coAuthorAgencies: coAuthors
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      },
    });
    if (error) {
      setProblem(error);
      return;
    }
    setSaved(`Saved ${data.id} version ${data.version} as a draft.`);
    await onSaved();
  };
  const fieldError = (field: string) => problem?.errors?.find((x) => x.field === field)?.detail;

  return (
    <form onSubmit={(e) => void save(e)} aria-label="New indicator" className="editor">
      <h2>New indicator</h2>
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
      <label>
        Weight
        <input inputMode="numeric" value={weight} onChange={(e) => setWeight(e.target.value)} />
      </label>
      <label>
        Control form
        <select value={form} onChange={(e) => setForm(e.target.value as ControlForm)}>
          {CONTROL_FORMS.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
      </label>
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
      <button type="submit">Save draft</button>
      {problem && !fieldError('/condition') && (
        <p role="alert" className="error">
          {describeProblem(problem)}
        </p>
      )}
      {saved && <p className="status">{saved}</p>}
    </form>
  );
}
