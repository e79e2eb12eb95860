/**
 * A seeded source of randomness (mulberry32): same seed, same sequence, on every platform.
 * The core never uses Math.random; whoever needs randomness passes a seed and records it.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next draw in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Up to n different items. */
  distinct<T>(items: readonly T[], n: number): T[] {
    const out = new Set<T>();
    while (out.size < Math.min(n, items.length)) out.add(this.pick(items));
    return [...out];
  }

  /** One value, each with a chance proportional to its weight. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let roll = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [value, weight] of entries) if ((roll -= weight) < 0) return value;
    return entries[entries.length - 1]![0];
  }

  digits(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += this.int(0, 9);
    return text;
  }

  letters(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += String.fromCharCode(this.int(65, 90));
    return text;
  }

  /** Spread over orders of magnitude, as masses and prices are. */
  logUniform(min: number, max: number): number {
    return min * (max / min) ** this.next();
  }
}
