import { useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import type { IprParty } from '../../domain.js';
import { formatDateTime } from '../../format.js';
import { CaseDetail } from './CaseDetail.js';
import type { CaseView, Deadline } from './types.js';
import { PARTY_WORDS, stageWords } from './words.js';

/** The party of the procedure the signed-in user acts for, if any (the API checks each case). */
export function partyOf(me: Me): IprParty | null {
  if (me.may('decide', 'ipr-case')) return 'customs';
  if (!me.may('respond', 'ipr-case')) return null;
  if (me.agencyKind === 'right-holder') return 'right-holder';
  if (me.agencyKind === 'trader') return 'declarant';
  return null;
}

/** The earliest deadline still running for a party (any party when none is given). */
export function nextDeadline(v: CaseView, party: IprParty | null): Deadline | undefined {
  return v.state.deadlines
    .filter((d) => d.status === 'open' && (party === null || d.party === party))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
}

const FILTERS = [
  { id: 'open', title: 'Open' },
  { id: 'overdue', title: 'Overdue' },
  { id: 'all', title: 'All' },
] as const;
type Filter = (typeof FILTERS)[number]['id'];

/**
 * Detention cases: customs sees its administration's (with the overdue ones first to hand), a
 * right holder those of its rights, a declarant those of its goods, each with the deadline that
 * is theirs. A case opens below the list at #/ipr/cases/<id>.
 */
export function CasesSection({ me, selected }: { me: Me; selected: string | undefined }) {
  const party = partyOf(me);
  const [filter, setFilter] = useState<Filter>('open');
  const list = useAsync(
    () =>
      api.GET('/api/ipr/cases', {
        params: {
          query: filter === 'open' ? { open: true } : filter === 'overdue' ? { overdue: true } : {},
        },
      }),
    [filter],
  );
  const filters = FILTERS.filter((f) => f.id !== 'overdue' || party === 'customs');
  const mine = party === 'customs' ? null : party;
  return (
    <>
      <div className="filters" role="group" aria-label="Which cases">
        {filters.map((f) => (
          <button
            key={f.id}
            type="button"
            className={f.id === filter ? undefined : 'secondary'}
            aria-pressed={f.id === filter}
            onClick={() => setFilter(f.id)}
          >
            {f.title}
          </button>
        ))}
      </div>
      {selected && <CaseDetail key={selected} id={selected} me={me} onChanged={list.reload} />}
      <AsyncView
        state={list}
        emptyText={
          filter === 'overdue'
            ? 'No case is overdue.'
            : party === 'right-holder'
              ? 'No goods suspected of infringing your rights are detained.'
              : party === 'declarant'
                ? 'None of your goods are detained.'
                : 'No detention cases.'
        }
      >
        {(rows) => (
          <DataTable<CaseView>
            label="Detention cases"
            rows={rows}
            rowKey={(v) => v.case.id}
            selected={selected ?? null}
            onSelect={(v) => {
              window.location.hash = `#/ipr/cases/${encodeURIComponent(v.case.id)}`;
            }}
            rowLabel={(v) => `Case of ${v.case.declarationReference}`}
            rowClassName={(v) => (v.state.overdue.length > 0 ? 'overdue-row' : undefined)}
            columns={[
              {
                key: 'declaration',
                header: 'Declaration',
                cell: (v) => v.case.declarationReference,
                sortValue: (v) => v.case.declarationReference,
              },
              {
                key: 'marks',
                header: 'Rights in question',
                cell: (v) => v.case.rights.map((r) => r.mark).join(', '),
              },
              {
                key: 'parties',
                header: 'Right holder / declarant',
                cell: (v) => (
                  <>
                    {v.case.holderName ?? 'none identified yet'}
                    <div className="note">{v.case.declarantName}</div>
                  </>
                ),
              },
              {
                key: 'stage',
                header: 'Stage',
                cell: (v) => (
                  <>
                    {stageWords(v.state.stage)}
                    {v.state.overdue.length > 0 && <strong className="overdue"> overdue</strong>}
                  </>
                ),
                sortValue: (v) => v.state.stage,
              },
              {
                key: 'deadline',
                header: mine ? 'Your deadline' : 'Next deadline',
                cell: (v) => {
                  const d = nextDeadline(v, mine);
                  return d
                    ? `${formatDateTime(d.dueAt)}${mine ? '' : ` (${PARTY_WORDS[d.party]})`}`
                    : '—';
                },
                sortValue: (v) => nextDeadline(v, mine)?.dueAt,
              },
              {
                key: 'suspended',
                header: 'Detained',
                cell: (v) => formatDateTime(v.case.suspendedAt),
                sortValue: (v) => v.case.suspendedAt,
              },
            ]}
          />
        )}
      </AsyncView>
    </>
  );
}
