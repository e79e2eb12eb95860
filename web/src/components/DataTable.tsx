import { useMemo, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';

export interface Column<T> {
  /** Unique among the columns. */
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** `num` right-aligns figures. */
  className?: string;
  /** With it, the header sorts the rows by this value (click again for the other direction). */
  sortValue?: (row: T) => string | number | null | undefined;
}

type Sort = { key: string; direction: 'ascending' | 'descending' };
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Compares two sort values: numbers as numbers, text in the user's collation, blanks last. */
function compare(a: string | number | null | undefined, b: string | number | null | undefined) {
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return 1;
  if (b === null || b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

const INTERACTIVE = 'a, button, input, select, textarea, summary, [role="button"]';

/**
 * A table of records: one column per field with its header and cell renderer, the empty text when
 * there are none, and, with `onSelect`, rows that can be selected by mouse or keyboard (Tab to a
 * row, Enter or Space selects it, the arrow keys move between rows); the selected row is marked
 * aria-selected. Links and buttons inside a row keep their own behaviour. On a narrow screen the
 * table scrolls sideways in its own box.
 */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  emptyText = 'Nothing to show.',
  selected,
  onSelect,
  rowLabel,
  rowClassName,
  pageSize,
  initialSort,
}: {
  /** The table's accessible name. */
  label: string;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey: (row: T) => string;
  emptyText?: ReactNode;
  /** The key of the selected row. */
  selected?: string | null;
  onSelect?: (row: T) => void;
  /** What a selectable row is called for assistive technology (default: its cells' text). */
  rowLabel?: (row: T) => string;
  rowClassName?: (row: T) => string | undefined;
  /** Shows this many rows at a time, with buttons to page through the rest. */
  pageSize?: number;
  /** The order at first (a column with a sortValue); else the rows' own order. */
  initialSort?: Sort;
}) {
  const [sort, setSort] = useState<Sort | null>(initialSort ?? null);
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!sort || !column?.sortValue) return rows;
    const value = column.sortValue;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    // Blanks stay last whichever the direction.
    return [...rows].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const blank = (v: unknown) => v === null || v === undefined || v === '';
      if (blank(va) || blank(vb)) return compare(va, vb);
      return sign * compare(va, vb);
    });
  }, [rows, columns, sort]);
  if (rows.length === 0) return <p className="empty">{emptyText}</p>;
  const pages = pageSize ? Math.max(1, Math.ceil(sorted.length / pageSize)) : 1;
  const current = Math.min(page, pages - 1);
  const shown = pageSize ? sorted.slice(current * pageSize, (current + 1) * pageSize) : sorted;
  const sortBy = (key: string) => {
    setSort((s) =>
      s?.key === key && s.direction === 'ascending'
        ? { key, direction: 'descending' }
        : { key, direction: 'ascending' },
    );
    setPage(0);
  };
  const selectable = onSelect !== undefined;
  const onKeyDown = (row: T) => (e: KeyboardEvent<HTMLTableRowElement>) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect?.(row);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next =
        e.key === 'ArrowDown'
          ? e.currentTarget.nextElementSibling
          : e.currentTarget.previousElementSibling;
      if (next instanceof HTMLElement) next.focus();
    }
  };
  const onClick = (row: T) => (e: MouseEvent<HTMLTableRowElement>) => {
    if (e.target instanceof Element && e.target.closest(INTERACTIVE)) return;
    onSelect?.(row);
  };
  return (
    // On a phone the table scrolls sideways inside its box, not the whole page.
    // Focusable, so that keyboard users can scroll it too (WCAG 2.1.1).
    <div className="table-scroll" tabIndex={0} role="group" aria-label="Scrollable table">
      <table aria-label={label} className={selectable ? 'data selectable' : 'data'}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                className={c.className}
                aria-sort={
                  c.sortValue ? (sort?.key === c.key ? sort.direction : 'none') : undefined
                }
              >
                {c.sortValue ? (
                  <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                    {c.header}
                    <span aria-hidden="true">
                      {sort?.key === c.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
                    </span>
                  </button>
                ) : (
                  c.header
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                className={rowClassName?.(row)}
                {...(selectable
                  ? {
                      tabIndex: 0,
                      'aria-selected': key === selected,
                      'aria-label': rowLabel?.(row),
                      onClick: onClick(row),
                      onKeyDown: onKeyDown(row),
                    }
                  : {})}
              >
                {columns.map((c) => (
                  <td key={c.key} className={c.className}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      {pages > 1 && (
        <nav className="pager" aria-label={`${label}: pages`}>
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </button>
          <span aria-live="polite">
            {current * pageSize! + 1}–{Math.min(sorted.length, (current + 1) * pageSize!)} of{' '}
            {sorted.length}
          </span>
          <button
            type="button"
            disabled={current === pages - 1}
            onClick={() => setPage(current + 1)}
          >
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
