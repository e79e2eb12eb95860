import { useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { count, eventWords, type RecordEntry } from './words.js';

/** Where one event stands: in a signed checkpoint, waiting for the next one, or not added yet. */
export function checkpointWords(e: RecordEntry): string {
  if (e.leafIdx === null) return 'Not yet in the ledger';
  if (!e.checkpoint) return 'Waiting for the next checkpoint';
  const c = e.checkpoint;
  const witnesses =
    c.cosignatures === 0
      ? 'not cosigned by a witness yet'
      : `cosigned by ${count(c.cosignatures, 'witness', 'witnesses')}`;
  return `In checkpoint of ${count(c.size, 'entry', 'entries')}, signed ${formatDateTime(c.signedAt)}, ${witnesses}`;
}

/** Saves a JSON document as a file the browser downloads. */
function saveJson(value: unknown, filename: string): void {
  const url = URL.createObjectURL(
    new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL; it can go once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One event's "Download proof" button and what came of the last press. */
function DownloadProof({ entry }: { entry: RecordEntry }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const what = eventWords(entry.kind);
  const download = async () => {
    setBusy(true);
    setProblem(null);
    setSaved(null);
    const { data, error, response } = await api.GET('/api/ledger/events/{position}/proof', {
      params: { path: { position: String(entry.position) } },
    });
    setBusy(false);
    if (error || !data) {
      setProblem(
        response.status === 409
          ? {
              title: 'Not covered by a checkpoint yet',
              detail: 'The proof can be downloaded once the next checkpoint is signed.',
            }
          : (error ?? 'No answer from the server.'),
      );
      return;
    }
    const filename = `ledger-proof-${entry.position}.json`;
    saveJson(data, filename);
    setSaved(`Saved as ${filename}.`);
  };
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        aria-label={`Download proof: ${what}, ${formatDateTime(entry.at)}`}
        onClick={() => void download()}
      >
        {busy ? 'Preparing…' : 'Download proof'}
      </button>
      {saved && (
        <div className="note" role="status">
          {saved}
        </div>
      )}
      <ProblemAlert problem={problem} />
    </>
  );
}

const COLUMNS: ReadonlyArray<Column<RecordEntry>> = [
  { key: 'what', header: 'What happened', cell: (e) => eventWords(e.kind) },
  { key: 'at', header: 'When', cell: (e) => formatDateTime(e.at) },
  {
    key: 'entry',
    header: 'Ledger entry',
    className: 'num',
    cell: (e) => (e.leafIdx === null ? '—' : formatNumber(e.leafIdx)),
  },
  { key: 'checkpoint', header: 'Checkpoint', cell: checkpointWords },
  {
    key: 'proof',
    header: 'Proof',
    cell: (e) =>
      e.checkpoint ? <DownloadProof entry={e} /> : <span className="note">not yet</span>,
  },
];

/**
 * The "Ledger proof" of one record for those who may read the ledger: each of its events, where
 * it stands in the ledger, and its proof to download (a file anyone can check offline).
 */
export function RecordProof({
  me,
  subjectType,
  subjectId,
  heading = 'h2',
}: {
  me: Me;
  subjectType: 'declaration' | 'permit' | 'indicator';
  subjectId: string;
  heading?: 'h2' | 'h3';
}) {
  if (!me.may('read', 'ledger')) return null;
  return <RecordProofView subjectType={subjectType} subjectId={subjectId} heading={heading} />;
}

function RecordProofView({
  subjectType,
  subjectId,
  heading: Heading,
}: {
  subjectType: 'declaration' | 'permit' | 'indicator';
  subjectId: string;
  heading: 'h2' | 'h3';
}) {
  const entries = useAsync(
    () =>
      api.GET('/api/ledger/records/{subjectType}/{subjectId}', {
        params: { path: { subjectType, subjectId } },
      }),
    [subjectType, subjectId],
  );
  const id = `ledger-proof-${subjectType}`;
  return (
    <section aria-labelledby={id} className="ledger-proof">
      <Heading id={id}>Ledger proof</Heading>
      <p className="note">
        Every step of this record is an entry in the tamper-evident ledger. A downloaded proof can
        be checked offline with <code>greenlane ledger verify-proof FILE</code>.
      </p>
      <AsyncView
        state={entries}
        emptyText="Not yet in the ledger: its steps are added within seconds."
      >
        {(rows) => (
          <DataTable
            label="Ledger entries of this record"
            rows={rows}
            rowKey={(e) => String(e.position)}
            columns={COLUMNS}
          />
        )}
      </AsyncView>
    </section>
  );
}
