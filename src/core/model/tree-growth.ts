/**
 * One regression tree on gradient histograms, grown leaf-wise (best-first): the leaf whose best
 * split gains most is split next, until maxLeaves, maxDepth or no split gains. Histograms of the
 * smaller child are built from its rows; the larger child's are the parent's minus them.
 */
import type { BinnedTable, FeatureBinning } from './binning.js';

/** The limits and regularisation of one tree. */
export interface TreeOptions {
  readonly maxLeaves: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly minHessianLeaf: number;
  readonly lambda: number;
  readonly minGain: number;
  readonly learningRate: number;
  readonly categoricalSmoothing: number;
  readonly maxCategoricalThreshold: number;
  readonly minCategoryRows: number;
}

/** A tree on bins: numeric splits send bins <= thresholdBin left; categorical ones a code set. */
export interface BinTree {
  readonly feature: number[];
  readonly thresholdBin: number[];
  readonly defaultLeft: (0 | 1)[];
  readonly leftCodes: (number[] | null)[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
  readonly cover: number[];
  readonly gain: number[];
}

interface Split {
  gain: number;
  feature: number;
  thresholdBin: number;
  defaultLeft: 0 | 1;
  leftCodes: number[] | null;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array | null;
  split: Split | null;
}

/** The layout of the histograms of a binned table: where each feature's bins start. */
export class HistogramLayout {
  readonly offsets: Int32Array;
  readonly total: number;
  constructor(binCounts: readonly number[]) {
    this.offsets = new Int32Array(binCounts.length + 1);
    for (let f = 0; f < binCounts.length; f++)
      this.offsets[f + 1] = this.offsets[f]! + binCounts[f]!;
    this.total = this.offsets[binCounts.length]!;
  }
}

/** Grows trees over one binned table, reusing its buffers from tree to tree. */
export class TreeGrower {
  private readonly layout: HistogramLayout;
  private readonly pool: Float64Array[] = [];
  private readonly scratch: Int32Array;
  private readonly isCategorical: boolean[];

  constructor(
    private readonly binned: BinnedTable,
    binnings: readonly FeatureBinning[],
    private readonly options: TreeOptions,
  ) {
    this.layout = new HistogramLayout(binned.binCounts);
    this.scratch = new Int32Array(binned.rowCount);
    this.isCategorical = binnings.map((b) => b.kind === 'categorical');
  }

  private take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.layout.total * 3);
  }

  /** Grows one tree on the rows in `rows` (ascending, reordered in place) with the features. */
  grow(
    rows: Int32Array,
    grad: Float64Array,
    hess: Float64Array,
    features: readonly number[],
  ): BinTree {
    const o = this.options;
    const tree: BinTree = {
      feature: [],
      thresholdBin: [],
      defaultLeft: [],
      leftCodes: [],
      left: [],
      right: [],
      value: [],
      cover: [],
      gain: [],
    };
    const addNode = (g: number, h: number) => {
      tree.feature.push(-1);
      tree.thresholdBin.push(0);
      tree.defaultLeft.push(0);
      tree.leftCodes.push(null);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((-g / (h + o.lambda)) * o.learningRate);
      tree.cover.push(h);
      tree.gain.push(0);
      return tree.value.length - 1;
    };
    let g0 = 0;
    let h0 = 0;
    for (let i = 0; i < rows.length; i++) {
      g0 += grad[rows[i]!]!;
      h0 += hess[rows[i]!]!;
    }
    const root: Leaf = {
      node: addNode(g0, h0),
      start: 0,
      end: rows.length,
      depth: 0,
      g: g0,
      h: h0,
      hist: null,
      split: null,
    };
    root.hist = this.take();
    this.build(root.hist, rows, 0, rows.length, grad, hess, features);
    root.split = this.bestSplit(root, features);
    const leaves: Leaf[] = [root];
    while (leaves.length < o.maxLeaves) {
      let best = -1;
      for (let i = 0; i < leaves.length; i++) {
        const s = leaves[i]!.split;
        if (s && s.gain > o.minGain && (best < 0 || s.gain > leaves[best]!.split!.gain)) best = i;
      }
      if (best < 0) break;
      const leaf = leaves[best]!;
      const split = leaf.split!;
      const mid = this.partition(rows, leaf.start, leaf.end, split);
      let gl = 0;
      let hl = 0;
      for (let i = leaf.start; i < mid; i++) {
        gl += grad[rows[i]!]!;
        hl += hess[rows[i]!]!;
      }
      const left: Leaf = {
        node: addNode(gl, hl),
        start: leaf.start,
        end: mid,
        depth: leaf.depth + 1,
        g: gl,
        h: hl,
        hist: null,
        split: null,
      };
      const right: Leaf = {
        node: addNode(leaf.g - gl, leaf.h - hl),
        start: mid,
        end: leaf.end,
        depth: leaf.depth + 1,
        g: leaf.g - gl,
        h: leaf.h - hl,
        hist: null,
        split: null,
      };
      const n = leaf.node;
      tree.feature[n] = split.feature;
      tree.thresholdBin[n] = split.thresholdBin;
      tree.defaultLeft[n] = split.defaultLeft;
      tree.leftCodes[n] = split.leftCodes;
      tree.left[n] = left.node;
      tree.right[n] = right.node;
      tree.gain[n] = split.gain;
      leaves[best] = left;
      leaves.push(right);
      const splittable = (l: Leaf) =>
        (o.maxDepth <= 0 || l.depth < o.maxDepth) && l.end - l.start >= 2 * o.minSamplesLeaf;
      const canLeft = splittable(left);
      const canRight = splittable(right);
      const parentHist = leaf.hist!;
      leaf.hist = null;
      if (!canLeft && !canRight) {
        this.pool.push(parentHist);
        continue;
      }
      const [small, large] =
        left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
      small.hist = this.take();
      this.build(small.hist, rows, small.start, small.end, grad, hess, features);
      this.subtract(parentHist, small.hist, features);
      large.hist = parentHist;
      for (const child of [left, right]) {
        if (splittable(child)) child.split = this.bestSplit(child, features);
        if (!child.split || child.split.gain <= o.minGain) {
          if (child.hist) this.pool.push(child.hist);
          child.hist = null;
          child.split = null;
        }
      }
    }
    for (const leaf of leaves) if (leaf.hist) this.pool.push(leaf.hist);
    return tree;
  }

  private build(
    hist: Float64Array,
    rows: Int32Array,
    start: number,
    end: number,
    grad: Float64Array,
    hess: Float64Array,
    features: readonly number[],
  ): void {
    const offsets = this.layout.offsets;
    for (const f of features) {
      const base = offsets[f]! * 3;
      hist.fill(0, base, offsets[f + 1]! * 3);
      const col = this.binned.bins[f]!;
      for (let i = start; i < end; i++) {
        const r = rows[i]!;
        const b = base + col[r]! * 3;
        hist[b]! += grad[r]!;
        hist[b + 1]! += hess[r]!;
        hist[b + 2]!++;
      }
    }
  }

  private subtract(parent: Float64Array, child: Float64Array, features: readonly number[]): void {
    const offsets = this.layout.offsets;
    for (const f of features) {
      const end = offsets[f + 1]! * 3;
      for (let i = offsets[f]! * 3; i < end; i++) parent[i]! -= child[i]!;
    }
  }

  /** Stable partition of rows[start, end) into the split's left then right rows. */
  private partition(rows: Int32Array, start: number, end: number, split: Split): number {
    const col = this.binned.bins[split.feature]!;
    const scratch = this.scratch;
    let l = start;
    let r = 0;
    if (split.leftCodes) {
      const goLeft = new Uint8Array(this.binned.binCounts[split.feature]!);
      for (const c of split.leftCodes) goLeft[c] = 1;
      for (let i = start; i < end; i++) {
        const row = rows[i]!;
        if (goLeft[col[row]!]) rows[l++] = row;
        else scratch[r++] = row;
      }
    } else {
      const t = split.thresholdBin;
      const missing = this.binned.binCounts[split.feature]! - 1;
      const dl = split.defaultLeft === 1;
      for (let i = start; i < end; i++) {
        const row = rows[i]!;
        const b = col[row]!;
        if (b === missing ? dl : b <= t) rows[l++] = row;
        else scratch[r++] = row;
      }
    }
    rows.set(scratch.subarray(0, r), l);
    return l;
  }

  private bestSplit(leaf: Leaf, features: readonly number[]): Split | null {
    const o = this.options;
    const hist = leaf.hist!;
    const lambda = o.lambda;
    const G = leaf.g;
    const H = leaf.h;
    const C = leaf.end - leaf.start;
    const parentScore = (G * G) / (H + lambda);
    const minC = o.minSamplesLeaf;
    const minH = o.minHessianLeaf;
    let best: Split | null = null;
    let bestGain = o.minGain;
    for (const f of features) {
      const lo = this.layout.offsets[f]!;
      const nb = this.layout.offsets[f + 1]! - lo;
      if (!this.isCategorical[f]) {
        const m = (lo + nb - 1) * 3;
        const gN = hist[m]!;
        const hN = hist[m + 1]!;
        const cN = hist[m + 2]!;
        let gl = 0;
        let hl = 0;
        let cl = 0;
        // Thresholds between the value bins; the missing bin tries both sides.
        for (let t = 0; t < nb - 2; t++) {
          const b = (lo + t) * 3;
          gl += hist[b]!;
          hl += hist[b + 1]!;
          cl += hist[b + 2]!;
          if (hist[b + 2]! === 0 && t > 0) continue;
          for (let side = 0; side < (cN > 0 ? 2 : 1); side++) {
            const gL = side ? gl + gN : gl;
            const hL = side ? hl + hN : hl;
            const cL = side ? cl + cN : cl;
            const cR = C - cL;
            const hR = H - hL;
            if (cL < minC || cR < minC || hL < minH || hR < minH) continue;
            const gR = G - gL;
            const gain = (gL * gL) / (hL + lambda) + (gR * gR) / (hR + lambda) - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              best = {
                gain,
                feature: f,
                thresholdBin: t,
                defaultLeft: side ? 1 : 0,
                leftCodes: null,
              };
            }
          }
        }
        continue;
      }
      const split = this.categoricalSplit(hist, lo, nb, G, H, C, parentScore, bestGain);
      if (split) {
        bestGain = split.gain;
        best = { ...split, feature: f };
      }
    }
    return best;
  }

  /**
   * The best categorical split: one-vs-rest for few categories, otherwise the categories
   * ordered by gradient over (hessian + smoothing) and cut at the best prefix from either end
   * (LightGBM's method), with at most maxCategoricalThreshold codes going left.
   */
  private categoricalSplit(
    hist: Float64Array,
    lo: number,
    nb: number,
    G: number,
    H: number,
    C: number,
    parentScore: number,
    minGain: number,
  ): Omit<Split, 'feature'> | null {
    const o = this.options;
    const lambda = o.lambda;
    let best: Omit<Split, 'feature'> | null = null;
    let bestGain = minGain;
    const consider = (gL: number, hL: number, cL: number, codes: () => number[]) => {
      const cR = C - cL;
      const hR = H - hL;
      if (cL < o.minSamplesLeaf || cR < o.minSamplesLeaf) return;
      if (hL < o.minHessianLeaf || hR < o.minHessianLeaf) return;
      const gR = G - gL;
      const gain = (gL * gL) / (hL + lambda) + (gR * gR) / (hR + lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        best = { gain, thresholdBin: 0, defaultLeft: 0, leftCodes: codes() };
      }
    };
    const used: number[] = [];
    for (let c = 0; c < nb; c++) {
      const cnt = hist[(lo + c) * 3 + 2]!;
      if (cnt >= o.minCategoryRows) used.push(c);
    }
    if (used.length < 2) return null;
    if (nb <= 4) {
      for (const c of used) {
        const b = (lo + c) * 3;
        consider(hist[b]!, hist[b + 1]!, hist[b + 2]!, () => [c]);
      }
      return best;
    }
    const smooth = o.categoricalSmoothing;
    const ratio = new Float64Array(nb);
    for (const c of used) {
      const b = (lo + c) * 3;
      ratio[c] = hist[b]! / (hist[b + 1]! + smooth);
    }
    used.sort((a, b) => ratio[a]! - ratio[b]! || a - b);
    const limit = Math.min(o.maxCategoricalThreshold, used.length - 1);
    for (const fromEnd of [false, true]) {
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let k = 0; k < limit; k++) {
        const c = used[fromEnd ? used.length - 1 - k : k]!;
        const b = (lo + c) * 3;
        gl += hist[b]!;
        hl += hist[b + 1]!;
        cl += hist[b + 2]!;
        consider(gl, hl, cl, () =>
          (fromEnd ? used.slice(used.length - 1 - k) : used.slice(0, k + 1)).sort((x, y) => x - y),
        );
      }
    }
    return best;
  }
}

/** The leaf a binned row falls in. */
export function binLeaf(
  tree: BinTree,
  bins: readonly Uint16Array[],
  binCounts: readonly number[],
  row: number,
  leftSets: ReadonlyArray<Uint8Array | null>,
): number {
  let n = 0;
  for (;;) {
    const f = tree.feature[n]!;
    if (f < 0) return n;
    const b = bins[f]![row]!;
    const set = leftSets[n];
    const goLeft = set
      ? set[b] === 1
      : b === binCounts[f]! - 1
        ? tree.defaultLeft[n] === 1
        : b <= tree.thresholdBin[n]!;
    n = goLeft ? tree.left[n]! : tree.right[n]!;
  }
}

/** Membership arrays of the categorical splits of a tree, for binLeaf. */
export function leftSetsOf(tree: BinTree, binCounts: readonly number[]): (Uint8Array | null)[] {
  return tree.leftCodes.map((codes, n) => {
    if (!codes) return null;
    const set = new Uint8Array(binCounts[tree.feature[n]!]!);
    for (const c of codes) set[c] = 1;
    return set;
  });
}
