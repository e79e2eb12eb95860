import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import type { Recorded } from './types.js';

/** Past this a file belongs in the API under a token; the API bounds what it reads in any case. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const COLUMNS = 'id, source, pointId, direction, start, end, quantity, unit (and provisional)';

/**
 * Record figures from a CSV file: our operator's meter readings, the partner's figures or
 * declared quantities, one row each. All or nothing: one bad row refuses the file, naming its
 * row and column; a row sent before under its id counts as already recorded.
 */
export function UploadReports({ onRecorded }: { onRecorded: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [result, setResult] = useState<Recorded | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setResult(null);
    if (!file) return setProblem({ title: 'Choose a file first', errors: [] });
    if (file.size > MAX_FILE_BYTES)
      return setProblem({
        title: 'The file is too large',
        detail: `At most ${MAX_FILE_BYTES / 1024 / 1024} MB can be sent from the console.`,
      });
    setBusy(true);
    try {
      const text = await file.text();
      const { data, error } = await api.POST('/api/energy/reports', {
        body: text as never,
        bodySerializer: (b: unknown) => b as string,
        headers: { 'Content-Type': 'text/csv' },
      });
      if (error || !data) return setProblem(error ?? { title: 'Not recorded', errors: [] });
      setResult(data);
      if (data.recorded > 0) onRecorded();
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="energy-upload">
      <h2 id="energy-upload">Record figures from a file</h2>
      <form
        className="upload"
        aria-label="Record figures from a file"
        onSubmit={(e) => void submit(e)}
      >
        <FormField
          label="CSV file"
          hint={`A header row naming the columns ${COLUMNS}, then one row per figure. Source is own-meter, partner or declaration; start and end are ISO instants.`}
        >
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setResult(null);
              setProblem(null);
            }}
          />
        </FormField>
        <div className="actions">
          <button type="submit" disabled={busy || !file}>
            Record the figures
          </button>
        </div>
      </form>
      <ProblemAlert problem={problem} labels={{ '/body': 'The file' }} />
      {result && (
        <p role="status" className="energy-recorded">
          {result.recorded} of {result.received} figures recorded
          {result.alreadyRecorded > 0 ? `; ${result.alreadyRecorded} already recorded before` : ''}.
        </p>
      )}
    </section>
  );
}
