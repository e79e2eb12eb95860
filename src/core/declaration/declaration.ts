import Type, { type Static } from 'typebox';

/** What a declaration declares: goods in or out, in transit, or advance cargo information. */
export const DECLARATION_KINDS = ['import', 'export', 'transit', 'cargo-report'] as const;
export type DeclarationKind = (typeof DECLARATION_KINDS)[number];

/** Mode of transport at the border (WCO / UCC DE 7/4 codes 1–9, by name). */
export const TRANSPORT_MODES = [
  'sea',
  'rail',
  'road',
  'air',
  'post',
  'fixed-installation',
  'inland-waterway',
  'own-propulsion',
  'unknown',
] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

/** The control channels the risk engine routes to. */
export const CHANNELS = ['green', 'yellow', 'red'] as const;
export type Channel = (typeof CHANNELS)[number];

const Country = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code',
});
/** Largest quantity, mass or value accepted: finite and far from where sums lose precision. */
export const MAX_AMOUNT = 1e12;

const Text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });

export const PartySchema = Type.Object(
  {
    id: Type.Optional(Text(35, 'Party identifier, e.g. EORI or national trader number')),
    name: Type.Optional(Text(200)),
    country: Type.Optional(Country),
    address: Type.Optional(Text(400, 'Street, city and postcode as one line')),
  },
  { additionalProperties: false },
);

export const DocumentSchema = Type.Object(
  {
    type: Text(35, 'Document type code, e.g. C400 (CITES permit), N935 (invoice)'),
    reference: Text(70),
  },
  { additionalProperties: false },
);

export const PackageSchema = Type.Object(
  {
    kind: Text(2, 'Kind of packages (UN/ECE Recommendation 21 code, e.g. CT carton, VR bulk)'),
    count: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'Number of packages' }),
    ),
    pieces: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_147_483_647,
        description: 'Number of pieces (unpacked)',
      }),
    ),
    marks: Type.Optional(Text(512, 'Shipping marks')),
  },
  { additionalProperties: false },
);

export const GoodsItemSchema = Type.Object(
  {
    sequence: Type.Integer({ minimum: 1, maximum: 9999 }),
    // Optional here so that a simplified declaration can omit them; validateDeclaration requires
    // both on any other declaration.
    hsCode: Type.Optional(
      Type.String({
        pattern: '^[0-9]{4,10}$',
        description:
          'HS code, 6 to 10 digits, leading zeros kept (a cargo report may give the 4-digit heading); ' +
          'required unless the declaration is simplified or a cargo report with a description',
      }),
    ),
    description: Type.Optional(
      Text(512, 'Description of the goods; required unless the declaration is simplified'),
    ),
    quantity: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_AMOUNT })),
    unit: Type.Optional(Text(10, 'Unit of the quantity, e.g. KGM, NAR, LTR')),
    netMass: Type.Optional(
      Type.Number({ minimum: 0, maximum: MAX_AMOUNT, description: 'Net mass in kg' }),
    ),
    grossMass: Type.Optional(
      Type.Number({ minimum: 0, maximum: MAX_AMOUNT, description: 'Gross mass in kg' }),
    ),
    value: Type.Optional(
      Type.Number({ minimum: 0, maximum: MAX_AMOUNT, description: 'Item price or customs value' }),
    ),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })),
    originCountry: Type.Optional(Country),
    documents: Type.Optional(Type.Array(DocumentSchema, { maxItems: 99 })),
    packages: Type.Optional(Type.Array(PackageSchema, { maxItems: 99 })),
    species: Type.Optional(Text(200, 'Scientific name, for CITES goods')),
    brand: Type.Optional(Text(200, 'Trademark borne by the goods')),
  },
  { additionalProperties: false },
);

export const RouteSchema = Type.Object(
  {
    dispatchCountry: Type.Optional(Country),
    destinationCountry: Type.Optional(Country),
    transitCountries: Type.Optional(Type.Array(Country, { maxItems: 99 })),
    officeOfEntry: Type.Optional(Text(35)),
    officeOfExit: Type.Optional(Text(35)),
    transportMode: Type.Optional(Type.Enum(TRANSPORT_MODES)),
    conveyance: Type.Optional(Text(70, 'Vessel, flight, vehicle or train identity')),
    containers: Type.Optional(
      Type.Array(Text(17, 'Container number'), {
        maxItems: 9999,
        description: 'Containers the goods travel in (containerised cargo)',
      }),
    ),
    loadingAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When the goods are loaded on the means of transport that brings them in',
      }),
    ),
    arrivalAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Expected arrival at the office of first entry',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A declaration as a declarant submits it (JSON body of POST /api/declarations). */
export const DeclarationInputSchema = Type.Object(
  {
    kind: Type.Enum(DECLARATION_KINDS),
    reference: Text(70, "Declarant's own reference (LRN), unique to the transaction"),
    amends: Type.Optional(Text(70, 'Reference of the declaration this one amends')),
    simplified: Type.Optional(
      Type.Boolean({
        description:
          "Reduced data set: a simplified declaration or an entry in the declarant's records. " +
          'HS code and description may be absent and follow in the supplementary declaration.',
      }),
    ),
    submittedAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'Declaration date; default: receipt' }),
    ),
    office: Type.Optional(Text(35, 'Customs office or goods location where declared')),
    declarant: PartySchema,
    consignor: Type.Optional(PartySchema),
    consignee: Type.Optional(PartySchema),
    carrier: Type.Optional(PartySchema),
    route: Type.Optional(RouteSchema),
    goodsItems: Type.Array(GoodsItemSchema, { minItems: 1, maxItems: 999 }),
    documents: Type.Optional(Type.Array(DocumentSchema, { maxItems: 99 })),
  },
  { additionalProperties: false },
);

export type Party = Static<typeof PartySchema>;
export type DocumentRef = Static<typeof DocumentSchema>;
export type GoodsItem = Static<typeof GoodsItemSchema>;
export type Route = Static<typeof RouteSchema>;
export type DeclarationInput = Static<typeof DeclarationInputSchema>;

/** Where a declaration came from. */
export const SOURCE_FORMATS = ['json', 'wco-xml', 'csv', 'ndjson', 'ens-xml', 'ens-json'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** A normalised declaration, as the rest of GreenLane sees it. */
export interface DeclarationContent extends DeclarationInput {
  submittedAt: string;
  route: Route & { transitCountries: string[] };
  documents: DocumentRef[];
  goodsItems: Array<GoodsItem & { documents: DocumentRef[] }>;
}

/** A stored declaration: content plus what GreenLane assigned on receipt. */
export interface Declaration extends DeclarationContent {
  id: string;
  receivedAt: string;
  agencyId: string;
  submittedBy: string;
  sourceFormat: SourceFormat;
  channel: Channel | null;
}
