import { useState, type FormEvent } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { fieldWords, ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { priorityAreaWords } from '../../words.js';
import { PartnerChoice } from './Compose.js';
import type { Adoption, BodyOf, Message, Partner } from './types.js';
import { summaryOf } from './words.js';

type Shared = BodyOf['risk.share'];

const CHANNEL_WORDS: Readonly<Record<string, string>> = {
  yellow: 'yellow (documentary check)',
  red: 'red (physical control)',
};

/** The names the saved indicator's problems use, in words. */
const INDICATOR_LABELS = {
  '/condition': 'Condition',
  '/title': 'Title',
  '/priorityArea': 'Priority area',
  '/controlForm': 'Control form',
  '/weight': 'Weight',
  '/rationale': 'Rationale',
} as const;

/**
 * Risk information partners shared: what each message holds, and (for analysts) adopting it as
 * draft indicators of this administration; analysts also share their own active shareable ones.
 */
export function SharedRiskSection({
  me,
  tick,
  selected,
  partners,
}: {
  me: Me;
  tick: number;
  selected: string | undefined;
  partners: Partner[] | undefined;
}) {
  const list = useAsync(
    () =>
      api.GET('/api/exchange/messages', {
        params: { query: { box: 'in', type: 'risk.share', limit: 100 } },
      }),
    [tick],
  );
  const current = list.data?.find((m) => m.id === selected);
  const mayAdopt = me.may('author', 'indicator');
  return (
    <>
      <AsyncView state={list} emptyText="No partner has shared risk information yet.">
        {(rows) => (
          <DataTable
            label="Risk information received"
            rows={rows}
            rowKey={(m) => m.id}
            selected={selected}
            onSelect={(m) => {
              window.location.hash = `#/exchange/shared/${encodeURIComponent(m.id)}`;
            }}
            columns={[
              { key: 'at', header: 'Sent', cell: (m) => formatDateTime(m.createdAt) },
              { key: 'from', header: 'From', cell: (m) => m.from },
              { key: 'what', header: 'Contents', cell: (m) => summaryOf(m) },
              {
                key: 'adopted',
                header: 'Adopted',
                cell: (m) => (m.adoptedAt ? formatDateTime(m.adoptedAt) : 'not yet'),
              },
            ]}
          />
        )}
      </AsyncView>
      {current && (
        <SharedDetail
          key={current.id}
          message={current}
          mayAdopt={mayAdopt}
          onAdopted={list.reload}
        />
      )}
      {me.may('send', 'exchange-message') && partners && <ShareForm partners={partners} />}
    </>
  );
}

function SharedDetail({
  message: m,
  mayAdopt,
  onAdopted,
}: {
  message: Message;
  mayAdopt: boolean;
  onAdopted: () => void;
}) {
  const body = m.body as Shared;
  const [result, setResult] = useState<Adoption | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const titleOf = (sharedId: string) =>
    body.indicators.find((i) => i.id === sharedId)?.title ?? sharedId;

  const adopt = async () => {
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST('/api/exchange/messages/{id}/adopt', {
      params: { path: { id: m.id } },
    });
    setBusy(false);
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    setResult(data);
    onAdopted();
  };

  return (
    <section className="detail" aria-labelledby="shared-title">
      <h3 id="shared-title">
        Shared by {m.from} <span className="note">{formatDateTime(m.createdAt)}</span>
      </h3>
      {body.note && <p className="prose">{body.note}</p>}
      <DataTable
        label="Shared indicators"
        rows={body.indicators}
        rowKey={(i) => `${i.id}-${i.version}`}
        emptyText="No indicators in this message."
        columns={[
          {
            key: 'title',
            header: 'Indicator',
            cell: (i) => (
              <>
                {i.title}
                <div className="note">version {i.version}</div>
              </>
            ),
          },
          { key: 'area', header: 'Priority area', cell: (i) => priorityAreaWords(i.priorityArea) },
          {
            key: 'effect',
            header: 'Effect',
            cell: (i) =>
              i.directChannel
                ? `sends to ${CHANNEL_WORDS[i.directChannel]}`
                : `adds ${formatNumber(i.weight)} to the score`,
          },
          { key: 'condition', header: 'Condition', cell: (i) => <code>{i.condition}</code> },
          { key: 'why', header: 'Rationale', cell: (i) => i.rationale },
        ]}
      />
      {body.lists.length > 0 && (
        <DataTable
          label="Shared lists"
          rows={body.lists}
          rowKey={(l) => l.name}
          columns={[
            { key: 'title', header: 'List', cell: (l) => l.title },
            { key: 'name', header: 'Name in conditions', cell: (l) => <code>{l.name}</code> },
            {
              key: 'entries',
              header: 'Entries',
              className: 'num',
              cell: (l) => formatNumber(l.entries.length),
            },
          ]}
        />
      )}
      {m.adoptedAt && !result && (
        <p className="status">Adopted as drafts {formatDateTime(m.adoptedAt)}.</p>
      )}
      {mayAdopt && !m.adoptedAt && !result && (
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void adopt()}>
            {busy ? 'Adopting…' : 'Adopt as drafts'}
          </button>
          <span className="note">
            Each indicator becomes a draft of your agency: it screens nothing until approved here.
          </span>
        </div>
      )}
      <ProblemAlert problem={problem} />
      {result && (
        <section className="adoption" aria-labelledby="adoption-title">
          <h4 id="adoption-title">Adoption result</h4>
          {result.adopted.length > 0 && (
            <>
              <p>Adopted as drafts:</p>
              <ul>
                {result.adopted.map((a) => (
                  <li key={a.sharedId}>
                    {titleOf(a.sharedId)}: draft version {a.version} —{' '}
                    <a href="#/indicators">review it under Indicators</a>
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.failed.length > 0 && (
            <>
              <p>Not adopted:</p>
              <ul>
                {result.failed.map((f) => (
                  <li key={f.sharedId}>
                    {titleOf(f.sharedId)}:{' '}
                    {f.issues
                      .map((i) => `${fieldWords(i.path, INDICATOR_LABELS)}: ${i.reason}`)
                      .join('; ')}
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.lists.length > 0 && (
            <>
              <p>Lists:</p>
              <ul>
                {result.lists.map((l) => (
                  <li key={l.name}>
                    {l.name}:{' '}
                    {l.adopted ? 'adopted as a draft' : `not adopted: ${l.reason ?? 'refused'}`}
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.adopted.length === 0 && result.failed.length === 0 && (
            <p className="empty">The message held no indicators to adopt.</p>
          )}
        </section>
      )}
    </section>
  );
}

/** Share this administration's active shareable indicators with partners. */
function ShareForm({ partners }: { partners: Partner[] }) {
  const [to, setTo] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setDone(null);
    const { data, error } = await api.POST('/api/exchange/risk-information', {
      body: { to, ...(note.trim() ? { note: note.trim() } : {}) },
    });
    setBusy(false);
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    setDone(
      `Queued for ${data.map((m) => m.to).join(', ')}: ${data[0] ? summaryOf(data[0]) : ''}.`,
    );
  };
  return (
    <form className="editor" aria-label="Share risk information" onSubmit={(e) => void submit(e)}>
      <h3>Share risk information</h3>
      <p className="note">
        Sends every active indicator of this administration marked shareable, and the lists they
        use. Indicators marked national never leave it.
      </p>
      <PartnerChoice
        partners={partners}
        type="risk.share"
        value={to}
        onChange={setTo}
        problem={problem}
      />
      <FormField label="Note to the partners" hint="Optional" problem={problem} field="/note">
        <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </FormField>
      <ProblemAlert problem={problem} />
      <div className="actions">
        <button type="submit" disabled={busy || to.length === 0}>
          Share
        </button>
      </div>
      {done && <p className="status">{done}</p>}
    </form>
  );
}
