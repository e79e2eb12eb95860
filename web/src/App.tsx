import { useCallback, useEffect, useState } from 'react';
import { api, describeProblem, session } from './api.js';
import { CargoPage } from './pages/CargoPage.js';
import { CertificatesPage } from './pages/CertificatesPage.js';
import { DeclarationPage } from './pages/DeclarationPage.js';
import { IndicatorsPage } from './pages/IndicatorsPage.js';
import { MetricsPage } from './pages/MetricsPage.js';
import { PermitsPage } from './pages/PermitsPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { WorklistPage } from './pages/WorklistPage.js';

export interface Me {
  username: string;
  roles: string[];
  agencyKind: string;
}

/**
 * Pages and the roles that use them (or, for cargo reports, any user of a trader: its own
 * reports); the API enforces the same rules.
 */
const PAGES = [
  { path: 'worklist', title: 'Worklist', roles: ['border_officer', 'manager', 'risk_analyst'] },
  {
    path: 'cargo',
    title: 'Cargo reports',
    roles: ['border_officer', 'risk_analyst', 'manager', 'liaison_officer', 'admin', 'trader'],
    agencyKinds: ['trader'],
  },
  {
    path: 'indicators',
    title: 'Indicators',
    roles: ['risk_analyst', 'environmental_officer', 'manager'],
  },
  {
    path: 'permits',
    title: 'Permits',
    roles: ['trader', 'environmental_officer', 'border_officer', 'manager', 'risk_analyst'],
  },
  {
    path: 'certificates',
    title: 'Certificates',
    roles: ['risk_analyst', 'environmental_officer', 'manager', 'trader'],
  },
  {
    path: 'metrics',
    title: 'Metrics',
    roles: ['manager', 'risk_analyst', 'liaison_officer', 'environmental_officer'],
  },
] as const;

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(session.token() !== null);
  const [error, setError] = useState<string | null>(null);
  const hash = useHash();

  const loadMe = useCallback(async () => {
    if (!session.token()) return;
    setLoading(true);
    const { data, error: problem } = await api.GET('/api/me');
    setLoading(false);
    if (problem || !data) {
      session.clear();
      setMe(null);
      if (problem) setError(describeProblem(problem));
      return;
    }
    setMe({ username: data.username, roles: data.roles, agencyKind: data.agencyKind });
  }, []);

  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  if (loading) return <p className="status">Loading…</p>;
  if (!me) {
    return (
      <SignInPage
        notice={error}
        onSignedIn={() => {
          setError(null);
          void loadMe();
        }}
      />
    );
  }

  const allowed = PAGES.filter(
    (p) =>
      p.roles.some((r) => me.roles.includes(r)) ||
      ('agencyKinds' in p && p.agencyKinds.some((k) => k === me.agencyKind)),
  );
  const [, route = allowed[0]?.path ?? '', id] = hash.replace(/^#\/?/, '#/').split('/');
  const signOut = async () => {
    // Leave first (the pages and their live streams go), then revoke the token they used.
    const token = session.token();
    session.clear();
    setMe(null);
    if (token)
      await api.POST('/api/auth/logout', { headers: { Authorization: `Bearer ${token}` } });
  };

  let page;
  if (route === 'declarations' && id)
    page = <DeclarationPage id={decodeURIComponent(id)} me={me} />;
  else if (route === 'cargo' && allowed.some((p) => p.path === 'cargo'))
    page = <CargoPage me={me} id={id ? decodeURIComponent(id) : undefined} />;
  else if (route === 'worklist' && allowed.some((p) => p.path === 'worklist'))
    page = <WorklistPage />;
  else if (route === 'indicators' && allowed.some((p) => p.path === 'indicators'))
    page = <IndicatorsPage me={me} />;
  else if (route === 'metrics' && allowed.some((p) => p.path === 'metrics')) page = <MetricsPage />;
  else if (route === 'permits' && allowed.some((p) => p.path === 'permits'))
    page = <PermitsPage me={me} />;
  else if (route === 'certificates' && allowed.some((p) => p.path === 'certificates'))
    page = <CertificatesPage />;
  else if (allowed.length === 0)
    page = <p className="empty">Your roles have no pages in the console yet.</p>;
  else page = <p className="empty">This page is not available to your roles.</p>;

  return (
    <div className="layout">
      <header>
        <strong className="brand">GreenLane</strong>
        <nav aria-label="Main">
          {allowed.map((p) => (
            <a
              key={p.path}
              href={`#/${p.path}`}
              aria-current={route === p.path ? 'page' : undefined}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <span className="user">
          {me.username} ({me.roles.join(', ')})
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>{page}</main>
    </div>
  );
}
