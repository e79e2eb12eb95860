import { useState, type FormEvent } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import type { ListedDeclaration } from './types.js';
import {
  declarationLabels,
  FINAL_STATUSES,
  statusOf,
  statusWords,
  withoutPatterns,
} from './words.js';

/** The goods item fields a declarant may put right here, and how each is typed. */
const AMENDABLE_FIELDS = [
  { field: 'hsCode', words: 'HS code', number: false },
  { field: 'description', words: 'Description', number: false },
  { field: 'originCountry', words: 'Country of origin', number: false },
  { field: 'quantity', words: 'Quantity', number: true },
  { field: 'unit', words: 'Unit of quantity', number: false },
  { field: 'netMass', words: 'Net mass (kg)', number: true },
  { field: 'value', words: 'Value', number: true },
  { field: 'currency', words: 'Currency', number: false },
] as const;
type AmendableField = (typeof AMENDABLE_FIELDS)[number]['field'];

/**
 * What the declarant may still do with a declaration before release: amend a goods item, or
 * withdraw it (after confirming; a withdrawal cannot be undone). Shown only to those the access
 * policy lets amend or cancel declarations; the API decides for each declaration and says why not.
 * Mountable on any page that has the declaration (the list, the declaration page).
 */
export function DeclarationChanges({
  me,
  declaration: d,
  onChanged,
}: {
  me: Me;
  declaration: Pick<ListedDeclaration, 'id' | 'reference' | 'goodsItems'> & {
    status?: string;
    version?: number;
  };
  onChanged: () => void;
}) {
  const mayAmend = me.may('amend', 'declaration');
  const mayCancel = me.may('cancel', 'declaration');
  const status = statusOf(d as ListedDeclaration);
  const [done, setDone] = useState<string | null>(null);
  if ((!mayAmend && !mayCancel) || (status !== undefined && FINAL_STATUSES.has(status)))
    return done ? (
      <p role="status" className="verified">
        {done}
      </p>
    ) : null;
  const changed = (message: string) => {
    setDone(message);
    onChanged();
  };
  return (
    <div className="declaration-changes">
      {done && (
        <p role="status" className="verified">
          {done}
        </p>
      )}
      {mayAmend && <Amend d={d} onDone={changed} />}
      {mayCancel && <Withdraw d={d} onDone={changed} />}
    </div>
  );
}

function Amend({
  d,
  onDone,
}: {
  d: Pick<ListedDeclaration, 'id' | 'reference' | 'goodsItems'> & { version?: number };
  onDone: (message: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [item, setItem] = useState(d.goodsItems[0]?.sequence ?? 1);
  const [field, setField] = useState<AmendableField>('netMass');
  const [value, setValue] = useState('');
  const [statement, setStatement] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const labels = {
    ...declarationLabels(d.goodsItems.length),
    '/body/changes': 'New value',
    '/changes': 'New value',
    '/body/statement': 'Why',
    '/body/version': 'The declaration',
  };
  if (!open)
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        Amend
      </button>
    );
  const spec = AMENDABLE_FIELDS.find((f) => f.field === field)!;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setBusy(true);
    const text = value.trim();
    const { data, error } = await api.POST('/api/declarations/{id}/amendments', {
      params: { path: { id: d.id } },
      body: {
        version: d.version ?? 1,
        changes: [
          {
            item,
            field: `/${field}`,
            value: spec.number ? (text === '' ? null : Number(text.replace(',', '.'))) : text,
          },
        ],
        ...(statement.trim() ? { statement: statement.trim() } : {}),
      },
    });
    setBusy(false);
    if (error || !data) return setProblem(withoutPatterns(error));
    setOpen(false);
    setValue('');
    onDone(
      `Declaration ${d.reference} amended (version ${data.version})${
        data.declaration && 'status' in data.declaration
          ? `: ${statusWords(data.declaration.status)}`
          : ''
      }.`,
    );
  };
  const valueFields = ['/changes', `/goodsItems/${item - 1}`];
  return (
    <form
      className="amend"
      aria-label={`Amend declaration ${d.reference}`}
      onSubmit={(e) => void submit(e)}
    >
      <h3>Amend {d.reference}</h3>
      <FormField label="Goods item">
        <select value={item} onChange={(e) => setItem(Number(e.target.value))}>
          {d.goodsItems.map((g) => (
            <option key={g.sequence} value={g.sequence}>
              {g.sequence}: {g.description ?? g.hsCode ?? ''}
            </option>
          ))}
        </select>
      </FormField>
      <FormField label="What to change">
        <select value={field} onChange={(e) => setField(e.target.value as AmendableField)}>
          {AMENDABLE_FIELDS.map((f) => (
            <option key={f.field} value={f.field}>
              {f.words}
            </option>
          ))}
        </select>
      </FormField>
      <FormField label={`New ${spec.words.toLowerCase()}`} problem={problem} field={valueFields}>
        <input
          value={value}
          onChange={(e) => setValue(e.target.value)}
          inputMode={spec.number ? 'decimal' : undefined}
          required={!spec.number}
        />
      </FormField>
      <FormField label="Why (optional)" problem={problem} field="/body/statement">
        <input value={statement} onChange={(e) => setStatement(e.target.value)} maxLength={512} />
      </FormField>
      <ProblemAlert problem={problem} labels={labels} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Send amendment
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setOpen(false);
            setProblem(null);
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

function Withdraw({
  d,
  onDone,
}: {
  d: Pick<ListedDeclaration, 'id' | 'reference'> & { version?: number };
  onDone: (message: string) => void;
}) {
  const [stage, setStage] = useState<'closed' | 'reason' | 'confirm'>('closed');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (stage === 'closed')
    return (
      <button type="button" className="secondary" onClick={() => setStage('reason')}>
        Withdraw
      </button>
    );
  const withdraw = async () => {
    setProblem(null);
    setBusy(true);
    const { error } = await api.POST('/api/declarations/{id}/cancellation', {
      params: { path: { id: d.id } },
      body: { reason: reason.trim(), ...(d.version !== undefined ? { version: d.version } : {}) },
    });
    setBusy(false);
    if (error) {
      setStage('reason');
      return setProblem(error);
    }
    setStage('closed');
    onDone(`Declaration ${d.reference} withdrawn.`);
  };
  return (
    <form
      className="withdraw"
      aria-label={`Withdraw declaration ${d.reference}`}
      onSubmit={(e) => {
        e.preventDefault();
        setProblem(null);
        setStage('confirm');
      }}
    >
      <h3>Withdraw {d.reference}</h3>
      <FormField label="Why it is withdrawn" problem={problem} field="/body/reason">
        <textarea
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          rows={2}
          maxLength={512}
          required
          readOnly={stage === 'confirm'}
        />
      </FormField>
      <ProblemAlert problem={problem} labels={{ '/body/reason': 'Why it is withdrawn' }} />
      {stage === 'confirm' ? (
        <div className="confirm" role="alertdialog" aria-labelledby={`confirm-${d.id}`}>
          <p id={`confirm-${d.id}`}>
            Withdraw declaration {d.reference}? This cannot be undone: to ship the goods you will
            have to lodge a new declaration.
          </p>
          <div className="actions">
            <button type="button" disabled={busy} onClick={() => void withdraw()}>
              Yes, withdraw it
            </button>
            <button type="button" className="secondary" onClick={() => setStage('reason')}>
              No, keep it
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="submit">Withdraw…</button>
          <button type="button" className="secondary" onClick={() => setStage('closed')}>
            Cancel
          </button>
        </div>
      )}
    </form>
  );
}
