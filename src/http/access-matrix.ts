/**
 * The expected outcome of every API route for every kind of caller: the table the authorisation
 * matrix test (authorisation-matrix.test.ts) holds the running API to, kept beside the access
 * policy (src/core/auth/policy.ts, docs/access-policy.md). A caller listed for a route may get a
 * 2xx answer on the demo trader's records (and must not be refused as unauthenticated or
 * forbidden); every caller not listed must never get a 2xx. `public` routes need no token.
 *
 * Callers: the demo users of one administration (BY), a second trading company of it, and staff
 * of a second administration (KZ) in the same database.
 */
export const CALLERS = [
  'admin',
  'analyst',
  'analyst2',
  'officer',
  'liaison',
  'manager',
  'ecologist',
  'trader',
  'other-trader',
  'kz-officer',
  'kz-analyst',
  'kz-admin',
] as const;
export type Caller = (typeof CALLERS)[number];

const CUSTOMS_READERS: Caller[] = ['admin', 'analyst', 'analyst2', 'officer', 'liaison', 'manager'];
const STAFF: Caller[] = [...CUSTOMS_READERS, 'ecologist'];
const AUTHORS: Caller[] = ['analyst', 'analyst2', 'ecologist'];
const ANALYSTS: Caller[] = ['analyst', 'analyst2'];
/** Callers whose own list may be empty: a 2xx for them must not show the demo trader's records. */
const ALL: Caller[] = [...CALLERS];

export const ROUTE_ACCESS: Record<string, 'public' | readonly Caller[]> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'POST /api/auth/login': 'public',
  'GET /metrics': ['admin', 'kz-admin'],
  'POST /api/auth/logout': ALL,
  'GET /api/me': ALL,
  'POST /api/users/{userId}/api-tokens': ['admin'],
  'GET /api/representations': ['admin', 'kz-admin'],
  'POST /api/representations': ['admin'],
  'POST /api/representations/{id}/revoke': ['admin'],
  'PUT /api/agencies/{id}/simplified-procedures': ['admin'],

  'POST /api/declarations': [
    'trader',
    'other-trader',
    'officer',
    'analyst',
    'analyst2',
    'admin',
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/declarations': [
    ...CUSTOMS_READERS,
    'trader',
    'other-trader',
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/declarations/{id}': [...CUSTOMS_READERS, 'trader'],
  'GET /api/declarations/{id}/versions': [...CUSTOMS_READERS, 'trader'],
  'POST /api/declarations/{id}/amendments': ['trader'],
  'POST /api/declarations/{id}/cancellation': ['trader'],

  'GET /api/declarations/{id}/control': CUSTOMS_READERS,
  'POST /api/declarations/{id}/assign': ['officer', 'manager'],
  'POST /api/declarations/{id}/inspections': ['officer'],
  'POST /api/declarations/{id}/refer': ['officer'],
  'POST /api/declarations/{id}/hold': ['officer'],
  'POST /api/declarations/{id}/release': ['officer'],
  'GET /api/worklist': [
    'admin',
    'analyst',
    'analyst2',
    'officer',
    'liaison',
    'manager',
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/events': [
    'admin',
    'analyst',
    'analyst2',
    'officer',
    'liaison',
    'manager',
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],

  'GET /api/indicators': [...STAFF, 'kz-officer', 'kz-analyst', 'kz-admin'],
  'POST /api/indicators': [...AUTHORS, 'kz-analyst'],
  'GET /api/indicators/context': [...STAFF, 'kz-officer', 'kz-analyst', 'kz-admin'],
  'POST /api/indicators/preview': [...AUTHORS, 'kz-analyst'],
  'PUT /api/indicators/{id}': AUTHORS,
  'GET /api/indicators/{id}': STAFF,
  'GET /api/indicators/{id}/versions': STAFF,
  'GET /api/indicators/{id}/versions/{version}': STAFF,
  'GET /api/indicators/{key}/versions/{a}/diff/{b}': STAFF,
  'GET /api/indicators/{key}/agencies': STAFF,
  'GET /api/indicators/{key}/effectiveness': STAFF,
  'GET /api/indicators/{key}/approvals': STAFF,
  'POST /api/indicators/{key}/submit': AUTHORS,
  'POST /api/indicators/{key}/approve': AUTHORS,
  'POST /api/indicators/{key}/reject': AUTHORS,
  'POST /api/indicators/{key}/retire': AUTHORS,
  'GET /api/reference-lists': [...STAFF, 'kz-officer', 'kz-analyst', 'kz-admin'],
  'PUT /api/reference-lists/{name}': AUTHORS,
  'GET /api/reference-lists/{key}/versions': STAFF,
  'GET /api/reference-lists/{key}/approvals': STAFF,
  'POST /api/reference-lists/{key}/submit': AUTHORS,
  'POST /api/reference-lists/{key}/approve': AUTHORS,
  'POST /api/reference-lists/{key}/reject': AUTHORS,
  'POST /api/reference-lists/{key}/retire': AUTHORS,
  'POST /api/screen': [...STAFF, 'kz-officer', 'kz-analyst', 'kz-admin'],
  'GET /api/exchange/method-information': [
    'admin',
    'analyst',
    'analyst2',
    'liaison',
    'manager',
    'kz-analyst',
    'kz-admin',
  ],

  'GET /api/rule-packs/{name}': [...CUSTOMS_READERS, 'kz-officer', 'kz-analyst', 'kz-admin'],
  'GET /api/rule-packs/{name}/document': [
    ...CUSTOMS_READERS,
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'PUT /api/rule-packs/{name}': ['analyst', 'analyst2', 'admin', 'kz-analyst', 'kz-admin'],
  'GET /api/rule-packs/{name}/proposals': [
    ...CUSTOMS_READERS,
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/rule-packs/{name}/proposals/{id}/document': CUSTOMS_READERS,
  'POST /api/rule-packs/{name}/proposals/{id}/approve': ['analyst2'],
  'POST /api/rule-packs/{name}/proposals/{id}/reject': ANALYSTS,

  // The sample is an environmental-compliance certificate: environment agencies issue those.
  'POST /api/certificates': ['ecologist'],
  'GET /api/certificates': [
    ...STAFF,
    'trader',
    'other-trader',
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/certificates/{id}': [...STAFF, 'trader'],
  'POST /api/certificates/{id}/suspend': ['ecologist'],
  'POST /api/certificates/{id}/reinstate': ['ecologist'],
  'POST /api/certificates/{id}/revoke': ['ecologist'],
  'GET /api/traders/{traderId}': [...STAFF, 'trader', 'kz-officer', 'kz-analyst', 'kz-admin'],

  'POST /api/permits': ['trader', 'other-trader'],
  'GET /api/permits': [...STAFF, 'trader', 'other-trader', 'kz-officer', 'kz-analyst', 'kz-admin'],
  'GET /api/permits/due': ['ecologist', 'analyst', 'analyst2', 'kz-analyst'],
  'GET /api/permits/{id}': [...CUSTOMS_READERS, 'ecologist', 'trader'],
  'GET /api/permits/{id}/usage': [...CUSTOMS_READERS, 'ecologist', 'trader'],
  'POST /api/permits/{id}/review': ['ecologist'],
  'POST /api/permits/{id}/request-information': ['ecologist'],
  'POST /api/permits/{id}/respond': ['trader'],
  'POST /api/permits/{id}/issue': ['ecologist'],
  'POST /api/permits/{id}/refuse': ['ecologist'],
  'POST /api/permits/{id}/suspend': ['ecologist'],
  'POST /api/permits/{id}/reinstate': ['ecologist'],
  'POST /api/permits/{id}/revoke': ['ecologist'],

  'GET /api/metrics/performance': [
    'admin',
    'analyst',
    'analyst2',
    'liaison',
    'manager',
    'ecologist',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/metrics/training-data': [
    'admin',
    'analyst',
    'analyst2',
    'manager',
    'kz-analyst',
    'kz-admin',
  ],

  // The sample names a GB carrier the demo trader is registered to represent; the other does not.
  'POST /api/cargo-reports': [
    'trader',
    'officer',
    'analyst',
    'analyst2',
    'admin',
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/cargo-reports': [
    ...CUSTOMS_READERS,
    'trader',
    'other-trader',
    'kz-officer',
    'kz-analyst',
    'kz-admin',
  ],
  'GET /api/cargo-reports/{id}': [...CUSTOMS_READERS, 'trader'],
  'GET /api/cargo-reports/{id}/messages': [...CUSTOMS_READERS, 'trader'],
  'POST /api/cargo-referrals/{id}/reply': ['trader'],
  'POST /api/cargo-referrals/{id}/close': ['officer', 'analyst', 'analyst2'],
};
