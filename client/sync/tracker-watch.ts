/**
 * The watch of one tracker (./watch.ts): a full sync first, then one run per batch the continuous
 * feed brings (or per poll with an interval), and one whenever a local change to push appears.
 * Runs never overlap; a failed run is retried with backoff, as a full run.
 */
import type { FeedEntry } from '../../shared/api/schemas.js';
import { backoffDelay } from '../../shared/backoff.js';
import { TooManyRequests, Unavailable } from '../../shared/errors.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import type { ReplicaState } from '../replica/index.js';
import { skipKnown } from './known-changes.js';
import { LiveFeed, NoLiveFeed } from './live-feed.js';
import type { Report } from './report.js';
import { messageOf } from './run.js';
import { sync } from './sync.js';

export interface WatchOptions {
  pullOnly?: boolean;
  /** Poll the remote every this many ms instead of following its continuous feed. */
  intervalMs?: number | null;
  /** How often an idle feed's server sends a heartbeat (default 10 s). */
  heartbeatMs?: number;
  /** How long a local change waits for the writes that follow it before it is pushed (default 200 ms). */
  settleMs?: number;
  remote?: RemoteClientOptions;
  /** Every tracker run's report, as it ends. */
  onReport(report: Report): void;
  /** Lost connections, retries, fallbacks: for the user, on stderr. */
  onNote(message: string): void;
  /** A run's reload part committed (remote changes applied). */
  onPulled?(trackerId: number, part: Report): void;
}

export const DEFAULT_HEARTBEAT_MS = 10_000;
export const DEFAULT_SETTLE_MS = 200;

/** Whether a failure of the remote is worth another try (the network, a 5xx, a full table of feeds). */
export function isTransient(error: unknown): boolean {
  return error instanceof Unavailable || error instanceof TooManyRequests;
}

/** Changes applied per live run, at most: small batches, so each run reports soon. */
export const LIVE_BATCH = 500;
/** Polling of a remote that offers no continuous feed (an older s15n), when no interval was given. */
export const FALLBACK_INTERVAL_MS = 10_000;

export interface TrackerWatchContext {
  store: SqliteStore;
  replicas: ReplicaState;
  client: RemoteClient;
  trackerId: number;
  remoteTrackerId: number;
  options: WatchOptions;
  signal: AbortSignal;
}

/** Something may be to do: fired by the feed, a local change, a timer, the stop; a fire with no one waiting is kept for the next wait. */
class Trigger {
  private fired = false;
  private waiter: (() => void) | null = null;

  fire(): void {
    this.fired = true;
    this.waiter?.();
  }

  wait(): Promise<void> {
    if (this.fired) {
      this.fired = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = () => {
        this.waiter = null;
        this.fired = false;
        resolve();
      };
    });
  }
}

export class TrackerWatch {
  private readonly trigger = new Trigger();
  private feed: LiveFeed | null = null;
  private following: Promise<void> | null = null;
  private timers = { settle: null as NodeJS.Timeout | null, poll: null as NodeJS.Timeout | null, retry: null as NodeJS.Timeout | null };
  /** The first full run is still to succeed. */
  private caughtUp = false;
  private fullDue = true;
  private localDue = false;
  /** The newest pushable local change the last run saw: a newer one starts a run. */
  private localSeen = 0;
  private failures = 0;
  private fatal: Error | null = null;

  constructor(private readonly ctx: TrackerWatchContext) {}

  /** A commit in the local store: once it settles, a run if it left something to push. */
  localChanged(): void {
    if (this.ctx.options.pullOnly || this.timers.settle) return;
    this.timers.settle = setTimeout(() => {
      this.timers.settle = null;
      this.localDue = true;
      this.trigger.fire();
    }, this.ctx.options.settleMs ?? DEFAULT_SETTLE_MS);
  }

  wake(): void {
    this.trigger.fire();
  }

  /** Until the stop (resolves) or a failure no retry would cure (rejects with it). */
  async run(): Promise<void> {
    try {
      while (!this.ctx.signal.aborted && !this.fatal) {
        await this.step();
        if (!this.ctx.signal.aborted && !this.fatal && !this.hasWork()) await this.trigger.wait();
      }
    } finally {
      for (const timer of Object.values(this.timers)) if (timer) clearTimeout(timer);
      clearInterval(this.timers.poll ?? undefined);
      await this.following;
    }
    if (this.fatal) throw this.fatal;
  }

  private hasWork(): boolean {
    return this.timers.retry === null && (this.fullDue || this.localDue || this.feed?.pending === true);
  }

  private async step(): Promise<void> {
    if (this.timers.retry) return;
    const local = this.takeLocal();
    if (this.fullDue || (local && !this.feed)) {
      this.fullDue = false;
      await this.fullRun(local);
      return;
    }
    // What a full run (a retry) already brought in is left out.
    const token = this.ctx.replicas.requireReplica(this.ctx.trackerId).token;
    const changes = (this.feed?.take(LIVE_BATCH) ?? []).filter((change) => change.seq > token);
    if (changes.length === 0 && !local) return;
    if (!local && skipKnown(this.ctx.store, this.ctx.replicas, this.ctx.trackerId, changes)) return;
    const report = await this.sync(changes);
    // The retry is a full run: its probe tells a refusal (ending the watch) from an outage, and
    // its reload brings in what this run did not apply, from the token.
    if (report.outcome === 'error' && !this.ctx.signal.aborted) this.retryLater();
  }

  /** Whether a local change newer than the last run's appeared (the watch's own writes leave none). */
  private takeLocal(): boolean {
    if (!this.localDue) return false;
    this.localDue = false;
    return this.ctx.replicas.latestPushable(this.ctx.trackerId) > this.localSeen;
  }

  /** A full sync (reload stream, then push): the first one, each poll, a local change while polling. Skipped when a poll finds nothing new. */
  private async fullRun(local: boolean): Promise<void> {
    const { client, replicas, trackerId, remoteTrackerId } = this.ctx;
    let page;
    try {
      const replica = replicas.requireReplica(trackerId);
      page = await client.changesPage(remoteTrackerId, replica.token, 100, this.ctx.signal, replica.where ?? undefined);
    } catch (error) {
      if (this.ctx.signal.aborted) return;
      if (!isTransient(error)) this.fatal = error instanceof Error ? error : new Error(String(error));
      else this.retryLater(messageOf(error));
      return;
    }
    const nothingNew = page.changes.length === 0 || (!page.more && skipKnown(this.ctx.store, replicas, trackerId, page.changes));
    if (this.caughtUp && !local && nothingNew) return;
    const report = await this.sync(undefined);
    if (report.outcome === 'error') {
      if (!this.ctx.signal.aborted) this.retryLater();
      return;
    }
    if (!this.caughtUp) {
      this.caughtUp = true;
      this.follow();
    }
  }

  /** One logged sync run; once it went through, the local changes it could push are remembered as seen. */
  private async sync(changes: readonly FeedEntry[] | undefined): Promise<Report> {
    const { store, trackerId, client, options, signal } = this.ctx;
    const latest = this.ctx.replicas.latestPushable(trackerId);
    const report = await sync(store, trackerId, {
      client,
      signal,
      ...(options.pullOnly ? { pullOnly: true } : {}),
      ...(changes ? { changes } : {}),
      ...(options.onPulled ? { onPulled: (part: Report) => options.onPulled?.(trackerId, part) } : {}),
    });
    if (report.outcome !== 'error') {
      this.localSeen = Math.max(this.localSeen, latest);
      this.failures = 0;
    } else {
      // What it did not push is still to push: the retry looks again.
      this.localDue = true;
    }
    options.onReport(report);
    return report;
  }

  /** A full run again after the backoff (its probe and its reload stream make it the safe retry of any run). */
  private retryLater(why?: string): void {
    const wait = backoffDelay(this.failures, Math.random);
    this.failures += 1;
    this.ctx.options.onNote(`${why ? `${why}; ` : ''}sync of ${this.trackerName()} tried again in ${(wait / 1000).toFixed(1)} s`);
    this.timers.retry = setTimeout(() => {
      this.timers.retry = null;
      this.fullDue = true;
      this.trigger.fire();
    }, wait);
  }

  /** After the first full run: the continuous feed, or polling (asked for, or the remote offers no feed). */
  private follow(intervalMs = this.ctx.options.intervalMs ?? null): void {
    const { options, client, replicas, trackerId, remoteTrackerId, signal } = this.ctx;
    if (intervalMs !== null) {
      this.timers.poll = setInterval(() => {
        this.fullDue = true;
        this.trigger.fire();
      }, intervalMs);
      return;
    }
    this.feed = new LiveFeed(client, remoteTrackerId, {
      where: replicas.requireReplica(trackerId).where ?? undefined,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      token: () => replicas.requireReplica(trackerId).token,
      onNote: options.onNote,
      onQueued: () => this.trigger.fire(),
    });
    this.following = this.feed.run(signal).catch((error: unknown) => {
      if (error instanceof NoLiveFeed) {
        options.onNote(`${client.endpoint.name} offers no continuous feed (${error.message}); polling every ${FALLBACK_INTERVAL_MS / 1000} s instead`);
        this.feed = null;
        this.follow(FALLBACK_INTERVAL_MS);
      } else {
        this.fatal = error instanceof Error ? error : new Error(String(error));
      }
      this.trigger.fire();
    });
  }

  private trackerName(): string {
    return this.ctx.store.getTracker(this.ctx.trackerId).name;
  }
}
