/** POST /trackers/:id/push: a batch of creates, updates and deletes, each answered on its own. */
import { type HubStore, hasRight } from '../store/index.js';
import type { RouteHandlers } from './mount.js';

export function pushHandlers(store: HubStore): Pick<RouteHandlers, 'push'> {
  return {
    push: async ({ res, user, tracker, body }) => {
      const admin = hasRight(await store.rightOf(user.name, tracker.id), 'admin');
      // Deletes and overwrites need the admin right; without it each such change is answered on its own.
      res.json({ results: await store.applyPush(tracker.id, body.changes, { user: user.name, isAdmin: admin }) });
    },
  };
}
