import { useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import { formatNumber } from '../../format.js';
import { priorityAreaWords } from '../../words.js';
import { IndicatorDetail } from './IndicatorDetail.js';
import { IndicatorEditor, type Editing } from './IndicatorEditor.js';
import type { Indicator } from './types.js';
import { STATUS_WORDS, effectWords } from './words.js';
import './indicators.css';

/**
 * Every indicator (newest version, by its code) with its place in the joint approval workflow;
 * the editor with the condition reference for authors; the approval step for approvers.
 */
export function IndicatorsPage({ me }: { me: Me }) {
  const list = useAsync(() => api.GET('/api/indicators'), []);
  const reference = useAsync(() => api.GET('/api/indicators/context'), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [approving, setApproving] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [revision, setRevision] = useState(0);
  const [problem, setProblem] = useState<unknown>(null);
  const author = me.may('author', 'indicator');
  const approver = me.may('approve', 'indicator');

  const load = async () => {
    list.reload();
    setRevision((r) => r + 1);
  };
  const submit = async (i: Indicator) => {
    setProblem(null);
    const { error } = await api.POST('/api/indicators/{key}/submit', {
      params: { path: { key: i.id } },
      body: { version: i.version },
    });
    if (error) setProblem(error);
    await load();
  };

  const current = list.data?.find((i) => i.id === selected) ?? null;
  return (
    <section>
      <h1>Indicators</h1>
      {author && (
        <IndicatorEditor
          key={editing ? `${editing.indicator.id}@${editing.indicator.version}` : 'new'}
          editing={editing}
          reference={reference.data}
          canLink={me.agencyKind === 'customs'}
          onCancel={() => setEditing(null)}
          onSaved={async (id) => {
            setEditing(null);
            setSelected(id);
            await load();
          }}
        />
      )}
      {author && reference.error ? <ProblemAlert problem={reference.error} /> : null}
      <ProblemAlert problem={problem} />
      {current && (
        <IndicatorDetail
          // Mounted afresh once the reloaded list has the new version or status (its version
          // pickers start from the newest), and after each change (approvals to read again).
          key={`${current.id}:${current.version}:${current.status}:${revision}`}
          indicator={current}
          me={me}
          author={author && current.status !== 'retired'}
          approving={approving === current.id}
          onChanged={load}
          onStopApproving={() => setApproving(null)}
          onEdit={(coAuthorCodes) => {
            setEditing({ indicator: current, coAuthorCodes });
            window.scrollTo({ top: 0 });
          }}
        />
      )}
      <AsyncView state={list} emptyText="No indicators yet.">
        {(rows) => (
          <DataTable
            label="Indicators"
            rows={rows}
            rowKey={(i) => i.id}
            selected={selected}
            columns={[
              { key: 'code', header: 'Code', cell: (i) => <span className="code">{i.id}</span> },
              { key: 'title', header: 'Title', cell: (i) => i.title },
              { key: 'area', header: 'Area', cell: (i) => priorityAreaWords(i.priorityArea) },
              {
                key: 'version',
                header: 'Version',
                className: 'num',
                cell: (i) => formatNumber(i.version),
              },
              { key: 'status', header: 'Status', cell: (i) => STATUS_WORDS[i.status] },
              { key: 'effect', header: 'A hit gives', cell: (i) => effectWords(i) },
              {
                key: 'sharing',
                header: 'Sharing',
                cell: (i) => (i.sharing === 'shareable' ? 'shareable' : 'national only'),
              },
              {
                key: 'workflow',
                header: 'Workflow',
                cell: (i) => (
                  <>
                    <button
                      type="button"
                      aria-label={`Details of ${i.title}`}
                      aria-expanded={i.id === selected}
                      onClick={() => {
                        setApproving(null);
                        setSelected(i.id === selected ? null : i.id);
                      }}
                    >
                      Details
                    </button>
                    {author && i.status === 'draft' && (
                      <button type="button" onClick={() => void submit(i)}>
                        Submit {i.title}
                      </button>
                    )}
                    {approver && i.status === 'awaiting-approval' && (
                      <button
                        type="button"
                        onClick={() => {
                          setSelected(i.id);
                          setApproving(i.id);
                        }}
                      >
                        Review and approve {i.title}
                      </button>
                    )}
                  </>
                ),
              },
            ]}
          />
        )}
      </AsyncView>
    </section>
  );
}
