import { useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { formatDateTime } from '../../format.js';
import { DeliveryState } from './MessageCard.js';
import { ThreadView } from './Thread.js';
import type { Message, MessageType, Partner } from './types.js';
import { caseStatusWords, MESSAGE_TYPE_WORDS, partnerOf, summaryOf } from './words.js';

const TYPES = Object.keys(MESSAGE_TYPE_WORDS) as MessageType[];

/** Where a request stands (and whether it is late), or nothing for other messages. */
function RequestState({ message: m }: { message: Message }) {
  if (m.type === 'risk.share')
    return <>{m.adoptedAt ? `adopted ${formatDateTime(m.adoptedAt)}` : 'not adopted yet'}</>;
  if (m.type !== 'assistance.request') return null;
  return (
    <>
      {caseStatusWords(m.caseStatus)}
      <div className="note">
        due {formatDateTime(m.deadline)}
        {m.overdue && <strong className="overdue"> — overdue</strong>}
      </div>
    </>
  );
}

const at: Column<Message> = {
  key: 'at',
  header: 'Sent',
  cell: (m) => formatDateTime(m.createdAt),
};
const about: Column<Message> = {
  key: 'about',
  header: 'About',
  cell: (m) => (
    <>
      <strong>{MESSAGE_TYPE_WORDS[m.type]}</strong>: {summaryOf(m)}
    </>
  ),
};

const INBOX: ReadonlyArray<Column<Message>> = [
  at,
  { key: 'from', header: 'From', cell: (m) => m.from },
  about,
  { key: 'state', header: 'Status', cell: (m) => <RequestState message={m} /> },
];
const OUTBOX: ReadonlyArray<Column<Message>> = [
  at,
  { key: 'to', header: 'To', cell: (m) => m.to },
  about,
  { key: 'delivery', header: 'Delivery', cell: (m) => <DeliveryState message={m} /> },
  { key: 'state', header: 'Request', cell: (m) => <RequestState message={m} /> },
];

/**
 * The inbox or the outbox, newest first, filtered by type and partner; a message selected opens
 * its whole thread below.
 */
export function MessagesSection({
  box,
  me,
  tick,
  selected,
  partners,
}: {
  box: 'in' | 'out';
  me: Me;
  tick: number;
  selected: string | undefined;
  partners: Partner[] | undefined;
}) {
  const [type, setType] = useState<MessageType | ''>('');
  const [partner, setPartner] = useState('');
  const list = useAsync(
    () =>
      api.GET('/api/exchange/messages', {
        params: {
          query: { box, limit: 100, ...(type ? { type } : {}), ...(partner ? { partner } : {}) },
        },
      }),
    [box, type, partner, tick],
  );
  const name = box === 'in' ? 'Inbox' : 'Outbox';
  const current = list.data?.find((m) => m.id === selected);
  return (
    <>
      <form className="filters" aria-label={`${name} filters`} onSubmit={(e) => e.preventDefault()}>
        <FormField label="Type">
          <select value={type} onChange={(e) => setType(e.target.value as MessageType | '')}>
            <option value="">All types</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {MESSAGE_TYPE_WORDS[t]}
              </option>
            ))}
          </select>
        </FormField>
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
        state={list}
        emptyText={
          box === 'in' ? 'Nothing received from partners.' : 'Nothing sent to partners yet.'
        }
      >
        {(rows) => (
          <DataTable
            label={name}
            rows={rows}
            rowKey={(m) => m.id}
            selected={selected}
            onSelect={(m) => {
              window.location.hash = `#/exchange/${box === 'in' ? 'inbox' : 'outbox'}/${encodeURIComponent(m.id)}`;
            }}
            columns={box === 'in' ? INBOX : OUTBOX}
          />
        )}
      </AsyncView>
      {current && (
        <ThreadView
          conversation={current.conversation}
          highlight={current.id}
          me={me}
          tick={tick}
        />
      )}
    </>
  );
}

/** Requests for assistance past their deadline and not answered, both ways. */
export function OverdueSection({
  me,
  tick,
  selected,
}: {
  me: Me;
  tick: number;
  selected: string | undefined;
}) {
  const list = useAsync(
    () => api.GET('/api/exchange/messages', { params: { query: { overdue: true, limit: 500 } } }),
    [tick],
  );
  const current = list.data?.find((m) => m.id === selected);
  return (
    <>
      <p className="note">
        Requests for assistance whose answer was due and has not come (or not gone) yet.
      </p>
      <AsyncView state={list} emptyText="No request for assistance is overdue.">
        {(rows) => (
          <DataTable
            label="Overdue requests"
            rows={rows}
            rowKey={(m) => m.id}
            selected={selected}
            onSelect={(m) => {
              window.location.hash = `#/exchange/overdue/${encodeURIComponent(m.id)}`;
            }}
            columns={[
              {
                key: 'due',
                header: 'Answer was due',
                cell: (m) => <strong className="overdue">{formatDateTime(m.deadline)}</strong>,
              },
              {
                key: 'who',
                header: 'Who answers',
                cell: (m) =>
                  m.direction === 'in' ? `we do (asked by ${m.from})` : `${m.to} (asked by us)`,
              },
              { key: 'partner', header: 'Partner', cell: (m) => partnerOf(m) },
              about,
              { key: 'state', header: 'Status', cell: (m) => caseStatusWords(m.caseStatus) },
            ]}
          />
        )}
      </AsyncView>
      {current && (
        <ThreadView
          conversation={current.conversation}
          highlight={current.id}
          me={me}
          tick={tick}
        />
      )}
    </>
  );
}
