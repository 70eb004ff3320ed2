/** GET /trackers (those the caller may view) and GET /trackers/:id (the schema). */
import { type HubStore, hasRight, trackerSummary, trackerToWire } from '../store/index.js';
import type { RouteHandlers } from './mount.js';

export function trackersHandlers(store: HubStore): Pick<RouteHandlers, 'listTrackers' | 'getTracker'> {
  return {
    listTrackers: async ({ res, user }) => {
      const trackers = [];
      for (const tracker of await store.listTrackers()) if (hasRight(await store.rightOf(user.name, tracker.id), 'view')) trackers.push(tracker);
      res.json({ trackers: trackers.map(trackerSummary) });
    },
    getTracker: ({ reply, tracker }) => {
      reply(trackerToWire(tracker));
    },
  };
}
