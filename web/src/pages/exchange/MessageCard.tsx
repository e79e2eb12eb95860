import type { ReactNode } from 'react';
import { formatDateTime, formatDay, formatNumber } from '../../format.js';
import { priorityAreaWords } from '../../words.js';
import type { BodyOf, Message } from './types.js';
import {
  caseStatusWords,
  DELIVERY_WORDS,
  deliveryDetail,
  DETECTION_WORDS,
  HANDLING_WORDS,
  MESSAGE_TYPE_WORDS,
  modeWords,
  PARTY_ROLE_WORDS,
  REFERENCE_WORDS,
} from './words.js';

type Route = BodyOf['alert']['routes'][number];
type Party = NonNullable<BodyOf['alert']['parties']>[number];

const routeWords = (r: Route): string =>
  [r.from ?? '?', ...(r.via ?? []), r.to ?? '?'].join(' → ') +
  (r.mode ? ` (${modeWords(r.mode)})` : '');

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function List({ items, ordered }: { items: ReactNode[]; ordered?: boolean }) {
  if (items.length === 0) return <>none</>;
  const children = items.map((x, k) => <li key={k}>{x}</li>);
  return ordered ? <ol>{children}</ol> : <ul className="plain">{children}</ul>;
}

function Parties({ parties }: { parties: Party[] | undefined }) {
  if (!parties || parties.length === 0) return null;
  return (
    <Fact term="Persons and companies">
      <List
        items={parties.map(
          (p) =>
            `${PARTY_ROLE_WORDS[p.role] ?? p.role}: ${p.name}${p.identifier ? ` (${p.identifier})` : ''}${p.country ? `, ${p.country}` : ''}`,
        )}
      />
    </Fact>
  );
}

/** What a message says, laid out for its type. */
export function MessageBody({ message: m }: { message: Pick<Message, 'type' | 'body'> }) {
  switch (m.type) {
    case 'alert': {
      const b = m.body as BodyOf['alert'];
      return (
        <dl className="facts">
          <Fact term="Priority area">{priorityAreaWords(b.priorityArea)}</Fact>
          <Fact term="Summary">{b.summary}</Fact>
          <Fact term="Details">
            <span className="prose">{b.details}</span>
          </Fact>
          <Fact term="Goods">
            <List
              items={b.goods.map((g) => `${g.hsCode ? `HS ${g.hsCode}: ` : ''}${g.description}`)}
            />
          </Fact>
          <Fact term="Routes">
            <List items={b.routes.map(routeWords)} />
          </Fact>
          <Fact term="Conveyances">
            <List items={b.conveyances.map((c) => `${modeWords(c.mode)}: ${c.identifier}`)} />
          </Fact>
          <Parties parties={b.parties} />
          {b.validUntil && <Fact term="Valid until">{formatDateTime(b.validUntil)}</Fact>}
        </dl>
      );
    }
    case 'assistance.request': {
      const b = m.body as BodyOf['assistance.request'];
      return (
        <dl className="facts">
          <Fact term="Subject">{b.subject}</Fact>
          <Fact term="Priority area">{priorityAreaWords(b.priorityArea)}</Fact>
          <Fact term="Questions">
            <List items={b.questions} ordered />
          </Fact>
          <Fact term="References">
            <List items={b.references.map((r) => `${REFERENCE_WORDS[r.type]}: ${r.value}`)} />
          </Fact>
          <Parties parties={b.parties} />
          <Fact term="Answer due">{formatDateTime(b.deadline)}</Fact>
        </dl>
      );
    }
    case 'assistance.status': {
      const b = m.body as BodyOf['assistance.status'];
      return (
        <dl className="facts">
          <Fact term="Status">{caseStatusWords(b.status)}</Fact>
          {b.note && (
            <Fact term="Note">
              <span className="prose">{b.note}</span>
            </Fact>
          )}
        </dl>
      );
    }
    case 'assistance.reply': {
      const b = m.body as BodyOf['assistance.reply'];
      return (
        <dl className="facts">
          <Fact term="Answer">{b.final ? 'final' : 'partial, more to follow'}</Fact>
          <Fact term="Answers">
            <List
              items={b.answers.map((a) => (
                <span className="prose">{a}</span>
              ))}
              ordered
            />
          </Fact>
          <Parties parties={b.parties} />
        </dl>
      );
    }
    case 'seizure.report': {
      const b = m.body as BodyOf['seizure.report'];
      return (
        <dl className="facts">
          <Fact term="Seized on">{formatDay(b.seizedOn)}</Fact>
          <Fact term="Place">
            {[b.place.description, b.place.locode, b.place.country].filter(Boolean).join(', ')}
          </Fact>
          <Fact term="Priority area">{priorityAreaWords(b.priorityArea)}</Fact>
          <Fact term="Goods">
            HS {b.hsCode}: {b.description}
            {b.species ? ` (${b.species})` : ''}
          </Fact>
          <Fact term="Quantity">
            {formatNumber(b.quantity.value, 3)} {b.quantity.unit}
          </Fact>
          {b.concealment && <Fact term="Concealment">{b.concealment}</Fact>}
          <Fact term="Route">
            <List items={b.route.map(routeWords)} />
          </Fact>
          <Fact term="Detected by">{DETECTION_WORDS[b.detectionMethod]}</Fact>
          <Parties parties={b.parties} />
        </dl>
      );
    }
    case 'risk.share': {
      const b = m.body as BodyOf['risk.share'];
      return (
        <dl className="facts">
          {b.note && <Fact term="Note">{b.note}</Fact>}
          <Fact term="Indicators">
            <List
              items={b.indicators.map((i) => `${i.title} (${priorityAreaWords(i.priorityArea)})`)}
            />
          </Fact>
          <Fact term="Lists">
            <List
              items={b.lists.map((l) => `${l.title} (${formatNumber(l.entries.length)} entries)`)}
            />
          </Fact>
        </dl>
      );
    }
    case 'directory.update': {
      const b = m.body as BodyOf['directory.update'];
      return (
        <dl className="facts">
          <Fact term="Administration">
            {b.administration.name} ({b.administration.id})
          </Fact>
          <Fact term="Keys">{b.keys.map((k) => k.kid).join(', ')}</Fact>
          <Fact term="Contacts">{formatNumber(b.contacts.length)}</Fact>
        </dl>
      );
    }
  }
}

/** One message of a thread: who sent it to whom, when, how it travelled, and what it says. */
export function MessageCard({
  message: m,
  current,
  children,
}: {
  message: Message;
  current?: boolean;
  children?: ReactNode;
}) {
  const headingId = `message-${m.id}`;
  return (
    <article
      className={`message ${m.direction}${current ? ' current' : ''}`}
      aria-labelledby={headingId}
      aria-current={current ? 'true' : undefined}
    >
      <h3 id={headingId}>
        {MESSAGE_TYPE_WORDS[m.type]}{' '}
        <span className="note">
          {m.direction === 'in' ? `from ${m.from}` : `to ${m.to}`}, {formatDateTime(m.createdAt)}
        </span>
      </h3>
      <p>
        <DeliveryState message={m} />
      </p>
      {m.type === 'assistance.request' && (
        <p>
          Request {caseStatusWords(m.caseStatus)}
          {m.answeredAt ? ` ${formatDateTime(m.answeredAt)}` : ''}
          {m.overdue && (
            <strong className="overdue"> — overdue since {formatDateTime(m.deadline)}</strong>
          )}
        </p>
      )}
      <MessageBody message={m} />
      <p className="note">
        Under {m.legalBasis}; {HANDLING_WORDS[m.handling]}; expires {formatDateTime(m.expiresAt)}.
      </p>
      {children}
    </article>
  );
}

/** A message's delivery: its state (marked by colour and word) and what is known of it. */
export function DeliveryState({ message: m }: { message: Message }) {
  return (
    <span className="delivery">
      <span className={`state ${m.delivery}`}>{DELIVERY_WORDS[m.delivery]}</span>{' '}
      {deliveryDetail(m)}
    </span>
  );
}
