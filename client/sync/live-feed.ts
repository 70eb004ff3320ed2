/**
 * The continuous feed of one remote tracker as a queue (DESIGN §11): it holds the feed open from
 * the replica's token, queues each change as its line arrives, and reconnects after a lost
 * connection with capped exponential backoff and jitter, from the last change it queued (every
 * seq is a token). Heartbeats keep the connection alive through proxies that cut idle ones; no
 * byte for three heartbeats means the connection is dead, and it is opened again.
 */
import type { FeedEntry } from '../../shared/api/schemas.js';
import { backoffDelay } from '../../shared/backoff.js';
import { BadInput, TooManyRequests, Unavailable } from '../../shared/errors.js';
import type { RemoteClient } from '../remote/client.js';
import { remoteError } from '../remote/errors.js';
import { ndjsonLines, parseStreamLine } from '../remote/ndjson.js';

export interface LiveFeedOptions {
  heartbeatMs: number;
  /** A partial clone's selector (JSON): the feed is filtered, and brings left markers. */
  where?: string | undefined;
  /** Where the feed starts again: the replica's token (what was applied), or later. */
  token: () => number;
  /** A lost connection and when it is tried again, a connection back: for the user, on stderr. */
  onNote: (message: string) => void;
  /** A change was queued. */
  onQueued: () => void;
  random?: () => number;
}

/** The remote offers no continuous feed (an older s15n refuses the parameter): the watch polls instead. */
export class NoLiveFeed extends Error {}

/** Changes held in memory at most: a burst larger than this waits on the wire, not in the heap. */
export const MAX_QUEUED = 2000;

export class LiveFeed {
  private queue: FeedEntry[] = [];
  private lastQueued = 0;
  /** Resolves the feed's wait for room in the queue. */
  private room: (() => void) | null = null;
  /** Failures in a row, for the backoff; whether the user was told of a loss (and is to be told it is over). */
  private failures = 0;
  private lost = false;
  private openedAt = 0;

  constructor(
    private readonly client: RemoteClient,
    private readonly remoteTrackerId: number,
    private readonly options: LiveFeedOptions,
  ) {}

  /** Whether changes are queued. */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** Takes up to `max` queued changes, in feed order. */
  take(max: number): FeedEntry[] {
    const taken = this.queue.splice(0, max);
    if (this.queue.length < MAX_QUEUED) this.room?.();
    return taken;
  }

  /**
   * Holds the feed open until `signal` aborts; resolves then. Rejects with an error that trying
   * again would not cure (credentials refused, no right, the tracker gone), or NoLiveFeed.
   */
  async run(signal: AbortSignal): Promise<void> {
    const random = this.options.random ?? Math.random;
    while (!signal.aborted) {
      try {
        await this.follow(signal);
      } catch (error) {
        if (signal.aborted) break;
        const lost = remoteError(error, this.client.endpoint, 'the change feed');
        if (lost instanceof BadInput) throw new NoLiveFeed(lost.message);
        // Network loss, a 5xx, a full slot table: worth another try. Anything else would fail again.
        if (!(lost instanceof Unavailable || lost instanceof TooManyRequests)) throw lost;
        // A connection that lived a while was a good one: this loss starts the backoff afresh.
        if (Date.now() - this.openedAt > this.options.heartbeatMs) this.failures = 0;
        const wait = backoffDelay(this.failures, random);
        this.failures += 1;
        this.lost = true;
        this.options.onNote(`${lost.message}; trying again in ${(wait / 1000).toFixed(1)} s`);
        await pause(wait, signal);
      }
    }
  }

  private untilRoom(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.room = null;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.room = done;
      signal.addEventListener('abort', done);
    });
  }

  /** One connection: open, queue every line until the feed ends (the server's timeout or stop) or breaks. */
  private async follow(signal: AbortSignal): Promise<void> {
    const since = Math.max(this.options.token(), this.lastQueued);
    const heartbeatMs = this.options.heartbeatMs;
    this.openedAt = Date.now();
    const bytes = await this.client.openFeed(this.remoteTrackerId, since, { heartbeatMs, idleMs: heartbeatMs * 3, signal, where: this.options.where });
    if (this.lost) this.options.onNote(`the change feed of ${this.client.endpoint.name} is back (from token ${since})`);
    this.lost = false;
    for await (const line of ndjsonLines(bytes)) {
      const change = parseStreamLine(line);
      // The last line: the feed ended cleanly; it is opened again at once.
      if (!change) return;
      if (change.seq <= since || change.seq <= this.lastQueued) continue;
      this.lastQueued = change.seq;
      this.queue.push(change);
      this.options.onQueued();
      // Runs slower than the feed: stop reading until they catch up (the server then waits for this socket).
      if (this.queue.length >= MAX_QUEUED) await this.untilRoom(signal);
    }
    if (!signal.aborted) throw new Unavailable(`the change feed of ${this.client.endpoint.name} ended before its last line`);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
