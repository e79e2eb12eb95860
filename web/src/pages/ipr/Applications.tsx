import { useEffect, useRef, useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime } from '../../format.js';
import { ApplyForm } from './ApplyForm.js';
import type { Application, ApplicationInput, Decision } from './types.js';
import { bodyField, APPLICANT_KIND_WORDS, APPLICATION_STATUS_WORDS, rightWords } from './words.js';

const STATUSES = Object.keys(APPLICATION_STATUS_WORDS) as Application['status'][];

const DECISION_WORDS: Readonly<Record<Decision, string>> = {
  accept: 'Accept (in force from tomorrow)',
  'request-information': 'Ask for more information',
  refuse: 'Refuse',
  extend: 'Extend the validity',
};

/** What customs may decide on an application in each status. */
const DECISIONS_BY_STATUS: Readonly<Record<Application['status'], readonly Decision[]>> = {
  submitted: ['accept', 'request-information', 'refuse'],
  // Awaiting the applicant's answer (completing sends it back to 'submitted').
  'more-information-requested': ['refuse'],
  accepted: ['extend'],
  refused: [],
};

/** The application's content, as lodged (what the right holder may send again, completed). */
function inputOf(a: Application): ApplicationInput {
  return {
    applicant: a.applicant,
    representatives: a.representatives,
    rights: a.rights,
    goods: a.goods,
    authenticFeatures: a.authenticFeatures,
    placesOfProduction: a.placesOfProduction,
    authorisedTraders: a.authorisedTraders,
    knownInfringers: a.knownInfringers,
    knownRoutes: a.knownRoutes,
    smallConsignmentsProcedure: a.smallConsignmentsProcedure,
    undertakings: a.undertakings,
  };
}

const party = (p: { name: string; id?: string; country?: string }) =>
  [p.name, p.id, p.country].filter(Boolean).join(', ');

/**
 * The register of applications for action: a right holder's own, or for customs the
 * administration's, by status; one opens below the list at #/ipr/applications/<id>.
 */
export function ApplicationsSection({ me, selected }: { me: Me; selected: string | undefined }) {
  const [status, setStatus] = useState<Application['status'] | ''>('');
  const list = useAsync(
    () => api.GET('/api/ipr/applications', { params: { query: status ? { status } : {} } }),
    [status],
  );
  return (
    <>
      <div className="filters">
        <FormField label="Status">
          <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {APPLICATION_STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </FormField>
      </div>
      {selected && (
        <ApplicationDetail key={selected} id={selected} me={me} onChanged={list.reload} />
      )}
      <AsyncView
        state={list}
        emptyText={
          me.may('apply', 'ipr-application')
            ? 'You have no applications for action.'
            : 'No applications for action.'
        }
      >
        {(rows) => (
          <DataTable<Application>
            label="Applications for action"
            rows={rows}
            rowKey={(a) => a.id}
            selected={selected ?? null}
            onSelect={(a) => {
              window.location.hash = `#/ipr/applications/${encodeURIComponent(a.id)}`;
            }}
            rowLabel={(a) => `Application of ${a.applicant.name}`}
            columns={[
              {
                key: 'applicant',
                header: 'Applicant',
                cell: (a) => a.applicant.name,
                sortValue: (a) => a.applicant.name,
              },
              {
                key: 'rights',
                header: 'Rights',
                cell: (a) => a.rights.map((r) => r.mark).join(', '),
              },
              {
                key: 'status',
                header: 'Status',
                cell: (a) => APPLICATION_STATUS_WORDS[a.status],
                sortValue: (a) => a.status,
              },
              {
                key: 'valid',
                header: 'In force',
                cell: (a) =>
                  a.validFrom && a.validTo
                    ? `${formatDateTime(a.validFrom)} – ${formatDateTime(a.validTo)}`
                    : '—',
                sortValue: (a) => a.validTo,
              },
              {
                key: 'submitted',
                header: 'Lodged',
                cell: (a) => formatDateTime(a.submittedAt),
                sortValue: (a) => a.submittedAt,
              },
            ]}
          />
        )}
      </AsyncView>
    </>
  );
}

function ApplicationDetail({ id, me, onChanged }: { id: string; me: Me; onChanged: () => void }) {
  const app = useAsync(
    () => api.GET('/api/ipr/applications/{id}', { params: { path: { id } } }),
    [id],
  );
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    void ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  const changed = () => {
    app.reload();
    onChanged();
  };
  return (
    <section ref={ref} className="detail" aria-labelledby="ipr-application-title">
      <AsyncView state={app} isEmpty={() => false}>
        {(a) => (
          <>
            <h2 id="ipr-application-title">
              Application of {a.applicant.name}{' '}
              <span className="note">({APPLICATION_STATUS_WORDS[a.status]})</span>
            </h2>
            {a.customsNote && (
              <p className="verdict">
                <strong>Customs:</strong> {a.customsNote}
              </p>
            )}
            <dl className="facts" aria-label="Application">
              <dt>Applicant</dt>
              <dd>
                {APPLICANT_KIND_WORDS[a.applicant.kind]}: {party(a.applicant)}
                {a.applicant.address ? `; ${a.applicant.address}` : ''}
              </dd>
              <dt>Representatives</dt>
              <dd>{a.representatives.map(party).join('; ') || '—'}</dd>
              <dt>In force</dt>
              <dd>
                {a.validFrom && a.validTo
                  ? `${formatDateTime(a.validFrom)} to ${formatDateTime(a.validTo)}`
                  : 'not yet'}
              </dd>
              <dt>Lodged</dt>
              <dd>{formatDateTime(a.submittedAt)}</dd>
              <dt>Decided</dt>
              <dd>{a.decidedAt ? formatDateTime(a.decidedAt) : '—'}</dd>
              <dt>Goods</dt>
              <dd>{a.goods.map((g) => `${g.hs} ${g.description}`).join('; ')}</dd>
              <dt>Authentic features</dt>
              <dd>
                {a.authenticFeatures
                  .map(
                    (f) =>
                      `${f.description}${f.images.length ? ` (${f.images.length} image${f.images.length === 1 ? '' : 's'})` : ''}`,
                  )
                  .join('; ') || '—'}
              </dd>
              <dt>Places of production</dt>
              <dd>{a.placesOfProduction.join('; ') || '—'}</dd>
              <dt>Authorised traders</dt>
              <dd>{a.authorisedTraders.map(party).join('; ') || '—'}</dd>
              <dt>Known infringers</dt>
              <dd>{a.knownInfringers.map(party).join('; ') || '—'}</dd>
              <dt>Known routes</dt>
              <dd>
                {a.knownRoutes
                  .map(
                    (r) =>
                      `${[r.origin, ...r.via].join(' → ')}${r.description ? ` (${r.description})` : ''}`,
                  )
                  .join('; ') || '—'}
              </dd>
              <dt>Small consignments</dt>
              <dd>{a.smallConsignmentsProcedure ? 'requested' : 'not requested'}</dd>
            </dl>
            <h3>Rights</h3>
            <ul aria-label="Rights">
              {a.rights.map((r, k) => (
                <li key={k}>
                  {rightWords(r)}
                  {r.registeredIn ? `, ${r.registeredIn}` : ''}
                  {r.expiresOn ? `, expires ${r.expiresOn}` : ''}; goods HS {r.goods.join(', ')}
                </li>
              ))}
            </ul>
            {me.may('decide', 'ipr-application') && DECISIONS_BY_STATUS[a.status].length > 0 && (
              <DecideForm application={a} onDone={changed} />
            )}
            {me.may('respond', 'ipr-application') && a.status === 'more-information-requested' && (
              <section aria-labelledby="complete-title">
                <h3 id="complete-title">Complete the application</h3>
                <p>Customs asked for more information; change what it asks about and send.</p>
                <ApplyForm
                  initial={inputOf(a)}
                  submitLabel="Send the completed application"
                  onSubmit={async (body) => {
                    const { error } = await api.PUT('/api/ipr/applications/{id}', {
                      params: { path: { id: a.id } },
                      body,
                    });
                    if (!error) changed();
                    return error;
                  }}
                />
              </section>
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}

function DecideForm({ application: a, onDone }: { application: Application; onDone: () => void }) {
  const options = DECISIONS_BY_STATUS[a.status];
  const [decision, setDecision] = useState<Decision>(options[0]!);
  const [note, setNote] = useState('');
  const [days, setDays] = useState('365');
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const needsDays = decision === 'accept' || decision === 'extend';
  const send = async () => {
    setBusy(true);
    setProblem(null);
    const { error } = await api.POST('/api/ipr/applications/{id}/decision', {
      params: { path: { id: a.id } },
      body: {
        decision,
        expectedVersion: a.version,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(needsDays ? { days: Number(days) } : {}),
      },
    });
    setBusy(false);
    if (error) setProblem(error);
    else onDone();
  };
  return (
    <form
      aria-label="Decide on the application"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h3>Decide</h3>
      <FormField label="Decision" problem={problem} field={bodyField('/decision')}>
        <select value={decision} onChange={(e) => setDecision(e.target.value as Decision)}>
          {options.map((d) => (
            <option key={d} value={d}>
              {DECISION_WORDS[d]}
            </option>
          ))}
        </select>
      </FormField>
      {needsDays && (
        <FormField
          label={decision === 'accept' ? 'In force for (days)' : 'Extend by (days)'}
          hint="At most 365 days at a time"
          problem={problem}
          field={bodyField('/days')}
        >
          <input
            type="number"
            min={1}
            max={365}
            value={days}
            onChange={(e) => setDays(e.target.value)}
          />
        </FormField>
      )}
      <FormField
        label={
          decision === 'request-information'
            ? 'What the applicant must add'
            : decision === 'refuse'
              ? 'Grounds of refusal'
              : 'Note to the applicant'
        }
        hint={decision === 'accept' ? 'Optional' : 'Required: the applicant reads it'}
        problem={problem}
        field={bodyField('/note')}
      >
        <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </FormField>
      <ProblemAlert problem={problem} />
      <button type="submit" disabled={busy}>
        Record the decision
      </button>
    </form>
  );
}
