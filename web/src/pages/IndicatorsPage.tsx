import { useEffect, useState } from 'react';
import { api, describeProblem } from '../api.js';

interface Indicator {
  id: string;
  version: number;
  title: string;
  priorityArea: string;
  status: string;
  weight: number;
  directChannel: string | null;
  sharing: string;
}

/** Every indicator, newest version, with its status in the joint approval workflow. */
export function IndicatorsPage() {
  const [list, setList] = useState<Indicator[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api.GET('/api/indicators').then(({ data, error: problem }) => {
      if (problem) setError(describeProblem(problem));
      else setList(data ?? []);
    });
  }, []);
  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!list) return <p className="status">Loading…</p>;
  return (
    <section>
      <h1>Indicators</h1>
      {list.length === 0 ? (
        <p className="empty">No indicators yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Title</th>
              <th>Area</th>
              <th>Version</th>
              <th>Status</th>
              <th>Weight</th>
              <th>Sharing</th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.id}>
                <td>{i.id}</td>
                <td>{i.title}</td>
                <td>{i.priorityArea}</td>
                <td className="num">{i.version}</td>
                <td>{i.status}</td>
                <td className="num">{i.directChannel ? `→ ${i.directChannel}` : i.weight}</td>
                <td>{i.sharing}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
