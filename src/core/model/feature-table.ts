/** A column-major table of features, the trainer's and the scorer's input. */

/** A numeric feature: NaN means missing. */
export interface NumericColumn {
  readonly name: string;
  readonly kind: 'numeric';
  readonly values: ArrayLike<number>;
}

/** A categorical feature: null, undefined or '' means missing. */
export interface CategoricalColumn {
  readonly name: string;
  readonly kind: 'categorical';
  readonly values: ReadonlyArray<string | null | undefined>;
}

export type FeatureColumn = NumericColumn | CategoricalColumn;
export type FeatureKind = FeatureColumn['kind'];

export interface FeatureTable {
  readonly rowCount: number;
  readonly columns: readonly FeatureColumn[];
}

/** A table with its labels (1 = finding, 0 = none) and optional sample weights. */
export interface LabelledTable {
  readonly table: FeatureTable;
  readonly labels: ArrayLike<number>;
  /** Per-row weights (e.g. inverse selection probability); 1 when absent. */
  readonly weights?: ArrayLike<number>;
}

/** Builds a table from named columns, checking that every column has rowCount values. */
export function featureTable(columns: readonly FeatureColumn[]): FeatureTable {
  const rowCount = columns[0]?.values.length ?? 0;
  const names = new Set<string>();
  for (const column of columns) {
    if (column.values.length !== rowCount)
      throw new RangeError(
        `feature ${column.name} has ${column.values.length} values, expected ${rowCount}`,
      );
    if (names.has(column.name)) throw new RangeError(`feature ${column.name} appears twice`);
    names.add(column.name);
  }
  return { rowCount, columns };
}

/** The rows of a table at the given indices (for splits and folds). */
export function selectRows(table: FeatureTable, rows: ArrayLike<number>): FeatureTable {
  const n = rows.length;
  const columns = table.columns.map((column): FeatureColumn => {
    if (column.kind === 'numeric') {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = column.values[rows[i]!]!;
      return { name: column.name, kind: 'numeric', values };
    }
    const values = new Array<string | null | undefined>(n);
    for (let i = 0; i < n; i++) values[i] = column.values[rows[i]!];
    return { name: column.name, kind: 'categorical', values };
  });
  return { rowCount: n, columns };
}
