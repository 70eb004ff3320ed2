/**
 * When a failed call to a remote is tried again, and how long to wait first (DESIGN §6: transient
 * failures retried with capped exponential backoff; §15: fail fast and visibly). A refused
 * connection is retried only briefly (a server restarting comes back within a second; a wrong
 * port never does), an unknown host not at all; every wait is announced and ends on abort.
 */

/** What failed: a network error code, or an answered status. */
export interface Failure {
  code?: string;
  status?: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt (0: none). */
  retries: number;
  /** Cap of the exponential backoff (ms). */
  backoffLimitMs: number;
}

/** One retry about to happen: shown on stderr by the CLI, on the screen by the TUI. */
export interface RetryNotice {
  /** The call, e.g. `GET /api/v1/trackers/3/changes`. */
  what: string;
  /** What went wrong, in words with the code: `connection refused (ECONNREFUSED)`. */
  reason: string;
  /** The attempt that failed (from 1) and how many there may be in all. */
  attempt: number;
  attempts: number;
  waitMs: number;
}

/** Network failures that pass: the wait doubles up to the cap. */
const TRANSIENT_CODES = ['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'Z_BUF_ERROR', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRINUSE'];
/** Statuses of a proxy or a server that is restarting or overloaded. */
export const TRANSIENT_STATUSES = [502, 503, 504];
/** Nobody listens there: worth a retry only while a restart could still be under way. */
const REFUSED = 'ECONNREFUSED';
/** Waits before the retries of a refused connection (ms): given up after about 0.6 s, so the user hears of it within 2 s of starting. */
const REFUSED_WAITS = [200, 400];
const FIRST_WAIT_MS = 250;
/** Up to this share of a wait is added at random, so clients that failed together do not retry together. */
const JITTER = 0.2;

const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed for now',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EPIPE: 'connection closed while sending',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed mid-answer',
  Z_BUF_ERROR: 'compressed answer cut short',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
};

/** A failure in words: `connection refused (ECONNREFUSED)`, `HTTP 503`. */
export function describeFailure(failure: Failure): string {
  if (failure.status !== undefined) return `HTTP ${failure.status}`;
  const code = failure.code ?? 'unknown error';
  return WORDS[code] ? `${WORDS[code]} (${code})` : code;
}

/**
 * The wait before trying again after attempt `attempt` (from 1) failed, or null to give up.
 * `random` is in [0, 1): Math.random, or a seeded one in tests.
 */
export function retryDelay(failure: Failure, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | null {
  if (attempt > policy.retries) return null;
  let base: number;
  if (failure.status !== undefined) {
    if (!TRANSIENT_STATUSES.includes(failure.status)) return null;
    base = backoff(attempt, policy);
  } else if (failure.code === REFUSED) {
    const wait = REFUSED_WAITS[attempt - 1];
    if (wait === undefined) return null;
    base = Math.min(wait, policy.backoffLimitMs);
  } else if (failure.code !== undefined && TRANSIENT_CODES.includes(failure.code)) {
    base = backoff(attempt, policy);
  } else {
    return null;
  }
  return Math.round(base * (1 + JITTER * random()));
}

function backoff(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.backoffLimitMs, FIRST_WAIT_MS * 2 ** (attempt - 1));
}

/** How many attempts a failure like this one may get in all (for "attempt 2 of 5"). */
export function attemptsFor(failure: Failure, policy: RetryPolicy): number {
  return failure.code === REFUSED ? Math.min(policy.retries, REFUSED_WAITS.length) + 1 : policy.retries + 1;
}

/** A retry in words, the same on stderr and in the TUI: `origin: GET … failed: HTTP 503; attempt 2 of 5, retrying in 500 ms`. */
export function formatRetry(notice: RetryNotice): string {
  const wait = notice.waitMs < 1000 ? `${notice.waitMs} ms` : `${(notice.waitMs / 1000).toFixed(1)} s`;
  return `${notice.what} failed: ${notice.reason}; attempt ${notice.attempt} of ${notice.attempts}, retrying in ${wait}`;
}

/** Waits `ms`, or less when `signal` aborts (then it rejects with the signal's reason). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('cancelled'), { name: 'AbortError' });
}
