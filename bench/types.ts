/** One measured figure. `ok` compares `value` with `target` (lower is better unless stated). */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "< 20" or "<= 0.5x bolt"; empty when informational. */
  target: string;
  ok: boolean;
}

/** A benchmark module in `bench/*.bench.ts` exports `run`. */
export type Benchmark = () => Promise<BenchResult[]>;

/** Percentile of already-sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
