import { useState } from 'react';
import type { Me } from '../App.js';
import { api } from '../api.js';
import { AsyncView, useAsync } from '../components/AsyncView.js';
import { DataTable } from '../components/DataTable.js';
import { ProblemAlert } from '../components/ProblemAlert.js';
import { formatDateTime } from '../format.js';
import { count, fromSeconds, type LedgerStatus, type Verification } from './ledger/words.js';

type Checkpoint = NonNullable<LedgerStatus['checkpoint']>;
type LastVerification = NonNullable<LedgerStatus['lastVerification']>;

/**
 * The node's ledger: how many entries it holds, the latest signed checkpoint and the partner
 * administrations that cosigned it, the last full verification (administrators run one), and
 * partners' checkpoints this node refused as their witness.
 */
export function LedgerPage({ me }: { me: Me }) {
  const status = useAsync(() => api.GET('/api/ledger'), []);
  return (
    <section>
      <h1>Ledger</h1>
      <p className="note">
        Every change recorded here — declarations, controls, permits, indicators, messages — is an
        entry in a tamper-evident ledger. Signed checkpoints fix what it holds, and partner
        administrations cosign them as witnesses: no entry can be changed or removed unnoticed.
      </p>
      <AsyncView state={status}>
        {(s) => (
          <>
            <section aria-labelledby="ledger-log">
              <h2 id="ledger-log">The log</h2>
              <dl className="facts">
                <dt>Log name</dt>
                <dd>
                  {s.origin ?? (
                    <span className="empty">
                      none yet: this node has no signing key, so it signs no checkpoints
                    </span>
                  )}
                </dd>
                <dt>Size</dt>
                <dd>{count(s.size, 'entry', 'entries')}</dd>
              </dl>
            </section>
            <CheckpointSection checkpoint={s.checkpoint} />
            <VerificationSection
              last={s.lastVerification}
              mayRun={me.may('run', 'ledger')}
              onVerified={status.reload}
            />
            <ConflictsSection conflicts={s.conflicts} />
          </>
        )}
      </AsyncView>
    </section>
  );
}

function CheckpointSection({ checkpoint: c }: { checkpoint: Checkpoint | null }) {
  return (
    <section aria-labelledby="ledger-checkpoint">
      <h2 id="ledger-checkpoint">Latest checkpoint</h2>
      {!c ? (
        <p className="empty">
          No checkpoint yet: the first is signed within seconds of the first event.
        </p>
      ) : (
        <>
          <dl className="facts">
            <dt>Covers</dt>
            <dd>{count(c.size, 'entry', 'entries')}</dd>
            <dt>Signed</dt>
            <dd>{formatDateTime(c.signedAt)}</dd>
            <dt>Root</dt>
            <dd>
              <code className="hash">{c.root}</code>
            </dd>
          </dl>
          <h3>Signed checkpoint</h3>
          <p className="note">
            The text partners and courts compare: the same size must always come with the same root.
          </p>
          <pre className="raw note-text" aria-label="Signed checkpoint text">
            {c.note}
          </pre>
          <CopyButton text={c.note} />
          <h3>Witnesses</h3>
          <DataTable
            label="Witnesses"
            rows={c.cosignatures}
            rowKey={(w) => w.witness}
            emptyText="No partner administration has cosigned this checkpoint yet."
            columns={[
              { key: 'witness', header: 'Witness', cell: (w) => w.witness },
              {
                key: 'time',
                header: 'Cosigned',
                cell: (w) => formatDateTime(fromSeconds(w.time)),
              },
              { key: 'received', header: 'Received', cell: (w) => formatDateTime(w.receivedAt) },
            ]}
          />
        </>
      )}
    </section>
  );
}

/** Copies the text to the clipboard, and says whether it could. */
function CopyButton({ text }: { text: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('This browser does not allow copying here: select the text and copy it.');
    }
  };
  return (
    <p className="actions">
      <button type="button" className="secondary" onClick={() => void copy()}>
        Copy checkpoint
      </button>
      <span role="status" className="note">
        {said}
      </span>
    </p>
  );
}

function VerificationSection({
  last,
  mayRun,
  onVerified,
}: {
  last: LastVerification | null;
  mayRun: boolean;
  onVerified: () => void;
}) {
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [result, setResult] = useState<Verification | null>(null);
  const verify = async () => {
    setRunning(true);
    setProblem(null);
    setResult(null);
    const { data, error } = await api.POST('/api/ledger/verifications');
    setRunning(false);
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    setResult(data);
    onVerified();
  };
  return (
    <section aria-labelledby="ledger-verification">
      <h2 id="ledger-verification">Last verification</h2>
      <p className="note">
        A verification recomputes every entry from the recorded event and checks every checkpoint
        and cosignature against it.
      </p>
      {!last ? (
        <p className="empty">The ledger has not been verified yet.</p>
      ) : (
        <dl className="facts">
          <dt>When</dt>
          <dd>{formatDateTime(last.finishedAt)}</dd>
          <dt>By</dt>
          <dd>{last.by === 'cli' ? 'an administrator, on the server' : last.by}</dd>
          <dt>Result</dt>
          <dd>
            {last.ok ? (
              <strong className="verified">Verified: nothing was changed</strong>
            ) : (
              <strong className="overdue">Problem found: {last.problem}</strong>
            )}
          </dd>
          <dt>Checked</dt>
          <dd>
            {count(last.size, 'entry', 'entries')} and {count(last.checkpoints, 'checkpoint')}
          </dd>
        </dl>
      )}
      {mayRun && (
        <p className="actions">
          <button type="button" disabled={running} onClick={() => void verify()}>
            {running ? 'Verifying…' : 'Verify now'}
          </button>
        </p>
      )}
      <ProblemAlert problem={problem} />
      {result &&
        (result.ok ? (
          <p role="status" className="verdict verified">
            Verified just now: {count(result.leaves, 'entry', 'entries')},{' '}
            {count(result.checkpoints, 'checkpoint')} and{' '}
            {count(result.cosignatures, 'cosignature')} checked; nothing was changed.
          </p>
        ) : (
          <p role="alert" className="error">
            The verification found a problem: {result.problem}
          </p>
        ))}
    </section>
  );
}

function ConflictsSection({ conflicts }: { conflicts: LedgerStatus['conflicts'] }) {
  return (
    <section aria-labelledby="ledger-conflicts">
      <h2 id="ledger-conflicts">Conflicts</h2>
      <p className="note">
        Checkpoints of partner administrations that this node refused to cosign as their witness:
        one that contradicts a checkpoint seen before (a split view), or whose proof failed.
      </p>
      <DataTable
        label="Conflicts"
        rows={conflicts}
        rowKey={(c) => `${c.logNode} ${c.size} ${c.seenAt}`}
        emptyText="None: every partner checkpoint seen so far was consistent."
        columns={[
          { key: 'partner', header: 'Partner', cell: (c) => c.logNode },
          {
            key: 'size',
            header: 'Size',
            className: 'num',
            cell: (c) => count(c.size, 'entry', 'entries'),
          },
          { key: 'seen', header: 'Seen', cell: (c) => formatDateTime(c.seenAt) },
          {
            key: 'what',
            header: 'What',
            cell: (c) => c.conflict ?? 'Refused (no reason recorded)',
          },
        ]}
      />
    </section>
  );
}
