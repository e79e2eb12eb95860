import { useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import { Rows } from '../../components/Rows.js';
import type { ApplicationInput, Right } from './types.js';
import { APPLICANT_KIND_WORDS, RIGHT_TYPE_WORDS } from './words.js';

interface RightRow {
  type: Right['type'];
  mark: string;
  registrationNumber: string;
  registeredIn: string;
  expiresOn: string;
  goods: string;
}
interface GoodsRow {
  hs: string;
  description: string;
}
interface PartyRow {
  name: string;
  id: string;
  country: string;
}
interface RouteRow {
  origin: string;
  via: string;
  description: string;
}

const clean = (s: string) => s.trim();
const optional = <K extends string>(key: K, value: string) =>
  (clean(value) ? { [key]: clean(value) } : {}) as Partial<Record<K, string>>;
const list = (s: string, by: RegExp) => s.split(by).map(clean).filter(Boolean);
const lines = (s: string) => list(s, /\n/);
const codes = (s: string) => list(s, /[\s,;]+/);

const noRight = (): RightRow => ({
  type: 'trademark',
  mark: '',
  registrationNumber: '',
  registeredIn: '',
  expiresOn: '',
  goods: '',
});
const noGoods = (): GoodsRow => ({ hs: '', description: '' });
const noParty = (): PartyRow => ({ name: '', id: '', country: '' });
const noRoute = (): RouteRow => ({ origin: '', via: '', description: '' });

const partyOf = (p: PartyRow) => ({
  name: clean(p.name),
  ...optional('id', p.id.toUpperCase()),
  ...optional('country', p.country.toUpperCase()),
});
const partyRow = (p: { name: string; id?: string; country?: string }): PartyRow => ({
  name: p.name,
  id: p.id ?? '',
  country: p.country ?? '',
});

const LABELS: FieldLabels = {
  '/applicant/name': 'Applicant name',
  '/applicant/id': 'Applicant EORI or TIN',
};

/**
 * An application for action (Regulation (EU) No 608/2013, Art. 6), as the right holder fills it
 * in: who applies, the rights and the goods they cover, how to tell authentic goods, who may trade
 * them, known infringers and routes, the small-consignments procedure and the undertakings. The
 * same form completes an application customs asked more about (`initial`).
 */
export function ApplyForm({
  initial,
  submitLabel,
  onSubmit,
}: {
  initial?: ApplicationInput;
  submitLabel: string;
  /** Sends the application; answers the API's problem, or nothing when it was accepted. */
  onSubmit: (body: ApplicationInput) => Promise<unknown>;
}) {
  const [kind, setKind] = useState<ApplicationInput['applicant']['kind']>(
    initial?.applicant.kind ?? 'right-holder',
  );
  const [name, setName] = useState(initial?.applicant.name ?? '');
  const [address, setAddress] = useState(initial?.applicant.address ?? '');
  const [eori, setEori] = useState(initial?.applicant.id ?? '');
  const [country, setCountry] = useState(initial?.applicant.country ?? '');
  const [representatives, setRepresentatives] = useState<PartyRow[]>(
    (initial?.representatives ?? []).map(partyRow),
  );
  const [rights, setRights] = useState<RightRow[]>(
    initial
      ? initial.rights.map((r) => ({
          type: r.type,
          mark: r.mark,
          registrationNumber: r.registrationNumber,
          registeredIn: r.registeredIn ?? '',
          expiresOn: r.expiresOn ?? '',
          goods: r.goods.join(', '),
        }))
      : [noRight()],
  );
  const [goods, setGoods] = useState<GoodsRow[]>(initial?.goods ?? [noGoods()]);
  const [features, setFeatures] = useState(
    (initial?.authenticFeatures ?? []).map((f) => f.description).join('\n'),
  );
  const [places, setPlaces] = useState((initial?.placesOfProduction ?? []).join('\n'));
  const [authorised, setAuthorised] = useState<PartyRow[]>(
    (initial?.authorisedTraders ?? []).map(partyRow),
  );
  const [infringers, setInfringers] = useState<PartyRow[]>(
    (initial?.knownInfringers ?? []).map(partyRow),
  );
  const [routes, setRoutes] = useState<RouteRow[]>(
    (initial?.knownRoutes ?? []).map((r) => ({
      origin: r.origin,
      via: r.via.join(', '),
      description: r.description ?? '',
    })),
  );
  const [small, setSmall] = useState(initial?.smallConsignmentsProcedure ?? false);
  const [liability, setLiability] = useState(initial !== undefined);
  const [costs, setCosts] = useState(initial !== undefined);
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Images are attachments held elsewhere: their metadata stays as it was lodged.
  const images = new Map((initial?.authenticFeatures ?? []).map((f) => [f.description, f.images]));

  const body = (): ApplicationInput => ({
    applicant: {
      kind,
      name: clean(name),
      ...optional('address', address),
      ...optional('id', eori.toUpperCase()),
      ...optional('country', country.toUpperCase()),
    },
    representatives: representatives.map(partyOf),
    rights: rights.map((r) => ({
      type: r.type,
      mark: clean(r.mark),
      registrationNumber: clean(r.registrationNumber),
      ...optional('registeredIn', r.registeredIn),
      ...optional('expiresOn', r.expiresOn),
      goods: codes(r.goods),
    })),
    goods: goods.map((g) => ({ hs: clean(g.hs), description: clean(g.description) })),
    authenticFeatures: lines(features).map((description) => ({
      description,
      images: images.get(description) ?? [],
    })),
    placesOfProduction: lines(places),
    authorisedTraders: authorised.map(partyOf),
    knownInfringers: infringers.map(partyOf),
    knownRoutes: routes.map((r) => ({
      origin: clean(r.origin).toUpperCase(),
      via: codes(r.via.toUpperCase()),
      ...optional('description', r.description),
    })),
    smallConsignmentsProcedure: small,
    // The API refuses anything but true, naming the undertaking not given.
    undertakings: { liability, costs } as ApplicationInput['undertakings'],
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const error = await onSubmit(body());
    setBusy(false);
    if (error) setProblem(error);
  };

  const partyFields = (
    legend: string,
    rows: PartyRow[],
    set: (r: PartyRow[]) => void,
    base: string,
  ) => (
    <Rows<PartyRow>
      legend={legend}
      rows={rows}
      onChange={set}
      empty={noParty}
      addLabel={`Add ${legend.toLowerCase().replace(/s$/, '')}`}
    >
      {(row, setRow, k) => (
        <>
          <FormField label="Name" problem={problem} field={`${base}/${k}/name`}>
            <input value={row.name} onChange={(e) => setRow({ ...row, name: e.target.value })} />
          </FormField>
          <FormField label="EORI or TIN" problem={problem} field={`${base}/${k}/id`}>
            <input value={row.id} onChange={(e) => setRow({ ...row, id: e.target.value })} />
          </FormField>
          <FormField label="Country" problem={problem} field={`${base}/${k}/country`}>
            <input
              value={row.country}
              maxLength={2}
              onChange={(e) => setRow({ ...row, country: e.target.value })}
            />
          </FormField>
        </>
      )}
    </Rows>
  );

  return (
    <form
      className="application ipr-application-form"
      aria-label="Application for action"
      onSubmit={(e) => void submit(e)}
    >
      <fieldset>
        <legend>Applicant</legend>
        <FormField label="Applying as" problem={problem} field="/applicant/kind">
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            {Object.entries(APPLICANT_KIND_WORDS).map(([k, w]) => (
              <option key={k} value={k}>
                {w}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="Applicant name" problem={problem} field="/applicant/name">
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </FormField>
        <FormField label="Address" problem={problem} field="/applicant/address">
          <input value={address} onChange={(e) => setAddress(e.target.value)} />
        </FormField>
        <FormField
          label="EORI or TIN"
          hint="Two letters of the country, then the number"
          problem={problem}
          field="/applicant/id"
        >
          <input value={eori} onChange={(e) => setEori(e.target.value)} />
        </FormField>
        <FormField label="Country" problem={problem} field="/applicant/country">
          <input value={country} maxLength={2} onChange={(e) => setCountry(e.target.value)} />
        </FormField>
      </fieldset>
      {partyFields('Representatives', representatives, setRepresentatives, '/representatives')}
      <Rows<RightRow>
        legend="Rights"
        rows={rights}
        onChange={setRights}
        empty={noRight}
        addLabel="Add a right"
      >
        {(row, setRow, k) => (
          <>
            <FormField label="Type of right" problem={problem} field={`/rights/${k}/type`}>
              <select
                value={row.type}
                onChange={(e) => setRow({ ...row, type: e.target.value as Right['type'] })}
              >
                {Object.entries(RIGHT_TYPE_WORDS).map(([t, w]) => (
                  <option key={t} value={t}>
                    {w}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField
              label="Mark as it appears on goods"
              problem={problem}
              field={`/rights/${k}/mark`}
            >
              <input value={row.mark} onChange={(e) => setRow({ ...row, mark: e.target.value })} />
            </FormField>
            <FormField
              label="Registration number"
              problem={problem}
              field={`/rights/${k}/registrationNumber`}
            >
              <input
                value={row.registrationNumber}
                onChange={(e) => setRow({ ...row, registrationNumber: e.target.value })}
              />
            </FormField>
            <FormField label="Registered in" problem={problem} field={`/rights/${k}/registeredIn`}>
              <input
                value={row.registeredIn}
                onChange={(e) => setRow({ ...row, registeredIn: e.target.value })}
              />
            </FormField>
            <FormField label="Expires on" problem={problem} field={`/rights/${k}/expiresOn`}>
              <input
                type="date"
                value={row.expiresOn}
                onChange={(e) => setRow({ ...row, expiresOn: e.target.value })}
              />
            </FormField>
            <FormField
              label="HS codes it covers"
              hint="Codes or prefixes, separated by commas; within the goods below"
              problem={problem}
              field={`/rights/${k}/goods`}
            >
              <input
                value={row.goods}
                onChange={(e) => setRow({ ...row, goods: e.target.value })}
              />
            </FormField>
          </>
        )}
      </Rows>
      <Rows<GoodsRow>
        legend="Goods covered"
        rows={goods}
        onChange={setGoods}
        empty={noGoods}
        addLabel="Add goods"
      >
        {(row, setRow, k) => (
          <>
            <FormField label="HS code" problem={problem} field={`/goods/${k}/hs`}>
              <input value={row.hs} onChange={(e) => setRow({ ...row, hs: e.target.value })} />
            </FormField>
            <FormField label="Description" problem={problem} field={`/goods/${k}/description`}>
              <input
                value={row.description}
                onChange={(e) => setRow({ ...row, description: e.target.value })}
              />
            </FormField>
          </>
        )}
      </Rows>
      <FormField
        label="Authentic features"
        hint="Markings, labels, packaging: one per line"
        problem={problem}
        field="/authenticFeatures"
      >
        <textarea rows={3} value={features} onChange={(e) => setFeatures(e.target.value)} />
      </FormField>
      <FormField
        label="Places of authorised production"
        hint="One per line"
        problem={problem}
        field="/placesOfProduction"
      >
        <textarea rows={2} value={places} onChange={(e) => setPlaces(e.target.value)} />
      </FormField>
      {partyFields('Authorised traders', authorised, setAuthorised, '/authorisedTraders')}
      {partyFields('Known infringers', infringers, setInfringers, '/knownInfringers')}
      <Rows<RouteRow>
        legend="Known routes"
        rows={routes}
        onChange={setRoutes}
        empty={noRoute}
        addLabel="Add a route"
      >
        {(row, setRow, k) => (
          <>
            <FormField label="Origin country" problem={problem} field={`/knownRoutes/${k}/origin`}>
              <input
                value={row.origin}
                maxLength={2}
                onChange={(e) => setRow({ ...row, origin: e.target.value })}
              />
            </FormField>
            <FormField
              label="Via (countries, separated by commas)"
              problem={problem}
              field={`/knownRoutes/${k}/via`}
            >
              <input value={row.via} onChange={(e) => setRow({ ...row, via: e.target.value })} />
            </FormField>
            <FormField
              label="Description"
              problem={problem}
              field={`/knownRoutes/${k}/description`}
            >
              <input
                value={row.description}
                onChange={(e) => setRow({ ...row, description: e.target.value })}
              />
            </FormField>
          </>
        )}
      </Rows>
      <fieldset>
        <legend>Procedure and undertakings</legend>
        <label className="check">
          <input type="checkbox" checked={small} onChange={(e) => setSmall(e.target.checked)} />
          Use the small-consignments procedure (postal and express parcels of counterfeit or pirated
          goods are destroyed without asking me each time)
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={liability}
            onChange={(e) => setLiability(e.target.checked)}
          />
          I accept liability towards the persons concerned if the procedure is discontinued or the
          goods are found not to infringe
        </label>
        <label className="check">
          <input type="checkbox" checked={costs} onChange={(e) => setCosts(e.target.checked)} />I
          bear the costs of storage, handling and destruction
        </label>
      </fieldset>
      <ProblemAlert problem={problem} labels={LABELS} />
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
