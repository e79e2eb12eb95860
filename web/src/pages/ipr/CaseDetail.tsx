import { useEffect, useRef, useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { ConfirmActionDialog } from '../../components/ConfirmActionDialog.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import {
  canRecord,
  IPR_EVENT_PARTY,
  IPR_EVENT_TITLES,
  IPR_EVENT_TYPES,
  type IprEvent,
  type IprEventType,
  type IprParty,
} from '../../domain.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { PartnerChoice } from '../exchange/Compose.js';
import { partyOf } from './Cases.js';
import type { CaseView, Deadline, EventBody } from './types.js';
import {
  bodyField,
  DEADLINE_WORDS,
  MATCH_WORDS,
  PARTY_WORDS,
  PROCEDURE_WORDS,
  rightWords,
  stageWords,
} from './words.js';

const STATUS_WORDS: Readonly<Record<Deadline['status'], string>> = {
  open: 'running',
  met: 'done in time',
  missed: 'passed',
};

/** The case's events as the procedure reads them. */
const eventsOf = (v: CaseView) => v.case.events.map((e) => e.event as unknown as IprEvent);

/**
 * The steps the procedure lets a party record now, asked of the same pure procedure the server
 * runs (the server checks again when the step is sent).
 */
export function stepsOpenTo(v: CaseView, party: IprParty, now = new Date()): IprEventType[] {
  const facts = {
    procedure: v.case.procedure,
    perishable: v.case.perishable,
    suspendedAt: v.case.suspendedAt,
  };
  const past = eventsOf(v);
  const at = now.toISOString();
  return IPR_EVENT_TYPES.filter((type) => {
    if (IPR_EVENT_PARTY[type] !== party) return false;
    const probe = {
      type,
      at,
      agreesToDestruction: true,
      workingDays: 1,
      justification: '-',
      reason: '-',
    } as IprEvent;
    return canRecord(v.calendar, facts, past, probe).ok;
  });
}

/**
 * One detention case: the goods and rights in question, where it stands and why, every deadline
 * with whose it is, what each party does next, the steps the user may record now, the history,
 * and (for customs) the report to partners.
 */
export function CaseDetail({ id, me, onChanged }: { id: string; me: Me; onChanged: () => void }) {
  const view = useAsync(() => api.GET('/api/ipr/cases/{id}', { params: { path: { id } } }), [id]);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    void ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  const party = partyOf(me);
  const changed = () => {
    view.reload();
    onChanged();
  };
  return (
    <section ref={ref} className="detail ipr-case" aria-labelledby="ipr-case-title">
      <AsyncView state={view} isEmpty={() => false}>
        {(v) => {
          const c = v.case;
          const s = v.state;
          return (
            <>
              <h2 id="ipr-case-title">
                Detention of {c.declarationReference}{' '}
                <span className={`ipr-stage ${s.stage}`}>{stageWords(s.stage)}</span>
              </h2>
              {s.outcomeReason && <p className="verdict">{s.outcomeReason}.</p>}
              {s.overdue.length > 0 && (
                <div role="alert" className="warning">
                  <strong>Overdue:</strong>{' '}
                  {s.overdue
                    .map(
                      (d) =>
                        `${DEADLINE_WORDS[d.kind] ?? d.kind} was due ${formatDateTime(d.dueAt)}`,
                    )
                    .join('; ')}
                  .
                </div>
              )}
              <dl className="facts" aria-label="Case">
                <dt>Declaration</dt>
                <dd>
                  {me.may('read', 'declaration') || me.may('read', 'control') ? (
                    <a href={`#/declarations/${encodeURIComponent(c.declarationId)}`}>
                      {c.declarationReference}
                    </a>
                  ) : (
                    c.declarationReference
                  )}
                </dd>
                <dt>Procedure</dt>
                <dd>
                  {PROCEDURE_WORDS[c.procedure]}
                  {c.perishable ? '; perishable goods' : ''}
                </dd>
                <dt>Detained</dt>
                <dd>{formatDateTime(c.suspendedAt)}</dd>
                <dt>Grounds</dt>
                <dd>{c.grounds}</dd>
                <dt>Right holder</dt>
                <dd>{c.holderName ?? 'none identified yet'}</dd>
                <dt>Declarant</dt>
                <dd>{c.declarantName}</dd>
                <dt>Extension</dt>
                <dd>{s.extensionUsed ? 'granted once (no further extension)' : 'not used'}</dd>
              </dl>
              <h3>Rights in question</h3>
              <ul aria-label="Rights in question">
                {c.rights.map((r, k) => (
                  <li key={k}>
                    {r.registrationNumber ? rightWords(r) : `“${r.mark}” (no application yet)`}:
                    declared as “{r.matchedText}”, {MATCH_WORDS[r.match] ?? r.match}
                  </li>
                ))}
              </ul>
              <DataTable
                label="Goods detained"
                rows={c.items}
                rowKey={(g) => String(g.sequence)}
                columns={[
                  { key: 'seq', header: '#', cell: (g) => g.sequence },
                  { key: 'hs', header: 'HS code', cell: (g) => g.hs },
                  { key: 'description', header: 'Description', cell: (g) => g.description },
                  { key: 'brand', header: 'Brand declared', cell: (g) => g.brand || '—' },
                  {
                    key: 'quantity',
                    header: 'Quantity',
                    className: 'num',
                    cell: (g) =>
                      g.quantity === null ? '—' : `${formatNumber(g.quantity)} ${g.unit ?? ''}`,
                  },
                  {
                    key: 'gross',
                    header: 'Gross mass (kg)',
                    className: 'num',
                    cell: (g) => (g.grossMassKg === null ? '—' : formatNumber(g.grossMassKg, 1)),
                  },
                ]}
              />
              <h3>What happens next</h3>
              {s.nextActions.length === 0 ? (
                <p className="empty">Nothing: the case is closed.</p>
              ) : (
                <ul aria-label="Next actions" className="next-actions">
                  {s.nextActions.map((a, k) => (
                    <li key={k} className={a.party === party ? 'yours' : undefined}>
                      <strong>{a.party === party ? 'You' : PARTY_WORDS[a.party]}:</strong>{' '}
                      {a.action}
                      {a.dueAt ? `, by ${formatDateTime(a.dueAt)}` : ''}
                    </li>
                  ))}
                </ul>
              )}
              <DataTable<Deadline>
                label="Deadlines"
                rows={s.deadlines}
                rowKey={(d) => `${d.kind}:${d.party}`}
                emptyText="No deadline runs yet."
                rowClassName={(d) => (d.status === 'missed' && !d.met ? 'overdue-row' : undefined)}
                columns={[
                  {
                    key: 'what',
                    header: 'Deadline',
                    cell: (d) => DEADLINE_WORDS[d.kind] ?? d.kind,
                  },
                  {
                    key: 'who',
                    header: 'Whose',
                    cell: (d) => (d.party === party ? 'yours' : PARTY_WORDS[d.party]),
                  },
                  {
                    key: 'due',
                    header: 'Due (end of working day)',
                    cell: (d) => (
                      <>
                        {formatDateTime(d.dueAt)}
                        <div className="note">
                          {d.dueLocalDate} in {v.calendar.timeZone}
                        </div>
                      </>
                    ),
                  },
                  { key: 'status', header: 'Status', cell: (d) => STATUS_WORDS[d.status] },
                ]}
              />
              {party && !c.closed && <RecordStep view={v} party={party} onDone={changed} />}
              {party === 'customs' && me.may('send', 'exchange-message') && (
                <ReportToPartners id={c.id} />
              )}
              <h3>History</h3>
              <ol className="history" aria-label="History">
                <li>
                  {formatDateTime(c.suspendedAt)}: release suspended (detention) — {c.grounds}
                </li>
                {c.events.map((e) => (
                  <li key={e.seq}>
                    {formatDateTime(e.event.at)}: {IPR_EVENT_TITLES[e.event.type]}
                    {eventDetail(e.event as unknown as IprEvent)}
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}

function eventDetail(e: IprEvent): string {
  switch (e.type) {
    case 'holder-confirmed':
      return e.agreesToDestruction ? ', agreeing to destruction' : ', not agreeing to destruction';
    case 'extension-granted':
      return ` by ${e.workingDays} working day${e.workingDays === 1 ? '' : 's'}: ${e.justification}`;
    case 'cleared':
      return `: ${e.reason}`;
    default:
      return '';
  }
}

/** What a step says to whoever confirms it. */
const CONSEQUENCE: Partial<Record<IprEventType, string>> = {
  'holder-confirmed': 'You confirm that the goods infringe your right.',
  'holder-withdrew': 'Without your confirmation the goods are released.',
  'proceedings-started': 'The goods stay detained until the court decides.',
  'declarant-agreed': 'The goods will be destroyed under customs control, at no cost to you.',
  'declarant-objected':
    'The right holder is told; unless it starts court proceedings in time, the goods are released.',
  destroyed: 'The goods are recorded as destroyed and seized on the declaration; this is final.',
  released: 'The goods leave detention; the officer then releases them as for any control.',
  cleared: 'Customs finds no infringement: the goods leave detention.',
};

/** The steps of the user's party that the procedure allows now, one form for all of them. */
function RecordStep({
  view: v,
  party,
  onDone,
}: {
  view: CaseView;
  party: IprParty;
  onDone: () => void;
}) {
  const steps = stepsOpenTo(v, party);
  const [type, setType] = useState<IprEventType | ''>(steps[0] ?? '');
  const [agrees, setAgrees] = useState(true);
  const [days, setDays] = useState('10');
  const [text, setText] = useState('');
  const [applicationId, setApplicationId] = useState('');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const accepted = useAsync(
    () =>
      type === 'application-accepted'
        ? api.GET('/api/ipr/applications', { params: { query: { status: 'accepted' } } })
        : Promise.resolve({ data: [] }),
    [type],
  );
  const chosen = type !== '' && steps.includes(type) ? type : (steps[0] ?? '');
  if (steps.length === 0)
    return (
      <p className="note">
        {party === 'customs'
          ? 'No step of customs is due now.'
          : 'Nothing for you to record now; the deadlines above say what comes next.'}
      </p>
    );

  const body = (): EventBody => {
    const t = chosen as IprEventType;
    if (t === 'holder-confirmed') return { type: t, agreesToDestruction: agrees };
    if (t === 'extension-granted')
      return { type: t, workingDays: Number(days), justification: text.trim() };
    if (t === 'cleared') return { type: t, reason: text.trim() };
    if (t === 'application-accepted') return { type: t, applicationId };
    return { type: t };
  };
  const send = async () => {
    setAsking(false);
    setBusy(true);
    setProblem(null);
    const { error } = await api.POST('/api/ipr/cases/{id}/events', {
      params: { path: { id: v.case.id } },
      body: body(),
    });
    setBusy(false);
    if (error) setProblem(error);
    else {
      setText('');
      onDone();
    }
  };
  const title = chosen ? IPR_EVENT_TITLES[chosen] : '';
  return (
    <form
      aria-label="Record a step"
      className="ipr-step"
      onSubmit={(e) => {
        e.preventDefault();
        setAsking(true);
      }}
    >
      <h3>{party === 'customs' ? 'Record a step of customs' : 'Your answer'}</h3>
      <FormField label="Step" problem={problem} field={bodyField('/type')}>
        <select value={chosen} onChange={(e) => setType(e.target.value as IprEventType)}>
          {steps.map((s) => (
            <option key={s} value={s}>
              {IPR_EVENT_TITLES[s]}
            </option>
          ))}
        </select>
      </FormField>
      {chosen === 'holder-confirmed' && (
        <label className="check">
          <input type="checkbox" checked={agrees} onChange={(e) => setAgrees(e.target.checked)} />I
          agree to the destruction of the goods
        </label>
      )}
      {chosen === 'extension-granted' && (
        <FormField
          label="Extra working days"
          hint="Once per case, at most 10 working days, never for perishable goods."
          problem={problem}
          field={bodyField('/workingDays')}
        >
          <input
            type="number"
            min={1}
            max={10}
            value={days}
            onChange={(e) => setDays(e.target.value)}
          />
        </FormField>
      )}
      {(chosen === 'extension-granted' || chosen === 'cleared') && (
        <FormField
          label={
            chosen === 'cleared'
              ? 'Why customs clears the goods'
              : "The right holder's justification"
          }
          problem={problem}
          field={bodyField(chosen === 'cleared' ? '/reason' : '/justification')}
        >
          <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} />
        </FormField>
      )}
      {chosen === 'application-accepted' && (
        <FormField
          label="Accepted application"
          problem={problem}
          field={bodyField('/applicationId')}
        >
          <select value={applicationId} onChange={(e) => setApplicationId(e.target.value)}>
            <option value="">Choose…</option>
            {(accepted.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.applicant.name}: {a.rights.map((r) => r.mark).join(', ')}
              </option>
            ))}
          </select>
        </FormField>
      )}
      <ProblemAlert problem={problem} />
      <button type="submit" disabled={busy}>
        Record…
      </button>
      <ConfirmActionDialog
        open={asking}
        title={`${title}?`}
        confirmLabel={`Record: ${title}`}
        onConfirm={() => void send()}
        onCancel={() => setAsking(false)}
        busy={busy}
      >
        <p>
          {CONSEQUENCE[chosen as IprEventType] ??
            'The step is recorded with the time now; the deadlines that follow from it start.'}
        </p>
      </ConfirmActionDialog>
    </form>
  );
}

/** Customs sends the case's detention report to partners whose agreement covers IPR reports. */
function ReportToPartners({ id }: { id: string }) {
  const partners = useAsync(() => api.GET('/api/exchange/partners'), []);
  const [to, setTo] = useState<string[]>([]);
  const [includeParties, setIncludeParties] = useState(false);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    setProblem(null);
    setSent(null);
    const { data, error } = await api.POST('/api/ipr/cases/{id}/report', {
      params: { path: { id } },
      body: {
        to,
        ...(includeParties ? { includeParties } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      },
    });
    setBusy(false);
    if (error) setProblem(error);
    else setSent(`Report queued for ${data.map((m) => m.to).join(', ')}.`);
  };
  return (
    <details className="ipr-report">
      <summary>Report to partner administrations</summary>
      <form
        aria-label="Report to partners"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <AsyncView state={partners} emptyText="No partner administrations are set up.">
          {(list) => (
            <PartnerChoice
              partners={list}
              type="ipr.report"
              value={to}
              onChange={setTo}
              problem={problem}
            />
          )}
        </AsyncView>
        <label className="check">
          <input
            type="checkbox"
            checked={includeParties}
            onChange={(e) => setIncludeParties(e.target.checked)}
          />
          Name the declarant and consignor (only where the agreement allows nominal data)
        </label>
        <FormField label="Note to partners" problem={problem} field={bodyField('/note')}>
          <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </FormField>
        <ProblemAlert problem={problem} labels={{ '/to': 'Partners' }} />
        {sent && <p role="status">{sent}</p>}
        <button type="submit" disabled={busy || to.length === 0}>
          Send the report
        </button>
      </form>
    </details>
  );
}
