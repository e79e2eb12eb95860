import { useState } from 'react';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatDateTime } from '../../format.js';
import type { Session } from './types.js';

/** Sessions open now in the administration; ending one signs its user out at once. */
export function SessionsSection() {
  const sessions = useAsync(() => api.GET('/api/sessions'), []);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const end = async (s: Session) => {
    setProblem(null);
    setDone(null);
    const { error } = await api.POST('/api/sessions/{id}/end', { params: { path: { id: s.id } } });
    if (error) setProblem(error);
    else setDone(`The session of ${s.user.displayName} has ended.`);
    sessions.reload();
  };
  return (
    <>
      <ProblemAlert problem={problem} />
      <p role="status">{done}</p>
      <AsyncView state={sessions} emptyText="No session is open.">
        {(list) => (
          <DataTable<Session>
            label="Open sessions"
            rows={list}
            rowKey={(s) => s.id}
            columns={[
              {
                key: 'user',
                header: 'User',
                cell: (s) => (
                  <>
                    {s.user.displayName}
                    <div className="note">
                      {s.user.username}
                      {s.current ? ' (this session)' : ''}
                    </div>
                  </>
                ),
              },
              { key: 'agency', header: 'Agency', cell: (s) => s.user.agencyName },
              { key: 'started', header: 'Signed in', cell: (s) => formatDateTime(s.startedAt) },
              { key: 'expires', header: 'Expires', cell: (s) => formatDateTime(s.expiresAt) },
              {
                key: 'actions',
                header: 'Actions',
                cell: (s) =>
                  s.current ? (
                    <span className="note">use Sign out</span>
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`End session of ${s.user.username} (signed in ${formatDateTime(s.startedAt)})`}
                      onClick={() => void end(s)}
                    >
                      End session
                    </button>
                  ),
              },
            ]}
          />
        )}
      </AsyncView>
    </>
  );
}
