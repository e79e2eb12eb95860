import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import {
  CONTROL_FORMS,
  PRIORITY_AREAS,
  type ControlForm,
  type PriorityArea,
} from '../../domain.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import { priorityAreaWords } from '../../words.js';
import { formatNumber } from '../../format.js';
import { ConditionInput } from './ConditionInput.js';
import { ConditionReferencePanel } from './ConditionReferencePanel.js';
import { PreviewResult } from './PreviewResult.js';
import type { ConditionReference, Indicator, IndicatorBody, Preview } from './types.js';
import { controlFormWords } from './words.js';

/** What the editor starts from: a new indicator, or the newest version of one to revise. */
export interface Editing {
  indicator: Indicator;
  coAuthorCodes: string[];
}

const LABELS: FieldLabels = {
  '/title': 'Title',
  '/priorityArea': 'Priority area',
  '/condition': 'Condition',
  '/weight': 'Weight',
  '/directChannel': 'Direct channel',
  '/controlForm': 'Control form',
  '/rationale': 'Rationale',
  '/coAuthorAgencies': 'Co-author agencies',
  '/querystring/days': 'Lodged within (days)',
  '/querystring/limit': 'Newest declarations, at most',
};

/**
 * Writes an indicator (or a new version of one): the condition with completion and the reference
 * of what it may use beside it, tested against recent declarations before it is saved as a draft.
 */
export function IndicatorEditor({
  editing,
  reference,
  canLink,
  onSaved,
  onCancel,
}: {
  editing: Editing | null;
  reference: ConditionReference | undefined;
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
  const [problem, setProblem] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | 'loading' | null>(null);
  const [days, setDays] = useState('30');
  const [limit, setLimit] = useState('500');
  /** The draft as it was tested: a preview of an older draft says so. */
  const [tested, setTested] = useState<string | null>(null);
  const conditionRef = useRef<HTMLTextAreaElement | null>(null);

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
      ? await api.PUT('/api/indicators/{id}', { params: { path: { id: start.id } }, body: body() })
      : await api.POST('/api/indicators', { body: body() });
    if (error) {
      setProblem(error);
      return;
    }
    setSaved(`Saved ${data.id} version ${formatNumber(data.version)} as a draft.`);
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
    setTested(JSON.stringify(body()));
  };

  /** Puts a name from the reference at the caret, in place of the word begun there. */
  const insert = (text: string) => {
    const el = conditionRef.current;
    const at = el?.selectionStart ?? condition.length;
    const to = el?.selectionEnd ?? at;
    let from = at;
    while (from > 0 && /[A-Za-z0-9_.]/.test(condition[from - 1]!)) from--;
    const word = condition.slice(from, at);
    if (word === '' || !text.toLowerCase().startsWith(word.toLowerCase())) from = at;
    const next = condition.slice(0, from) + text + condition.slice(to);
    setCondition(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(from + text.length, from + text.length);
    });
  };

  const heading = start ? `New version of ${start.title} (${start.id})` : 'New indicator';
  const formLabel = start ? `New version of ${start.title}` : 'New indicator';
  return (
    <div className="indicator-authoring">
      <form onSubmit={(e) => void save(e)} aria-label={formLabel} className="editor">
        <h2>{heading}</h2>
        <FormField label="Title" problem={problem} field="/title">
          <input value={title} onChange={(e) => setTitle(e.target.value)} required />
        </FormField>
        <FormField label="Priority area" problem={problem} field="/priorityArea">
          <select value={area} onChange={(e) => setArea(e.target.value as PriorityArea)}>
            {PRIORITY_AREAS.map((a) => (
              <option key={a} value={a}>
                {priorityAreaWords(a)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField
          label="Condition (CEL)"
          hint="Type a name for suggestions (arrow keys to choose, Enter to insert), or pick one from the reference."
          problem={problem}
          field="/condition"
        >
          <ConditionInput
            value={condition}
            onChange={setCondition}
            reference={reference}
            inputRef={conditionRef}
          />
        </FormField>
        <div className="row">
          <FormField label="Weight" problem={problem} field="/weight">
            <input inputMode="numeric" value={weight} onChange={(e) => setWeight(e.target.value)} />
          </FormField>
          <FormField label="Direct channel" problem={problem} field="/directChannel">
            <select value={direct} onChange={(e) => setDirect(e.target.value as typeof direct)}>
              <option value="">none</option>
              <option value="yellow">yellow</option>
              <option value="red">red</option>
            </select>
          </FormField>
          <FormField label="Control form" problem={problem} field="/controlForm">
            <select value={form} onChange={(e) => setForm(e.target.value as ControlForm)}>
              {CONTROL_FORMS.map((f) => (
                <option key={f} value={f}>
                  {controlFormWords(f)}
                </option>
              ))}
            </select>
          </FormField>
        </div>
        <FormField label="Rationale" problem={problem} field="/rationale">
          <textarea
            value={rationale}
            onChange={(e) => setRationale(e.target.value)}
            rows={2}
            required
          />
        </FormField>
        <FormField
          label="Co-author agencies (codes, comma-separated)"
          problem={problem}
          field="/coAuthorAgencies"
        >
          <input
            value={coAuthors}
            onChange={(e) => setCoAuthors(e.target.value)}
            placeholder="BY-ENV"
          />
        </FormField>
        <fieldset className="row">
          <legend>Test window</legend>
          <FormField label="Lodged within (days)" problem={problem} field="/querystring/days">
            <input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
          </FormField>
          <FormField
            label="Newest declarations, at most"
            problem={problem}
            field="/querystring/limit"
          >
            <input inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} />
          </FormField>
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
        <ProblemAlert problem={problem} labels={LABELS} />
        {saved && <p className="status">{saved}</p>}
        {preview === 'loading' && <p className="status">Testing against recent declarations…</p>}
        {preview && preview !== 'loading' && tested !== JSON.stringify(body()) && (
          <p className="note">The draft has changed since this test: test again to see its hits.</p>
        )}
        {preview && preview !== 'loading' && (
          <PreviewResult key={preview.window.to} preview={preview} canLink={canLink} />
        )}
      </form>
      {reference && <ConditionReferencePanel reference={reference} onInsert={insert} />}
    </div>
  );
}
