import { useEffect, useRef, useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { ConfirmActionDialog } from '../../components/ConfirmActionDialog.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { caseMonthWords, caseStatusWords } from './Cases.js';
import { periodWords } from './Reconciliation.js';
import type { CaseHistoryEntry, CasePeriod, EnergyCase } from './types.js';
import {
  CASE_HISTORY_WORDS,
  CASE_KIND_WORDS,
  CASE_RESOLUTION_WORDS,
  DIRECTION_WORDS,
  METERED_BY_WORDS,
  MONTH_OUTCOME_WORDS,
  outcomeWords,
  percent,
  quantity,
  UNIT_OF,
} from './words.js';

type Action = 'close' | 'reopen' | 'note' | 'alert';

const LABELS = {
  '/body/note': 'Note',
  '/body/resolution': 'Resolution',
  '/note': 'Note',
  '/resolution': 'Resolution',
};

/** A conflict, as people read it: someone else changed the case since it was read. */
const CHANGED = {
  title: 'The case changed: reload',
  detail: 'Someone changed the case since you opened it; reload it and decide again.',
};

/**
 * One reconciliation case: what it is about, both sides' figures of its periods, the month's
 * total, the bias or the declaration it concerns, the alerts sent and its history; those who may
 * decide close it with a resolution, reopen it, add a note or alert the partner.
 */
export function CaseDetail({
  id,
  me,
  onChanged,
  onClose,
}: {
  id: string;
  me: Me;
  onChanged: () => void;
  onClose: () => void;
}) {
  const state = useAsync(
    () => api.GET('/api/energy/cases/{id}', { params: { path: { id } } }),
    [id],
  );
  // The point names the unit the figures are in (MWh for power and gas, tonnes for oil).
  const pointId = state.data?.pointId;
  const point = useAsync(
    () =>
      pointId
        ? api.GET('/api/energy/points/{id}', { params: { path: { id: pointId } } })
        : Promise.resolve({ data: undefined }),
    [pointId],
  );
  const unit = point.data ? (UNIT_OF[point.data.commodity] ?? '') : '';
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'start' });
  }, [id]);
  return (
    <section ref={ref} className="detail energy-case" aria-labelledby="energy-case-title">
      <AsyncView state={state} isEmpty={() => false}>
        {(c) => (
          <CaseView
            c={c}
            unit={unit}
            pointName={point.data?.name}
            mayDecide={me.may('decide', 'energy-case')}
            onChanged={() => {
              state.reload();
              onChanged();
            }}
            onClose={onClose}
          />
        )}
      </AsyncView>
    </section>
  );
}

function CaseView({
  c,
  unit,
  pointName,
  mayDecide,
  onChanged,
  onClose,
}: {
  c: EnergyCase;
  unit: string;
  pointName: string | undefined;
  mayDecide: boolean;
  onChanged: () => void;
  onClose: () => void;
}) {
  const kind = CASE_KIND_WORDS[c.kind] ?? c.kind;
  return (
    <>
      <h2 id="energy-case-title">
        {kind}, {caseMonthWords(c.month)}
      </h2>
      <p className="energy-summary">{c.summary}</p>
      <dl className="facts" aria-label="Case">
        <dt>Point</dt>
        <dd>
          <a href={`#/energy/${encodeURIComponent(c.pointId)}`}>{pointName ?? c.pointId}</a>
          {pointName ? ` (${c.pointId})` : ''}; partner {c.partner}
        </dd>
        <dt>Direction</dt>
        <dd>energy {DIRECTION_WORDS[c.direction]}</dd>
        <dt>Period</dt>
        <dd>{periodWords(c.periodStart, c.periodEnd)}</dd>
        <dt>Status</dt>
        <dd>
          <strong className={`energy-case-status ${c.status}`}>{caseStatusWords(c)}</strong>
        </dd>
        <dt>Opened</dt>
        <dd>{formatDateTime(c.openedAt)}</dd>
        <dt>Last changed</dt>
        <dd>
          {formatDateTime(c.updatedAt)} (version {c.version})
        </dd>
      </dl>

      {c.periods.length > 0 && (
        <>
          <h3>Figures of both sides</h3>
          <p className="note">
            {c.periodCount > c.periods.length
              ? `The first ${formatNumber(c.periods.length)} of ${formatNumber(c.periodCount)} periods; `
              : ''}
            at the importer’s side of the losses, in {unit}.
          </p>
          <DataTable<CasePeriod>
            label="Figures of both sides"
            rows={c.periods}
            rowKey={(p) => p.start}
            pageSize={20}
            columns={[
              {
                key: 'period',
                header: 'Period',
                cell: (p) => periodWords(p.start, p.end),
                sortValue: (p) => p.start,
              },
              {
                key: 'own',
                header: `Our meter (${unit})`,
                className: 'num',
                cell: (p) => (p.own === null ? '—' : formatNumber(p.own, 3)),
              },
              {
                key: 'partner',
                header: `Partner’s (${unit})`,
                className: 'num',
                cell: (p) => (p.partner === null ? '—' : formatNumber(p.partner, 3)),
              },
              {
                key: 'difference',
                header: `Difference (${unit})`,
                className: 'num',
                cell: (p) => (p.difference === null ? '—' : formatNumber(p.difference, 3)),
              },
              {
                key: 'tolerance',
                header: `Tolerance (${unit})`,
                className: 'num',
                cell: (p) => (p.tolerance === null ? '—' : formatNumber(p.tolerance, 3)),
              },
              {
                key: 'outcome',
                header: 'Finding',
                cell: (p) => (
                  <strong className={`energy-outcome ${p.outcome}`}>
                    {outcomeWords(p.outcome)}
                  </strong>
                ),
              },
            ]}
          />
        </>
      )}

      {c.monthTotal && (
        <>
          <h3>Month total</h3>
          <dl className="facts" aria-label="Month total">
            <dt>Our meter</dt>
            <dd>{quantity(c.monthTotal.own, unit)}</dd>
            <dt>Partner’s</dt>
            <dd>{quantity(c.monthTotal.partner, unit)}</dd>
            <dt>Difference</dt>
            <dd>{quantity(c.monthTotal.difference, unit)}</dd>
            <dt>Tolerance</dt>
            <dd>{quantity(c.monthTotal.tolerance, unit)}</dd>
            <dt>Periods with both figures</dt>
            <dd>
              {formatNumber(c.monthTotal.pairedPeriods)} of {formatNumber(c.monthTotal.periods)}
            </dd>
            <dt>Finding</dt>
            <dd>{MONTH_OUTCOME_WORDS[c.monthTotal.outcome] ?? c.monthTotal.outcome}</dd>
          </dl>
        </>
      )}

      {c.bias && (
        <>
          <h3>Bias of the meters</h3>
          <p>
            Our meter reads
            {percent(Math.abs(c.bias.meanRelativeDifference))}{' '}
            {c.bias.higher === 'own' ? 'high' : 'low'} against the partner’s since{' '}
            {formatDateTime(c.bias.from)} ({formatNumber(c.bias.periods)} periods, signalled{' '}
            {formatDateTime(c.bias.signalledAt)}).
          </p>
        </>
      )}

      {c.declaration && (
        <>
          <h3>Declaration</h3>
          <dl className="facts" aria-label="Declaration">
            <dt>Declaration</dt>
            <dd>{c.declaration.reportId}</dd>
            <dt>Declared</dt>
            <dd>{quantity(c.declaration.declared, unit)}</dd>
            <dt>Metered</dt>
            <dd>
              {quantity(c.declaration.metered, unit)}
              {c.declaration.meteredBy
                ? ` (${METERED_BY_WORDS[c.declaration.meteredBy] ?? c.declaration.meteredBy})`
                : ''}
            </dd>
            <dt>Difference</dt>
            <dd>{quantity(c.declaration.difference, unit)}</dd>
            <dt>Tolerance</dt>
            <dd>{quantity(c.declaration.tolerance, unit)}</dd>
            <dt>Finding</dt>
            <dd>{CASE_KIND_WORDS[c.declaration.outcome] ?? c.declaration.outcome}</dd>
          </dl>
        </>
      )}

      <h3>Alerts sent to the partner</h3>
      {c.alerts.length === 0 ? (
        <p className="empty">None yet.</p>
      ) : (
        <ul className="energy-case-alerts" aria-label="Alerts sent to the partner">
          {c.alerts.map((a) => (
            <li key={a.messageId}>
              {formatDateTime(a.at)}: message {a.messageId}
            </li>
          ))}
        </ul>
      )}

      <h3>History</h3>
      <ol className="energy-case-history" aria-label="History of the case">
        {c.history.map((h: CaseHistoryEntry, k) => (
          <li key={k}>
            {formatDateTime(h.at)}: <strong>{CASE_HISTORY_WORDS[h.action] ?? h.action}</strong>
            {h.note ? ` — ${h.note}` : ''}
            {h.messageId ? ` (message ${h.messageId})` : ''}
          </li>
        ))}
      </ol>

      {mayDecide && <Decisions c={c} onChanged={onChanged} />}
      <p>
        <button type="button" className="secondary" onClick={onClose}>
          Back to the cases
        </button>
      </p>
    </>
  );
}

const CONFIRM: Readonly<Record<Action, { title: string; label: string }>> = {
  close: { title: 'Close the case?', label: 'Close the case' },
  reopen: { title: 'Reopen the case?', label: 'Reopen the case' },
  note: { title: 'Add the note to the case?', label: 'Add the note' },
  alert: { title: 'Alert the partner?', label: 'Send the alert' },
};

/** Close with a resolution, reopen, add a note, or alert the partner: each asked first. */
function Decisions({ c, onChanged }: { c: EnergyCase; onChanged: () => void }) {
  const [resolution, setResolution] = useState('');
  const [note, setNote] = useState('');
  const [alertNote, setAlertNote] = useState('');
  const [pending, setPending] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [conflict, setConflict] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const ask = (action: Action) => {
    setDone(null);
    setConflict(false);
    const errors: Array<{ field: string; detail: string }> = [];
    if (action !== 'alert' && note.trim() === '')
      errors.push({ field: '/body/note', detail: 'say why, for the case history' });
    if (action === 'close' && resolution === '')
      errors.push({ field: '/body/resolution', detail: 'choose how the case was resolved' });
    if (errors.length > 0) {
      setProblem({ title: 'Not sent', detail: 'Some fields need attention.', errors });
      return;
    }
    setProblem(null);
    setPending(action);
  };

  const send = async () => {
    if (!pending) return;
    setBusy(true);
    const path = { params: { path: { id: c.id } } };
    const { error, response } =
      pending === 'alert'
        ? await api.POST('/api/energy/cases/{id}/alert', {
            ...path,
            body: {
              expectedVersion: c.version,
              ...(alertNote.trim() ? { note: alertNote.trim() } : {}),
            },
          })
        : await api.POST('/api/energy/cases/{id}/decision', {
            ...path,
            body: {
              action: pending,
              note: note.trim(),
              expectedVersion: c.version,
              ...(pending === 'close' ? { resolution } : {}),
            },
          });
    setBusy(false);
    const action = pending;
    setPending(null);
    if (error || !response.ok) {
      if (response.status === 409) {
        setConflict(true);
        setProblem(CHANGED);
      } else setProblem(error ?? 'No answer from the server.');
      return;
    }
    setProblem(null);
    setNote('');
    setAlertNote('');
    setResolution('');
    setDone(
      action === 'close'
        ? 'The case is closed.'
        : action === 'reopen'
          ? 'The case is open again.'
          : action === 'note'
            ? 'The note is added.'
            : 'The alert was sent to the partner.',
    );
    onChanged();
  };

  return (
    <section className="energy-case-decide" aria-labelledby="energy-case-decide-title">
      <h3 id="energy-case-decide-title">Decide</h3>
      <form aria-label="Decide on the case" onSubmit={(e) => e.preventDefault()}>
        {c.status === 'open' && (
          <FormField
            label="Resolution"
            hint="needed to close the case"
            problem={problem}
            field={['/body/resolution', '/resolution']}
          >
            <select value={resolution} onChange={(e) => setResolution(e.target.value)}>
              <option value="">Choose…</option>
              {Object.entries(CASE_RESOLUTION_WORDS).map(([value, words]) => (
                <option key={value} value={value}>
                  {words}
                </option>
              ))}
            </select>
          </FormField>
        )}
        <FormField
          label="Note"
          hint="why, for the case history (required to close, reopen or annotate)"
          problem={problem}
          field={['/body/note', '/note']}
        >
          <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </FormField>
        <div className="actions">
          {c.status === 'open' ? (
            <button type="button" onClick={() => ask('close')}>
              Close the case
            </button>
          ) : (
            <button type="button" onClick={() => ask('reopen')}>
              Reopen the case
            </button>
          )}
          <button type="button" className="secondary" onClick={() => ask('note')}>
            Add a note
          </button>
          <button type="button" className="secondary" onClick={() => ask('alert')}>
            Alert the partner
          </button>
        </div>
      </form>
      <ProblemAlert problem={problem} labels={LABELS} />
      {conflict && (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setConflict(false);
              setProblem(null);
              onChanged();
            }}
          >
            Reload the case
          </button>
        </p>
      )}
      {done && (
        <p className="status" role="status">
          {done}
        </p>
      )}
      <ConfirmActionDialog
        open={pending !== null}
        title={pending ? CONFIRM[pending].title : ''}
        confirmLabel={pending ? CONFIRM[pending].label : 'Confirm'}
        busy={busy}
        onConfirm={() => void send()}
        onCancel={() => setPending(null)}
      >
        {pending === 'close' && (
          <p>
            The case is closed as “{CASE_RESOLUTION_WORDS[resolution] ?? resolution}”, with your
            note.
          </p>
        )}
        {pending === 'reopen' && <p>The case is opened again, with your note.</p>}
        {pending === 'note' && <p>Your note is added to the case’s history.</p>}
        {pending === 'alert' && (
          <>
            <p>
              A signed alert with both sides’ figures goes to {c.partner} (priority area energy).
            </p>
            <FormField label="Note for the partner" hint="optional">
              <textarea rows={3} value={alertNote} onChange={(e) => setAlertNote(e.target.value)} />
            </FormField>
          </>
        )}
      </ConfirmActionDialog>
    </section>
  );
}
