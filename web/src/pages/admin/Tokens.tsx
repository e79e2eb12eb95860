import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { AsyncView, useAsync, type AsyncState } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import { formatDateTime } from '../../format.js';
import { ConfirmButton } from './ConfirmButton.js';
import type { ApiToken, IssuedToken, User } from './types.js';

const LABELS: FieldLabels = Object.fromEntries(
  [
    ['userId', 'For user'],
    ['name', 'What the token is for'],
    ['expiresAt', 'Expires'],
  ].flatMap(([f, l]) => [
    [`/${f}`, l],
    [`/body/${f}`, l],
    [`/params/${f}`, l],
  ]),
) as FieldLabels;
const at = (f: string) => [`/${f}`, `/body/${f}`, `/params/${f}`];

const STATUS_WORDS: Readonly<Record<ApiToken['status'], string>> = {
  active: 'active',
  expired: 'expired',
  revoked: 'revoked',
};

/** API tokens of the administration: issue one (its secret is shown once), revoke one. */
export function TokensSection({ users }: { users: AsyncState<User[]> }) {
  const tokens = useAsync(() => api.GET('/api/api-tokens'), []);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const revoke = async (t: ApiToken) => {
    setProblem(null);
    setDone(null);
    const { error } = await api.POST('/api/api-tokens/{id}/revoke', {
      params: { path: { id: t.id } },
    });
    if (error) setProblem(error);
    else setDone(`The token “${t.name}” was revoked: it is refused from now on.`);
    tokens.reload();
  };
  return (
    <>
      {users.data && <NewToken users={users.data} onIssued={tokens.reload} />}
      <h3>Tokens issued</h3>
      <p className="note">
        Secrets are never shown again after issue. When a token was last used is not recorded.
      </p>
      <ProblemAlert problem={problem} />
      <p role="status">{done}</p>
      <AsyncView state={tokens} emptyText="No API tokens have been issued.">
        {(list) => (
          <DataTable<ApiToken>
            label="API tokens"
            rows={list}
            rowKey={(t) => t.id}
            columns={[
              { key: 'name', header: 'Name', cell: (t) => t.name },
              {
                key: 'user',
                header: 'User',
                cell: (t) => (
                  <>
                    {t.user.displayName}
                    <div className="note">{t.user.username}</div>
                  </>
                ),
              },
              { key: 'created', header: 'Issued', cell: (t) => formatDateTime(t.createdAt) },
              {
                key: 'expires',
                header: 'Expires',
                cell: (t) => (t.expiresAt ? formatDateTime(t.expiresAt) : 'never'),
              },
              {
                key: 'status',
                header: 'Status',
                cell: (t) =>
                  t.revokedAt
                    ? `${STATUS_WORDS[t.status]} ${formatDateTime(t.revokedAt)}`
                    : STATUS_WORDS[t.status],
              },
              {
                key: 'actions',
                header: 'Actions',
                cell: (t) =>
                  t.status === 'active' ? (
                    <ConfirmButton
                      label="Revoke"
                      accessibleLabel={`Revoke ${t.name}`}
                      title={`Revoke the token “${t.name}”?`}
                      confirmLabel="Revoke the token"
                      onConfirm={() => revoke(t)}
                    >
                      <p>
                        Whatever uses it (for {t.user.displayName}) is refused from the next request
                        on. This cannot be undone; issue a new token instead.
                      </p>
                    </ConfirmButton>
                  ) : null,
              },
            ]}
          />
        )}
      </AsyncView>
    </>
  );
}

function NewToken({ users, onIssued }: { users: User[]; onIssued: () => void }) {
  const active = users.filter((u) => !u.disabled);
  const [userId, setUserId] = useState(active[0]?.id ?? '');
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setIssued(null);
    setCopied(null);
    // The day chosen, to its end in the user's time zone.
    const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
    const { data, error } = await api.POST('/api/users/{userId}/api-tokens', {
      params: { path: { userId } },
      body: { name, ...(expiresAt ? { expiresAt } : {}) },
    });
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    setIssued(data);
    setName('');
    setExpires('');
    onIssued();
  };
  const copy = async (token: string) => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('Copied.');
    } catch {
      setCopied('Copying was refused by the browser: select the token and copy it by hand.');
    }
  };
  return (
    <form aria-label="Issue an API token" onSubmit={(e) => void submit(e)}>
      <h3>Issue an API token</h3>
      <FormField label="For user" problem={problem} field={at('userId')}>
        <select value={userId} onChange={(e) => setUserId(e.target.value)}>
          {active.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.username})
            </option>
          ))}
        </select>
      </FormField>
      <FormField
        label="What the token is for"
        hint="e.g. scanner at gate 3, nightly export"
        problem={problem}
        field={at('name')}
      >
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </FormField>
      <FormField
        label="Expires"
        hint="Optional: the token stops working at the end of this day. Empty: until revoked."
        problem={problem}
        field={at('expiresAt')}
      >
        <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
      </FormField>
      <ProblemAlert problem={problem} labels={LABELS} />
      <button type="submit">Issue token</button>
      {issued && (
        <div className="token-secret" role="region" aria-label="New API token">
          <p>
            <strong>Token “{issued.apiToken.name}”</strong> for {issued.apiToken.user.displayName}.
            Copy it now: it is shown only this once.
          </p>
          <code className="secret">{issued.token}</code>
          <div className="actions">
            <button type="button" onClick={() => void copy(issued.token)}>
              Copy token
            </button>
            <span role="status">{copied}</span>
          </div>
        </div>
      )}
    </form>
  );
}
