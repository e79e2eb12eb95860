/**
 * Features of the Korea Customs Service declaration data set (columns as in its SOURCE.md) from
 * already-parsed CSV records. Statistics (HS6 median unit values, frequencies, target rates)
 * are fitted on the training split only; a training row's target rates come from the other
 * folds (out of fold), so that no row sees its own label.
 */
import { SeededRandom } from '../random.js';
import type { FeatureColumn, FeatureTable } from './feature-table.js';

/** One parsed CSV record of the KCS form: column name → text. */
export type KcsRow = Readonly<Record<string, string | undefined>>;

/** The raw categorical columns used as features, by KCS column name. */
export const KCS_CATEGORICAL = [
  'Office ID',
  'Process Type',
  'Import Type',
  'Import Use',
  'Payment Type',
  'Mode of Transport',
  'Declarant ID',
  'Importer ID',
  'Seller ID',
  'Courier ID',
  'Country of Departure',
  'Country of Origin',
  'Tax Type',
  'Country of Origin Indicator',
] as const;

/** Identities whose training frequency and target rate become numeric features. */
export const KCS_HISTORY_KEYS = [
  'Declarant ID',
  'Importer ID',
  'Seller ID',
  'HS6',
  'Importer ID × HS6',
  'Declarant ID × Importer ID',
  'Office ID × HS6',
  'Country of Origin × HS6',
] as const;
type HistoryKey = (typeof KCS_HISTORY_KEYS)[number];

export interface KcsFeatureOptions {
  /** Add out-of-fold target rates of the history keys (train split only). */
  readonly targetEncoding: boolean;
  readonly folds: number;
  readonly seed: number;
  /** Pseudo-rows of the prior rate added to each key's rate. */
  readonly smoothing: number;
  /** Add each categorical column's rank among the training categories as a numeric feature. */
  readonly categoryCodes: boolean;
}

export const DEFAULT_KCS_OPTIONS: KcsFeatureOptions = {
  targetEncoding: true,
  folds: 5,
  seed: 1,
  smoothing: 20,
  categoryCodes: false,
};

/** Statistics of the training split, plain JSON, stored beside the model. */
export interface KcsStatistics {
  readonly options: KcsFeatureOptions;
  readonly prior: number;
  readonly medianLogUnitValue: number;
  readonly hs6MedianLogUnitValue: Readonly<Record<string, number>>;
  /** Per categorical column, its training categories in code order (when categoryCodes). */
  readonly codes: Readonly<Record<string, readonly string[]>>;
  /** Per key: value → [rows, findings] in the training split. */
  readonly history: Readonly<
    Record<HistoryKey, Readonly<Record<string, readonly [number, number]>>>
  >;
}

/** The label: 1 when Fraud is above 0. */
export const kcsLabel = (row: KcsRow): 0 | 1 => (Number(row['Fraud'] ?? 0) > 0 ? 1 : 0);

const text = (row: KcsRow, column: string) => (row[column] ?? '').trim();
const num = (row: KcsRow, column: string) => {
  const t = text(row, column);
  return t === '' ? NaN : Number(t);
};
/** The HS6 code with its leading zeros restored (the CSV stores it as an integer). */
export const kcsHs6 = (row: KcsRow) => {
  const t = text(row, 'HS6 Code');
  return t === '' ? '' : t.padStart(6, '0');
};
const logUnitValue = (row: KcsRow) => {
  const price = num(row, 'Item Price');
  const mass = num(row, 'Net Mass');
  return price > 0 && mass > 0 ? Math.log(price / mass) : NaN;
};

function keyOf(row: KcsRow, key: HistoryKey): string {
  switch (key) {
    case 'HS6':
      return kcsHs6(row);
    case 'Importer ID × HS6':
      return `${text(row, 'Importer ID')}|${kcsHs6(row)}`;
    case 'Declarant ID × Importer ID':
      return `${text(row, 'Declarant ID')}|${text(row, 'Importer ID')}`;
    case 'Office ID × HS6':
      return `${text(row, 'Office ID')}|${kcsHs6(row)}`;
    case 'Country of Origin × HS6':
      return `${text(row, 'Country of Origin')}|${kcsHs6(row)}`;
    default:
      return text(row, key);
  }
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const m = s.length >>> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The categorical features: name and how to read it from a row. */
function categoricalFeatures(): Array<[string, (row: KcsRow) => string]> {
  return [
    ...KCS_CATEGORICAL.map((c): [string, (row: KcsRow) => string] => [c, (r) => text(r, c)]),
    ['HS6', kcsHs6],
    ['HS4', (r) => kcsHs6(r).slice(0, 4)],
    ['HS2', (r) => kcsHs6(r).slice(0, 2)],
  ];
}

/** Fits the statistics on the training rows (their labels are read). */
export function fitKcsStatistics(
  train: readonly KcsRow[],
  options: Partial<KcsFeatureOptions> = {},
): KcsStatistics {
  const resolved = { ...DEFAULT_KCS_OPTIONS, ...options };
  const byHs6 = new Map<string, number[]>();
  const all: number[] = [];
  let findings = 0;
  const history = Object.fromEntries(
    KCS_HISTORY_KEYS.map((k) => [k, new Map<string, [number, number]>()]),
  ) as Record<HistoryKey, Map<string, [number, number]>>;
  for (const row of train) {
    const y = kcsLabel(row);
    findings += y;
    const luv = logUnitValue(row);
    if (!Number.isNaN(luv)) {
      all.push(luv);
      const hs6 = kcsHs6(row);
      const list = byHs6.get(hs6);
      if (list) list.push(luv);
      else byHs6.set(hs6, [luv]);
    }
    for (const key of KCS_HISTORY_KEYS) {
      const map = history[key];
      const v = keyOf(row, key);
      const entry = map.get(v);
      if (entry) {
        entry[0]++;
        entry[1] += y;
      } else map.set(v, [1, y]);
    }
  }
  const sorted = <T>(m: Map<string, T>) =>
    Object.fromEntries([...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  const codes: Record<string, string[]> = {};
  if (resolved.categoryCodes)
    for (const [name, f] of categoricalFeatures()) codes[name] = [...new Set(train.map(f))].sort();
  return {
    options: resolved,
    codes,
    prior: train.length ? findings / train.length : 0,
    medianLogUnitValue: median(all),
    hs6MedianLogUnitValue: sorted(new Map([...byHs6].map(([k, v]) => [k, median(v)]))),
    history: Object.fromEntries(
      KCS_HISTORY_KEYS.map((k) => [k, sorted(history[k])]),
    ) as unknown as KcsStatistics['history'],
  };
}

/** The fold of each training row (seeded), for out-of-fold target rates. */
function foldsOf(count: number, folds: number, seed: number): Int32Array {
  const random = new SeededRandom(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(random.next() * folds);
  return out;
}

/**
 * Builds the feature table. Pass `trainingRows: true` only for the very rows the statistics
 * were fitted on: their target rates then leave out their own fold.
 */
export function kcsFeatureTable(
  rows: readonly KcsRow[],
  stats: KcsStatistics,
  trainingRows = false,
): FeatureTable {
  const n = rows.length;
  const columns: FeatureColumn[] = [];
  const cat = (name: string, f: (row: KcsRow) => string) =>
    columns.push({ name, kind: 'categorical', values: rows.map(f) });
  const numeric = (name: string, f: (row: KcsRow, i: number) => number) => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = f(rows[i]!, i);
    columns.push({ name, kind: 'numeric', values });
  };
  for (const [name, f] of categoricalFeatures()) cat(name, f);
  for (const [name, f] of categoricalFeatures()) {
    const list = stats.codes[name];
    if (!list) continue;
    const code = new Map(list.map((c, i) => [c, i]));
    numeric(`${name} code`, (r) => code.get(f(r)) ?? NaN);
  }
  numeric('Tax Rate', (r) => num(r, 'Tax Rate'));
  numeric('Net Mass', (r) => num(r, 'Net Mass'));
  numeric('Item Price', (r) => num(r, 'Item Price'));
  numeric('log unit value', logUnitValue);
  numeric('log unit value vs HS6 median', (r) => {
    const median = stats.hs6MedianLogUnitValue[kcsHs6(r)] ?? stats.medianLogUnitValue;
    return logUnitValue(r) - median;
  });
  numeric('departure is origin', (r) =>
    text(r, 'Country of Departure') === text(r, 'Country of Origin') ? 1 : 0,
  );
  const date = (r: KcsRow) => new Date(`${text(r, 'Date')}T00:00:00Z`);
  numeric('day of week', (r) => date(r).getUTCDay());
  numeric('day of month', (r) => date(r).getUTCDate());
  numeric('month', (r) => date(r).getUTCMonth() + 1);
  for (const key of KCS_HISTORY_KEYS) {
    const table = stats.history[key];
    numeric(`${key} training rows`, (r) => table[keyOf(r, key)]?.[0] ?? 0);
  }
  if (stats.options.targetEncoding) {
    const { folds, seed, smoothing } = stats.options;
    const fold = trainingRows ? foldsOf(n, folds, seed) : null;
    for (const key of KCS_HISTORY_KEYS) {
      const table = stats.history[key];
      // The training rows' own contribution per fold, to subtract.
      let own: Map<string, Float64Array> | null = null;
      if (fold) {
        own = new Map();
        for (let i = 0; i < n; i++) {
          const v = keyOf(rows[i]!, key);
          let a = own.get(v);
          if (!a) own.set(v, (a = new Float64Array(folds * 2)));
          a[fold[i]! * 2]!++;
          a[fold[i]! * 2 + 1]! += kcsLabel(rows[i]!);
        }
      }
      numeric(`${key} finding rate`, (r, i) => {
        const v = keyOf(r, key);
        let [count, hits] = table[v] ?? [0, 0];
        if (fold && own) {
          const a = own.get(v)!;
          count -= a[fold[i]! * 2]!;
          hits -= a[fold[i]! * 2 + 1]!;
        }
        return (hits + smoothing * stats.prior) / (count + smoothing);
      });
    }
  }
  return { rowCount: n, columns };
}
