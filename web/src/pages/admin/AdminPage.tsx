import { api } from '../../api.js';
import { useAsync } from '../../components/AsyncView.js';
import { AgenciesSection } from './Agencies.js';
import { SessionsSection } from './Sessions.js';
import { TokensSection } from './Tokens.js';
import { UsersSection } from './Users.js';

const SECTIONS = [
  { id: 'users', title: 'Users and roles' },
  { id: 'agencies', title: 'Agencies' },
  { id: 'tokens', title: 'API tokens' },
  { id: 'sessions', title: 'Sessions' },
] as const;

/**
 * The administrator's page: the agencies of the administration, its users and their roles (the
 * roles each kind of agency allows come from the server), API tokens and open sessions.
 */
export function AdminPage({ section }: { section: string | undefined }) {
  const current = SECTIONS.find((s) => s.id === section) ?? SECTIONS[0];
  // Agencies and the roles of each kind are needed by every section's forms.
  const agencies = useAsync(() => api.GET('/api/agencies'), []);
  const users = useAsync(() => api.GET('/api/users'), []);
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <nav aria-label="Administration" className="subnav">
        {SECTIONS.map((s) => (
          <a
            key={s.id}
            href={`#/admin/${s.id}`}
            aria-current={s.id === current.id ? 'page' : undefined}
          >
            {s.title}
          </a>
        ))}
      </nav>
      <h2>{current.title}</h2>
      {current.id === 'users' && <UsersSection agencies={agencies} users={users} />}
      {current.id === 'agencies' && <AgenciesSection agencies={agencies} />}
      {current.id === 'tokens' && <TokensSection users={users} />}
      {current.id === 'sessions' && <SessionsSection />}
    </section>
  );
}
