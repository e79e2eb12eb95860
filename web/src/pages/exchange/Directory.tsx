import { useState, type FormEvent } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync, type AsyncState } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { CheckboxGroup, FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import { PRIORITY_AREAS, type PriorityArea } from '../../domain.js';
import { formatDateTime } from '../../format.js';
import { PRIORITY_AREA_WORDS, priorityAreaWords } from '../../words.js';
import type { Contact, ContactInput, NodeInfo, Partner } from './types.js';
import { CHANNEL_KINDS, CHANNEL_WORDS, MESSAGE_TYPE_WORDS, trustWords } from './words.js';

const STATUS_WORDS: Readonly<Record<Partner['status'], string>> = {
  active: 'active',
  suspended: 'suspended (nothing is sent or accepted)',
};

const validity = (from: string, to: string | null) =>
  to ? `${formatDateTime(from)} – ${formatDateTime(to)}` : `since ${formatDateTime(from)}`;

/**
 * The directory: this node and its keys, the partner administrations with their keys and
 * agreements, and the liaison contacts of all, by country and priority area; liaison officers
 * keep this node's own contacts and publish them to partners.
 */
export function DirectorySection({
  me,
  tick,
  node,
  partners,
}: {
  me: Me;
  tick: number;
  node: AsyncState<NodeInfo>;
  partners: AsyncState<Partner[]>;
}) {
  return (
    <>
      <section aria-labelledby="own-node">
        <h3 id="own-node">This administration</h3>
        <AsyncView state={node}>
          {(n) => (
            <dl className="facts">
              <dt>Name</dt>
              <dd>{n.name}</dd>
              <dt>Node</dt>
              <dd>{n.nodeId}</dd>
              <dt>Signing keys</dt>
              <dd>
                <ul className="plain">
                  {n.keys.map((k) => (
                    <li key={k.kid}>
                      <code className="thumbprint">{k.kid}</code>{' '}
                      <span className="note">valid {validity(k.validFrom, k.validTo)}</span>
                    </li>
                  ))}
                </ul>
                <span className="note">
                  Partners confirm these thumbprints with you before they trust the keys.
                </span>
              </dd>
            </dl>
          )}
        </AsyncView>
      </section>
      <section aria-labelledby="partners-title">
        <h3 id="partners-title">Partner administrations</h3>
        <AsyncView state={partners} emptyText="No partner administrations are registered yet.">
          {(list) => (
            <DataTable
              label="Partner administrations"
              rows={list}
              rowKey={(p) => p.id}
              columns={[
                {
                  key: 'name',
                  header: 'Administration',
                  cell: (p) => (
                    <>
                      {p.name}
                      <div className="note">
                        {p.id}, {p.country}
                      </div>
                    </>
                  ),
                },
                { key: 'status', header: 'Status', cell: (p) => STATUS_WORDS[p.status] },
                {
                  key: 'reach',
                  header: 'Reached over',
                  cell: (p) =>
                    [p.httpEndpoint ? `HTTP (${p.httpEndpoint})` : null, p.nats ? 'NATS' : null]
                      .filter(Boolean)
                      .join(', ') || 'not reachable',
                },
                {
                  key: 'keys',
                  header: 'Keys trusted (thumbprints)',
                  cell: (p) => (
                    <ul className="plain">
                      {p.keys.map((k) => (
                        <li key={k.kid}>
                          <code className="thumbprint">{k.kid}</code>
                          <div className="note">
                            valid {validity(k.validFrom, k.validTo)}; {trustWords(k.trustedBy)}
                          </div>
                        </li>
                      ))}
                    </ul>
                  ),
                },
                {
                  key: 'agreements',
                  header: 'Agreements',
                  cell: (p) =>
                    p.agreements.length === 0 ? (
                      'none: nothing can be exchanged'
                    ) : (
                      <ul className="plain">
                        {p.agreements.map((a) => (
                          <li key={a.id}>
                            <strong>{a.title}</strong> ({a.legalBasis})
                            <div className="note">
                              {a.messageTypes.map((t) => MESSAGE_TYPE_WORDS[t]).join(', ')};{' '}
                              {a.nominal
                                ? 'names of persons and companies allowed'
                                : 'no names of persons or companies'}
                              ; valid {validity(a.validFrom, a.validTo)}
                            </div>
                          </li>
                        ))}
                      </ul>
                    ),
                },
              ]}
            />
          )}
        </AsyncView>
      </section>
      <Contacts me={me} tick={tick} ownNode={node.data?.nodeId} />
    </>
  );
}

function Contacts({ me, tick, ownNode }: { me: Me; tick: number; ownNode: string | undefined }) {
  const [country, setCountry] = useState('');
  const [area, setArea] = useState<PriorityArea | ''>('');
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const [published, setPublished] = useState<string | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const mayAuthor = me.may('author', 'partner-directory');
  const validCountry = /^[A-Z]{2}$/.test(country);
  const contacts = useAsync(
    () =>
      api.GET('/api/exchange/contacts', {
        params: {
          query: { ...(validCountry ? { country } : {}), ...(area ? { area } : {}) },
        },
      }),
    [validCountry ? country : '', area, tick, version],
  );
  const own = (c: Contact) => c.nodeId === ownNode;

  const remove = async (c: Contact) => {
    setProblem(null);
    const { error } = await api.DELETE('/api/exchange/contacts/{id}', {
      params: { path: { id: c.id } },
    });
    if (error) setProblem(error);
    setVersion((v) => v + 1);
  };
  const publish = async () => {
    setProblem(null);
    setPublished(null);
    const { data, error } = await api.POST('/api/exchange/directory/publish');
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    setPublished(
      data.length === 0
        ? 'Not sent: no active partner has an agreement in force that covers directory updates.'
        : `The directory entry was signed and queued for ${data.map((m) => m.to).join(', ')}.`,
    );
  };

  return (
    <section aria-labelledby="contacts-title">
      <h3 id="contacts-title">Liaison contacts</h3>
      <form className="filters" aria-label="Search contacts" onSubmit={(e) => e.preventDefault()}>
        <FormField
          label="Country"
          hint="Two letters, e.g. KZ"
          error={country && !validCountry ? 'two capital letters' : null}
        >
          <input
            value={country}
            maxLength={2}
            onChange={(e) => setCountry(e.target.value.toUpperCase().trim())}
          />
        </FormField>
        <FormField label="Priority area">
          <select value={area} onChange={(e) => setArea(e.target.value as PriorityArea | '')}>
            <option value="">All areas</option>
            {PRIORITY_AREAS.map((a) => (
              <option key={a} value={a}>
                {PRIORITY_AREA_WORDS[a]}
              </option>
            ))}
          </select>
        </FormField>
      </form>
      {mayAuthor && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setEditing('new')}>
            Add a contact of this administration
          </button>
          <button type="button" onClick={() => void publish()}>
            Publish to partners
          </button>
        </div>
      )}
      {published && (
        <p className="status" role="status">
          {published}
        </p>
      )}
      <ProblemAlert problem={problem} />
      {editing && (
        <ContactForm
          key={editing === 'new' ? 'new' : editing.id}
          contact={editing === 'new' ? null : editing}
          others={(contacts.data ?? []).filter(own)}
          onDone={() => {
            setEditing(null);
            setVersion((v) => v + 1);
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <AsyncView state={contacts} emptyText="No contact matches.">
        {(list) => (
          <DataTable
            label="Liaison contacts"
            rows={list}
            rowKey={(c) => `${c.nodeId}/${c.id}`}
            rowClassName={(c) => (own(c) ? 'own' : undefined)}
            columns={[
              {
                key: 'name',
                header: 'Name',
                cell: (c) => (
                  <>
                    {c.name}
                    <div className="note">{c.function}</div>
                  </>
                ),
              },
              {
                key: 'agency',
                header: 'Administration',
                cell: (c) => (
                  <>
                    {c.agency}
                    <div className="note">
                      {c.nodeId}
                      {own(c) ? ' (this administration)' : ''}
                    </div>
                  </>
                ),
              },
              {
                key: 'areas',
                header: 'Priority areas',
                cell: (c) => c.priorityAreas.map(priorityAreaWords).join(', ') || 'all',
              },
              {
                key: 'reach',
                header: 'Reach',
                cell: (c) => (
                  <ul className="plain">
                    {c.channels.map((ch, k) => (
                      <li key={k}>
                        {CHANNEL_WORDS[ch.kind]}: {ch.value}
                      </li>
                    ))}
                    {c.availability && <li className="note">{c.availability}</li>}
                  </ul>
                ),
              },
              {
                key: 'languages',
                header: 'Languages',
                cell: (c) => c.languages.join(', ') || '—',
              },
              ...(mayAuthor
                ? [
                    {
                      key: 'edit',
                      header: 'Change',
                      cell: (c: Contact) =>
                        own(c) ? (
                          <>
                            <button
                              type="button"
                              className="secondary"
                              aria-label={`Edit ${c.name}`}
                              onClick={() => setEditing(c)}
                            >
                              Edit
                            </button>
                            <button
                              type="button"
                              className="secondary"
                              aria-label={`Remove ${c.name}`}
                              onClick={() => void remove(c)}
                            >
                              Remove
                            </button>
                          </>
                        ) : null,
                    },
                  ]
                : []),
            ]}
          />
        )}
      </AsyncView>
    </section>
  );
}

const CONTACT_LABELS: FieldLabels = {
  '/languages': 'Languages',
  '/languages/*': 'Language',
  '/channels': 'How to reach',
  '/deputyId': 'Deputy',
};

function ContactForm({
  contact,
  others,
  onDone,
  onCancel,
}: {
  contact: Contact | null;
  others: Contact[];
  onDone: () => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(contact?.name ?? '');
  const [fn, setFn] = useState(contact?.function ?? '');
  const [agency, setAgency] = useState(contact?.agency ?? '');
  const [languages, setLanguages] = useState(contact?.languages.join(', ') ?? '');
  const [areas, setAreas] = useState<PriorityArea[]>(contact?.priorityAreas ?? []);
  const [channels, setChannels] = useState<ContactInput['channels']>(
    contact?.channels ?? [{ kind: 'email', value: '' }],
  );
  const [availability, setAvailability] = useState(contact?.availability ?? '');
  const [deputy, setDeputy] = useState(contact?.deputyId ?? '');
  const [problem, setProblem] = useState<unknown>(null);
  const [id] = useState(
    () =>
      contact?.id ?? `contact-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
  );

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const body: ContactInput = {
      id,
      name: name.trim(),
      function: fn.trim(),
      agency: agency.trim(),
      languages: languages
        .split(',')
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
      priorityAreas: areas,
      channels: channels.map((c) => ({ kind: c.kind, value: c.value.trim() })),
      ...(availability.trim() ? { availability: availability.trim() } : {}),
      ...(deputy ? { deputyId: deputy } : {}),
    };
    const { error } = await api.PUT('/api/exchange/contacts/{id}', {
      params: { path: { id } },
      body,
    });
    if (error) setProblem(error);
    else onDone();
  };

  return (
    <form
      className="editor"
      aria-label={contact ? `Edit ${contact.name}` : 'New contact'}
      onSubmit={(e) => void save(e)}
    >
      <h4>{contact ? `Edit ${contact.name}` : 'New contact of this administration'}</h4>
      <FormField label="Name" problem={problem} field="/name">
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </FormField>
      <FormField label="Function" problem={problem} field="/function">
        <input value={fn} onChange={(e) => setFn(e.target.value)} required />
      </FormField>
      <FormField label="Agency or unit" problem={problem} field="/agency">
        <input value={agency} onChange={(e) => setAgency(e.target.value)} required />
      </FormField>
      <FormField
        label="Languages"
        hint="Language codes, comma-separated: ru, en, kk"
        problem={problem}
        field="/languages"
      >
        <input value={languages} onChange={(e) => setLanguages(e.target.value)} />
      </FormField>
      <CheckboxGroup
        legend="Priority areas"
        hint="None ticked: all areas"
        options={PRIORITY_AREAS.map((a) => ({ value: a, label: PRIORITY_AREA_WORDS[a] }))}
        value={areas}
        onChange={setAreas}
        problem={problem}
        field="/priorityAreas"
        className="columns"
      />
      <fieldset className="rows">
        <legend>How to reach</legend>
        {channels.map((c, k) => (
          <div className="row" key={k} role="group" aria-label={`Channel ${k + 1}`}>
            <FormField label="By" problem={problem} field={`/channels/${k}/kind`}>
              <select
                value={c.kind}
                onChange={(e) =>
                  setChannels(
                    channels.map((x, j) =>
                      j === k ? { ...x, kind: e.target.value as typeof c.kind } : x,
                    ),
                  )
                }
              >
                {CHANNEL_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {CHANNEL_WORDS[kind]}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField label="Address or number" problem={problem} field={`/channels/${k}/value`}>
              <input
                value={c.value}
                onChange={(e) =>
                  setChannels(
                    channels.map((x, j) => (j === k ? { ...x, value: e.target.value } : x)),
                  )
                }
                required
              />
            </FormField>
            <button
              type="button"
              className="secondary"
              aria-label={`Remove channel ${k + 1}`}
              onClick={() => setChannels(channels.filter((_, j) => j !== k))}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() => setChannels([...channels, { kind: 'phone', value: '' }])}
        >
          Add a channel
        </button>
      </fieldset>
      <FormField
        label="Availability"
        hint="Optional, e.g. weekdays 9–18 Minsk time"
        problem={problem}
        field="/availability"
      >
        <input value={availability} onChange={(e) => setAvailability(e.target.value)} />
      </FormField>
      <FormField label="Deputy" problem={problem} field="/deputyId">
        <select value={deputy} onChange={(e) => setDeputy(e.target.value)}>
          <option value="">None</option>
          {others
            .filter((o) => o.id !== id)
            .map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
        </select>
      </FormField>
      <ProblemAlert problem={problem} labels={CONTACT_LABELS} />
      <div className="actions">
        <button type="submit">Save the contact</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p className="note">Partners receive the change with the next publication.</p>
    </form>
  );
}
