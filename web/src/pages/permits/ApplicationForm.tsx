import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import type { paths } from '../../api-types.js';
import { FormField } from '../../components/FormField.js';
import { fieldWords } from '../../components/ProblemAlert.js';
import { formatDateTime } from '../../format.js';
import { DocumentPicker, type DocumentReference } from './documents.js';
import { fieldProblems, inWords, problemAt, type FieldProblem } from './problem-words.js';

/** A permit type as the server describes it (GET /api/permits/types). */
export type PermitTypeInfo =
  paths['/api/permits/types']['get']['responses'][200]['content']['application/json'][number];
type Application = NonNullable<
  paths['/api/permits']['post']['requestBody']
>['content']['application/json'];

/** Rules of thumb for the common fields, said instead of the schema's patterns. */
const RULES = {
  hs: 'HS codes are 2 to 10 digits each, e.g. 8549 or 854143',
  country: 'Two capital letters, the ISO country code, e.g. DE',
  species: 'Scientific names of at least 3 letters, e.g. Psittacus erithacus',
};

const list = (text: string, upper = false): string[] =>
  text
    .split(/[,;\n]/)
    .map((x) => (upper ? x.trim().toUpperCase() : x.trim()))
    .filter(Boolean);

/** A day as `YYYY-MM-DD` in the user's time zone. */
const isoDay = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The start of a local day as an instant (the raw text when it is no date, for the API to say so). */
const startOf = (day: string, plusDays = 0): string => {
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return day;
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
};

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The application for a permit: the applicant picks a type, then fills what the server says
 * that type needs (its particulars with their code lists, units, route, track), the goods, the
 * counterpart and the validity it asks for. Each problem the server finds shows by its field.
 */
export function ApplicationForm({
  types,
  onApplied,
}: {
  types: readonly PermitTypeInfo[];
  onApplied: () => void;
}) {
  const [typeCode, setTypeCode] = useState('');
  const described = types.find((t) => t.type === typeCode) ?? null;
  const [issuer, setIssuer] = useState('');
  const [counterpart, setCounterpart] = useState('');
  const [country, setCountry] = useState('');
  const [hs, setHs] = useState('');
  const [species, setSpecies] = useState('');
  const [quantity, setQuantity] = useState('');
  const [unit, setUnit] = useState('');
  const [details, setDetails] = useState<Record<string, string>>({});
  const [route, setRoute] = useState({ dispatch: '', transit: '', destination: '' });
  const [maxShipments, setMaxShipments] = useState('');
  const [recovery, setRecovery] = useState(false);
  const today = new Date();
  const [from, setFrom] = useState(isoDay(today));
  const [to, setTo] = useState(
    isoDay(new Date(today.getFullYear() + 1, today.getMonth(), today.getDate() - 1)),
  );
  const [documents, setDocuments] = useState<DocumentReference[]>([]);
  const [problems, setProblems] = useState<FieldProblem[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const choose = (code: string) => {
    const next = types.find((t) => t.type === code);
    setTypeCode(code);
    setUnit(next?.units[0]?.code ?? '');
    setIssuer(next?.issuers[0]?.code ?? '');
    setDetails({});
    setRecovery(false);
    setProblems(null);
    setFailure(null);
  };

  const labels: Record<string, string> = {
    '/type': 'Permit type',
    '/issuerAgency': 'Issuing agency',
    '/counterpart/name': 'Counterpart',
    '/counterpart/country': 'Counterpart country',
    '/hsScope': 'HS codes covered',
    '/species': 'Species',
    '/quantity': 'Quantity',
    '/unit': 'Unit',
    '/route/dispatch': 'Countries of dispatch',
    '/route/transit': 'Transit countries',
    '/route/destination': 'Countries of destination',
    '/maxShipments': 'Most shipments',
    '/validFrom': 'Valid from',
    '/validTo': 'Valid to',
    '/wasteToResource': 'Expedited track',
    '/attachments': 'Supporting documents',
    ...Object.fromEntries(
      (described?.details ?? []).map((f) => [`/details/${f.key}`, f.label] as const),
    ),
  };
  const shown = problems ?? [];
  const at = (pointer: string, rule?: string, values?: readonly string[]) =>
    problemAt(shown, pointer, rule, values);
  // Problems for a field the form does not show (should the server name one) are listed on top.
  const elsewhere = shown.filter(
    (p) =>
      !Object.keys(labels).some((k) => p.field === k || p.field.startsWith(`${k}/`)) ||
      (p.field.startsWith('/route') && !described?.route) ||
      (p.field.startsWith('/species') && !described?.speciesRequired),
  );

  const apply = async (e: FormEvent) => {
    e.preventDefault();
    if (!described) return;
    setProblems(null);
    setFailure(null);
    setDone(null);
    setSending(true);
    const filled = Object.fromEntries(
      Object.entries(details)
        .map(([k, v]) => [k, v.trim()] as const)
        .filter(([, v]) => v !== ''),
    );
    const body: Application = {
      type: described.type,
      issuerAgency: issuer,
      counterpart: {
        name: counterpart.trim(),
        ...(country.trim() ? { country: country.trim() } : {}),
      },
      hsScope: list(hs),
      quantity: quantity.trim() === '' ? 0 : Number(quantity.replace(',', '.')),
      unit: unit as Application['unit'],
      validFrom: startOf(from),
      // Valid to the end of the last day the applicant chose.
      validTo: startOf(to, 1),
      ...(described.speciesRequired ? { species: list(species) } : {}),
      ...(described.route
        ? {
            route: {
              dispatch: list(route.dispatch, true),
              transit: list(route.transit, true),
              destination: list(route.destination, true),
            },
            ...(maxShipments.trim() ? { maxShipments: Number(maxShipments) } : {}),
          }
        : {}),
      ...(described.expedited === 'on-request' ? { wasteToResource: recovery } : {}),
      ...(Object.keys(filled).length > 0 ? { details: filled } : {}),
      ...(documents.length > 0 ? { attachments: documents } : {}),
    };
    try {
      const { data, error } = await api.POST('/api/permits', { body });
      if (error) {
        const found = fieldProblems(error);
        setProblems(found);
        setFailure(
          found.length > 0
            ? `The application was not sent: correct the ${found.length === 1 ? 'field' : 'fields'} marked above.`
            : inWords(asText(error)),
        );
        return;
      }
      setDone(
        `Your application for the ${described.name} was sent; decision due ${formatDateTime(data.deadline)}.`,
      );
      setDocuments([]);
      onApplied();
    } catch (err) {
      setFailure(err instanceof Error ? err.message : 'The application could not be sent.');
    } finally {
      setSending(false);
    }
  };

  const hsValues = list(hs);
  return (
    <form
      onSubmit={(e) => void apply(e)}
      aria-label="Apply for a permit"
      className="editor application"
      noValidate
    >
      <h2>Apply for a permit</h2>
      <FormField
        label="Permit type"
        hint={described?.summary ?? 'Choose the permit you need; the form then asks what it needs.'}
        error={at('/type')}
      >
        <select value={typeCode} onChange={(e) => choose(e.target.value)} required>
          <option value="">Choose a permit type</option>
          {types.map((t) => (
            <option key={t.type} value={t.type}>
              {t.name}
            </option>
          ))}
        </select>
      </FormField>
      {described && (
        <>
          <FormField
            label="Issuing agency"
            hint={described.issuers.length === 0 ? 'No agency issues it here yet.' : undefined}
            error={at('/issuerAgency')}
          >
            <select value={issuer} onChange={(e) => setIssuer(e.target.value)} required>
              {described.issuers.map((a) => (
                <option key={a.id} value={a.code}>
                  {a.name}
                </option>
              ))}
            </select>
          </FormField>
          <fieldset>
            <legend>{described.counterpartLabel}</legend>
            <div className="row">
              <FormField
                label="Counterpart"
                hint={`The ${described.counterpartLabel.toLowerCase()}’s name`}
                error={at('/counterpart/name')}
              >
                <input
                  value={counterpart}
                  onChange={(e) => setCounterpart(e.target.value)}
                  maxLength={200}
                  required
                  autoComplete="organization"
                />
              </FormField>
              <FormField
                label="Counterpart country"
                hint="Optional. Two letters, e.g. DE"
                error={at('/counterpart/country', RULES.country)}
              >
                <input
                  value={country}
                  onChange={(e) => setCountry(e.target.value.toUpperCase())}
                  maxLength={2}
                  size={4}
                />
              </FormField>
            </div>
          </fieldset>
          <fieldset>
            <legend>Goods</legend>
            <FormField
              label="HS codes covered (comma-separated)"
              hint="2 to 10 digits each, e.g. 8549 or 854143; leave empty for any goods of the type"
              error={at('/hsScope', RULES.hs, hsValues)}
            >
              <input value={hs} onChange={(e) => setHs(e.target.value)} inputMode="numeric" />
            </FormField>
            {described.speciesRequired && (
              <FormField
                label="Species (scientific names)"
                hint="One per line or comma-separated, e.g. Psittacus erithacus"
                error={at('/species', RULES.species, list(species))}
              >
                <textarea
                  value={species}
                  onChange={(e) => setSpecies(e.target.value)}
                  rows={2}
                  required
                />
              </FormField>
            )}
            <div className="row">
              <FormField label="Quantity" hint="The most the permit covers" error={at('/quantity')}>
                <input
                  inputMode="decimal"
                  value={quantity}
                  onChange={(e) => setQuantity(e.target.value)}
                  required
                  size={10}
                />
              </FormField>
              <FormField label="Unit" error={at('/unit')}>
                <select value={unit} onChange={(e) => setUnit(e.target.value)}>
                  {described.units.map((u) => (
                    <option key={u.code} value={u.code}>
                      {u.meaning}
                    </option>
                  ))}
                </select>
              </FormField>
            </div>
          </fieldset>
          {described.details.length > 0 && (
            <fieldset>
              <legend>Particulars of the {described.name.toLowerCase()}</legend>
              {described.details.map((f) => {
                const pointer = `/details/${f.key}`;
                const value = details[f.key] ?? '';
                const set = (v: string) => setDetails((d) => ({ ...d, [f.key]: v }));
                return (
                  <FormField
                    key={f.key}
                    label={f.label}
                    hint={f.required ? f.hint : `Optional. ${f.hint}`}
                    error={at(
                      pointer,
                      f.kind === 'text' ? `At most ${f.maxLength} characters` : undefined,
                    )}
                  >
                    {f.kind === 'code' && f.codes ? (
                      <select
                        value={value}
                        onChange={(e) => set(e.target.value)}
                        required={f.required}
                      >
                        <option value="">Choose…</option>
                        {f.codes.map((c) => (
                          <option key={c.code} value={c.code}>
                            {c.code} — {c.meaning}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        value={value}
                        onChange={(e) => set(e.target.value)}
                        maxLength={f.maxLength}
                        required={f.required}
                      />
                    )}
                  </FormField>
                );
              })}
            </fieldset>
          )}
          {described.route && (
            <fieldset>
              <legend>Route</legend>
              <p className="hint">
                Two-letter country codes, comma-separated; leave a leg empty not to restrict it.
              </p>
              <div className="row">
                {(
                  [
                    ['dispatch', 'Countries of dispatch'],
                    ['transit', 'Transit countries'],
                    ['destination', 'Countries of destination'],
                  ] as const
                ).map(([leg, label]) => (
                  <FormField
                    key={leg}
                    label={label}
                    error={at(`/route/${leg}`, RULES.country, list(route[leg], true))}
                  >
                    <input
                      value={route[leg]}
                      onChange={(e) => setRoute((r) => ({ ...r, [leg]: e.target.value }))}
                      size={12}
                    />
                  </FormField>
                ))}
                <FormField
                  label="Most shipments"
                  hint="Optional. A whole number"
                  error={at('/maxShipments')}
                >
                  <input
                    inputMode="numeric"
                    value={maxShipments}
                    onChange={(e) => setMaxShipments(e.target.value)}
                    size={6}
                  />
                </FormField>
              </div>
            </fieldset>
          )}
          <fieldset>
            <legend>Validity asked for</legend>
            <div className="row">
              <FormField label="Valid from" error={at('/validFrom')}>
                <input
                  type="date"
                  value={from}
                  onChange={(e) => setFrom(e.target.value)}
                  required
                />
              </FormField>
              <FormField label="Valid to" error={at('/validTo')}>
                <input type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
              </FormField>
            </div>
            <p className="hint" aria-live="polite">
              {validityWords(from, to)} ({zone}). The agency may issue it for less.
            </p>
          </fieldset>
          {described.expedited === 'on-request' && (
            <FormField
              label={`Expedited track: ${described.expeditedWhen ?? 'asked for'}`}
              className="check"
              error={at('/wasteToResource')}
            >
              <input
                type="checkbox"
                checked={recovery}
                onChange={(e) => setRecovery(e.target.checked)}
              />
            </FormField>
          )}
          {described.expedited === 'always' && (
            <p className="note">This permit is decided on the expedited track.</p>
          )}
          <DocumentPicker
            label="Supporting documents"
            value={documents}
            onChange={setDocuments}
            error={at('/attachments')}
          />
        </>
      )}
      {failure && (
        <div role="alert" className="error problem">
          <strong>{failure}</strong>
          {elsewhere.length > 0 && (
            <ul>
              {elsewhere.map((p, k) => (
                <li key={k}>
                  {fieldWords(p.field, labels)}: {inWords(p.detail)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button type="submit" disabled={!described || sending}>
        Apply
      </button>
      {done && <p className="status">{done}</p>}
    </form>
  );
}

/** The validity asked for, as the user reads dates: from the first day's start to the last's end. */
function validityWords(from: string, to: string): string {
  const start = startOf(from);
  const end = startOf(to, 1);
  if (Number.isNaN(Date.parse(start)) || Number.isNaN(Date.parse(end)))
    return 'From the start of the first day to the end of the last, in your time zone';
  return `From ${formatDateTime(start)} until ${formatDateTime(end)}, your time`;
}

/** The words of a problem without fields (its detail, else its title). */
function asText(error: unknown): string {
  if (error && typeof error === 'object') {
    const p = error as { detail?: unknown; title?: unknown };
    if (typeof p.detail === 'string') return p.detail;
    if (typeof p.title === 'string') return p.title;
  }
  return 'The application could not be sent.';
}
