/**
 * The pure rules of live sync: the timing of a feed (defaults, clamping, never refusing), the
 * backoff before a reconnect (capped, jittered, doubling), the per-user feed slots, and a sync
 * report built from its parts (its counters still partition what was seen).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTERS, ReportBuilder } from '../../client/sync/report.js';
import { FeedSlots } from '../../server/live/feed-slots.js';
import { CONTINUOUS_TIMEOUT_MS, FEED_KINDS, HEARTBEAT_MS, LONGPOLL_TIMEOUT_MS, feedTiming } from '../../shared/api/live.js';
import { LIVE_BACKOFF, backoffDelay } from '../../shared/backoff.js';
import { TooManyRequests } from '../../shared/errors.js';

const SEED = { seed: 20261201, numRuns: 500 };
const ms = fc.option(fc.nat({ max: 10 ** 12 }), { nil: undefined });

describe('feedTiming', () => {
  it('fills in the defaults of each feed', () => {
    expect(feedTiming({})).toEqual({ feed: 'normal', timeoutMs: null, heartbeatMs: null });
    expect(feedTiming({ feed: 'longpoll' })).toEqual({ feed: 'longpoll', timeoutMs: 30_000, heartbeatMs: null });
    expect(feedTiming({ feed: 'continuous' })).toEqual({ feed: 'continuous', timeoutMs: null, heartbeatMs: 10_000 });
  });

  it('clamps every timeout and heartbeat into its range, keeps what is inside it, and never refuses', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FEED_KINDS), ms, ms, (feed, timeout, heartbeat) => {
        const timing = feedTiming({ feed, timeout, heartbeat });
        expect(timing.feed).toBe(feed);
        if (feed === 'longpoll') {
          expect(timing.timeoutMs).toBe(Math.min(timeout ?? LONGPOLL_TIMEOUT_MS.default, LONGPOLL_TIMEOUT_MS.max));
          expect(timing.heartbeatMs).toBeNull();
        }
        if (feed === 'continuous') {
          expect(timing.timeoutMs).toBe(timeout === undefined ? null : Math.min(timeout, CONTINUOUS_TIMEOUT_MS.max));
          expect(timing.heartbeatMs).toBe(Math.min(HEARTBEAT_MS.max, Math.max(HEARTBEAT_MS.min, heartbeat ?? HEARTBEAT_MS.default)));
        }
        if (feed === 'normal') expect(timing).toEqual({ feed, timeoutMs: null, heartbeatMs: null });
      }),
      SEED,
    );
  });
});

describe('backoffDelay', () => {
  it('waits between half and all of a ceiling that doubles from the base up to the cap', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(LIVE_BACKOFF.capMs, LIVE_BACKOFF.baseMs * 2 ** attempt);
        const delay = backoffDelay(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(backoffDelay(attempt + 1, () => r)).toBeGreaterThanOrEqual(delay);
      }),
      SEED,
    );
  });

  it('spreads clients that failed together: their delays differ by the jitter', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75, 0.99].map((r) => backoffDelay(3, () => r)));
    expect(delays.size).toBe(5);
    expect(backoffDelay(100, () => 0.99)).toBeLessThanOrEqual(LIVE_BACKOFF.capMs);
  });
});

describe('FeedSlots', () => {
  it('holds at most perUser slots per user, refusing with 429 exactly at the limit; a release gives one back, once', () => {
    const steps = fc.array(fc.record({ user: fc.constantFrom('ann', 'bob'), take: fc.boolean(), twice: fc.boolean() }), { maxLength: 60 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), steps, (perUser, script) => {
        const slots = new FeedSlots(perUser);
        const held: Record<string, (() => void)[]> = { ann: [], bob: [] };
        for (const { user, take, twice } of script) {
          if (take) {
            if (held[user]!.length >= perUser) expect(() => slots.take(user)).toThrow(TooManyRequests);
            else held[user]!.push(slots.take(user));
          } else {
            const release = held[user]!.pop();
            release?.();
            if (twice) release?.();
          }
          expect(slots.open(user)).toBe(held[user]!.length);
          expect(slots.open()).toBe(held.ann!.length + held.bob!.length);
        }
      }),
      SEED,
    );
  });
});

describe('a sync report from its parts', () => {
  const outcome = fc.constantFrom('created', 'updated', 'deleted', 'merged', 'unchanged', 'conflict' as const);
  const part = fc.array(fc.oneof(outcome, fc.constant('error' as const)), { maxLength: 30 });

  it('sums the counters of its reload and push parts, which therefore still partition what was seen', () => {
    fc.assert(
      fc.property(part, part, fc.boolean(), (pulled, pushed, fails) => {
        const parts = [pulled, pushed].map((outcomes) => {
          const builder = new ReportBuilder(false);
          for (const o of outcomes) {
            if (o === 'error') builder.itemError(1, 'bad');
            else builder.count(o);
          }
          return builder;
        });
        if (fails) parts[1]!.fail('the remote went away');
        const whole = new ReportBuilder(false);
        for (const p of parts) whole.absorb(p);
        const report = whole.finish();
        for (const counter of COUNTERS) expect(report.counts[counter]).toBe(parts[0]!.counts[counter] + parts[1]!.counts[counter]);
        expect(report.counts.seen).toBe(COUNTERS.filter((c) => c !== 'seen').reduce((sum, c) => sum + report.counts[c], 0));
        expect(report.outcome === 'error').toBe(fails);
        expect(report.errors).toHaveLength(parts[0]!.errors.length + parts[1]!.errors.length);
      }),
      SEED,
    );
  });
});
