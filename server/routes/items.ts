/** GET /trackers/:id/items/:itemId: one item (tombstones are gone: 404). */
import { Router } from 'express';
import { NotFound } from '../../shared/errors.js';
import { type HubStore, itemToWire } from '../store/index.js';
import { idParam, trackerFor } from './access.js';

export function itemsRouter(store: HubStore): Router {
  const router = Router();
  router.get('/trackers/:id/items/:itemId', async (req, res) => {
    const tracker = await trackerFor(store, req, 'view');
    const itemId = idParam(req, 'itemId');
    const item = await store.getItem(tracker.id, itemId);
    if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    res.json(itemToWire(item));
  });
  return router;
}
