import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { fieldWords, ProblemAlert, asProblem } from '../../components/ProblemAlert.js';
import type { BatchResult } from './types.js';
import { declarationLabels, statusWords, withoutPatterns } from './words.js';

/** Past this a file belongs in `greenlane import`; the API bounds what it reads in any case. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

type Kind = 'xml' | 'csv' | 'ndjson' | 'json';

/** The file's format, from its name, else from its first characters. */
function kindOf(name: string, text: string): Kind | null {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (ext === 'xml') return 'xml';
  if (ext === 'csv') return 'csv';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'json') return 'json';
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return 'xml';
  if (head.startsWith('{') && /\n\{/.test(head)) return 'ndjson';
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  return (head.split(/\r?\n/, 1)[0] ?? '').includes(',') ? 'csv' : null;
}

const CONTENT_TYPE: Record<Exclude<Kind, 'xml'>, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
};

/** One line of the result: a batch result, or the answer to an XML message. */
type Row = BatchResult & { key: string };

/**
 * Lodge declarations from a file: WCO-DM XML (one declaration, or an amendment or cancellation of
 * one), CSV (one row per goods item, see the import formats), NDJSON or JSON. The file is sent as
 * it is, with its media type; the result shows for each declaration whether it was lodged.
 */
export function UploadDeclarations() {
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setRows(null);
    if (!file) return setProblem({ title: 'Choose a file first', errors: [] });
    if (file.size > MAX_FILE_BYTES)
      return setProblem({
        title: 'The file is too large',
        detail: `At most ${MAX_FILE_BYTES / 1024 / 1024} MB can be sent from the console.`,
      });
    setBusy(true);
    try {
      const text = await file.text();
      const kind = kindOf(file.name, text);
      if (!kind) {
        setProblem({
          title: 'Unknown file type',
          detail: 'Send a WCO-DM XML, CSV, NDJSON or JSON file (.xml, .csv, .ndjson, .json).',
        });
        return;
      }
      if (kind === 'xml') {
        const { data, error } = await api.POST('/api/declarations', {
          body: text as never,
          bodySerializer: (b: unknown) => b as string,
          headers: { 'Content-Type': 'application/xml' },
        });
        if (error || !data) {
          setRows([{ key: 'doc', location: file.name, outcome: 'refused', problem: error }]);
          return;
        }
        if ('event' in data) {
          setRows([
            {
              key: 'doc',
              location: file.name,
              outcome: 'lodged',
              reference: data.declaration?.reference,
              ...(data.declaration ? { declaration: data.declaration } : {}),
            },
          ]);
        } else {
          setRows([
            {
              key: 'doc',
              location: file.name,
              outcome: 'lodged',
              reference: data.reference,
              declaration: data,
            },
          ]);
        }
        return;
      }
      const { data, error } = await api.POST('/api/declarations/batch', {
        body: text as never,
        bodySerializer: (b: unknown) => b as string,
        headers: { 'Content-Type': CONTENT_TYPE[kind] },
      });
      // None lodged: the problem carries the outcome of each, shown as when some are.
      const results = data?.results ?? (error && 'results' in error ? error.results : undefined);
      if (!results) return setProblem(error);
      setRows(results.map((r, k) => ({ ...r, key: String(k) })));
    } finally {
      setBusy(false);
    }
  };

  const lodged = rows?.filter((r) => r.outcome === 'lodged').length ?? 0;
  return (
    <>
      <form className="upload" aria-label="Upload declarations" onSubmit={(e) => void submit(e)}>
        <FormField
          label="File"
          hint="WCO-DM XML, or CSV (one row per goods item), NDJSON or JSON for several declarations"
        >
          <input
            type="file"
            accept=".xml,.csv,.ndjson,.jsonl,.json,application/xml,text/csv,application/json"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setRows(null);
              setProblem(null);
            }}
          />
        </FormField>
        <div className="actions">
          <button type="submit" disabled={busy || !file}>
            Upload and lodge
          </button>
        </div>
      </form>
      <ProblemAlert problem={problem} labels={{ '/body': 'The file' }} />
      {rows && (
        <section aria-labelledby="upload-result">
          <h2 id="upload-result">
            {lodged} of {rows.length} lodged
          </h2>
          <DataTable<Row>
            label="Upload result"
            rows={rows}
            rowKey={(r) => r.key}
            columns={[
              { key: 'where', header: 'In the file', cell: (r) => r.location },
              {
                key: 'reference',
                header: 'Reference',
                cell: (r) =>
                  r.declaration ? (
                    <a href={`#/declarations/${encodeURIComponent(r.declaration.id)}`}>
                      {r.reference ?? r.declaration.reference}
                    </a>
                  ) : (
                    (r.reference ?? '—')
                  ),
              },
              {
                key: 'outcome',
                header: 'Result',
                cell: (r) =>
                  r.outcome === 'lodged' ? (
                    <span className="outcome-lodged">
                      Lodged
                      {r.declaration && 'status' in r.declaration
                        ? ` — ${statusWords(r.declaration.status)}`
                        : ''}
                    </span>
                  ) : (
                    <Refusal problem={r.problem} />
                  ),
              },
            ]}
          />
        </section>
      )}
    </>
  );
}

const LABELS = declarationLabels(999);

/** Why one declaration of the file was refused, each field in words. */
function Refusal({ problem }: { problem: unknown }) {
  const p = asProblem(withoutPatterns(problem));
  if (!p) return <span className="field-error">Refused</span>;
  return (
    <div className="refusal">
      <strong>Refused</strong>: {p.detail ?? p.title}
      {p.errors && p.errors.length > 0 && (
        <ul className="plain">
          {p.errors.map((e, k) => (
            <li key={k}>
              {/^(row|line|item) /.test(e.field) ? e.field : fieldWords(e.field, LABELS)}:{' '}
              {e.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
