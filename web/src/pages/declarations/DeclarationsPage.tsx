import { useState, type FormEvent } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime } from '../../format.js';
import { DeclarationChanges } from './DeclarationChanges.js';
import { LodgeDeclaration } from './LodgeDeclaration.js';
import { UploadDeclarations } from './UploadDeclarations.js';
import type {
  Channel,
  DeclarationKind,
  DeclarationQuery,
  DeclarationStatus,
  ListedDeclaration,
  TraderDeclaration,
} from './types.js';
import {
  CHANNEL_WORDS,
  KIND_WORDS,
  STATUS_WORDS,
  statusOf,
  statusWords,
  withoutPatterns,
} from './words.js';
import './declarations.css';

const PAGE = 50;

/** The page's own sections (`#/declarations/new`, `#/declarations/upload`); ids are never these. */
export const DECLARATION_SECTIONS: readonly string[] = ['new', 'upload'];

/** What the search form holds: text as typed, turned into the query on search. */
interface Search {
  reference: string;
  mrn: string;
  trader: string;
  container: string;
  hsPrefix: string;
  from: string;
  to: string;
  kind: '' | DeclarationKind;
  status: '' | DeclarationStatus;
  channel: '' | Channel;
}
const EMPTY: Search = {
  reference: '',
  mrn: '',
  trader: '',
  container: '',
  hsPrefix: '',
  from: '',
  to: '',
  kind: '',
  status: '',
  channel: '',
};

const SEARCH_LABELS = {
  '/querystring/reference': 'Reference (LRN)',
  '/querystring/mrn': 'MRN',
  '/querystring/trader': 'Trader (EORI)',
  '/querystring/container': 'Container number',
  '/querystring/hsPrefix': 'HS code',
  '/querystring/from': 'Lodged from',
  '/querystring/to': 'Lodged until',
  '/querystring/status': 'Status',
  '/querystring/channel': 'Channel',
  '/querystring/kind': 'Type',
  '/channel': 'Channel',
  '/cursor': 'Next page',
};

/** A calendar day the user picked (their time zone) as the instant it starts. */
const dayStart = (day: string, plusDays = 0): string => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, (m ?? 1) - 1, (d ?? 1) + plusDays).toISOString();
};

function toQuery(s: Search): DeclarationQuery {
  const q: DeclarationQuery = { limit: PAGE };
  const text = (v: string) => v.trim() || undefined;
  if (text(s.reference)) q.reference = s.reference.trim();
  if (text(s.mrn)) q.mrn = s.mrn.trim();
  if (text(s.trader)) q.trader = s.trader.trim().toUpperCase();
  if (text(s.container)) q.container = s.container.replace(/\s+/g, '').toUpperCase();
  if (text(s.hsPrefix)) q.hsPrefix = s.hsPrefix.replace(/[\s.]/g, '');
  if (s.from) q.from = dayStart(s.from);
  if (s.to) q.to = dayStart(s.to, 1); // the whole last day
  if (s.kind) q.kind = s.kind;
  if (s.status) q.status = s.status;
  if (s.channel) q.channel = s.channel;
  return q;
}

/**
 * The declarations and cargo reports the user may read: a trader's own with where each stands and
 * what is missing, customs staff's as a search. A trader lodges here too, in a form or by file.
 */
export function DeclarationsPage({ me, section }: { me: Me; section?: string }) {
  const lodges = me.may('lodge', 'declaration');
  const tabs = [
    { id: undefined, title: me.may('read', 'control') ? 'Search' : 'My declarations' },
    ...(lodges
      ? [
          { id: 'new', title: 'Lodge a declaration' },
          { id: 'upload', title: 'Upload a file' },
        ]
      : []),
  ];
  const current = tabs.some((t) => t.id === section) ? section : undefined;
  return (
    <section className="declarations">
      <h1>Declarations</h1>
      {tabs.length > 1 && (
        <nav className="subnav" aria-label="Declarations">
          {tabs.map((t) => (
            <a
              key={t.id ?? 'list'}
              href={t.id ? `#/declarations/${t.id}` : '#/declarations'}
              aria-current={t.id === current ? 'page' : undefined}
            >
              {t.title}
            </a>
          ))}
        </nav>
      )}
      {current === 'new' ? (
        <LodgeDeclaration />
      ) : current === 'upload' ? (
        <UploadDeclarations />
      ) : (
        <DeclarationList me={me} />
      )}
    </section>
  );
}

function DeclarationList({ me }: { me: Me }) {
  const staff = me.may('read', 'control');
  const [form, setForm] = useState<Search>(EMPTY);
  const [query, setQuery] = useState<DeclarationQuery>({ limit: PAGE });
  const [more, setMore] = useState<ListedDeclaration[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [moreProblem, setMoreProblem] = useState<unknown>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useAsync(async () => {
    const r = await api.GET('/api/declarations', { params: { query } });
    setMore([]);
    setCursor(r.data?.nextCursor);
    return { data: r.data, error: withoutPatterns(r.error) };
  }, [query]);

  const set =
    <K extends keyof Search>(key: K) =>
    (e: { target: { value: string } }) =>
      setForm({ ...form, [key]: e.target.value as Search[K] });
  const search = (e: FormEvent) => {
    e.preventDefault();
    setSelected(null);
    setMoreProblem(null);
    setQuery(toQuery(form));
  };
  const loadMore = async () => {
    setMoreProblem(null);
    const { data, error } = await api.GET('/api/declarations', {
      params: { query: { ...query, cursor } },
    });
    if (error || !data) return setMoreProblem(withoutPatterns(error));
    setMore((m) => [...m, ...data.items]);
    setCursor(data.nextCursor);
  };

  const rows = [...(list.data?.items ?? []), ...more];
  const chosen = rows.find((d) => d.id === selected);
  const columns: Column<ListedDeclaration>[] = [
    {
      key: 'reference',
      header: 'Reference',
      cell: (d) => <a href={`#/declarations/${encodeURIComponent(d.id)}`}>{d.reference}</a>,
    },
    { key: 'kind', header: 'Type', cell: (d) => KIND_WORDS[d.kind] ?? d.kind },
    { key: 'lodged', header: 'Lodged', cell: (d) => formatDateTime(d.submittedAt) },
    {
      key: 'status',
      header: 'Status',
      cell: (d) => {
        const status = statusOf(d);
        return <span className={`declaration-status ${status ?? ''}`}>{statusWords(status)}</span>;
      },
    },
    ...(staff
      ? [
          {
            key: 'trader',
            header: 'Declarant',
            cell: (d: ListedDeclaration) =>
              [d.declarant.id, d.declarant.name].filter(Boolean).join(' — ') || '—',
          },
          {
            key: 'channel',
            header: 'Channel',
            cell: (d: ListedDeclaration) => {
              const channel = 'channel' in d ? d.channel : null;
              return channel ? (
                <span className={`channel ${channel}`}>{CHANNEL_WORDS[channel]}</span>
              ) : (
                CHANNEL_WORDS.unscreened
              );
            },
          },
          { key: 'office', header: 'Office', cell: (d: ListedDeclaration) => d.office ?? '—' },
        ]
      : [
          {
            key: 'standing',
            header: 'Where it stands',
            cell: (d: ListedDeclaration) => ('message' in d ? d.message : '—'),
          },
          {
            key: 'missing',
            header: 'Missing',
            cell: (d: ListedDeclaration) => <Missing d={d} />,
          },
        ]),
  ];

  return (
    <>
      <form className="filters search" aria-label="Search declarations" onSubmit={search}>
        <FormField label="Reference (LRN)" problem={list.error} field="/querystring/reference">
          <input value={form.reference} onChange={set('reference')} maxLength={70} />
        </FormField>
        <FormField label="MRN" problem={list.error} field="/querystring/mrn">
          <input value={form.mrn} onChange={set('mrn')} maxLength={64} />
        </FormField>
        {staff && (
          <FormField label="Trader (EORI)" problem={list.error} field="/querystring/trader">
            <input value={form.trader} onChange={set('trader')} maxLength={35} />
          </FormField>
        )}
        <FormField label="Container number" problem={list.error} field="/querystring/container">
          <input value={form.container} onChange={set('container')} maxLength={20} />
        </FormField>
        <FormField
          label="HS code"
          hint="The first digits are enough"
          problem={list.error}
          field="/querystring/hsPrefix"
        >
          <input
            value={form.hsPrefix}
            onChange={set('hsPrefix')}
            inputMode="numeric"
            maxLength={12}
          />
        </FormField>
        <FormField label="Lodged from" problem={list.error} field="/querystring/from">
          <input type="date" value={form.from} onChange={set('from')} />
        </FormField>
        <FormField label="Lodged until" problem={list.error} field="/querystring/to">
          <input type="date" value={form.to} onChange={set('to')} />
        </FormField>
        <FormField label="Type" problem={list.error} field="/querystring/kind">
          <select value={form.kind} onChange={set('kind')}>
            <option value="">Any</option>
            {Object.entries(KIND_WORDS).map(([k, w]) => (
              <option key={k} value={k}>
                {w}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="Status" problem={list.error} field="/querystring/status">
          <select value={form.status} onChange={set('status')}>
            <option value="">Any</option>
            {Object.entries(STATUS_WORDS).map(([k, w]) => (
              <option key={k} value={k}>
                {w}
              </option>
            ))}
          </select>
        </FormField>
        {staff && (
          <FormField label="Channel" problem={list.error} field="/querystring/channel">
            <select value={form.channel} onChange={set('channel')}>
              <option value="">Any</option>
              {Object.entries(CHANNEL_WORDS).map(([k, w]) => (
                <option key={k} value={k}>
                  {w}
                </option>
              ))}
            </select>
          </FormField>
        )}
        <div className="actions">
          <button type="submit">Search</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setForm(EMPTY);
              setSelected(null);
              setQuery({ limit: PAGE });
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <AsyncView state={list} labels={SEARCH_LABELS}>
        {() => (
          <>
            <p className="status" role="status">
              {rows.length === 1 ? '1 declaration' : `${rows.length} declarations`}
              {cursor ? ' (more below)' : ''}
            </p>
            <DataTable<ListedDeclaration>
              label="Declarations"
              rows={rows}
              rowKey={(d) => d.id}
              columns={columns}
              selected={selected}
              onSelect={(d) => setSelected(d.id === selected ? null : d.id)}
              rowLabel={(d) => `${d.reference}, ${statusWords(statusOf(d))}`}
              emptyText={
                staff ? 'No declaration matches the search.' : 'You have no declarations yet.'
              }
            />
            {cursor && (
              <button type="button" className="secondary" onClick={() => void loadMore()}>
                Show more
              </button>
            )}
            <ProblemAlert problem={moreProblem} labels={SEARCH_LABELS} />
          </>
        )}
      </AsyncView>
      {chosen && (
        <SelectedDeclaration
          key={chosen.id}
          d={chosen}
          me={me}
          onChanged={() => {
            list.reload();
          }}
        />
      )}
    </>
  );
}

function Missing({ d }: { d: ListedDeclaration }) {
  const missing = 'missingDocuments' in d ? d.missingDocuments : [];
  if (missing.length === 0) return <>Nothing</>;
  return (
    <ul className="plain">
      {missing.map((m, k) => (
        <li key={k}>
          {m.anyOf.map((x) => x.title).join(' or ')} (item{m.items.length > 1 ? 's' : ''}{' '}
          {m.items.join(', ')})
        </li>
      ))}
    </ul>
  );
}

/** The row picked in the list: where it stands, and what its declarant may still do. */
function SelectedDeclaration({
  d,
  me,
  onChanged,
}: {
  d: ListedDeclaration;
  me: Me;
  onChanged: () => void;
}) {
  const trader: TraderDeclaration | null = 'audience' in d ? d : null;
  return (
    <section className="selected-declaration" aria-labelledby="selected-heading">
      <h2 id="selected-heading">
        {KIND_WORDS[d.kind]} {d.reference}: {statusWords(statusOf(d))}
      </h2>
      {trader && <p className="verdict">{trader.message}</p>}
      {trader && trader.missingDocuments.length > 0 && (
        <ul aria-label="Documents missing">
          {trader.missingDocuments.map((m, k) => (
            <li key={k}>
              {m.anyOf
                .map((x) => (/^[A-Z0-9]+$/.test(x.type) ? `${x.title} (${x.type})` : x.title))
                .join(' or ')}{' '}
              for item
              {m.items.length > 1 ? 's' : ''} {m.items.join(', ')}: {m.problem}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={`#/declarations/${encodeURIComponent(d.id)}`}>Open the declaration</a>
      </p>
      <DeclarationChanges me={me} declaration={d} onChanged={onChanged} />
    </section>
  );
}
