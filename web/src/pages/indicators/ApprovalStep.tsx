import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatNumber } from '../../format.js';
import { priorityAreaWords } from '../../words.js';
import { DiffTable } from './DiffTable.js';
import { PreviewResult } from './PreviewResult.js';
import { bodyOf, type Indicator } from './types.js';
import { controlFormWords, effectWords } from './words.js';

/**
 * The approval step: what the approver agrees to, before the button — the rationale, the
 * version itself, what changed against the version in force, and what it would hit among
 * recent declarations (the same preview its author ran).
 */
export function ApprovalStep({
  indicator,
  versions,
  canPreview,
  canLink,
  onDone,
  onCancel,
}: {
  indicator: Indicator;
  versions: Indicator[];
  canPreview: boolean;
  canLink: boolean;
  onDone: () => Promise<void>;
  onCancel: () => void;
}) {
  const key = indicator.id;
  const inForce = versions.find((v) => v.status === 'active' && v.version !== indicator.version);
  const diff = useAsync(
    async () =>
      inForce
        ? api.GET('/api/indicators/{key}/versions/{a}/diff/{b}', {
            params: { path: { key, a: inForce.version, b: indicator.version } },
          })
        : { data: null },
    [key, inForce?.version, indicator.version],
  );
  const preview = useAsync(
    async () =>
      canPreview
        ? api.POST('/api/indicators/preview', { body: bodyOf(indicator) })
        : { data: null },
    [key, indicator.version, canPreview],
  );
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const version = formatNumber(indicator.version);

  const approve = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setSending(true);
    const { error } = await api.POST('/api/indicators/{key}/approve', {
      params: { path: { key } },
      body: { version: indicator.version, ...(comment.trim() ? { comment: comment.trim() } : {}) },
    });
    setSending(false);
    if (error) setProblem(error);
    else await onDone();
  };

  return (
    <section className="detail approval" aria-labelledby="approval-step">
      <h2 id="approval-step">
        Approve version {version} of {indicator.title} ({indicator.id})
      </h2>
      <h3>Rationale</h3>
      <p className="rationale">{indicator.rationale}</p>
      <dl className="facts" aria-label="What is approved">
        <dt>Priority area</dt>
        <dd>{priorityAreaWords(indicator.priorityArea)}</dd>
        <dt>Condition</dt>
        <dd>
          <code>{indicator.condition}</code>
        </dd>
        <dt>A hit gives</dt>
        <dd>{effectWords(indicator)}</dd>
        <dt>Control</dt>
        <dd>{controlFormWords(indicator.controlForm)}</dd>
      </dl>
      <h3>Changes against the version in force</h3>
      {inForce ? (
        <AsyncView state={diff}>
          {(d) => d && <DiffTable diff={d} label="Changes against the version in force" inForce />}
        </AsyncView>
      ) : (
        <p className="empty">No version is in force yet: this would be the first.</p>
      )}
      {canPreview ? (
        <AsyncView state={preview} loadingText="Testing against recent declarations…">
          {(p) =>
            p && <PreviewResult preview={p} canLink={canLink} label="Preview of what is approved" />
          }
        </AsyncView>
      ) : (
        <p className="note">Your role does not test indicators against declarations.</p>
      )}
      <form aria-label={`Approve version ${version}`} onSubmit={(e) => void approve(e)}>
        <FormField label="Comment (optional)" problem={problem} field="/comment">
          <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={2} />
        </FormField>
        <div className="actions">
          <button type="submit" disabled={sending}>
            Approve version {version}
          </button>
          <button type="button" onClick={onCancel}>
            Not now
          </button>
        </div>
        <ProblemAlert problem={problem} />
      </form>
    </section>
  );
}
