import { useState, type FormEvent } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import type { ControlForm } from '../../domain.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { ConfirmActionDialog } from '../../components/ConfirmActionDialog.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { InspectionForm } from './InspectionForm.js';
import { CONTROL_FORM_WORDS, FINDING_WORDS, statusWords, type Control } from './words.js';

/**
 * The control of a declaration and what the officer may do now: exactly the actions the server
 * lists in `nextActions` (assign, inspect, correct, hold, refer, release), each with its own
 * errors; release and hold are confirmed first.
 */
export function ControlSection({
  id,
  reference,
  control,
  items,
  suggested,
  me,
  onChange,
}: {
  id: string;
  reference: string;
  control: Control;
  items: number[];
  suggested: ControlForm | null;
  me: Me;
  onChange: () => void;
}) {
  const next = new Set(control.nextActions);
  const entrySummary = control.kind === 'cargo-report';
  return (
    <section aria-labelledby="control">
      <h2 id="control">Control</h2>
      <p className="control-status">
        Status: <strong>{statusWords(control.status)}</strong>;{' '}
        {control.outcome.controlled
          ? control.outcome.finding
            ? 'controlled, something was found'
            : 'controlled, goods as declared'
          : 'not controlled yet'}
        .{' '}
        {control.assignee
          ? `Assigned to ${control.assignee.self ? 'you' : control.assignee.displayName}.`
          : 'Not assigned to anyone.'}
      </p>
      {entrySummary && (
        <p className="note">
          This is an entry summary declaration (a cargo report lodged before arrival): the goods are
          released or held on their customs declaration, not here.{' '}
          {me.may('read', 'cargo-report') && (
            <a href={`#/cargo/${encodeURIComponent(id)}`}>
              Open the cargo report and its referrals
            </a>
          )}
        </p>
      )}
      <Records control={control} />
      {next.has('assign') && <Assign id={id} control={control} onDone={onChange} />}
      {(next.has('inspect') || next.has('correct')) && (
        <InspectionForm
          id={id}
          control={control}
          items={items}
          correct={next.has('correct')}
          suggested={suggested}
          onDone={onChange}
        />
      )}
      {next.has('refer') && <Refer id={id} control={control} onDone={onChange} />}
      {next.has('hold') && <Hold id={id} reference={reference} onDone={onChange} />}
      {next.has('release') && <Release id={id} reference={reference} onDone={onChange} />}
      {control.releaseBlocked && <p className="note release-blocked">{control.releaseBlocked}</p>}
    </section>
  );
}

function Records({ control }: { control: Control }) {
  return (
    <>
      {control.inspections.length > 0 && (
        <ul className="inspections" aria-label="Inspections">
          {control.inspections.map((i) => (
            <li key={i.id}>
              {formatDateTime(i.recordedAt)}: {CONTROL_FORM_WORDS[i.controlForm]},{' '}
              {i.result === 'compliant' ? 'compliant' : 'not compliant'}
              {i.findings.length > 0
                ? ` (${i.findings.map((f) => FINDING_WORDS[f]).join(', ')})`
                : ''}
              {i.corrects ? ', correcting an earlier record' : ''} — {i.findingsText}
            </li>
          ))}
        </ul>
      )}
      {control.seizures.length > 0 && (
        <ul className="seizures" aria-label="Seizures">
          {control.seizures.map((s) => (
            <li key={s.id}>
              Seized item {s.itemSequence}: {formatNumber(s.quantity)} {s.unit}, about{' '}
              {formatNumber(s.estimatedValue, 2)} {s.currency}, stored at {s.storageLocation}
            </li>
          ))}
        </ul>
      )}
      {control.referrals.length > 0 && (
        <ul className="referrals" aria-label="Referrals">
          {control.referrals.map((r) => (
            <li key={r.id}>
              Referred {formatDateTime(r.at)}: {r.reason}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Runs an action; its problem stays by the action, cleared on the next attempt. */
function useAction(onDone: () => void) {
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<{ error?: unknown }>) => {
    setProblem(null);
    setBusy(true);
    const { error } = await call();
    setBusy(false);
    if (error) setProblem(error);
    else onDone();
    return !error;
  };
  return { problem, busy, run };
}

function Assign({ id, control, onDone }: { id: string; control: Control; onDone: () => void }) {
  const { problem, busy, run } = useAction(onDone);
  const others = control.assignees.filter((a) => !a.self);
  const self = control.assignees.find((a) => a.self);
  const [to, setTo] = useState(others[0]?.username ?? '');
  const assign = (officer: string) =>
    void run(() =>
      api.POST('/api/declarations/{id}/assign', {
        params: { path: { id } },
        body: { officer },
      }),
    );
  return (
    <div className="assign" role="group" aria-label="Assign">
      <h3>Assign</h3>
      <div className="actions">
        {self && (
          <button type="button" disabled={busy} onClick={() => assign(self.username)}>
            Take it myself
          </button>
        )}
        {others.length > 0 && (
          <form
            className="filters"
            aria-label="Assign to a colleague"
            onSubmit={(e) => {
              e.preventDefault();
              assign(to);
            }}
          >
            <FormField label="Colleague" problem={problem} field="/officer">
              <select value={to} onChange={(e) => setTo(e.target.value)}>
                {others.map((a) => (
                  <option key={a.username} value={a.username}>
                    {a.displayName}
                  </option>
                ))}
              </select>
            </FormField>
            <button type="submit" disabled={busy}>
              Assign to colleague
            </button>
          </form>
        )}
      </div>
      <ProblemAlert problem={problem} labels={{ '/officer': 'Colleague' }} />
    </div>
  );
}

function Refer({ id, control, onDone }: { id: string; control: Control; onDone: () => void }) {
  const { problem, busy, run } = useAction(onDone);
  // The environmental agency first: the usual partner for waste and CITES.
  const agencies = [...control.referTo].sort(
    (a, b) => Number(b.kind === 'environment') - Number(a.kind === 'environment'),
  );
  const [agency, setAgency] = useState(agencies[0]?.code ?? '');
  const [question, setQuestion] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(() =>
      api.POST('/api/declarations/{id}/refer', {
        params: { path: { id } },
        body: { agency, reason: question },
      }),
    ).then((ok) => ok && setQuestion(''));
  };
  return (
    <form onSubmit={submit} aria-label="Refer to another agency" className="refer">
      <h3>Refer to another agency</h3>
      <FormField label="Agency" problem={problem} field="/agency">
        <select value={agency} onChange={(e) => setAgency(e.target.value)}>
          {agencies.map((a) => (
            <option key={a.code} value={a.code}>
              {a.name}
            </option>
          ))}
        </select>
      </FormField>
      <FormField label="Question for the agency" problem={problem} field="/reason">
        <textarea value={question} onChange={(e) => setQuestion(e.target.value)} rows={2} />
      </FormField>
      <ProblemAlert problem={problem} labels={{ '/agency': 'Agency', '/reason': 'Question' }} />
      <button type="submit" disabled={busy}>
        Refer
      </button>
    </form>
  );
}

function Hold({ id, reference, onDone }: { id: string; reference: string; onDone: () => void }) {
  const { problem, busy, run } = useAction(onDone);
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const hold = () => {
    setAsking(false);
    void run(() =>
      api.POST('/api/declarations/{id}/hold', {
        params: { path: { id } },
        body: { reason },
      }),
    );
  };
  return (
    <form
      aria-label="Hold the goods"
      className="hold"
      onSubmit={(e) => {
        e.preventDefault();
        setAsking(true);
      }}
    >
      <h3>Hold the goods</h3>
      <FormField
        label="Reason for holding"
        hint="Recorded with the hold; the trader is told the goods are held."
        problem={problem}
        field="/reason"
      >
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
      </FormField>
      <ProblemAlert problem={problem} labels={{ '/reason': 'Reason for holding' }} />
      <button type="submit" disabled={busy}>
        Hold…
      </button>
      <ConfirmActionDialog
        open={asking}
        title={`Hold the goods of ${reference}?`}
        confirmLabel="Hold the goods"
        onConfirm={hold}
        onCancel={() => setAsking(false)}
      >
        <p>The goods stay at the border until the hold is settled. Reason: {reason || '—'}</p>
      </ConfirmActionDialog>
    </form>
  );
}

function Release({ id, reference, onDone }: { id: string; reference: string; onDone: () => void }) {
  const { problem, busy, run } = useAction(onDone);
  const [asking, setAsking] = useState(false);
  const release = () => {
    setAsking(false);
    void run(() => api.POST('/api/declarations/{id}/release', { params: { path: { id } } }));
  };
  return (
    <div className="release" role="group" aria-label="Release">
      <h3>Release</h3>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => setAsking(true)}>
          Release…
        </button>
      </div>
      <ProblemAlert problem={problem} />
      <ConfirmActionDialog
        open={asking}
        title={`Release the goods of ${reference}?`}
        confirmLabel="Release the goods"
        onConfirm={release}
        onCancel={() => setAsking(false)}
      >
        <p>Released goods leave customs control; this cannot be undone.</p>
      </ConfirmActionDialog>
    </div>
  );
}
