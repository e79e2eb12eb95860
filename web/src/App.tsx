import { useCallback, useEffect, useState } from 'react';
import { api, describeProblem, session } from './api.js';
import { ROUTES, mayOpen, parseLocation, type Ability } from './routes.js';
import { SignInPage } from './pages/SignInPage.js';

export interface Me {
  username: string;
  roles: string[];
  /** The roles in words (from the server). */
  roleTitles: string[];
  agencyKind: string;
  /** What the access policy lets this user do (GET /api/me); the API checks each record. */
  may: (action: Ability['action'], subject: Ability['subject']) => boolean;
}

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
  const [menuOpen, setMenuOpen] = useState(false);

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
      roleTitles: data.roleTitles,
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

  const allowed = ROUTES.filter((r) => mayOpen(me, r));
  const inNav = allowed.filter((r) => r.title);
  const at = parseLocation(hash);
  const route = at.path === '' ? inNav[0] : allowed.find((r) => r.path === at.path);
  const signOut = async () => {
    // Leave first (the pages and their live streams go), then revoke the token they used.
    const token = session.token();
    session.clear();
    setMe(null);
    if (token)
      await api.POST('/api/auth/logout', { headers: { Authorization: `Bearer ${token}` } });
  };

  const page = route ? (
    route.render(me, at)
  ) : allowed.length === 0 ? (
    <p className="empty">Your roles have no pages in the console yet.</p>
  ) : (
    <p className="empty">This page is not available to your roles.</p>
  );

  return (
    <div className="layout">
      <header className={menuOpen ? 'menu-open' : undefined}>
        <strong className="brand">GreenLane</strong>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav user-menu"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main">
          {inNav.map((r) => (
            <a
              key={r.path}
              href={`#/${r.path}`}
              aria-current={route?.path === r.path ? 'page' : undefined}
              onClick={() => setMenuOpen(false)}
            >
              {r.title}
            </a>
          ))}
        </nav>
        <span className="user" id="user-menu">
          {me.username} ({me.roleTitles.join(', ')})
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>{page}</main>
    </div>
  );
}
