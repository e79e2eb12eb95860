import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';

export interface Column<T> {
  /** Unique among the columns. */
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** `num` right-aligns figures. */
  className?: string;
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
}) {
  if (rows.length === 0) return <p className="empty">{emptyText}</p>;
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
    <div className="table-scroll">
      <table aria-label={label} className={selectable ? 'data selectable' : 'data'}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
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
    </div>
  );
}
