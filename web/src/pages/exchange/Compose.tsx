import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { AsyncView, type AsyncState } from '../../components/AsyncView.js';
import { CheckboxGroup, FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import { Rows } from '../../components/Rows.js';
import { PRIORITY_AREAS, type PriorityArea } from '../../domain.js';
import { formatDateTime } from '../../format.js';
import { PRIORITY_AREA_WORDS } from '../../words.js';
import type { BodyOf, Compose, Message, Partner } from './types.js';
import {
  CONVEYANCE_MODES,
  DETECTION_METHODS,
  DETECTION_WORDS,
  MESSAGE_TYPE_WORDS,
  MODE_WORDS,
  REFERENCE_TYPES,
  REFERENCE_WORDS,
  ROUTE_MODES,
} from './words.js';

type Kind = 'alert' | 'assistance.request' | 'seizure.report';
const KINDS: readonly Kind[] = ['alert', 'assistance.request', 'seizure.report'];

/** The agreements in force with a partner that cover a type of message. */
export function agreementsCovering(p: Partner, type: Message['type'], now = new Date()) {
  const at = now.toISOString();
  return p.agreements.filter(
    (a) =>
      a.messageTypes.includes(type) && a.validFrom <= at && (a.validTo === null || a.validTo > at),
  );
}

/**
 * The partners a message of a type may go to, to tick: active partners with an agreement in force
 * covering the type; the others are listed, not offered, with the reason.
 */
export function PartnerChoice({
  partners,
  type,
  value,
  onChange,
  problem,
}: {
  partners: readonly Partner[];
  type: Message['type'];
  value: string[];
  onChange: (v: string[]) => void;
  problem: unknown;
}) {
  const open = partners.filter((p) => p.status === 'active' && agreementsCovering(p, type).length);
  const closed = partners.filter((p) => !open.includes(p));
  return (
    <>
      <CheckboxGroup
        legend="Partners"
        options={open.map((p) => ({
          value: p.id,
          label: (
            <>
              {p.name} ({p.id}){' '}
              <span className="note">under {agreementsCovering(p, type)[0]!.legalBasis}</span>
            </>
          ),
        }))}
        value={value}
        onChange={onChange}
        hint={
          open.length === 0
            ? `No partner has an agreement in force that covers ${MESSAGE_TYPE_WORDS[type].toLowerCase()}s.`
            : 'One signed message goes to each partner ticked.'
        }
        problem={problem}
        field="/to"
      />
      {closed.length > 0 && (
        <p className="note">
          Not offered:{' '}
          {closed
            .map(
              (p) =>
                `${p.name} (${p.status === 'active' ? `no agreement in force covers ${MESSAGE_TYPE_WORDS[type].toLowerCase()}s` : 'suspended'})`,
            )
            .join('; ')}
          .
        </p>
      )}
    </>
  );
}

/** A `datetime-local` value for a moment (the user's local time, to the minute). */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
const localDay = (d: Date) => localInput(d).slice(0, 10);
const iso = (local: string) => new Date(local).toISOString();
const clean = (s: string) => s.trim();
const optional = <K extends string>(key: K, value: string) =>
  (clean(value) ? { [key]: clean(value) } : {}) as Partial<Record<K, string>>;

interface RouteRow {
  from: string;
  to: string;
  via: string;
  mode: string;
}
const noRoute = (): RouteRow => ({ from: '', to: '', via: '', mode: '' });
const routeOf = (r: RouteRow) => ({
  ...optional('from', r.from),
  ...optional('to', r.to),
  ...(clean(r.via)
    ? {
        via: r.via.split(',').map(clean).filter(Boolean),
      }
    : {}),
  ...(r.mode ? { mode: r.mode as (typeof ROUTE_MODES)[number] } : {}),
});

function RouteRows({
  legend,
  rows,
  onChange,
  problem,
  field,
}: {
  legend: string;
  rows: RouteRow[];
  onChange: (rows: RouteRow[]) => void;
  problem: unknown;
  field: string;
}) {
  return (
    <Rows legend={legend} rows={rows} onChange={onChange} empty={noRoute} addLabel="Add a leg">
      {(r, set, k) => (
        <>
          <FormField label="From" problem={problem} field={`${field}/${k}/from`}>
            <input value={r.from} onChange={(e) => set({ ...r, from: e.target.value })} />
          </FormField>
          <FormField
            label="Via"
            hint="Places, comma-separated"
            problem={problem}
            field={`${field}/${k}/via`}
          >
            <input value={r.via} onChange={(e) => set({ ...r, via: e.target.value })} />
          </FormField>
          <FormField label="To" problem={problem} field={`${field}/${k}/to`}>
            <input value={r.to} onChange={(e) => set({ ...r, to: e.target.value })} />
          </FormField>
          <FormField label="Mode" problem={problem} field={`${field}/${k}/mode`}>
            <select value={r.mode} onChange={(e) => set({ ...r, mode: e.target.value })}>
              <option value="">Not known</option>
              {ROUTE_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_WORDS[m]}
                </option>
              ))}
            </select>
          </FormField>
        </>
      )}
    </Rows>
  );
}

function AreaSelect({
  value,
  onChange,
  problem,
}: {
  value: PriorityArea;
  onChange: (a: PriorityArea) => void;
  problem: unknown;
}) {
  return (
    <FormField label="Priority area" problem={problem} field="/body/priorityArea">
      <select value={value} onChange={(e) => onChange(e.target.value as PriorityArea)}>
        {PRIORITY_AREAS.map((a) => (
          <option key={a} value={a}>
            {PRIORITY_AREA_WORDS[a]}
          </option>
        ))}
      </select>
    </FormField>
  );
}

/** Shareable or national: national-only information is refused, and the form says so first. */
function SharingSelect({
  value,
  onChange,
  problem,
}: {
  value: Compose['sharing'];
  onChange: (v: Compose['sharing']) => void;
  problem: unknown;
}) {
  return (
    <FormField
      label="Sharing"
      hint={
        <span className={value === 'national' ? 'warning' : undefined}>
          National-only information never leaves this administration: a message marked national only
          is refused and nothing is sent.
        </span>
      }
      problem={problem}
      field="/sharing"
    >
      <select value={value} onChange={(e) => onChange(e.target.value as Compose['sharing'])}>
        <option value="shareable">Shareable with the partners ticked</option>
        <option value="national">National only (will not be sent)</option>
      </select>
    </FormField>
  );
}

const LABELS: FieldLabels = {
  '/to/*': 'Partner',
  '/sharing': 'Sharing',
  '/body/validUntil': 'Valid until',
  '/body/place/country': 'Country of seizure',
  '/body/place/locode': 'UN/LOCODE',
  '/body/place/description': 'Place',
  '/body/quantity/value': 'Quantity',
  '/body/quantity/unit': 'Unit',
  '/body/seizedOn': 'Seized on',
  '/body/detectionMethod': 'Detected by',
};

/** Compose an alert, a request for assistance or a seizure report to partners. */
export function ComposeSection({
  partners,
  nodeId,
}: {
  partners: AsyncState<Partner[]>;
  nodeId: string | undefined;
}) {
  const [kind, setKind] = useState<Kind>('alert');
  const [sent, setSent] = useState<Message[] | null>(null);
  const [generation, setGeneration] = useState(0);
  const onSent = (messages: Message[]) => {
    setSent(messages);
    setGeneration((g) => g + 1);
    partners.reload();
  };
  return (
    <>
      <fieldset className="choices inline">
        <legend>What to send</legend>
        {KINDS.map((k) => (
          <label key={k} className="check">
            <input
              type="radio"
              name="kind"
              value={k}
              checked={kind === k}
              onChange={() => {
                setKind(k);
                setSent(null);
              }}
            />
            {MESSAGE_TYPE_WORDS[k]}
          </label>
        ))}
      </fieldset>
      {sent && (
        <div className="status sent" role="status">
          {MESSAGE_TYPE_WORDS[sent[0]!.type]} signed and queued for{' '}
          {sent.map((m, k) => (
            <span key={m.id}>
              {k > 0 ? ', ' : ''}
              <a href={`#/exchange/outbox/${encodeURIComponent(m.id)}`}>{m.to}</a>
            </span>
          ))}
          ; the Outbox shows when each partner confirms receipt.
        </div>
      )}
      <AsyncView state={partners} emptyText="No partner administrations are registered yet.">
        {(list) => (
          <>
            {kind === 'alert' && <AlertForm key={generation} partners={list} onSent={onSent} />}
            {kind === 'assistance.request' && (
              <RequestForm key={generation} partners={list} onSent={onSent} />
            )}
            {kind === 'seizure.report' && (
              <SeizureForm
                key={generation}
                partners={list}
                onSent={onSent}
                country={nodeId?.slice(0, 2) ?? ''}
              />
            )}
          </>
        )}
      </AsyncView>
    </>
  );
}

/** Sends one composed message; gives back the problem, if refused. */
function useSend(onSent: (m: Message[]) => void) {
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const send = async (compose: Compose) => {
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST('/api/exchange/messages', { body: compose });
    setBusy(false);
    if (error || !data) setProblem(error ?? 'No answer from the server.');
    else onSent(data);
  };
  return { problem, busy, send };
}

function Submit({ busy, label, problem }: { busy: boolean; label: string; problem: unknown }) {
  return (
    <>
      <ProblemAlert problem={problem} labels={LABELS} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : label}
        </button>
      </div>
    </>
  );
}

function AlertForm({ partners, onSent }: { partners: Partner[]; onSent: (m: Message[]) => void }) {
  const [to, setTo] = useState<string[]>([]);
  const [sharing, setSharing] = useState<Compose['sharing']>('shareable');
  const [area, setArea] = useState<PriorityArea>('e-waste');
  const [summary, setSummary] = useState('');
  const [details, setDetails] = useState('');
  const [goods, setGoods] = useState<Array<{ hsCode: string; description: string }>>([]);
  const [routes, setRoutes] = useState<RouteRow[]>([]);
  const [conveyances, setConveyances] = useState<Array<{ mode: string; identifier: string }>>([]);
  const [validUntil, setValidUntil] = useState('');
  const { problem, busy, send } = useSend(onSent);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: BodyOf['alert'] = {
      priorityArea: area,
      summary: clean(summary),
      details: clean(details),
      goods: goods.map((g) => ({
        ...optional('hsCode', g.hsCode),
        description: clean(g.description),
      })),
      routes: routes.map(routeOf),
      conveyances: conveyances.map((c) => ({
        mode: c.mode as (typeof CONVEYANCE_MODES)[number],
        identifier: clean(c.identifier),
      })),
      ...(validUntil ? { validUntil: iso(validUntil) } : {}),
    };
    void send({ to, type: 'alert', sharing, body });
  };

  return (
    <form className="editor compose" aria-label="Alert" onSubmit={submit}>
      <PartnerChoice
        partners={partners}
        type="alert"
        value={to}
        onChange={setTo}
        problem={problem}
      />
      <SharingSelect value={sharing} onChange={setSharing} problem={problem} />
      <AreaSelect value={area} onChange={setArea} problem={problem} />
      <FormField
        label="Summary"
        hint="One line, at least 3 characters"
        problem={problem}
        field="/body/summary"
      >
        <input
          value={summary}
          onChange={(e) => setSummary(e.target.value)}
          maxLength={300}
          required
        />
      </FormField>
      <FormField label="Details" problem={problem} field="/body/details">
        <textarea rows={4} value={details} onChange={(e) => setDetails(e.target.value)} required />
      </FormField>
      <Rows
        legend="Goods"
        rows={goods}
        onChange={setGoods}
        empty={() => ({ hsCode: '', description: '' })}
        addLabel="Add goods"
      >
        {(g, set, k) => (
          <>
            <FormField
              label="HS code"
              hint="4 to 10 digits"
              problem={problem}
              field={`/body/goods/${k}/hsCode`}
            >
              <input
                inputMode="numeric"
                value={g.hsCode}
                onChange={(e) => set({ ...g, hsCode: e.target.value })}
              />
            </FormField>
            <FormField
              label="Description of the goods"
              problem={problem}
              field={`/body/goods/${k}/description`}
            >
              <input
                value={g.description}
                onChange={(e) => set({ ...g, description: e.target.value })}
              />
            </FormField>
          </>
        )}
      </Rows>
      <RouteRows
        legend="Routes"
        rows={routes}
        onChange={setRoutes}
        problem={problem}
        field="/body/routes"
      />
      <Rows
        legend="Conveyances"
        rows={conveyances}
        onChange={setConveyances}
        empty={() => ({ mode: 'road', identifier: '' })}
        addLabel="Add a conveyance"
      >
        {(c, set, k) => (
          <>
            <FormField label="Mode" problem={problem} field={`/body/conveyances/${k}/mode`}>
              <select value={c.mode} onChange={(e) => set({ ...c, mode: e.target.value })}>
                {CONVEYANCE_MODES.map((m) => (
                  <option key={m} value={m}>
                    {MODE_WORDS[m]}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField
              label="Vessel, flight, vehicle or wagon"
              hint="Name, number or registration"
              problem={problem}
              field={`/body/conveyances/${k}/identifier`}
            >
              <input
                value={c.identifier}
                onChange={(e) => set({ ...c, identifier: e.target.value })}
              />
            </FormField>
          </>
        )}
      </Rows>
      <FormField label="Valid until" hint="Optional" problem={problem} field="/body/validUntil">
        <input
          type="datetime-local"
          value={validUntil}
          onChange={(e) => setValidUntil(e.target.value)}
        />
      </FormField>
      <Submit busy={busy} label="Send the alert" problem={problem} />
    </form>
  );
}

function RequestForm({
  partners,
  onSent,
}: {
  partners: Partner[];
  onSent: (m: Message[]) => void;
}) {
  const [to, setTo] = useState<string[]>([]);
  const [sharing, setSharing] = useState<Compose['sharing']>('shareable');
  const [subject, setSubject] = useState('');
  const [area, setArea] = useState<PriorityArea>('e-waste');
  const [questions, setQuestions] = useState<string[]>(['']);
  const [references, setReferences] = useState<
    Array<{ type: (typeof REFERENCE_TYPES)[number]; value: string }>
  >([]);
  // Two weeks ahead by default: the usual time for an answer, changed as the case needs.
  const [deadline, setDeadline] = useState(() =>
    localInput(new Date(Date.now() + 14 * 86_400_000)),
  );
  const { problem, busy, send } = useSend(onSent);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: BodyOf['assistance.request'] = {
      subject: clean(subject),
      priorityArea: area,
      questions: questions.map(clean),
      references: references.map((r) => ({ type: r.type, value: clean(r.value) })),
      deadline: iso(deadline),
    };
    void send({ to, type: 'assistance.request', sharing, body });
  };

  return (
    <form className="editor compose" aria-label="Request for assistance" onSubmit={submit}>
      <PartnerChoice
        partners={partners}
        type="assistance.request"
        value={to}
        onChange={setTo}
        problem={problem}
      />
      <SharingSelect value={sharing} onChange={setSharing} problem={problem} />
      <FormField label="Subject" problem={problem} field="/body/subject">
        <input
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
          maxLength={300}
          required
        />
      </FormField>
      <AreaSelect value={area} onChange={setArea} problem={problem} />
      <Rows
        legend="Questions"
        rows={questions}
        onChange={setQuestions}
        empty={() => ''}
        addLabel="Add a question"
      >
        {(q, set, k) => (
          <FormField label={`Question ${k + 1}`} problem={problem} field={`/body/questions/${k}`}>
            <textarea rows={2} value={q} onChange={(e) => set(e.target.value)} required />
          </FormField>
        )}
      </Rows>
      <Rows
        legend="References"
        rows={references}
        onChange={setReferences}
        empty={() => ({ type: 'declaration' as const, value: '' })}
        addLabel="Add a reference"
      >
        {(r, set, k) => (
          <>
            <FormField
              label="Kind of reference"
              problem={problem}
              field={`/body/references/${k}/type`}
            >
              <select
                value={r.type}
                onChange={(e) => set({ ...r, type: e.target.value as typeof r.type })}
              >
                {REFERENCE_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {REFERENCE_WORDS[t]}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField
              label="Number or reference"
              problem={problem}
              field={`/body/references/${k}/value`}
            >
              <input value={r.value} onChange={(e) => set({ ...r, value: e.target.value })} />
            </FormField>
          </>
        )}
      </Rows>
      <FormField
        label="Answer due by"
        hint={deadline ? `${formatDateTime(iso(deadline))}, your local time` : 'Your local time'}
        problem={problem}
        field="/body/deadline"
      >
        <input
          type="datetime-local"
          value={deadline}
          onChange={(e) => setDeadline(e.target.value)}
          required
        />
      </FormField>
      <Submit busy={busy} label="Send the request" problem={problem} />
    </form>
  );
}

function SeizureForm({
  partners,
  onSent,
  country: ownCountry,
}: {
  partners: Partner[];
  onSent: (m: Message[]) => void;
  country: string;
}) {
  const [to, setTo] = useState<string[]>([]);
  const [sharing, setSharing] = useState<Compose['sharing']>('shareable');
  const [seizedOn, setSeizedOn] = useState(() => localDay(new Date()));
  const [country, setCountry] = useState(ownCountry);
  const [locode, setLocode] = useState('');
  const [place, setPlace] = useState('');
  const [area, setArea] = useState<PriorityArea>('endangered-species');
  const [hsCode, setHsCode] = useState('');
  const [description, setDescription] = useState('');
  const [species, setSpecies] = useState('');
  const [quantity, setQuantity] = useState('');
  const [unit, setUnit] = useState('KGM');
  const [concealment, setConcealment] = useState('');
  const [route, setRoute] = useState<RouteRow[]>([]);
  const [method, setMethod] = useState<(typeof DETECTION_METHODS)[number]>('risk-profile');
  const { problem, busy, send } = useSend(onSent);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: BodyOf['seizure.report'] = {
      seizedOn,
      place: {
        country: clean(country).toUpperCase(),
        ...optional('locode', locode),
        ...optional('description', place),
      },
      priorityArea: area,
      hsCode: clean(hsCode),
      description: clean(description),
      ...optional('species', species),
      quantity: { value: Number(quantity), unit: clean(unit) },
      ...optional('concealment', concealment),
      route: route.map(routeOf),
      detectionMethod: method,
    };
    void send({ to, type: 'seizure.report', sharing, body });
  };

  return (
    <form className="editor compose" aria-label="Seizure report" onSubmit={submit}>
      <PartnerChoice
        partners={partners}
        type="seizure.report"
        value={to}
        onChange={setTo}
        problem={problem}
      />
      <SharingSelect value={sharing} onChange={setSharing} problem={problem} />
      <div className="row">
        <FormField label="Seized on" problem={problem} field="/body/seizedOn">
          <input
            type="date"
            value={seizedOn}
            onChange={(e) => setSeizedOn(e.target.value)}
            required
          />
        </FormField>
        <FormField
          label="Country of seizure"
          hint="Two letters, e.g. BY"
          problem={problem}
          field="/body/place/country"
        >
          <input
            value={country}
            maxLength={2}
            onChange={(e) => setCountry(e.target.value.toUpperCase())}
            required
          />
        </FormField>
        <FormField
          label="UN/LOCODE"
          hint="Optional, five characters"
          problem={problem}
          field="/body/place/locode"
        >
          <input
            value={locode}
            maxLength={5}
            onChange={(e) => setLocode(e.target.value.toUpperCase())}
          />
        </FormField>
      </div>
      <FormField
        label="Place"
        hint="Border crossing, airport, port"
        problem={problem}
        field="/body/place/description"
      >
        <input value={place} onChange={(e) => setPlace(e.target.value)} />
      </FormField>
      <AreaSelect value={area} onChange={setArea} problem={problem} />
      <div className="row">
        <FormField label="HS code" hint="4 to 10 digits" problem={problem} field="/body/hsCode">
          <input
            inputMode="numeric"
            value={hsCode}
            onChange={(e) => setHsCode(e.target.value)}
            required
          />
        </FormField>
        <FormField label="Quantity" problem={problem} field="/body/quantity/value">
          <input
            inputMode="decimal"
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
            required
          />
        </FormField>
        <FormField
          label="Unit"
          hint="e.g. KGM, NAR, LTR"
          problem={problem}
          field="/body/quantity/unit"
        >
          <input
            value={unit}
            maxLength={10}
            onChange={(e) => setUnit(e.target.value.toUpperCase())}
            required
          />
        </FormField>
      </div>
      <FormField label="Description of the goods" problem={problem} field="/body/description">
        <input value={description} onChange={(e) => setDescription(e.target.value)} required />
      </FormField>
      <FormField
        label="Species"
        hint="Optional: scientific name for CITES specimens"
        problem={problem}
        field="/body/species"
      >
        <input value={species} onChange={(e) => setSpecies(e.target.value)} />
      </FormField>
      <FormField label="Concealment" hint="Optional" problem={problem} field="/body/concealment">
        <textarea rows={2} value={concealment} onChange={(e) => setConcealment(e.target.value)} />
      </FormField>
      <RouteRows
        legend="Route"
        rows={route}
        onChange={setRoute}
        problem={problem}
        field="/body/route"
      />
      <FormField label="Detected by" problem={problem} field="/body/detectionMethod">
        <select value={method} onChange={(e) => setMethod(e.target.value as typeof method)}>
          {DETECTION_METHODS.map((m) => (
            <option key={m} value={m}>
              {DETECTION_WORDS[m]}
            </option>
          ))}
        </select>
      </FormField>
      <Submit busy={busy} label="Send the seizure report" problem={problem} />
    </form>
  );
}
