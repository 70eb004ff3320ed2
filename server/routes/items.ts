/** GET /trackers/:id/items/:itemId: one item (tombstones are gone: 404). */
import { NotFound } from '../../shared/errors.js';
import { type HubStore, itemToWire } from '../store/index.js';
import type { RouteHandlers } from './mount.js';

export function itemsHandlers(store: HubStore): Pick<RouteHandlers, 'getItem'> {
  return {
    getItem: async ({ reply, tracker, params }) => {
      const item = await store.getItem(tracker.id, params.itemId);
      if (!item) throw new NotFound(`unknown item ${params.itemId} in tracker "${tracker.name}"`);
      reply(itemToWire(item));
    },
  };
}
