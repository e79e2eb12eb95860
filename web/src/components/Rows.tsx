import type { ReactNode } from 'react';

/** Rows of a repeated part of a form (goods, routes, references, rights), added and removed. */
export function Rows<T>({
  legend,
  rows,
  onChange,
  empty,
  addLabel,
  children,
}: {
  legend: string;
  rows: T[];
  onChange: (rows: T[]) => void;
  empty: () => T;
  addLabel: string;
  children: (row: T, set: (row: T) => void, index: number) => ReactNode;
}) {
  return (
    <fieldset className="rows">
      <legend>{legend}</legend>
      {rows.length === 0 && <p className="empty">None.</p>}
      {rows.map((row, k) => (
        <div className="row" key={k} role="group" aria-label={`${legend} ${k + 1}`}>
          {children(row, (r) => onChange(rows.map((x, j) => (j === k ? r : x))), k)}
          <button
            type="button"
            className="secondary"
            aria-label={`Remove ${legend.toLowerCase()} ${k + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== k))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="secondary" onClick={() => onChange([...rows, empty()])}>
        {addLabel}
      </button>
    </fieldset>
  );
}
