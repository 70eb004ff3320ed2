/**
 * How long to wait before trying a lost connection again: capped exponential backoff with jitter
 * ("equal jitter": half of the ceiling, plus a random share of the other half). The ceiling
 * doubles with each failure in a row up to the cap; the jitter keeps many clients that lost the
 * same server at the same moment from all coming back at the same moment.
 */

export interface Backoff {
  /** The ceiling of the first retry. */
  baseMs: number;
  /** The largest ceiling, however many failures came before. */
  capMs: number;
}

export const LIVE_BACKOFF: Backoff = { baseMs: 250, capMs: 30_000 };

/** The delay before retry number `attempt` (0 for the first retry); `random` is in [0, 1). */
export function backoffDelay(attempt: number, random: () => number, backoff: Backoff = LIVE_BACKOFF): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
