/** GET /trackers/:id/items/:itemId: one item (tombstones are gone: 404). */
import { Router } from 'express';
import { NotFound } from '../../shared/errors.js';
import { type Store, itemToWire } from '../store/index.js';
import { idParam, trackerFor } from './access.js';

export function itemsRouter(store: Store): Router {
  const router = Router();
  router.get('/trackers/:id/items/:itemId', (req, res) => {
    const tracker = trackerFor(store, req, 'view');
    const itemId = idParam(req, 'itemId');
    const item = store.getItem(tracker.id, itemId);
    if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    res.json(itemToWire(item));
  });
  return router;
}
