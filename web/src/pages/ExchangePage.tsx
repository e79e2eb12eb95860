import { useCallback, useState } from 'react';
import type { Me } from '../App.js';
import { api } from '../api.js';
import { useAsync } from '../components/AsyncView.js';
import { formatDateTime } from '../format.js';
import { useLiveEvents, type LiveEvent } from '../live.js';
import { ComposeSection } from './exchange/Compose.js';
import { DirectorySection } from './exchange/Directory.js';
import { MessagesSection, OverdueSection } from './exchange/Messages.js';
import { SharedRiskSection } from './exchange/SharedRisk.js';
import { ThreadsSection } from './exchange/Thread.js';
import type { MessageType } from './exchange/types.js';
import { MESSAGE_TYPE_WORDS } from './exchange/words.js';

/** The sections of the page, each at #/exchange/<id>, and who sees it. */
const SECTIONS = [
  { id: 'inbox', title: 'Inbox' },
  { id: 'outbox', title: 'Outbox' },
  { id: 'threads', title: 'Threads' },
  { id: 'overdue', title: 'Overdue requests' },
  { id: 'compose', title: 'Compose', needs: 'send' },
  { id: 'shared', title: 'Shared risk information' },
  { id: 'directory', title: 'Directory' },
] as const;
type SectionId = (typeof SECTIONS)[number]['id'];

const KIND_WORDS: Readonly<Record<string, string>> = {
  'exchange.sent': 'queued for sending',
  'exchange.delivered': 'delivered',
  'exchange.refused': 'refused by the partner',
  'exchange.expired': 'expired undelivered',
  'exchange.received': 'received',
  'exchange.case-updated': 'updated',
  'exchange.adopted': 'adopted as drafts',
};

/** What the live stream said last, in words, for the status line (read out politely). */
function announce(events: LiveEvent[]): string {
  const last = events[events.length - 1]?.data as
    { kind?: string; type?: string | null; at?: string } | undefined;
  if (!last?.kind) return '';
  // Only shared risk information is adopted (its event does not repeat the type).
  const type = last.kind === 'exchange.adopted' ? 'risk.share' : last.type;
  const what = (type && MESSAGE_TYPE_WORDS[type as MessageType]) || 'A message';
  return `${what} ${KIND_WORDS[last.kind] ?? 'changed'} ${formatDateTime(last.at)}`;
}

/**
 * The exchange with partner administrations: messages in and out as threads, overdue requests,
 * composing alerts, requests for assistance and seizure reports, risk information received, and
 * the directory. Lists follow the live stream: a message sent, delivered or received anywhere on
 * this node shows without a reload.
 */
export function ExchangePage({
  me,
  section,
  item,
}: {
  me: Me;
  section: string | undefined;
  item: string | undefined;
}) {
  const [tick, setTick] = useState(0);
  const [news, setNews] = useState('');
  const onEvents = useCallback((events: LiveEvent[]) => {
    setTick((t) => t + 1);
    setNews(announce(events));
  }, []);
  useLiveEvents(['exchange'], onEvents);

  const node = useAsync(() => api.GET('/api/exchange/node'), []);
  const partners = useAsync(() => api.GET('/api/exchange/partners'), [tick]);

  const visible = SECTIONS.filter((s) => !('needs' in s) || me.may(s.needs, 'exchange-message'));
  const current: SectionId = visible.some((s) => s.id === section)
    ? (section as SectionId)
    : 'inbox';
  const title = visible.find((s) => s.id === current)!.title;
  const nodeId = node.data?.nodeId;

  return (
    <section aria-labelledby="exchange-title">
      <h1 id="exchange-title">
        Exchange with partners
        {node.data && (
          <span className="note">
            {' '}
            — {node.data.name} ({node.data.nodeId})
          </span>
        )}
      </h1>
      <nav aria-label="Exchange" className="subnav">
        {visible.map((s) => (
          <a
            key={s.id}
            href={`#/exchange/${s.id}`}
            aria-current={s.id === current ? 'page' : undefined}
          >
            {s.title}
          </a>
        ))}
      </nav>
      <p className="status live" aria-live="polite">
        {news ? `Live: ${news}.` : ''}
      </p>
      <h2>{title}</h2>
      {current === 'inbox' && (
        <MessagesSection box="in" me={me} tick={tick} selected={item} partners={partners.data} />
      )}
      {current === 'outbox' && (
        <MessagesSection box="out" me={me} tick={tick} selected={item} partners={partners.data} />
      )}
      {current === 'threads' && (
        <ThreadsSection me={me} tick={tick} conversation={item} partners={partners.data} />
      )}
      {current === 'overdue' && <OverdueSection me={me} tick={tick} selected={item} />}
      {current === 'compose' && <ComposeSection partners={partners} nodeId={nodeId} />}
      {current === 'shared' && (
        <SharedRiskSection me={me} tick={tick} selected={item} partners={partners.data} />
      )}
      {current === 'directory' && (
        <DirectorySection me={me} tick={tick} node={node} partners={partners} />
      )}
    </section>
  );
}
