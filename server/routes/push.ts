/** POST /trackers/:id/push: a batch of creates, updates and deletes, each answered on its own. */
import { Router } from 'express';
import { PushRequest } from '../../shared/api/schemas.js';
import { userOf } from '../auth.js';
import { type HubStore, hasRight } from '../store/index.js';
import { trackerFor } from './access.js';
import { parseOr400 } from './problems.js';

export function pushRouter(store: HubStore): Router {
  const router = Router();
  router.post('/trackers/:id/push', async (req, res) => {
    const tracker = await trackerFor(store, req, 'edit');
    const user = userOf(req);
    const body = parseOr400(PushRequest, req.body, 'invalid push', 'body');
    const admin = hasRight(await store.rightOf(user.name, tracker.id), 'admin');
    // Deletes and overwrites need the admin right; without it each such change is answered on its own.
    res.json({ results: await store.applyPush(tracker.id, body.changes, { user: user.name, isAdmin: admin }) });
  });
  return router;
}
