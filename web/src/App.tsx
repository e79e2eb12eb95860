import { useCallback, useEffect, useState } from 'react';
import { api, describeProblem, session } from './api.js';
import type { paths } from './api-types.js';
import { CargoPage } from './pages/CargoPage.js';
import { CertificatesPage } from './pages/CertificatesPage.js';
import { DeclarationPage } from './pages/DeclarationPage.js';
import { ExchangePage } from './pages/ExchangePage.js';
import { IndicatorsPage } from './pages/IndicatorsPage.js';
import { LedgerPage } from './pages/LedgerPage.js';
import { MetricsPage } from './pages/MetricsPage.js';
import { PermitsPage } from './pages/PermitsPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { WorklistPage } from './pages/WorklistPage.js';

type Ability = MeAnswer['may'][number];
type MeAnswer = paths['/api/me']['get']['responses']['200']['content']['application/json'];

export interface Me {
  username: string;
  roles: string[];
  agencyKind: string;
  /** What the access policy lets this user do (GET /api/me); the API checks each record. */
  may: (action: Ability['action'], subject: Ability['subject']) => boolean;
}

/** Pages and what a user must be allowed to read to use them (the server's access policy). */
const PAGES: ReadonlyArray<{ path: string; title: string; needs: Ability }> = [
  { path: 'worklist', title: 'Worklist', needs: { action: 'read', subject: 'control' } },
  { path: 'cargo', title: 'Cargo reports', needs: { action: 'read', subject: 'cargo-report' } },
  { path: 'indicators', title: 'Indicators', needs: { action: 'read', subject: 'indicator' } },
  { path: 'permits', title: 'Permits', needs: { action: 'read', subject: 'permit' } },
  {
    path: 'certificates',
    title: 'Certificates',
    needs: { action: 'read', subject: 'certificate' },
  },
  {
    path: 'exchange',
    title: 'Exchange',
    needs: { action: 'read', subject: 'exchange-message' },
  },
  {
    path: 'metrics',
    title: 'Metrics',
    needs: { action: 'read', subject: 'performance-metrics' },
  },
  { path: 'ledger', title: 'Ledger', needs: { action: 'read', subject: 'ledger' } },
];

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
    const abilities = new Set(data.may.map((a) => `${a.action} ${a.subject}`));
    setMe({
      username: data.username,
      roles: data.roles,
      agencyKind: data.agencyKind,
      may: (action, subject) => abilities.has(`${action} ${subject}`),
    });
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

  const allowed = PAGES.filter((p) => me.may(p.needs.action, p.needs.subject));
  const [, route = allowed[0]?.path ?? '', id, more] = hash.replace(/^#\/?/, '#/').split('/');
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
  else if (route === 'exchange' && allowed.some((p) => p.path === 'exchange'))
    page = <ExchangePage me={me} section={id} item={more ? decodeURIComponent(more) : undefined} />;
  else if (route === 'permits' && allowed.some((p) => p.path === 'permits'))
    page = <PermitsPage me={me} />;
  else if (route === 'certificates' && allowed.some((p) => p.path === 'certificates'))
    page = <CertificatesPage />;
  else if (route === 'ledger' && allowed.some((p) => p.path === 'ledger'))
    page = <LedgerPage me={me} />;
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
