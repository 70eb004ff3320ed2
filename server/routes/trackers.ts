/** GET /trackers (those the caller may view) and GET /trackers/:id (the schema). */
import { Router } from 'express';
import { userOf } from '../auth.js';
import { type Store, hasRight, trackerSummary, trackerToWire } from '../store/index.js';
import { trackerFor } from './access.js';

export function trackersRouter(store: Store): Router {
  const router = Router();
  router.get('/trackers', (req, res) => {
    const user = userOf(req);
    const trackers = store.listTrackers().filter((t) => hasRight(store.rightOf(user.name, t.id), 'view'));
    res.json({ trackers: trackers.map(trackerSummary) });
  });
  router.get('/trackers/:id', (req, res) => {
    res.json(trackerToWire(trackerFor(store, req, 'view')));
  });
  return router;
}
