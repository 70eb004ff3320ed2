/** Finding the tracker a request names and checking the caller's right to it. */
import type { Request } from 'express';
import { Forbidden, NotFound } from '../../shared/errors.js';
import { userOf } from '../auth.js';
import { clipText } from '../../shared/model/fields.js';
import { type HubStore, type Right, type Tracker, hasRight } from '../store/index.js';

/** The tracker named by `:id` (id or name): 404 when unknown, 403 without the right. */
export async function trackerFor(store: HubStore, req: Request, needed: Right): Promise<Tracker> {
  const user = userOf(req);
  const ref = String(req.params.id);
  const tracker = await store.findTracker(ref);
  if (!tracker) throw new NotFound(`unknown tracker "${clipText(ref)}"`);
  if (!hasRight(await store.rightOf(user.name, tracker.id), needed)) {
    throw new Forbidden(`user "${user.name}" has no ${needed} right on tracker "${tracker.name}"`);
  }
  return tracker;
}

