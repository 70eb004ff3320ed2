/** The live feeds of a server process: its one store watcher and the per-user slots, created once and stopped with the server. */
import type { HubStore } from '../store/index.js';
import { FeedSlots } from './feed-slots.js';
import { FeedWatcher } from './feed-watcher.js';

export { DEFAULT_FEEDS_PER_USER, FeedSlots } from './feed-slots.js';
export { FeedWatcher, type Wake } from './feed-watcher.js';

export interface LiveFeeds {
  watcher: FeedWatcher;
  slots: FeedSlots;
  /** Ends every open feed cleanly (a longpoll answers, a stream writes its last line); resolves once they have. */
  close(): Promise<void>;
  /** Registers an open feed's promise, so `close` can wait for it. */
  track(feed: Promise<unknown>): void;
}

export function liveFeeds(store: HubStore, options: { perUser?: number } = {}): LiveFeeds {
  const watcher = new FeedWatcher(store);
  const slots = new FeedSlots(options.perUser);
  const open = new Set<Promise<unknown>>();
  return {
    watcher,
    slots,
    track(feed) {
      open.add(feed);
      void feed.finally(() => open.delete(feed)).catch(() => undefined);
    },
    async close() {
      watcher.close();
      await Promise.allSettled([...open]);
    },
  };
}
