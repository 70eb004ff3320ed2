/**
 * The one watcher of the store in a server process, for every open live feed (DESIGN §11). It
 * listens to the store's change notification while any feed is open, and after each commit reads
 * each tracker's feed once per token that feeds wait at, handing that one page to every feed
 * waiting there. An idle feed costs no query at all; a commit costs one query per (tracker,
 * token) however many feeds wait on it. It depends on HubStore.onChange only, so any engine's
 * notification (SQLite's data_version, PostgreSQL's LISTEN) drives it the same way.
 */
import type { FeedPage, HubStore } from '../store/index.js';

/** What wakes a waiting feed: the first page after its token, and the generation before that page was read. */
export interface Wake {
  page: FeedPage;
  asOf: number;
}

interface Waiter {
  trackerId: number;
  token: number;
  resolve(wake: Wake | null): void;
}

export const WAKE_PAGE = 1000;

export class FeedWatcher {
  /** Counts the commits announced: a feed that read at generation g and sees g still has missed nothing. */
  private generation = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly closers = new Set<() => void>();
  private attached = 0;
  private unsubscribe: (() => void) | null = null;
  /** A sweep waits for the next turn of the loop (so a burst of commits costs one), or runs. */
  private sweep: 'idle' | 'scheduled' | 'running' = 'idle';
  private again = false;
  private closed = false;

  constructor(private readonly store: HubStore) {}

  /** The generation now: read it before reading the feed, pass it to `next` after. */
  get now(): number {
    return this.generation;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A feed opens: the store is watched while any feed is open. Returns the detach; `onClose` runs when the server stops. */
  attach(onClose: () => void): () => void {
    this.attached += 1;
    this.closers.add(onClose);
    this.unsubscribe ??= this.store.onChange(() => {
      this.generation += 1;
      this.requestSweep();
    });
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.closers.delete(onClose);
      this.attached -= 1;
      if (this.attached === 0 && this.unsubscribe) {
        this.unsubscribe();
        this.unsubscribe = null;
      }
    };
  }

  /**
   * Resolves with the first page after `token` once the tracker has a change after it; null when
   * `signal` aborts or the server stops. `asOf` is the generation read before the caller's last
   * read of the feed: a commit announced since then is looked for at once, so none slips between
   * that read and this wait.
   */
  next(trackerId: number, token: number, asOf: number, signal: AbortSignal): Promise<Wake | null> {
    if (this.closed || signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        trackerId,
        token,
        resolve: (wake) => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', abort);
          resolve(wake);
        },
      };
      const abort = () => waiter.resolve(null);
      signal.addEventListener('abort', abort);
      this.waiters.add(waiter);
      if (asOf !== this.generation) this.requestSweep();
    });
  }

  /** The server stops: every waiting feed is woken with null and every open feed told to end. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.resolve(null);
    for (const close of [...this.closers]) close();
  }

  /** Commits come in bursts (a push is one, a data_version tick another): one sweep at a time, and one more if any came during it. */
  private requestSweep(): void {
    if (this.sweep === 'running') this.again = true;
    if (this.sweep !== 'idle') return;
    this.sweep = 'scheduled';
    setImmediate(() => void this.wakeWaiters());
  }

  private async wakeWaiters(): Promise<void> {
    this.sweep = 'running';
    try {
      do {
        this.again = false;
        const asOf = this.generation;
        for (const [trackerId, token, group] of this.groups()) {
          const page = await this.store.changesSince(trackerId, token, WAKE_PAGE);
          if (page.changes.length === 0) continue;
          for (const waiter of group) waiter.resolve({ page, asOf });
        }
      } while (this.again && !this.closed);
    } catch {
      // The store failed (closed under the server at shutdown): the feeds end, their clients resume by token.
      for (const waiter of [...this.waiters]) waiter.resolve(null);
    } finally {
      this.sweep = 'idle';
    }
  }

  /** The waiting feeds by tracker and token: the feeds of one group are served by one read. */
  private groups(): [number, number, Waiter[]][] {
    const byKey = new Map<string, [number, number, Waiter[]]>();
    for (const waiter of this.waiters) {
      const key = `${waiter.trackerId}:${waiter.token}`;
      const group = byKey.get(key) ?? [waiter.trackerId, waiter.token, []];
      group[2].push(waiter);
      byKey.set(key, group);
    }
    return [...byKey.values()];
  }
}
