import type { ReactNode } from 'react';
import type { Me } from './App.js';
import type { paths } from './api-types.js';
import { AdminPage } from './pages/admin/AdminPage.js';
import { CargoPage } from './pages/CargoPage.js';
import { CertificatesPage } from './pages/CertificatesPage.js';
import { DeclarationPage } from './pages/DeclarationPage.js';
import { EnergyPage } from './pages/EnergyPage.js';
import { DECLARATION_SECTIONS, DeclarationsPage } from './pages/declarations/DeclarationsPage.js';
import { ExchangePage } from './pages/ExchangePage.js';
import { IndicatorsPage } from './pages/IndicatorsPage.js';
import { IprPage } from './pages/IprPage.js';
import { LedgerPage } from './pages/LedgerPage.js';
import { MetricsPage } from './pages/MetricsPage.js';
import { MirrorPage } from './pages/MirrorPage.js';
import { ModelsPage } from './pages/ModelsPage.js';
import { PermitsPage } from './pages/PermitsPage.js';
import { WorklistPage } from './pages/WorklistPage.js';

type MeAnswer = paths['/api/me']['get']['responses']['200']['content']['application/json'];
export type Ability = MeAnswer['may'][number];

/** Where the user is: `#/<path>/<id>/<more>`, each part decoded. */
export interface Location {
  path: string;
  id?: string;
  more?: string;
}

export interface Route {
  path: string;
  /** The navigation's words; a route without a title is reached from other pages only. */
  title?: string;
  /**
   * What the access policy must let the user do to open it (any one of them; from GET /api/me).
   * The API checks each record again.
   */
  needs: Ability | readonly Ability[];
  render: (me: Me, at: Location) => ReactNode;
}

/**
 * The console's pages: this table is both the router and the navigation (in this order). Which
 * pages a user sees comes from the server's access policy, never from role lists here.
 */
export const ROUTES: readonly Route[] = [
  {
    path: 'worklist',
    title: 'Worklist',
    needs: { action: 'read', subject: 'control' },
    render: () => <WorklistPage />,
  },
  {
    path: 'declarations',
    title: 'Declarations',
    needs: [
      { action: 'read', subject: 'declaration' },
      { action: 'read', subject: 'control' },
    ],
    // `new` and `upload` are the list page's sections; any other id is a declaration's.
    render: (me, at) =>
      at.id && !DECLARATION_SECTIONS.includes(at.id) ? (
        <DeclarationPage id={at.id} me={me} />
      ) : (
        <DeclarationsPage me={me} section={at.id} />
      ),
  },
  {
    path: 'cargo',
    title: 'Cargo reports',
    needs: { action: 'read', subject: 'cargo-report' },
    render: (me, at) => <CargoPage me={me} id={at.id} />,
  },
  {
    path: 'ipr',
    title: 'Intellectual property',
    needs: [
      { action: 'read', subject: 'ipr-case' },
      { action: 'read', subject: 'ipr-application' },
      { action: 'apply', subject: 'ipr-application' },
    ],
    render: (me, at) => <IprPage me={me} section={at.id} item={at.more} />,
  },
  {
    path: 'indicators',
    title: 'Indicators',
    needs: { action: 'read', subject: 'indicator' },
    render: (me) => <IndicatorsPage me={me} />,
  },
  {
    path: 'permits',
    title: 'Permits',
    needs: { action: 'read', subject: 'permit' },
    render: (me) => <PermitsPage me={me} />,
  },
  {
    path: 'certificates',
    title: 'Certificates',
    needs: { action: 'read', subject: 'certificate' },
    render: () => <CertificatesPage />,
  },
  {
    path: 'exchange',
    title: 'Exchange',
    needs: { action: 'read', subject: 'exchange-message' },
    render: (me, at) => <ExchangePage me={me} section={at.id} item={at.more} />,
  },
  {
    path: 'energy',
    title: 'Energy',
    needs: { action: 'read', subject: 'energy-point' },
    render: (me, at) => <EnergyPage me={me} selected={at.id} />,
  },
  {
    path: 'mirror',
    title: 'Mirror gaps',
    needs: { action: 'read', subject: 'trade-mirror' },
    render: (me) => <MirrorPage me={me} />,
  },
  {
    path: 'models',
    title: 'Risk model',
    needs: { action: 'read', subject: 'risk-model' },
    render: (me) => <ModelsPage me={me} />,
  },
  {
    path: 'metrics',
    title: 'Metrics',
    needs: { action: 'read', subject: 'performance-metrics' },
    render: () => <MetricsPage />,
  },
  {
    path: 'ledger',
    title: 'Ledger',
    needs: { action: 'read', subject: 'ledger' },
    render: (me) => <LedgerPage me={me} />,
  },
  {
    path: 'admin',
    title: 'Administration',
    needs: { action: 'administer', subject: 'identity' },
    render: (_me, at) => <AdminPage section={at.id} />,
  },
];

/** Whether the user may open a route. */
export function mayOpen(me: Me, route: Route): boolean {
  const needs: readonly Ability[] = Array.isArray(route.needs) ? route.needs : [route.needs];
  return needs.some((n) => me.may(n.action, n.subject));
}

/** Parses `location.hash` into a path and its decoded parts (a malformed escape is kept as is). */
export function parseLocation(hash: string): Location {
  const decode = (s: string | undefined) => {
    if (s === undefined || s === '') return undefined;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const [path = '', id, more] = hash.replace(/^#\/?/, '').split('/');
  return { path, id: decode(id), more: decode(more) };
}
