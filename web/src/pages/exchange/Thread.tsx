import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import { formatDateTime, formatNumber } from '../../format.js';
import { MessageCard } from './MessageCard.js';
import type { BodyOf, Message, Partner } from './types.js';
import { caseStatusWords, MESSAGE_TYPE_WORDS, partnerOf, summaryOf } from './words.js';

const byTime = (a: Message, b: Message) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;

/**
 * Every message of a conversation, oldest first, each with its delivery state; on a request for
 * assistance received, the liaison officer's answers (status, refusal, answer).
 */
export function ThreadView({
  conversation,
  highlight,
  me,
  tick,
}: {
  conversation: string;
  highlight?: string | undefined;
  me: Me;
  tick: number;
}) {
  const thread = useAsync(
    () => api.GET('/api/exchange/messages', { params: { query: { conversation, limit: 500 } } }),
    [conversation, tick],
  );
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    // Chromium's scrollIntoView returns a promise: not a cleanup function for React.
    void ref.current?.scrollIntoView({ block: 'nearest' });
  }, [conversation]);
  const messages = thread.data ? [...thread.data].sort(byTime) : undefined;
  const first = messages?.[0];
  return (
    <section ref={ref} className="thread" aria-labelledby="thread-title">
      <h3 id="thread-title">
        Thread{first ? `: ${summaryOf(first)}` : ''}
        {first && <span className="note"> — with {partnerOf(first)}</span>}
      </h3>
      <AsyncView state={{ ...thread, data: messages }} emptyText="This thread has no messages.">
        {(list) => (
          <ol className="plain thread-messages">
            {list.map((m) => (
              <li key={`${m.direction}-${m.id}`}>
                <MessageCard message={m} current={m.id === highlight}>
                  {m.direction === 'in' &&
                    m.type === 'assistance.request' &&
                    me.may('respond', 'exchange-message') &&
                    m.caseStatus !== 'answered' &&
                    m.caseStatus !== 'refused' && (
                      <RequestActions request={m} onDone={thread.reload} />
                    )}
                </MessageCard>
              </li>
            ))}
          </ol>
        )}
      </AsyncView>
    </section>
  );
}

const ANSWER_LABELS: FieldLabels = {
  '/body/answers': 'Answers',
  '/body/answers/*': 'Answer',
  '/body/note': 'Note',
  '/body/status': 'Status',
  '/to': 'Partner',
};

/** A liaison officer's answers to a request received: acknowledge, in progress, refuse, answer. */
function RequestActions({ request, onDone }: { request: Message; onDone: () => void }) {
  const questions = (request.body as BodyOf['assistance.request']).questions;
  const [answers, setAnswers] = useState<string[]>(questions.map(() => ''));
  const [final, setFinal] = useState(true);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (
    type: 'assistance.status' | 'assistance.reply',
    body: BodyOf['assistance.status'] | BodyOf['assistance.reply'],
    what: string,
  ) => {
    setBusy(true);
    setProblem(null);
    setDone(null);
    const { error } = await api.POST('/api/exchange/messages', {
      body: { to: [request.from], type, sharing: 'shareable', refTo: request.id, body },
    });
    setBusy(false);
    if (error) {
      setProblem(error);
      return;
    }
    setDone(`${what} sent to ${request.from}.`);
    onDone();
  };
  const status = (s: 'acknowledged' | 'in-progress') =>
    void send('assistance.status', { status: s }, `Status “${caseStatusWords(s)}”`);
  const refuse = (e: FormEvent) => {
    e.preventDefault();
    void send('assistance.status', { status: 'refused', note: reason }, 'Refusal');
  };
  const answer = (e: FormEvent) => {
    e.preventDefault();
    void send(
      'assistance.reply',
      // One answer per question, in order: a question left blank says so.
      { answers: answers.map((a) => a.trim() || '(not answered)'), final },
      final ? 'Final answer' : 'Partial answer',
    );
  };

  return (
    <div className="request-actions" role="group" aria-label="Respond to the request">
      <div className="actions">
        {request.caseStatus === 'received' && (
          <button type="button" disabled={busy} onClick={() => status('acknowledged')}>
            Acknowledge
          </button>
        )}
        {request.caseStatus !== 'in-progress' && (
          <button type="button" disabled={busy} onClick={() => status('in-progress')}>
            Mark in progress
          </button>
        )}
      </div>
      <form className="editor" aria-label="Answer the request" onSubmit={answer}>
        <h4>Answer</h4>
        {questions.map((q, k) => (
          <FormField
            key={k}
            label={`Answer to question ${k + 1}: ${q}`}
            problem={problem}
            field={`/body/answers/${k}`}
          >
            <textarea
              rows={3}
              value={answers[k]}
              onChange={(e) => setAnswers(answers.map((a, j) => (j === k ? e.target.value : a)))}
            />
          </FormField>
        ))}
        <label className="check">
          <input type="checkbox" checked={final} onChange={(e) => setFinal(e.target.checked)} />
          Final answer (the request is then answered; untick to send part of it now)
        </label>
        <button type="submit" disabled={busy || answers.every((a) => !a.trim())}>
          Send the answer
        </button>
      </form>
      <form className="editor" aria-label="Refuse the request" onSubmit={refuse}>
        <h4>Refuse</h4>
        <FormField
          label="Reason for refusing"
          hint="The requesting administration reads it."
          problem={problem}
          field="/body/note"
        >
          <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required />
        </FormField>
        <button type="submit" disabled={busy}>
          Refuse the request
        </button>
      </form>
      <ProblemAlert problem={problem} labels={ANSWER_LABELS} />
      {done && <p className="status">{done}</p>}
    </div>
  );
}

interface Conversation {
  id: string;
  partner: string;
  first: Message;
  last: Message;
  count: number;
  request: Message | undefined;
}

/** Messages grouped by conversation, the most recently active first. */
function conversations(messages: readonly Message[]): Conversation[] {
  const by = new Map<string, Message[]>();
  for (const m of messages) by.set(m.conversation, [...(by.get(m.conversation) ?? []), m]);
  return [...by.entries()]
    .map(([id, list]) => {
      const sorted = [...list].sort(byTime);
      return {
        id,
        partner: partnerOf(sorted[0]!),
        first: sorted[0]!,
        last: sorted[sorted.length - 1]!,
        count: sorted.length,
        request: sorted.find((m) => m.type === 'assistance.request'),
      };
    })
    .sort((a, b) => byTime(b.last, a.last));
}

/** The conversations with partners, and the one open. */
export function ThreadsSection({
  me,
  tick,
  conversation,
  partners,
}: {
  me: Me;
  tick: number;
  conversation: string | undefined;
  partners: Partner[] | undefined;
}) {
  const [partner, setPartner] = useState('');
  const all = useAsync(
    () =>
      api.GET('/api/exchange/messages', {
        params: { query: { limit: 500, ...(partner ? { partner } : {}) } },
      }),
    [partner, tick],
  );
  return (
    <>
      <form className="filters" aria-label="Threads filter" onSubmit={(e) => e.preventDefault()}>
        <FormField label="Partner">
          <select value={partner} onChange={(e) => setPartner(e.target.value)}>
            <option value="">All partners</option>
            {(partners ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.id})
              </option>
            ))}
          </select>
        </FormField>
      </form>
      <AsyncView
        state={{ ...all, data: all.data && conversations(all.data) }}
        emptyText="No messages exchanged yet."
      >
        {(list) => (
          <DataTable
            label="Threads"
            rows={list}
            rowKey={(c) => c.id}
            selected={conversation}
            onSelect={(c) => {
              window.location.hash = `#/exchange/threads/${encodeURIComponent(c.id)}`;
            }}
            columns={[
              { key: 'partner', header: 'Partner', cell: (c) => c.partner },
              {
                key: 'about',
                header: 'About',
                cell: (c) => (
                  <>
                    <strong>{MESSAGE_TYPE_WORDS[c.first.type]}</strong>: {summaryOf(c.first)}
                  </>
                ),
              },
              {
                key: 'count',
                header: 'Messages',
                className: 'num',
                cell: (c) => formatNumber(c.count),
              },
              {
                key: 'last',
                header: 'Last',
                cell: (c) =>
                  `${MESSAGE_TYPE_WORDS[c.last.type]} ${c.last.direction === 'in' ? 'received' : 'sent'} ${formatDateTime(c.last.createdAt)}`,
              },
              {
                key: 'status',
                header: 'Request',
                cell: (c) =>
                  c.request ? (
                    <>
                      {caseStatusWords(c.request.caseStatus)}
                      {c.request.overdue && <strong className="overdue"> overdue</strong>}
                    </>
                  ) : (
                    '—'
                  ),
              },
            ]}
          />
        )}
      </AsyncView>
      {conversation && <ThreadView conversation={conversation} me={me} tick={tick} />}
    </>
  );
}
