import { useState, type FormEvent } from 'react';
import { api, describeProblem, session } from '../api.js';

export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: () => void;
  notice: string | null;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST('/api/auth/login', {
      body: { username, password },
    });
    setBusy(false);
    if (problem || !data) {
      setError(describeProblem(problem));
      return;
    }
    session.set(data.token);
    onSignedIn();
  };

  return (
    <main className="sign-in">
      <h1>GreenLane</h1>
      <p>Customs and environmental agencies, one risk picture.</p>
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
