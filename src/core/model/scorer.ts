/**
 * The scorer: a model's trees flattened once into typed arrays, rows encoded once into a
 * row-major matrix (raw numbers, category codes), then every tree walked over every row.
 */
import { categoryCodes } from './binning.js';
import type { FeatureTable } from './feature-table.js';
import { assertModel, type GradientBoostedModel } from './model-schema.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Rows encoded for a model: row-major, one value per model feature. */
export interface EncodedRows {
  readonly rowCount: number;
  readonly featureCount: number;
  readonly values: Float64Array;
}

/** Per-feature contributions of one row (Saabas): bias + Σ contributions = margin. */
export interface Contributions {
  readonly bias: number;
  readonly margin: number;
  readonly byFeature: Float64Array;
}

export class CompiledModel {
  readonly featureNames: readonly string[];
  private readonly roots: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly defaultLeft: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;
  /** Offset of a categorical node's bitset in `bits`, or -1 for a numeric split. */
  private readonly bitsetAt: Int32Array;
  private readonly bits: Uint32Array;
  /**
   * Packed for the hot loop, 4 ints a node: (feature << 2 | categorical << 1 | defaultLeft) or
   * -1 at a leaf, left, right, bitset offset.
   */
  private readonly packed: Int32Array;
  private readonly codeMaps: ReadonlyArray<Map<string, number> | null>;
  private readonly bias: number;

  constructor(readonly model: GradientBoostedModel) {
    assertModel(model);
    this.featureNames = model.features.map((f) => f.name);
    this.codeMaps = model.features.map((f) =>
      f.kind === 'categorical' ? categoryCodes(f.categories) : null,
    );
    const total = model.trees.reduce((s, t) => s + t.feature.length, 0);
    this.roots = new Int32Array(model.trees.length);
    this.feature = new Int32Array(total);
    this.threshold = new Float64Array(total);
    this.defaultLeft = new Uint8Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.value = new Float64Array(total);
    this.bitsetAt = new Int32Array(total).fill(-1);
    const bits: number[] = [];
    let at = 0;
    let bias = model.baseScore;
    model.trees.forEach((tree, t) => {
      this.roots[t] = at;
      bias += tree.value[0]!;
      // Depth-first order (a left child right after its parent) keeps a path's nodes close.
      const pos = new Int32Array(tree.feature.length);
      const stack = [0];
      for (let next = 0; stack.length > 0;) {
        const i = stack.pop()!;
        pos[i] = next++;
        if (tree.feature[i]! >= 0) stack.push(tree.right[i]!, tree.left[i]!);
      }
      for (let i = 0; i < tree.feature.length; i++) {
        const k = at + pos[i]!;
        const f = tree.feature[i]!;
        this.feature[k] = f;
        this.threshold[k] = tree.threshold[i]!;
        this.defaultLeft[k] = tree.defaultLeft[i]!;
        this.left[k] = f >= 0 ? at + pos[tree.left[i]!]! : -1;
        this.right[k] = f >= 0 ? at + pos[tree.right[i]!]! : -1;
        this.value[k] = tree.value[i]!;
        const codes = tree.categories[i];
        if (f >= 0 && codes) {
          const feature = model.features[f]!;
          const words = feature.kind === 'categorical' ? (feature.categories.length >>> 5) + 1 : 1;
          this.bitsetAt[k] = bits.length;
          const start = bits.length;
          for (let w = 0; w < words; w++) bits.push(0);
          for (const c of codes) bits[start + (c >>> 5)]! |= 1 << (c & 31);
        }
      }
      at += tree.feature.length;
    });
    this.bits = Uint32Array.from(bits);
    this.bias = bias;
    this.packed = new Int32Array(total * 4);
    for (let k = 0; k < total; k++) {
      const f = this.feature[k]!;
      this.packed[k * 4] =
        f < 0 ? -1 : (f << 2) | (this.bitsetAt[k]! >= 0 ? 2 : 0) | this.defaultLeft[k]!;
      this.packed[k * 4 + 1] = this.left[k]!;
      this.packed[k * 4 + 2] = this.right[k]!;
      this.packed[k * 4 + 3] = this.bitsetAt[k]!;
    }
  }

  /** Encodes a table for this model, matching columns by name (extra columns are ignored). */
  encode(table: FeatureTable): EncodedRows {
    const F = this.featureNames.length;
    const n = table.rowCount;
    const values = new Float64Array(n * F);
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    this.model.features.forEach((feature, f) => {
      const column = byName.get(feature.name);
      if (!column) throw new RangeError(`the table has no feature ${feature.name}`);
      if (column.kind !== feature.kind)
        throw new TypeError(`feature ${feature.name} must be ${feature.kind}`);
      if (column.kind === 'numeric') {
        for (let i = 0; i < n; i++) values[i * F + f] = column.values[i]!;
      } else {
        const codes = this.codeMaps[f]!;
        for (let i = 0; i < n; i++) {
          const v = column.values[i];
          values[i * F + f] = v === null || v === undefined || v === '' ? 0 : (codes.get(v) ?? 0);
        }
      }
    });
    return { rowCount: n, featureCount: F, values };
  }

  /** Raw margins (log-odds) of encoded rows; rows go in blocks so that they stay in cache. */
  marginsOf(rows: EncodedRows): Float64Array {
    const n = rows.rowCount;
    const out = new Float64Array(n).fill(this.model.baseScore);
    const F = rows.featureCount;
    const x = rows.values;
    const value = this.value;
    const threshold = this.threshold;
    const packed = this.packed;
    const bits = this.bits;
    const trees = this.roots.length;
    const BLOCK = 4096;
    for (let start = 0; start < n; start += BLOCK) {
      const end = Math.min(n, start + BLOCK);
      for (let t = 0; t < trees; t++) {
        const root = this.roots[t]!;
        for (let i = start; i < end; i++) {
          const base = i * F;
          let k = root;
          let c = packed[k * 4]!;
          while (c >= 0) {
            const v = x[base + (c >> 2)]!;
            let goLeft: boolean;
            if (c & 2) goLeft = ((bits[packed[k * 4 + 3]! + (v >>> 5)]! >>> (v & 31)) & 1) === 1;
            else goLeft = v <= threshold[k]! || (v !== v && (c & 1) === 1);
            k = goLeft ? packed[k * 4 + 1]! : packed[k * 4 + 2]!;
            c = packed[k * 4]!;
          }
          out[i]! += value[k]!;
        }
      }
    }
    return out;
  }

  /** Raw margins (log-odds) of a table. */
  margins(table: FeatureTable): Float64Array {
    return this.marginsOf(this.encode(table));
  }

  /** Probabilities of a finding: sigmoid(margin). */
  probabilities(table: FeatureTable): Float64Array {
    const m = this.margins(table);
    for (let i = 0; i < m.length; i++) m[i] = sigmoid(m[i]!);
    return m;
  }

  /** Saabas contributions of one encoded row: each split's change of node value, by feature. */
  contributionsOf(rows: EncodedRows, row: number): Contributions {
    const F = rows.featureCount;
    const byFeature = new Float64Array(F);
    const x = rows.values;
    const base = row * F;
    let margin = this.model.baseScore;
    for (let t = 0; t < this.roots.length; t++) {
      let k = this.roots[t]!;
      while (this.feature[k]! >= 0) {
        const f = this.feature[k]!;
        const next = this.step(k, x[base + f]!);
        byFeature[f]! += this.value[next]! - this.value[k]!;
        k = next;
      }
      margin += this.value[k]!;
    }
    return { bias: this.bias, margin, byFeature };
  }

  private step(k: number, v: number): number {
    const b = this.bitsetAt[k]!;
    let goLeft: boolean;
    if (b >= 0) goLeft = ((this.bits[b + (v >>> 5)]! >>> (v & 31)) & 1) === 1;
    else if (v <= this.threshold[k]!) goLeft = true;
    else goLeft = v !== v ? this.defaultLeft[k] === 1 : false;
    return goLeft ? this.left[k]! : this.right[k]!;
  }

  /** The features that contributed most (by absolute contribution) to one row's margin. */
  topContributions(
    rows: EncodedRows,
    row: number,
    count: number,
  ): Array<{ feature: string; contribution: number }> {
    const { byFeature } = this.contributionsOf(rows, row);
    return [...byFeature]
      .map((contribution, f) => ({ feature: this.featureNames[f]!, contribution }))
      .filter((c) => c.contribution !== 0)
      .sort(
        (a, b) =>
          Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1),
      )
      .slice(0, count);
  }
}

/** Flattens a model (e.g. parsed from JSON) for scoring. */
export function compileModel(model: unknown): CompiledModel {
  assertModel(model);
  return new CompiledModel(model);
}
