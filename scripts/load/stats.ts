/** Latency figures of the load: percentiles of samples in milliseconds. */

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Nearest-rank percentiles (p50, p99) and the maximum, rounded to 0.1 ms. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: round1(at(0.5)), p99: round1(at(0.99)), max: round1(sorted[sorted.length - 1]!) };
}

export const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** An item's status and values as JSON with sorted keys: the same on the master and on a converged clone. */
export function itemKey(status: string, values: Record<string, unknown>): string {
  return JSON.stringify([status, Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))]);
}
