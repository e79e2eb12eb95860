import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { CONTROL_FORMS, type ControlForm } from '../../domain.js';
import { formatDateTime } from '../../format.js';
import { CheckboxGroup, FormField } from '../../components/FormField.js';
import { fieldError as fieldErrorOf, ProblemAlert } from '../../components/ProblemAlert.js';
import type { InspectionBody } from './types.js';
import { CONTROL_FORM_WORDS, FINDING_WORDS, type Control, type Finding } from './words.js';

const FINDINGS = Object.keys(FINDING_WORDS) as Finding[];
const LABELS = {
  '/result': 'Result',
  '/findings': 'Findings',
  '/findingsText': 'What was checked and found',
  '/seizures/*': 'Seizure',
  '/corrects': 'Corrects',
};

/**
 * Records a control: the result is chosen (never assumed), what was checked and found is told,
 * and goods may be seized; with `correct`, the record may replace an earlier one.
 */
export function InspectionForm({
  id,
  control,
  items,
  correct,
  suggested,
  onDone,
}: {
  id: string;
  control: Control;
  items: number[];
  correct: boolean;
  suggested: ControlForm | null;
  onDone: () => void;
}) {
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<ControlForm>(suggested ?? 'physical-inspection');
  const [result, setResult] = useState<'' | 'compliant' | 'non-compliant'>('');
  const [findings, setFindings] = useState<Finding[]>([]);
  const [text, setText] = useState('');
  const [corrects, setCorrects] = useState('');
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
  const corrected = new Set(control.inspections.flatMap((i) => (i.corrects ? [i.corrects] : [])));
  const correctable = control.inspections.filter((i) => !corrected.has(i.id));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setBusy(true);
    const now = new Date().toISOString();
    const nonCompliant = result === 'non-compliant';
    // The result goes as chosen, or not at all: the server names it when it is missing.
    const body = {
      controlForm: form,
      startedAt: now,
      endedAt: now,
      ...(result ? { result } : {}),
      findings: nonCompliant ? findings : [],
      findingsText: text,
      itemsAffected: nonCompliant && seize ? [seizure.itemSequence] : [],
      ...(corrects ? { corrects } : {}),
      ...(nonCompliant && seize
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
    } as InspectionBody;
    const { error } = await api.POST('/api/declarations/{id}/inspections', {
      params: { path: { id } },
      body,
    });
    setBusy(false);
    if (error) setProblem(error);
    else {
      setResult('');
      setFindings([]);
      setText('');
      setSeize(false);
      setCorrects('');
      onDone();
    }
  };
  const seizureField = (
    name: keyof typeof seizure,
    label: string,
    extra: { inputMode?: 'decimal' } = {},
  ) => (
    <FormField label={label} problem={problem} field={`/seizures/0/${name}`}>
      <input
        name={name}
        {...extra}
        value={seizure[name]}
        onChange={(e) => setSeizure({ ...seizure, [name]: e.target.value })}
      />
    </FormField>
  );

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Record an inspection" className="inspection">
      <h3>Record an inspection</h3>
      <FormField label="Control performed" problem={problem} field="/controlForm">
        <select value={form} onChange={(e) => setForm(e.target.value as ControlForm)}>
          {CONTROL_FORMS.map((f) => (
            <option key={f} value={f}>
              {CONTROL_FORM_WORDS[f]}
            </option>
          ))}
        </select>
      </FormField>
      <Result value={result} onChange={setResult} problem={problem} />
      {result === 'non-compliant' && (
        <CheckboxGroup
          legend="Findings"
          options={FINDINGS.map((f) => ({ value: f, label: FINDING_WORDS[f] }))}
          value={findings}
          onChange={setFindings}
          problem={problem}
          field="/findings"
        />
      )}
      <FormField
        label="What was checked and found"
        hint="Required: what you looked at and what you saw."
        problem={problem}
        field="/findingsText"
      >
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} />
      </FormField>
      {correct && correctable.length > 0 && (
        <FormField label="This record corrects" problem={problem} field="/corrects">
          <select value={corrects} onChange={(e) => setCorrects(e.target.value)}>
            <option value="">Nothing: a new record</option>
            {correctable.map((i) => (
              <option key={i.id} value={i.id}>
                The record of {formatDateTime(i.recordedAt)} ({CONTROL_FORM_WORDS[i.controlForm]})
              </option>
            ))}
          </select>
        </FormField>
      )}
      {result === 'non-compliant' && (
        <label className="check">
          <input type="checkbox" checked={seize} onChange={(e) => setSeize(e.target.checked)} />{' '}
          Seize goods
        </label>
      )}
      {result === 'non-compliant' && seize && (
        <fieldset>
          <legend>Seizure</legend>
          <FormField label="Item" problem={problem} field="/seizures/0/itemSequence">
            <select
              value={seizure.itemSequence}
              onChange={(e) => setSeizure({ ...seizure, itemSequence: Number(e.target.value) })}
            >
              {items.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </FormField>
          {seizureField('quantity', 'Quantity', { inputMode: 'decimal' })}
          {seizureField('unit', 'Unit')}
          {seizureField('estimatedValue', 'Estimated value', { inputMode: 'decimal' })}
          {seizureField('currency', 'Currency')}
          {seizureField('storageLocation', 'Storage location')}
          {seizureField('legalBasis', 'Legal basis')}
        </fieldset>
      )}
      <ProblemAlert problem={problem} labels={LABELS} />
      <button type="submit" disabled={busy}>
        Record inspection
      </button>
    </form>
  );
}

function Result({
  value,
  onChange,
  problem,
}: {
  value: string;
  onChange: (v: 'compliant' | 'non-compliant') => void;
  problem: unknown;
}) {
  const options = [
    { value: 'compliant', label: 'Compliant: the goods are as declared' },
    { value: 'non-compliant', label: 'Not compliant: something was found' },
  ] as const;
  // One choice: radio buttons under a legend, the error next to them.
  return (
    <RadioGroup
      legend="Result"
      options={options}
      value={value}
      onChange={onChange}
      problem={problem}
      field="/result"
    />
  );
}

function RadioGroup<V extends string>({
  legend,
  options,
  value,
  onChange,
  problem,
  field,
}: {
  legend: string;
  options: ReadonlyArray<{ value: V; label: string }>;
  value: string;
  onChange: (v: V) => void;
  problem: unknown;
  field: string;
}) {
  const message = fieldErrorOf(problem, field);
  return (
    <fieldset
      className={`choices${message ? ' invalid' : ''}`}
      aria-describedby={message ? 'result-error' : undefined}
    >
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="radio"
            name="result"
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
      {message && (
        <span id="result-error" className="field-error">
          {message}
        </span>
      )}
    </fieldset>
  );
}
