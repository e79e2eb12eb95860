import { useState, type FormEvent, type ReactElement } from 'react';
import { api } from '../../api.js';
import { FormField } from '../../components/FormField.js';
import { fieldError, ProblemAlert } from '../../components/ProblemAlert.js';
import type { DeclarationInput, TransportMode } from './types.js';
import {
  declarationLabels,
  exactFieldError,
  KIND_WORDS,
  statusWords,
  TRANSPORT_WORDS,
  withoutPatterns,
} from './words.js';

interface ItemForm {
  key: number;
  hsCode: string;
  description: string;
  originCountry: string;
  quantity: string;
  unit: string;
  netMass: string;
  value: string;
  currency: string;
  documents: string;
}
interface LodgeForm {
  kind: 'import' | 'export' | 'transit';
  reference: string;
  office: string;
  declarantId: string;
  declarantName: string;
  consigneeId: string;
  consigneeName: string;
  consigneeCountry: string;
  consignorName: string;
  consignorCountry: string;
  dispatchCountry: string;
  destinationCountry: string;
  transitCountries: string;
  transportMode: '' | TransportMode;
  conveyance: string;
  containers: string;
  documents: string;
}

let nextKey = 1;
const emptyItem = (): ItemForm => ({
  key: nextKey++,
  hsCode: '',
  description: '',
  originCountry: '',
  quantity: '',
  unit: '',
  netMass: '',
  value: '',
  currency: '',
  documents: '',
});
const EMPTY: LodgeForm = {
  kind: 'import',
  reference: '',
  office: '',
  declarantId: '',
  declarantName: '',
  consigneeId: '',
  consigneeName: '',
  consigneeCountry: '',
  consignorName: '',
  consignorCountry: '',
  dispatchCountry: '',
  destinationCountry: '',
  transitCountries: '',
  transportMode: '',
  conveyance: '',
  containers: '',
  documents: '',
};

const upper = (s: string) => s.trim().toUpperCase();
/** Several codes typed with spaces, commas or semicolons between them. */
const codes = (s: string) =>
  s
    .split(/[\s,;]+/)
    .map(upper)
    .filter(Boolean);
/** `N935 INV-77` a line (or `N935: INV-77`): the document type code, then its reference. */
const documents = (s: string) =>
  s
    .split(/\n|;/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^([A-Za-z0-9]+)\s*[: ]\s*(.+)$/.exec(line);
      return m
        ? { type: m[1]!.toUpperCase(), reference: m[2]!.trim() }
        : { type: line, reference: '' };
    });
/** A number as typed (comma or dot); NaN reaches the API and comes back as that field's error. */
const amount = (s: string) => (s.trim() === '' ? undefined : Number(s.trim().replace(',', '.')));

function toInput(f: LodgeForm, items: ItemForm[]): DeclarationInput {
  const party = (id: string, name: string, country = '') => {
    const p: { id?: string; name?: string; country?: string } = {};
    if (id.trim()) p.id = upper(id);
    if (name.trim()) p.name = name.trim();
    if (country.trim()) p.country = upper(country);
    return p;
  };
  const route: NonNullable<DeclarationInput['route']> = {};
  if (f.dispatchCountry.trim()) route.dispatchCountry = upper(f.dispatchCountry);
  if (f.destinationCountry.trim()) route.destinationCountry = upper(f.destinationCountry);
  if (codes(f.transitCountries).length) route.transitCountries = codes(f.transitCountries);
  if (f.transportMode) route.transportMode = f.transportMode;
  if (f.conveyance.trim()) route.conveyance = f.conveyance.trim();
  if (codes(f.containers).length) route.containers = codes(f.containers);
  const consignee = party(f.consigneeId, f.consigneeName, f.consigneeCountry);
  const consignor = party('', f.consignorName, f.consignorCountry);
  const input: DeclarationInput = {
    kind: f.kind,
    reference: f.reference.trim(),
    declarant: party(f.declarantId, f.declarantName),
    route,
    goodsItems: items.map((g, i) => {
      const item: DeclarationInput['goodsItems'][number] = { sequence: i + 1 };
      if (g.hsCode.trim()) item.hsCode = g.hsCode.replace(/[\s.]/g, '');
      if (g.description.trim()) item.description = g.description.trim();
      if (g.originCountry.trim()) item.originCountry = upper(g.originCountry);
      if (amount(g.quantity) !== undefined) item.quantity = amount(g.quantity);
      if (g.unit.trim()) item.unit = upper(g.unit);
      if (amount(g.netMass) !== undefined) item.netMass = amount(g.netMass);
      if (amount(g.value) !== undefined) item.value = amount(g.value);
      if (g.currency.trim()) item.currency = upper(g.currency);
      if (documents(g.documents).length) item.documents = documents(g.documents);
      return item;
    }),
  };
  if (f.office.trim()) input.office = upper(f.office);
  if (Object.keys(consignee).length) input.consignee = consignee;
  if (Object.keys(consignor).length) input.consignor = consignor;
  if (documents(f.documents).length) input.documents = documents(f.documents);
  return input;
}

/**
 * Lodge a goods declaration in a form: parties, office, transport and goods items (added and
 * removed). A refusal shows each problem next to its field, in the form's words.
 */
export function LodgeDeclaration() {
  const [form, setForm] = useState<LodgeForm>(EMPTY);
  const [items, setItems] = useState<ItemForm[]>(() => [emptyItem()]);
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [lodged, setLodged] = useState<{ id: string; reference: string; words: string } | null>(
    null,
  );
  const labels = declarationLabels(items.length);

  const set =
    <K extends keyof LodgeForm>(key: K) =>
    (e: { target: { value: string } }) =>
      setForm({ ...form, [key]: e.target.value as LodgeForm[K] });
  const setItem =
    (i: number, key: keyof Omit<ItemForm, 'key'>) => (e: { target: { value: string } }) =>
      setItems(items.map((g, k) => (k === i ? { ...g, [key]: e.target.value } : g)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null); // no stale errors: each attempt shows only its own
    setLodged(null);
    setBusy(true);
    const { data, error } = await api.POST('/api/declarations', { body: toInput(form, items) });
    setBusy(false);
    if (error || !data) return setProblem(withoutPatterns(error));
    if ('event' in data) return; // a JSON body is always a new declaration (201)
    const words =
      'message' in data
        ? data.message
        : `Status: ${statusWords('status' in data ? data.status : null)}.`;
    setLodged({ id: data.id, reference: data.reference, words });
    setForm(EMPTY);
    setItems([emptyItem()]);
  };

  const field = (
    label: string,
    pointer: string | string[],
    control: ReactElement<{ id?: string }>,
    hint?: string,
    /** A problem with the whole of a party (`/declarant`): shown by its name. */
    whole?: string,
  ) => {
    const own = [whole && exactFieldError(problem, whole), fieldError(problem, pointer)]
      .filter(Boolean)
      .join('; ');
    return (
      <FormField label={label} hint={hint} error={own || null}>
        {control}
      </FormField>
    );
  };

  return (
    <form
      className="lodge"
      aria-label="Lodge a declaration"
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      {lodged && (
        <div role="status" className="verified lodged">
          <p>
            Declaration{' '}
            <a href={`#/declarations/${encodeURIComponent(lodged.id)}`}>{lodged.reference}</a>{' '}
            lodged. {lodged.words}
          </p>
        </div>
      )}
      <fieldset>
        <legend>Declaration</legend>
        <div className="grid">
          {field(
            'Type of declaration',
            '/kind',
            <select value={form.kind} onChange={set('kind')}>
              {(['import', 'export', 'transit'] as const).map((k) => (
                <option key={k} value={k}>
                  {KIND_WORDS[k]}
                </option>
              ))}
            </select>,
          )}
          {field(
            'Your reference (LRN)',
            '/reference',
            <input value={form.reference} onChange={set('reference')} maxLength={70} required />,
            'Your own number for this shipment; used once',
          )}
          {field(
            'Customs office',
            '/office',
            <input value={form.office} onChange={set('office')} maxLength={35} />,
            'Code of the office, e.g. BY112000',
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>Declarant and importer</legend>
        <div className="grid">
          {field(
            'Declarant, EORI',
            '/declarant/id',
            <input value={form.declarantId} onChange={set('declarantId')} maxLength={35} />,
            "Empty: your organisation's own EORI",
          )}
          {field(
            'Declarant, name',
            '/declarant/name',
            <input value={form.declarantName} onChange={set('declarantName')} maxLength={200} />,
            'The EORI or the name is needed',
            '/declarant',
          )}
          {field(
            'Importer, EORI',
            '/consignee/id',
            <input value={form.consigneeId} onChange={set('consigneeId')} maxLength={35} />,
          )}
          {field(
            'Importer, name',
            '/consignee/name',
            <input value={form.consigneeName} onChange={set('consigneeName')} maxLength={200} />,
            undefined,
            '/consignee',
          )}
          {field(
            'Importer, country',
            '/consignee/country',
            <input
              value={form.consigneeCountry}
              onChange={set('consigneeCountry')}
              maxLength={2}
            />,
            'Two letters, e.g. BY',
          )}
          {field(
            'Consignor, name',
            '/consignor/name',
            <input value={form.consignorName} onChange={set('consignorName')} maxLength={200} />,
            undefined,
            '/consignor',
          )}
          {field(
            'Consignor, country',
            '/consignor/country',
            <input
              value={form.consignorCountry}
              onChange={set('consignorCountry')}
              maxLength={2}
            />,
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>Transport</legend>
        <div className="grid">
          {field(
            'Country of dispatch',
            '/route/dispatchCountry',
            <input value={form.dispatchCountry} onChange={set('dispatchCountry')} maxLength={2} />,
            'Two letters, e.g. CN',
          )}
          {field(
            'Countries of transit',
            '/route/transitCountries',
            <input value={form.transitCountries} onChange={set('transitCountries')} />,
            'In order, e.g. KZ RU',
          )}
          {field(
            'Country of destination',
            '/route/destinationCountry',
            <input
              value={form.destinationCountry}
              onChange={set('destinationCountry')}
              maxLength={2}
            />,
          )}
          {field(
            'Mode of transport at the border',
            '/route/transportMode',
            <select value={form.transportMode} onChange={set('transportMode')}>
              <option value="">Choose…</option>
              {Object.entries(TRANSPORT_WORDS).map(([k, w]) => (
                <option key={k} value={k}>
                  {w}
                </option>
              ))}
            </select>,
          )}
          {field(
            'Means of transport',
            '/route/conveyance',
            <input value={form.conveyance} onChange={set('conveyance')} maxLength={70} />,
            'Vessel, flight, vehicle or train',
          )}
          {field(
            'Containers',
            '/route/containers',
            <input value={form.containers} onChange={set('containers')} />,
            'Container numbers, separated by spaces',
          )}
        </div>
      </fieldset>
      <fieldset className="goods">
        <legend>Goods items</legend>
        {items.map((g, i) => {
          const at = `/goodsItems/${i}`;
          return (
            <fieldset key={g.key} className="goods-item">
              <legend>Goods item {i + 1}</legend>
              <div className="grid">
                {field(
                  'HS code',
                  `${at}/hsCode`,
                  <input
                    value={g.hsCode}
                    onChange={setItem(i, 'hsCode')}
                    inputMode="numeric"
                    maxLength={13}
                  />,
                  '6 to 10 digits',
                )}
                {field(
                  'Description',
                  `${at}/description`,
                  <input
                    value={g.description}
                    onChange={setItem(i, 'description')}
                    maxLength={512}
                  />,
                )}
                {field(
                  'Country of origin',
                  `${at}/originCountry`,
                  <input
                    value={g.originCountry}
                    onChange={setItem(i, 'originCountry')}
                    maxLength={2}
                  />,
                )}
                {field(
                  'Quantity',
                  `${at}/quantity`,
                  <input
                    value={g.quantity}
                    onChange={setItem(i, 'quantity')}
                    inputMode="decimal"
                  />,
                )}
                {field(
                  'Unit',
                  `${at}/unit`,
                  <input value={g.unit} onChange={setItem(i, 'unit')} maxLength={10} />,
                  'e.g. KGM (kilograms), NAR (pieces), LTR (litres)',
                )}
                {field(
                  'Net mass (kg)',
                  `${at}/netMass`,
                  <input value={g.netMass} onChange={setItem(i, 'netMass')} inputMode="decimal" />,
                )}
                {field(
                  'Value',
                  `${at}/value`,
                  <input value={g.value} onChange={setItem(i, 'value')} inputMode="decimal" />,
                )}
                {field(
                  'Currency',
                  `${at}/currency`,
                  <input value={g.currency} onChange={setItem(i, 'currency')} maxLength={3} />,
                  'Three letters, e.g. EUR',
                )}
                {field(
                  'Documents',
                  `${at}/documents`,
                  <textarea value={g.documents} onChange={setItem(i, 'documents')} rows={2} />,
                  'One a line: type code, then reference (N935 INV-2026-77)',
                )}
              </div>
              {items.length > 1 && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setItems(items.filter((_, k) => k !== i))}
                >
                  Remove goods item {i + 1}
                </button>
              )}
            </fieldset>
          );
        })}
        <button
          type="button"
          className="secondary"
          onClick={() => setItems([...items, emptyItem()])}
        >
          Add a goods item
        </button>
        {field(
          'Documents for the whole declaration',
          '/documents',
          <textarea value={form.documents} onChange={set('documents')} rows={2} />,
          'One a line: type code, then reference',
        )}
      </fieldset>
      <ProblemAlert problem={problem} labels={labels} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Lodge declaration
        </button>
      </div>
    </form>
  );
}
