import { useState } from 'react';
import type { Me } from '../App.js';
import { api } from '../api.js';
import type { paths } from '../api-types.js';
import { AsyncView, useAsync } from '../components/AsyncView.js';
import { ConfirmActionDialog } from '../components/ConfirmActionDialog.js';
import { DataTable } from '../components/DataTable.js';
import { FormField } from '../components/FormField.js';
import { ProblemAlert } from '../components/ProblemAlert.js';
import { formatDateTime, formatNumber } from '../format.js';
import './models/models.css';

type RiskModel =
  paths['/api/models/{version}']['get']['responses']['200']['content']['application/json'];
type Drift =
  paths['/api/models/{version}/drift']['get']['responses']['200']['content']['application/json'];

/** The card as the server writes it (src/app/manage-models.ts ModelCard). */
interface Figures {
  rows: number;
  positives: number;
  findingRate: number | null;
  precisionAt: Record<'1' | '2' | '5' | '10', number | null>;
  recallAt: Record<'1' | '2' | '5' | '10', number | null>;
  auc: number | null;
}
interface Group {
  group: string;
  rows: number;
  positives: number;
  precisionAt5: number | null;
  auc: number | null;
  meanProbability: number;
}
interface Card {
  window: { from: string; to: string; evaluateFrom: string };
  features: Array<{ name: string; kind: string; description: string; importance: number }>;
  rows: {
    train: number;
    trainPositives: number;
    trainRandom: number;
    earlyStopping: number;
    heldBack: number;
    heldBackPositives: number;
    heldBackRandom: number;
  };
  weighting: { randomWeight: number; note: string };
  training: { bestIteration: number; roundsTrained: number };
  params: { seed: number; maxLeaves: number; learningRate: number };
  evaluation: {
    all: Figures;
    random: Figures | null;
    rulesOnRandom: Figures | null;
    calibration: Array<{ rows: number; meanPredicted: number; observedRate: number }>;
    byOffice: Group[];
    byHsSection: Group[];
  } | null;
}

const STATUS_WORDS: Record<string, string> = {
  draft: 'draft',
  'awaiting-approval': 'awaiting approval',
  active: 'active: screening with it',
  superseded: 'superseded',
  rejected: 'rejected',
  retired: 'retired',
};

const ratio = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : formatNumber(x, 3);
const cardOf = (m: RiskModel) => m.card as unknown as Card;

/**
 * The learned risk model: the administration's versions with their cards (what it learned from,
 * how it did on the held-back period, on all controls and on the random sample alone), training
 * a new version, the four-eyes approval that makes one active, and the drift of recent
 * declarations from what it was trained on.
 */
export function ModelsPage({ me }: { me: Me }) {
  const list = useAsync(() => api.GET('/api/models'), []);
  const [selected, setSelected] = useState<number | null>(null);
  const model = list.data?.find((m) => m.version === selected);
  return (
    <section className="models" aria-labelledby="models-title">
      <h1 id="models-title">Risk model</h1>
      <p>
        Gradient-boosted trees trained on the outcomes of past controls rank declarations by the
        chance that a control finds something. A version screens only once a second analyst has
        approved it; its probability and the features behind it are part of every assessment.
      </p>
      {model && (
        <ModelDetail
          key={model.version}
          m={model}
          me={me}
          onChanged={list.reload}
          onClose={() => setSelected(null)}
        />
      )}
      <h2>Versions</h2>
      <AsyncView state={list} emptyText="No model has been trained yet.">
        {(models) => (
          <DataTable<RiskModel>
            label="Model versions"
            rows={models}
            rowKey={(m) => String(m.version)}
            selected={selected === null ? null : String(selected)}
            onSelect={(m) => setSelected(m.version)}
            rowLabel={(m) => `Version ${m.version}, ${STATUS_WORDS[m.status] ?? m.status}`}
            columns={[
              { key: 'version', header: 'Version', cell: (m) => m.version, className: 'num' },
              {
                key: 'status',
                header: 'Status',
                cell: (m) => (
                  <strong className={`model-status ${m.status}`}>
                    {STATUS_WORDS[m.status] ?? m.status}
                  </strong>
                ),
              },
              { key: 'trained', header: 'Trained', cell: (m) => formatDateTime(m.trainedAt) },
              {
                key: 'window',
                header: 'Learned from',
                cell: (m) =>
                  `${cardOf(m).window.from.slice(0, 10)} – ${cardOf(m).window.evaluateFrom.slice(0, 10)}`,
              },
              {
                key: 'random',
                header: 'Precision@5% (random sample)',
                className: 'num',
                cell: (m) => ratio(cardOf(m).evaluation?.random?.precisionAt['5']),
              },
              {
                key: 'auc',
                header: 'AUC (held back)',
                className: 'num',
                cell: (m) => ratio(cardOf(m).evaluation?.all.auc),
              },
            ]}
          />
        )}
      </AsyncView>
      {me.may('author', 'risk-model') && (
        <TrainForm
          onTrained={(v) => {
            list.reload();
            setSelected(v);
          }}
        />
      )}
    </section>
  );
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Train a version on a window of lodging dates; the last fifth is held back unless said. */
function TrainForm({ onTrained }: { onTrained: (version: number) => void }) {
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 365 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date(Date.now() + 86_400_000)));
  const [evaluateFrom, setEvaluateFrom] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const train = async () => {
    setBusy(true);
    setProblem(null);
    setDone(null);
    const r = await api.POST('/api/models', {
      body: {
        from: `${from}T00:00:00Z`,
        to: `${to}T00:00:00Z`,
        ...(evaluateFrom ? { evaluateFrom: `${evaluateFrom}T00:00:00Z` } : {}),
      },
    });
    setBusy(false);
    if (r.error) setProblem(r.error);
    else if (r.data) {
      setDone(`Version ${r.data.version} trained: read its card, then submit it for approval.`);
      onTrained(r.data.version);
    }
  };
  return (
    <form
      className="model-train"
      aria-label="Train a model"
      onSubmit={(e) => {
        e.preventDefault();
        void train();
      }}
    >
      <h2>Train a version</h2>
      <p className="note">
        On the controlled declarations lodged in the window; the random selection’s controls weigh
        for the traffic the rules let through. Training takes up to a few minutes.
      </p>
      <FormField label="From" problem={problem} field={['/body/from', '/from']}>
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
      </FormField>
      <FormField label="To" hint="exclusive" problem={problem} field={['/body/to', '/to']}>
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
      </FormField>
      <FormField
        label="Held back from"
        hint="default: where the latest fifth of the controls begins"
        problem={problem}
        field={['/body/evaluateFrom', '/evaluateFrom']}
      >
        <input type="date" value={evaluateFrom} onChange={(e) => setEvaluateFrom(e.target.value)} />
      </FormField>
      <button type="submit" disabled={busy}>
        {busy ? 'Training…' : 'Train'}
      </button>
      {problem !== null && <ProblemAlert problem={problem} />}
      {done && <p role="status">{done}</p>}
    </form>
  );
}

function FiguresTable({ e }: { e: NonNullable<Card['evaluation']> }) {
  const rows = [
    { label: 'All controls (biased: chosen by the rules)', f: e.all },
    { label: 'Random sample: the model (unbiased)', f: e.random },
    { label: 'Random sample: the rules’ score', f: e.rulesOnRandom },
  ].filter((r): r is { label: string; f: Figures } => r.f !== null);
  return (
    <DataTable<{ label: string; f: Figures }>
      label="Figures of the held-back period"
      rows={rows}
      rowKey={(r) => r.label}
      columns={[
        { key: 'label', header: 'Ranked', cell: (r) => r.label },
        { key: 'rows', header: 'Rows', className: 'num', cell: (r) => formatNumber(r.f.rows) },
        {
          key: 'found',
          header: 'Findings',
          className: 'num',
          cell: (r) => formatNumber(r.f.positives),
        },
        ...(['1', '2', '5', '10'] as const).map((k) => ({
          key: `p${k}`,
          header: `Precision@${k}%`,
          className: 'num',
          cell: (r: { f: Figures }) => ratio(r.f.precisionAt[k]),
        })),
        {
          key: 'r5',
          header: 'Recall@5%',
          className: 'num',
          cell: (r) => ratio(r.f.recallAt['5']),
        },
        { key: 'auc', header: 'AUC', className: 'num', cell: (r) => ratio(r.f.auc) },
      ]}
    />
  );
}

function GroupTable({ label, groups }: { label: string; groups: Group[] }) {
  return (
    <DataTable<Group>
      label={label}
      rows={groups}
      rowKey={(g) => g.group}
      pageSize={10}
      columns={[
        { key: 'group', header: 'Group', cell: (g) => g.group },
        { key: 'rows', header: 'Rows', className: 'num', cell: (g) => formatNumber(g.rows) },
        {
          key: 'found',
          header: 'Findings',
          className: 'num',
          cell: (g) => formatNumber(g.positives),
        },
        {
          key: 'mean',
          header: 'Mean probability',
          className: 'num',
          cell: (g) => ratio(g.meanProbability),
        },
        { key: 'p5', header: 'Precision@5%', className: 'num', cell: (g) => ratio(g.precisionAt5) },
        { key: 'auc', header: 'AUC', className: 'num', cell: (g) => ratio(g.auc) },
      ]}
    />
  );
}

type Step = 'submit' | 'approve' | 'reject' | 'retire';
const STEPS: Record<Step, { label: string; title: string; note: boolean; from: string }> = {
  submit: {
    label: 'Submit for approval',
    title: 'Submit the version?',
    note: false,
    from: 'draft',
  },
  approve: {
    label: 'Approve and activate',
    title: 'Screen every new declaration with this version?',
    note: false,
    from: 'awaiting-approval',
  },
  reject: { label: 'Reject', title: 'Reject the version?', note: true, from: 'awaiting-approval' },
  retire: {
    label: 'Retire',
    title: 'Retire the version? Screening goes on with the rules alone.',
    note: true,
    from: 'active',
  },
};

function ModelDetail({
  m,
  me,
  onChanged,
  onClose,
}: {
  m: RiskModel;
  me: Me;
  onChanged: () => void;
  onClose: () => void;
}) {
  const card = cardOf(m);
  const e = card.evaluation;
  const features = [...card.features].sort((a, b) => b.importance - a.importance).slice(0, 12);
  return (
    <section className="detail model" aria-labelledby="model-title">
      <h2 id="model-title">Version {m.version}</h2>
      <dl className="facts" aria-label="Model version">
        <dt>Status</dt>
        <dd>
          <strong className={`model-status ${m.status}`}>
            {STATUS_WORDS[m.status] ?? m.status}
          </strong>
        </dd>
        <dt>Trained</dt>
        <dd>
          {formatDateTime(m.trainedAt)} by {m.trainedBy}
        </dd>
        {m.decidedBy && (
          <>
            <dt>Decided</dt>
            <dd>
              {formatDateTime(m.decidedAt)} by {m.decidedBy}
              {m.decisionNote ? ` — ${m.decisionNote}` : ''}
            </dd>
          </>
        )}
        <dt>Learned from</dt>
        <dd>
          controls lodged {card.window.from.slice(0, 10)} – {card.window.evaluateFrom.slice(0, 10)}:{' '}
          {formatNumber(card.rows.train)} ({formatNumber(card.rows.trainPositives)} with findings,{' '}
          {formatNumber(card.rows.trainRandom)} random), {formatNumber(card.rows.earlyStopping)}{' '}
          more to stop early
        </dd>
        <dt>Held back</dt>
        <dd>
          lodged {card.window.evaluateFrom.slice(0, 10)} – {card.window.to.slice(0, 10)}:{' '}
          {formatNumber(card.rows.heldBack)} controls ({formatNumber(card.rows.heldBackPositives)}{' '}
          with findings, {formatNumber(card.rows.heldBackRandom)} random)
        </dd>
        <dt>Trees</dt>
        <dd>
          {card.training.bestIteration} kept of {card.training.roundsTrained}, at most{' '}
          {card.params.maxLeaves} leaves, seed {card.params.seed}
        </dd>
        <dt>Weighting</dt>
        <dd>{card.weighting.note}</dd>
      </dl>
      <h3>How it did on the held-back period</h3>
      {e ? (
        <>
          <FiguresTable e={e} />
          <h3>By office</h3>
          <GroupTable label="By office" groups={e.byOffice} />
          <h3>By HS section</h3>
          <GroupTable label="By HS section" groups={e.byHsSection} />
        </>
      ) : (
        <p className="empty">Nothing was held back.</p>
      )}
      <h3>What it relies on</h3>
      <DataTable
        label="Features by importance"
        rows={features}
        rowKey={(f) => f.name}
        columns={[
          { key: 'name', header: 'Feature', cell: (f) => f.name },
          { key: 'what', header: 'Meaning', cell: (f) => f.description },
          {
            key: 'importance',
            header: 'Share of the gain',
            className: 'num',
            cell: (f) => ratio(f.importance),
          },
        ]}
      />
      <DriftSection version={m.version} />
      {me.may('approve', 'risk-model') && <Steps m={m} onChanged={onChanged} />}
      <p>
        <button type="button" className="secondary" onClick={onClose}>
          Back to the versions
        </button>
      </p>
    </section>
  );
}

function DriftSection({ version }: { version: number }) {
  const [days, setDays] = useState(90);
  const drift = useAsync(() => {
    const to = new Date(Date.now() + 86_400_000);
    const from = new Date(to.getTime() - (days + 1) * 86_400_000);
    return api.GET('/api/models/{version}/drift', {
      params: {
        path: { version },
        query: { from: from.toISOString(), to: to.toISOString() },
      },
    });
  }, [version, days]);
  return (
    <>
      <h3>Drift</h3>
      <FormField label="Declarations of the last" hint="days">
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {[30, 90, 365, 1000].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </FormField>
      <AsyncView state={drift} isEmpty={() => false}>
        {(d: Drift) =>
          d.declarations === 0 ? (
            <p className="empty">No declarations lodged in that period.</p>
          ) : (
            <>
              <p>
                {formatNumber(d.declarations)} declarations against the training rows (population
                stability index: below 0.1 stable, below 0.25 moderate, else significant).
              </p>
              <DataTable
                label="Drift of the features"
                rows={d.features}
                rowKey={(f) => f.feature}
                pageSize={10}
                columns={[
                  { key: 'feature', header: 'Feature', cell: (f) => f.feature },
                  { key: 'psi', header: 'PSI', className: 'num', cell: (f) => ratio(f.psi) },
                  {
                    key: 'level',
                    header: 'Drift',
                    cell: (f) => <strong className={`drift ${f.level}`}>{f.level}</strong>,
                  },
                ]}
              />
              <DataTable
                label="Predicted and observed finding rates"
                rows={d.outcomes}
                rowKey={(o) => o.month}
                emptyText="No declaration screened with this version has been controlled yet."
                columns={[
                  { key: 'month', header: 'Month', cell: (o) => o.month },
                  {
                    key: 'controlled',
                    header: 'Controlled',
                    className: 'num',
                    cell: (o) => formatNumber(o.controlled),
                  },
                  {
                    key: 'predicted',
                    header: 'Mean probability',
                    className: 'num',
                    cell: (o) => ratio(o.meanProbability),
                  },
                  {
                    key: 'observed',
                    header: 'Finding rate',
                    className: 'num',
                    cell: (o) => ratio(o.findingRate),
                  },
                ]}
              />
            </>
          )
        }
      </AsyncView>
    </>
  );
}

/** Submit, approve, reject or retire: each asked first; a note is needed to reject or retire. */
function Steps({ m, onChanged }: { m: RiskModel; onChanged: () => void }) {
  const [note, setNote] = useState('');
  const [pending, setPending] = useState<Step | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const possible = (Object.keys(STEPS) as Step[]).filter((s) => STEPS[s].from === m.status);
  if (possible.length === 0) return null;
  const ask = (step: Step) => {
    setDone(null);
    if (STEPS[step].note && note.trim() === '') {
      setProblem({
        title: 'Not sent',
        detail: 'Some fields need attention.',
        errors: [{ field: '/body/note', detail: 'say why' }],
      });
      return;
    }
    setProblem(null);
    setPending(step);
  };
  const send = async () => {
    if (!pending) return;
    setBusy(true);
    const options = { params: { path: { version: m.version } }, body: { note } };
    const r =
      pending === 'submit'
        ? await api.POST('/api/models/{version}/submit', options)
        : pending === 'approve'
          ? await api.POST('/api/models/{version}/approve', options)
          : pending === 'reject'
            ? await api.POST('/api/models/{version}/reject', options)
            : await api.POST('/api/models/{version}/retire', options);
    setBusy(false);
    setPending(null);
    if (r.error) setProblem(r.error);
    else {
      setDone(`Version ${m.version} is ${STATUS_WORDS[r.data?.status ?? ''] ?? r.data?.status}.`);
      setNote('');
      onChanged();
    }
  };
  return (
    <form
      className="model-steps"
      aria-label="Decide on the version"
      onSubmit={(e) => e.preventDefault()}
    >
      <FormField label="Note" problem={problem} field={['/body/note', '/note']}>
        <textarea value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </FormField>
      <div className="actions">
        {possible.map((s) => (
          <button key={s} type="button" onClick={() => ask(s)}>
            {STEPS[s].label}
          </button>
        ))}
      </div>
      {problem !== null && <ProblemAlert problem={problem} labels={{ '/body/note': 'Note' }} />}
      {done && <p role="status">{done}</p>}
      <ConfirmActionDialog
        open={pending !== null}
        title={pending ? STEPS[pending].title : ''}
        confirmLabel={pending ? STEPS[pending].label : ''}
        onConfirm={() => void send()}
        onCancel={() => setPending(null)}
        busy={busy}
      >
        <p>Version {m.version}</p>
      </ConfirmActionDialog>
    </form>
  );
}
