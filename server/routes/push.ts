/** POST /trackers/:id/push: a batch of creates, updates and deletes, each answered on its own. */
import { Router } from 'express';
import { PushRequest } from '../../shared/api/schemas.js';
import { Forbidden } from '../../shared/errors.js';
import { userOf } from '../auth.js';
import { type Store, hasRight } from '../store/index.js';
import { trackerFor } from './access.js';
import { parseOr400 } from './problems.js';

export function pushRouter(store: Store): Router {
  const router = Router();
  router.post('/trackers/:id/push', (req, res) => {
    const tracker = trackerFor(store, req, 'edit');
    const user = userOf(req);
    const body = parseOr400(PushRequest, req.body, 'invalid push', 'body');
    const right = store.rightOf(user.name, tracker.id);
    const admin = hasRight(right, 'admin');
    // Rights are checked for the whole batch before anything is written.
    const needsAdmin = body.changes.find((c) => c.op === 'delete' || (c.op !== 'create' && c.overwrite === true));
    if (needsAdmin && !admin) {
      throw new Forbidden(`user "${user.name}" needs the admin right on tracker "${tracker.name}" to ${needsAdmin.op === 'delete' ? 'delete items' : 'overwrite changes'}`);
    }
    res.json({ results: store.applyPush(tracker.id, body.changes, { user: user.name, canOverwrite: admin }) });
  });
  return router;
}
