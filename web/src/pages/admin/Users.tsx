import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { AsyncView, type AsyncState } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { CheckboxGroup, FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import { formatDateTime } from '../../format.js';
import { ConfirmButton } from './ConfirmButton.js';
import type { AgenciesAnswer, User } from './types.js';

const LABELS: FieldLabels = Object.fromEntries(
  [
    ['agencyId', 'Agency'],
    ['username', 'Username'],
    ['displayName', 'Full name'],
    ['roles', 'Roles'],
    ['password', 'Initial password'],
    ['disabled', 'Account'],
  ].flatMap(([f, l]) => [
    [`/${f}`, l],
    [`/body/${f}`, l],
  ]),
) as FieldLabels;
const at = (f: string) => [`/${f}`, `/body/${f}`];

/** The roles a user of this agency may hold, as the server offers them. */
function rolesFor(agencies: AgenciesAnswer, agencyId: string) {
  const kind = agencies.agencies.find((a) => a.id === agencyId)?.kind;
  return agencies.kinds.find((k) => k.kind === kind)?.roles ?? [];
}

/** The users of the administration: create one, change its roles, disable or enable it. */
export function UsersSection({
  agencies,
  users,
}: {
  agencies: AsyncState<AgenciesAnswer>;
  users: AsyncState<User[]>;
}) {
  const [editing, setEditing] = useState<User | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const setDisabled = async (u: User, disabled: boolean) => {
    setProblem(null);
    setDone(null);
    const { error } = await api.PUT('/api/users/{userId}/disabled', {
      params: { path: { userId: u.id } },
      body: { disabled },
    });
    if (error) setProblem(error);
    else
      setDone(
        disabled
          ? `${u.displayName} is disabled: their sessions ended and their API tokens were revoked.`
          : `${u.displayName} may sign in again (old sessions and tokens stay revoked).`,
      );
    users.reload();
  };

  return (
    <>
      <ProblemAlert problem={problem} labels={LABELS} />
      <p role="status">{done}</p>
      <AsyncView state={users} emptyText="No users yet.">
        {(list) => (
          <DataTable<User>
            label="Users"
            rows={list}
            rowKey={(u) => u.id}
            columns={[
              {
                key: 'name',
                header: 'User',
                cell: (u) => (
                  <>
                    {u.displayName}
                    <div className="note">
                      {u.username}
                      {u.self ? ' (you)' : ''}
                    </div>
                  </>
                ),
              },
              { key: 'agency', header: 'Agency', cell: (u) => u.agency.name },
              {
                key: 'roles',
                header: 'Roles',
                cell: (u) => u.roles.map((r) => r.title).join(', '),
              },
              {
                key: 'status',
                header: 'Account',
                cell: (u) =>
                  u.disabled
                    ? 'disabled'
                    : u.signsInWithPassword
                      ? 'active'
                      : 'active (system user: API tokens only)',
              },
              { key: 'created', header: 'Created', cell: (u) => formatDateTime(u.createdAt) },
              {
                key: 'actions',
                header: 'Actions',
                cell: (u) => (
                  <div className="row-actions">
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Change roles of ${u.username}`}
                      onClick={() => {
                        setProblem(null);
                        setEditing(u);
                      }}
                    >
                      Roles
                    </button>
                    {u.self ? null : u.disabled ? (
                      <button
                        type="button"
                        className="secondary"
                        aria-label={`Enable ${u.username}`}
                        onClick={() => void setDisabled(u, false)}
                      >
                        Enable
                      </button>
                    ) : (
                      <ConfirmButton
                        label="Disable"
                        accessibleLabel={`Disable ${u.username}`}
                        title={`Disable ${u.displayName}?`}
                        confirmLabel="Disable the user"
                        onConfirm={() => setDisabled(u, true)}
                      >
                        <p>
                          {u.displayName} ({u.username}) can no longer sign in. Their open sessions
                          end and their API tokens are revoked at once; enabling them again later
                          does not bring those back.
                        </p>
                      </ConfirmButton>
                    )}
                  </div>
                ),
              },
            ]}
          />
        )}
      </AsyncView>
      {editing && agencies.data && (
        <EditRoles
          key={editing.id}
          user={editing}
          offered={rolesFor(agencies.data, editing.agency.id)}
          onDone={(message) => {
            setEditing(null);
            setDone(message);
            users.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {agencies.data && (
        <NewUser
          agencies={agencies.data}
          onCreated={(u) => {
            setDone(`${u.displayName} (${u.username}) was created.`);
            users.reload();
          }}
        />
      )}
    </>
  );
}

function EditRoles({
  user,
  offered,
  onDone,
  onCancel,
}: {
  user: User;
  offered: AgenciesAnswer['kinds'][number]['roles'];
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const [roles, setRoles] = useState<string[]>(user.roles.map((r) => r.role));
  const [problem, setProblem] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const { data, error } = await api.PUT('/api/users/{userId}/roles', {
      params: { path: { userId: user.id } },
      body: { roles },
    });
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    onDone(`${data.displayName} now holds: ${data.roles.map((r) => r.title).join(', ')}.`);
  };
  return (
    <form aria-label={`Roles of ${user.username}`} onSubmit={(e) => void submit(e)}>
      <h3>Roles of {user.displayName}</h3>
      <CheckboxGroup
        legend={`Roles in ${user.agency.name}`}
        options={offered.map((r) => ({ value: r.role, label: r.title }))}
        value={roles}
        onChange={setRoles}
        problem={problem}
        field={at('roles')}
      />
      <ProblemAlert problem={problem} labels={LABELS} />
      <div className="actions">
        <button type="submit">Save roles</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NewUser({
  agencies,
  onCreated,
}: {
  agencies: AgenciesAnswer;
  onCreated: (u: User) => void;
}) {
  const [agencyId, setAgencyId] = useState(agencies.agencies[0]?.id ?? '');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const offered = rolesFor(agencies, agencyId);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const { data, error } = await api.POST('/api/users', {
      body: {
        agencyId,
        username,
        displayName,
        roles: roles.filter((r) => offered.some((o) => o.role === r)),
        password: password === '' ? null : password,
      },
    });
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    setUsername('');
    setDisplayName('');
    setRoles([]);
    setPassword('');
    onCreated(data);
  };
  return (
    <form aria-label="Create a user" onSubmit={(e) => void submit(e)}>
      <h3>Create a user</h3>
      <FormField label="Agency" problem={problem} field={at('agencyId')}>
        <select value={agencyId} onChange={(e) => setAgencyId(e.target.value)}>
          {agencies.agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.kindTitle})
            </option>
          ))}
        </select>
      </FormField>
      <FormField
        label="Username"
        hint="Lower-case letters, digits, dots, dashes or underscores, e.g. anna.petrova"
        problem={problem}
        field={at('username')}
      >
        <input
          value={username}
          autoComplete="off"
          onChange={(e) => setUsername(e.target.value.trim())}
        />
      </FormField>
      <FormField label="Full name" problem={problem} field={at('displayName')}>
        <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
      </FormField>
      <CheckboxGroup
        legend="Roles"
        hint="The roles this kind of agency allows."
        options={offered.map((r) => ({ value: r.role, label: r.title }))}
        value={roles}
        onChange={setRoles}
        problem={problem}
        field={at('roles')}
      />
      <FormField
        label="Initial password"
        hint="At least 12 characters; pass it on to the user in person. Leave it empty for a system user that only uses API tokens."
        problem={problem}
        field={at('password')}
      >
        <input
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </FormField>
      <ProblemAlert problem={problem} labels={LABELS} />
      <button type="submit">Create user</button>
    </form>
  );
}
