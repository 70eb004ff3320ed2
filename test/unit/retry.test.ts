/** The retry rule of the remote client (client/remote/retry.ts): what is tried again, how long it waits, and that a wait ends on abort. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attemptsFor, describeFailure, pause, retryDelay } from '../../client/remote/retry.js';

const policy = fc.record({ retries: fc.integer({ min: 0, max: 8 }), backoffLimitMs: fc.integer({ min: 1, max: 10_000 }) });
const random = fc.double({ min: 0, max: 0.999, noNaN: true });

describe('retryDelay', () => {
  it('waits for transient failures, doubling from 250 ms up to the cap (plus at most 20% jitter), for at most `retries` retries', () => {
    fc.assert(
      fc.property(policy, fc.constantFrom<{ code?: string; status?: number }>({ code: 'ECONNRESET' }, { code: 'ETIMEDOUT' }, { code: 'EAI_AGAIN' }, { status: 503 }, { status: 502 }, { status: 504 }), random, (p, failure, r) => {
        for (let attempt = 1; attempt <= p.retries + 1; attempt++) {
          const wait = retryDelay(failure, attempt, p, () => r);
          if (attempt > p.retries) {
            expect(wait).toBeNull();
            continue;
          }
          const base = Math.min(p.backoffLimitMs, 250 * 2 ** (attempt - 1));
          expect(wait).toBeGreaterThanOrEqual(Math.floor(base));
          expect(wait).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        }
      }),
      { seed: 18, numRuns: 200 },
    );
  });

  it('gives a refused connection under a second of waits in all, whatever the policy, and an unknown host none', () => {
    fc.assert(
      fc.property(policy, random, (p, r) => {
        let total = 0;
        let attempt = 1;
        for (let wait = retryDelay({ code: 'ECONNREFUSED' }, attempt, p, () => r); wait !== null; wait = retryDelay({ code: 'ECONNREFUSED' }, ++attempt, p, () => r)) total += wait;
        expect(total).toBeLessThan(1000);
        expect(attempt).toBe(attemptsFor({ code: 'ECONNREFUSED' }, p));
        expect(retryDelay({ code: 'ENOTFOUND' }, 1, p, () => r)).toBeNull();
      }),
      { seed: 18, numRuns: 200 },
    );
  });

  it('never retries an answer that will not change: 4xx, 500, certificates, unknown errors', () => {
    const p = { retries: 5, backoffLimitMs: 4000 };
    for (const status of [400, 401, 403, 404, 405, 406, 409, 413, 429, 500]) expect(retryDelay({ status }, 1, p), String(status)).toBeNull();
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_S15N_REDIRECT', 'ERR_BODY_PARSE_FAILURE', undefined]) expect(retryDelay({ code }, 1, p), String(code)).toBeNull();
  });

  it('words each failure with its code', () => {
    expect(describeFailure({ code: 'ECONNREFUSED' })).toBe('connection refused (ECONNREFUSED)');
    expect(describeFailure({ status: 503 })).toBe('HTTP 503');
    expect(describeFailure({ code: 'EWHATEVER' })).toBe('EWHATEVER');
  });
});

describe('pause', () => {
  it('ends at once when its signal aborts, before or during the wait', async () => {
    const controller = new AbortController();
    const waiting = pause(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await expect(pause(60_000, controller.signal)).rejects.toThrow();
    await expect(pause(1)).resolves.toBeUndefined();
  });
});
