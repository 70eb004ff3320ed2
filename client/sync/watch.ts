/**
 * `s15n sync --watch` (DESIGN §11): trackers kept in sync until stopped. Each tracker first syncs
 * in full (a reload of all that came meanwhile, then a push), then follows its remote's continuous
 * feed: what arrives is applied in small batches, each a sync run (the batch, then a push of every
 * clean local change), one report each. Local changes from any process (the local store's change
 * notification notices other processes too) start a run within about a second. With an interval
 * the remote is polled instead of followed (proxies that buffer streams). A run that fails is tried
 * again with capped exponential backoff and jitter; a refusal no retry would cure ends the watch.
 */
import type { SqliteStore } from '../../server/store/index.js';
import { ReplicaState } from '../replica/index.js';
import { RemoteClients } from './sync.js';
import { TrackerWatch, type WatchOptions } from './tracker-watch.js';

export { DEFAULT_HEARTBEAT_MS, DEFAULT_SETTLE_MS, type WatchOptions, isTransient } from './tracker-watch.js';

export interface Watch {
  /** Stops after the current batch of every tracker; resolves once all have stopped. */
  stop(): Promise<WatchEnd>;
  /** Resolves when the watch ends: stopped, or a failure no retry would cure (`failed`). */
  done: Promise<WatchEnd>;
}

export interface WatchEnd {
  failed: Error | null;
}

/** Watches the cloned trackers `trackerIds` of `store` until stopped. */
export function watch(store: SqliteStore, trackerIds: readonly number[], options: WatchOptions): Watch {
  const stop = new AbortController();
  const clients = new RemoteClients(store, options.remote ?? {});
  const replicas = new ReplicaState(store);
  const watches = trackerIds.map((trackerId) => {
    const replica = replicas.requireReplica(trackerId);
    const client = clients.of(replica.remoteName);
    return new TrackerWatch({ store, replicas, client, trackerId, remoteTrackerId: replica.remoteTrackerId, options, signal: stop.signal });
  });
  // One subscription for all: any commit may be a local change of any of them (the watch's own writes are told apart by each).
  const unsubscribe = store.onChange(() => {
    for (const tracker of watches) tracker.localChanged();
  });
  const done = (async (): Promise<WatchEnd> => {
    const ended = await Promise.allSettled(watches.map((tracker) => tracker.run().catch((error: unknown) => {
      // One tracker's refusal ends the watch of all: a watch that half works would hide it.
      stop.abort();
      throw error;
    })));
    unsubscribe();
    clients.closeAll();
    const failure = ended.find((end): end is PromiseRejectedResult => end.status === 'rejected');
    return { failed: failure ? (failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason))) : null };
  })();
  return {
    done,
    stop: async () => {
      stop.abort();
      for (const tracker of watches) tracker.wake();
      return done;
    },
  };
}
