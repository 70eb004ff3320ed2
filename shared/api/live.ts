/**
 * The live change feeds of DESIGN §11 (CouchDB's `_changes` conventions): the feed kinds, the
 * default and largest timeout and heartbeat of each, and the one rule that turns what a caller
 * asked for into what the server does. Timeouts and heartbeats out of range are clamped, never
 * refused: a client written for another server's limits still gets a feed.
 */

export const FEED_KINDS = ['normal', 'longpoll', 'continuous'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** A longpoll waits this long for the first change by default, and never longer than the max. */
export const LONGPOLL_TIMEOUT_MS = { default: 30_000, max: 120_000 } as const;
/** A continuous feed ends after this long without a change only when asked (`timeout`); never later than the max. */
export const CONTINUOUS_TIMEOUT_MS = { max: 3_600_000 } as const;
/** A continuous feed sends a bare newline this often while idle; the min keeps a careless caller from spinning the server. */
export const HEARTBEAT_MS = { default: 10_000, min: 100, max: 120_000 } as const;

/** What a changes request asked for (query values already read as numbers). */
export interface FeedRequest {
  feed?: FeedKind | undefined;
  timeout?: number | undefined;
  heartbeat?: number | undefined;
}

/** What the server does: the feed kind, how long it waits idle (null: until the client or the server ends it), how often it beats. */
export interface FeedTiming {
  feed: FeedKind;
  timeoutMs: number | null;
  heartbeatMs: number | null;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** The timing of a feed: defaults filled in, values out of range clamped; a normal feed neither waits nor beats. */
export function feedTiming(request: FeedRequest): FeedTiming {
  const feed = request.feed ?? 'normal';
  if (feed === 'longpoll') {
    return { feed, timeoutMs: clamp(request.timeout ?? LONGPOLL_TIMEOUT_MS.default, 0, LONGPOLL_TIMEOUT_MS.max), heartbeatMs: null };
  }
  if (feed === 'continuous') {
    return {
      feed,
      timeoutMs: request.timeout === undefined ? null : clamp(request.timeout, 0, CONTINUOUS_TIMEOUT_MS.max),
      heartbeatMs: clamp(request.heartbeat ?? HEARTBEAT_MS.default, HEARTBEAT_MS.min, HEARTBEAT_MS.max),
    };
  }
  return { feed, timeoutMs: null, heartbeatMs: null };
}
