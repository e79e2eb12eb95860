import { DataTable } from '../../components/DataTable.js';
import { formatNumber } from '../../format.js';
import type { Diff } from './types.js';
import { fieldWords } from './words.js';

const show = (v: unknown): string =>
  v === null || v === undefined
    ? '—'
    : typeof v === 'number'
      ? formatNumber(v, 3)
      : typeof v === 'string'
        ? v
        : JSON.stringify(v);

/** The fields that differ between two versions, old value beside new. */
export function DiffTable({
  diff,
  label,
  inForce = false,
}: {
  diff: Diff;
  label: string;
  /** The `from` version is the one in force (the approval step says so). */
  inForce?: boolean;
}) {
  if (diff.changes.length === 0)
    return (
      <p className="empty">
        Versions {formatNumber(diff.from)} and {formatNumber(diff.to)} are the same.
      </p>
    );
  return (
    <div className="diff">
      <DataTable
        label={label}
        rows={diff.changes}
        rowKey={(c) => c.field}
        columns={[
          { key: 'field', header: 'Field', cell: (c) => fieldWords(c.field) },
          {
            key: 'from',
            header: `Version ${formatNumber(diff.from)}${inForce ? ' (in force)' : ''}`,
            className: 'removed',
            cell: (c) => show(c.from),
          },
          {
            key: 'to',
            header: `Version ${formatNumber(diff.to)}`,
            className: 'added',
            cell: (c) => show(c.to),
          },
        ]}
      />
    </div>
  );
}
