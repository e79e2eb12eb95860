import { useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { useAsync } from '../../components/AsyncView.js';
import { ConfirmActionDialog } from '../../components/ConfirmActionDialog.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime } from '../../format.js';
import { nextDeadline, partyOf } from '../ipr/Cases.js';
import { bodyField, DEADLINE_WORDS, PARTY_WORDS, stageWords } from '../ipr/words.js';

/** Where the goods can still be detained from. */
const DETAINABLE = ['lodged', 'awaiting-control', 'under-control', 'held'];

/**
 * Intellectual property on a declaration's page: whoever may read detention cases sees that the
 * goods are detained, where the case stands and their own deadline, with a link to the case; an
 * officer who may suspend release, and finds no case yet, may detain the goods.
 */
export function IprSection({
  id,
  reference,
  status,
  items,
  me,
  onChange,
}: {
  id: string;
  reference: string;
  /** The control's status (customs), or null when the reader follows no control. */
  status: string | null;
  items: ReadonlyArray<{ sequence: number; description?: string | null; brand?: string | null }>;
  me: Me;
  onChange: () => void;
}) {
  const reads = me.may('read', 'ipr-case');
  const [tick, setTick] = useState(0);
  const view = useAsync(
    () =>
      reads
        ? api.GET('/api/ipr/cases', { params: { query: { declarationId: id } } })
        : Promise.resolve({ data: [] }),
    [id, reads, tick],
  );
  if (!reads) return null;
  if (view.error) return <ProblemAlert problem={view.error} />;
  if (view.data === undefined) return null;
  const v = view.data[0];
  if (v) {
    const party = partyOf(me);
    const mine = party === 'customs' ? null : party;
    const due = nextDeadline(v, mine);
    return (
      <section aria-labelledby="ipr-detention" className="ipr-detention">
        <h2 id="ipr-detention">
          {v.case.closed ? 'Intellectual property: case closed' : 'Detained: intellectual property'}
        </h2>
        <p className="verdict">
          {v.case.closed
            ? `The goods were ${stageWords(v.state.stage)}.`
            : `Release is suspended: the goods are suspected of infringing ${v.case.rights
                .map((r) => `“${r.mark}”`)
                .join(', ')}. Stage: ${stageWords(v.state.stage)}.`}
        </p>
        {due && (
          <p className="deadline">
            <strong>{mine ? 'Your deadline' : `Next deadline (${PARTY_WORDS[due.party]})`}:</strong>{' '}
            {DEADLINE_WORDS[due.kind] ?? due.kind} by {formatDateTime(due.dueAt)}
            {mine === 'declarant' && due.kind === 'declarant-answer'
              ? '. Without an answer you are taken to agree to destruction.'
              : '.'}
          </p>
        )}
        <p>
          <a href={`#/ipr/cases/${encodeURIComponent(v.case.id)}`}>
            {mine ? 'Open the case to answer' : 'Open the IPR case'}
          </a>
        </p>
      </section>
    );
  }
  if (!me.may('hold', 'ipr-case') || status === null || !DETAINABLE.includes(status)) return null;
  return (
    <Suspend
      id={id}
      reference={reference}
      items={items}
      onDone={() => {
        setTick((t) => t + 1);
        onChange();
      }}
    />
  );
}

function Suspend({
  id,
  reference,
  items,
  onDone,
}: {
  id: string;
  reference: string;
  items: ReadonlyArray<{ sequence: number; description?: string | null; brand?: string | null }>;
  onDone: () => void;
}) {
  const [grounds, setGrounds] = useState('');
  const [mark, setMark] = useState('');
  const [perishable, setPerishable] = useState(false);
  const [small, setSmall] = useState(false);
  const [infringement, setInfringement] = useState<'counterfeit' | 'pirated' | 'other'>(
    'counterfeit',
  );
  const [postal, setPostal] = useState(true);
  const [units, setUnits] = useState('1');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const detain = async () => {
    setAsking(false);
    setBusy(true);
    setProblem(null);
    const { error } = await api.POST('/api/declarations/{id}/ipr-case', {
      params: { path: { id } },
      body: {
        grounds,
        ...(perishable ? { perishable } : {}),
        ...(mark.trim() ? { mark: mark.trim() } : {}),
        ...(small
          ? { smallConsignment: { infringement, postalOrExpress: postal, units: Number(units) } }
          : {}),
      },
    });
    setBusy(false);
    if (error) setProblem(error);
    else onDone();
  };
  const brands = items.map((i) => i.brand).filter(Boolean);
  return (
    <details className="ipr-suspend">
      <summary>Suspend release (intellectual property)</summary>
      <form
        aria-label="Suspend release for intellectual property"
        onSubmit={(e) => {
          e.preventDefault();
          setAsking(true);
        }}
      >
        <p className="note">
          Detains the goods and opens the case: the declarant and the right holder are notified at
          once and their deadlines start.
          {brands.length > 0 ? ` Brands declared: ${brands.join(', ')}.` : ''}
        </p>
        <FormField
          label="Grounds for suspicion"
          hint="The declarant and the right holder read it"
          problem={problem}
          field={bodyField('/grounds')}
        >
          <textarea rows={3} value={grounds} onChange={(e) => setGrounds(e.target.value)} />
        </FormField>
        <FormField
          label="Mark (ex officio)"
          hint="Only when no application for action covers these goods"
          problem={problem}
          field={bodyField('/mark')}
        >
          <input value={mark} onChange={(e) => setMark(e.target.value)} />
        </FormField>
        <label className="check">
          <input
            type="checkbox"
            checked={perishable}
            onChange={(e) => setPerishable(e.target.checked)}
          />
          Perishable goods (3 working days, no extension)
        </label>
        <label className="check">
          <input type="checkbox" checked={small} onChange={(e) => setSmall(e.target.checked)} />
          Small consignment (a postal or express parcel of at most three items, or under 2 kg)
        </label>
        {small && (
          <fieldset>
            <legend>Small consignment</legend>
            <FormField
              label="Suspected infringement"
              problem={problem}
              field={bodyField('/smallConsignment/infringement')}
            >
              <select
                value={infringement}
                onChange={(e) => setInfringement(e.target.value as typeof infringement)}
              >
                <option value="counterfeit">Counterfeit goods</option>
                <option value="pirated">Pirated goods</option>
                <option value="other">Another infringement</option>
              </select>
            </FormField>
            <label className="check">
              <input
                type="checkbox"
                checked={postal}
                onChange={(e) => setPostal(e.target.checked)}
              />
              Sent by post or express courier
            </label>
            <FormField
              label="Number of items"
              problem={problem}
              field={bodyField('/smallConsignment/units')}
            >
              <input
                type="number"
                min={1}
                value={units}
                onChange={(e) => setUnits(e.target.value)}
              />
            </FormField>
          </fieldset>
        )}
        <ProblemAlert problem={problem} labels={{ '/grounds': 'Grounds for suspicion' }} />
        <button type="submit" disabled={busy}>
          Suspend release…
        </button>
        <ConfirmActionDialog
          open={asking}
          title={`Suspend release of ${reference}?`}
          confirmLabel="Suspend release"
          onConfirm={() => void detain()}
          onCancel={() => setAsking(false)}
          busy={busy}
        >
          <p>
            The goods stay detained until the procedure ends in their destruction or release.
            Grounds: {grounds || '—'}
          </p>
        </ConfirmActionDialog>
      </form>
    </details>
  );
}
