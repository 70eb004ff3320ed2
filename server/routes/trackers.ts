/** GET /trackers (those the caller may view) and GET /trackers/:id (the schema). */
import { Router } from 'express';
import { userOf } from '../auth.js';
import { type HubStore, hasRight, trackerSummary, trackerToWire } from '../store/index.js';
import { trackerFor } from './access.js';

export function trackersRouter(store: HubStore): Router {
  const router = Router();
  router.get('/trackers', async (req, res) => {
    const user = userOf(req);
    const trackers = [];
    for (const tracker of await store.listTrackers()) if (hasRight(await store.rightOf(user.name, tracker.id), 'view')) trackers.push(tracker);
    res.json({ trackers: trackers.map(trackerSummary) });
  });
  router.get('/trackers/:id', async (req, res) => {
    res.json(trackerToWire(await trackerFor(store, req, 'view')));
  });
  return router;
}
