import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { RecordProof } from '../ledger/RecordProof.js';
import { ApprovalStep } from './ApprovalStep.js';
import { DiffTable } from './DiffTable.js';
import { Effectiveness } from './Effectiveness.js';
import type { AgencyApprovals, Diff, Indicator } from './types.js';
import { STATUS_WORDS, effectWords } from './words.js';

/**
 * One indicator: the approval step when the user is approving, its effectiveness, the agencies
 * that must approve it, its versions, and a diff between two.
 */
export function IndicatorDetail({
  indicator,
  me,
  author,
  approving,
  onEdit,
  onChanged,
  onStopApproving,
}: {
  indicator: Indicator;
  me: Me;
  author: boolean;
  approving: boolean;
  onEdit: (coAuthorCodes: string[]) => void;
  onChanged: () => Promise<void>;
  onStopApproving: () => void;
}) {
  const key = indicator.id;
  const agencies = useAsync(
    () => api.GET('/api/indicators/{key}/agencies', { params: { path: { key } } }),
    [key],
  );
  const versions = useAsync(
    () => api.GET('/api/indicators/{id}/versions', { params: { path: { id: key } } }),
    [key],
  );
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // Chromium's scrollIntoView returns a promise: not a cleanup function for React.
    void ref.current?.scrollIntoView({ block: 'nearest' });
  }, [approving]);
  const coAuthorCodes = (a: AgencyApprovals | undefined) =>
    a?.agencies.filter((x) => x.role === 'co-author').map((x) => x.code) ?? [];

  return (
    <section ref={ref} className="detail" aria-labelledby="indicator-detail">
      <h2 id="indicator-detail">
        {indicator.title} <span className="note">({indicator.id})</span>
      </h2>
      {approving && indicator.status === 'awaiting-approval' && versions.data && (
        <ApprovalStep
          indicator={indicator}
          versions={versions.data}
          canPreview={me.may('preview', 'indicator')}
          canLink={me.agencyKind === 'customs'}
          onCancel={onStopApproving}
          onDone={async () => {
            onStopApproving();
            await onChanged();
          }}
        />
      )}
      {author && (
        <button type="button" onClick={() => onEdit(coAuthorCodes(agencies.data))}>
          Edit as a new version
        </button>
      )}
      {author && indicator.status === 'awaiting-approval' && (
        <RejectForm indicator={indicator} onDone={onChanged} />
      )}
      <Effectiveness indicatorKey={key} />
      <AsyncView state={agencies}>
        {(a) => (
          <>
            <h3>Approvals by agency</h3>
            <p className="note">
              Version {formatNumber(a.version)} is {STATUS_WORDS[a.status]}; every agency below must
              approve it before it screens.
            </p>
            <DataTable
              label="Approvals by agency"
              rows={a.agencies}
              rowKey={(x) => x.agencyId}
              columns={[
                {
                  key: 'agency',
                  header: 'Agency',
                  cell: (x) => (
                    <>
                      {x.code}
                      <div className="note">{x.name}</div>
                    </>
                  ),
                },
                { key: 'role', header: 'Role', cell: (x) => x.role },
                {
                  key: 'newest',
                  header: `Version ${formatNumber(a.version)}`,
                  cell: (x) => (x.approvedNewest ? 'approved' : 'pending'),
                },
                {
                  key: 'given',
                  header: 'Approvals given',
                  cell: (x) =>
                    x.approvals.length === 0 ? (
                      <span className="empty">none yet</span>
                    ) : (
                      <ul className="plain">
                        {x.approvals.map((y) => (
                          <li key={`${y.version}-${y.at}`}>
                            version {formatNumber(y.version)} by {y.displayName} ({y.username}),{' '}
                            {formatDateTime(y.at)}
                            {y.comment ? <span className="note"> — {y.comment}</span> : null}
                          </li>
                        ))}
                      </ul>
                    ),
                },
              ]}
            />
          </>
        )}
      </AsyncView>
      <AsyncView state={versions}>
        {(v) => <Versions indicatorKey={key} versions={v} newest={indicator.version} />}
      </AsyncView>
      <RecordProof me={me} subjectType="indicator" subjectId={key} heading="h3" />
    </section>
  );
}

function Versions({
  indicatorKey,
  versions,
  newest,
}: {
  indicatorKey: string;
  versions: Indicator[];
  newest: number;
}) {
  const [from, setFrom] = useState(Math.max(1, newest - 1));
  const [to, setTo] = useState(newest);
  const [diff, setDiff] = useState<Diff | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const compare = async (e: FormEvent) => {
    e.preventDefault();
    setDiff(null);
    setProblem(null);
    const { data, error } = await api.GET('/api/indicators/{key}/versions/{a}/diff/{b}', {
      params: { path: { key: indicatorKey, a: from, b: to } },
    });
    if (error) setProblem(error);
    else setDiff(data);
  };
  return (
    <>
      <h3>Version history</h3>
      <DataTable
        label="Versions"
        rows={versions}
        rowKey={(v) => String(v.version)}
        columns={[
          {
            key: 'version',
            header: 'Version',
            className: 'num',
            cell: (v) => formatNumber(v.version),
          },
          { key: 'status', header: 'Status', cell: (v) => STATUS_WORDS[v.status] },
          { key: 'saved', header: 'Saved', cell: (v) => formatDateTime(v.createdAt) },
          { key: 'effect', header: 'A hit gives', cell: (v) => effectWords(v) },
          { key: 'condition', header: 'Condition', cell: (v) => <code>{v.condition}</code> },
        ]}
      />
      {versions.length < 2 ? (
        <p className="empty">Only one version: nothing to compare yet.</p>
      ) : (
        <form className="filters" aria-label="Compare versions" onSubmit={(e) => void compare(e)}>
          <FormField label="From version">
            <select value={from} onChange={(e) => setFrom(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </FormField>
          <FormField label="To version">
            <select value={to} onChange={(e) => setTo(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </FormField>
          <button type="submit">Compare</button>
        </form>
      )}
      <ProblemAlert problem={problem} />
      {diff && <DiffTable diff={diff} label="Changes between versions" />}
    </>
  );
}

/** Sends the version awaiting approval back to draft, with the reason. */
function RejectForm({ indicator, onDone }: { indicator: Indicator; onDone: () => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const version = formatNumber(indicator.version);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const { error } = await api.POST('/api/indicators/{key}/reject', {
      params: { path: { key: indicator.id } },
      body: { version: indicator.version, reason },
    });
    if (error) setProblem(error);
    else await onDone();
  };
  return (
    <form
      className="editor step"
      aria-label={`Reject version ${version}`}
      onSubmit={(e) => void send(e)}
    >
      <FormField
        label={`Reason for rejecting version ${version}`}
        problem={problem}
        field="/reason"
      >
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} required />
      </FormField>
      <button type="submit">Reject version {version}</button>
      <ProblemAlert problem={problem} />
    </form>
  );
}
