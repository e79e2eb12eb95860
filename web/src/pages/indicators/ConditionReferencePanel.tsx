import { useId, useState } from 'react';
import { formatNumber } from '../../format.js';
import type { ConditionReference } from './types.js';

const KIND_WORDS: Readonly<Record<ConditionReference['lists'][number]['kind'], string>> = {
  'hs-prefixes': 'HS codes',
  countries: 'countries',
  parties: 'traders',
  values: 'values',
};

/**
 * What a condition may use, beside the editor (from GET /api/indicators/context): the fields of
 * the declaration, the goods item and the trader, the helpers, and the reference lists, searched
 * by name or meaning; each entry's button puts it into the condition at the caret.
 */
export function ConditionReferencePanel({
  reference,
  onInsert,
}: {
  reference: ConditionReference;
  onInsert: (text: string) => void;
}) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const q = query.trim().toLowerCase();
  const matches = (...texts: string[]) =>
    q === '' || texts.some((t) => t.toLowerCase().includes(q));
  const fields = reference.fields.filter((f) => matches(f.name, f.doc));
  const helpers = reference.helpers.filter((h) => matches(h.name, h.signature, h.doc));
  const lists = reference.lists.filter((l) => matches(l.name, l.title));
  const none = fields.length + helpers.length + lists.length === 0;
  return (
    <aside className="condition-reference" aria-labelledby={`${searchId}-h`}>
      <h3 id={`${searchId}-h`}>What a condition may use</h3>
      <label htmlFor={searchId}>Search the reference</label>
      <input
        id={searchId}
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder="e.g. origin, permit, value"
      />
      <p className="note">{reference.note}</p>
      {none && <p className="empty">Nothing in the reference matches “{query}”.</p>}
      {fields.length > 0 && (
        <section aria-label="Fields">
          <h4>Fields</h4>
          <ul className="plain reference-entries">
            {fields.map((f) => (
              <li key={f.name}>
                <button
                  type="button"
                  className="link"
                  aria-label={`Insert ${f.name}`}
                  onClick={() => onInsert(f.name)}
                >
                  <code>{f.name}</code>
                </button>{' '}
                <span className="note">
                  ({f.type}) {f.doc}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {helpers.length > 0 && (
        <section aria-label="Helpers">
          <h4>Helpers</h4>
          <ul className="plain reference-entries">
            {helpers.map((h) => (
              <li key={h.name}>
                <button
                  type="button"
                  className="link"
                  aria-label={`Insert ${h.name}`}
                  onClick={() => onInsert(`${h.name}(`)}
                >
                  <code>{h.name}</code>
                </button>{' '}
                <code className="note">{h.signature.slice(h.name.length)}</code>{' '}
                <span className="note">{h.doc}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {lists.length > 0 && (
        <section aria-label="Reference lists">
          <h4>Reference lists</h4>
          <ul className="plain reference-entries">
            {lists.map((l) => (
              <li key={l.name}>
                <button
                  type="button"
                  className="link"
                  aria-label={`Insert list ${l.name}`}
                  onClick={() => onInsert(`"${l.name}"`)}
                >
                  <code>{l.name}</code>
                </button>{' '}
                <span className="note">
                  {l.title}: {formatNumber(l.entryCount)} {KIND_WORDS[l.kind]}
                  {l.status !== 'active'
                    ? ` (version ${formatNumber(l.version)} not yet in force)`
                    : ''}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}
