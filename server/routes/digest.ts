/**
 * GET /trackers/:id/digest: a page of the tracker's live items by id, each as its id, version and
 * digest hash (shared/digest.ts), filtered by `where` when given: what `reload --verify` compares
 * its copies with, a few dozen bytes an item instead of the item itself.
 */
import type { DigestEntry } from '../../shared/api/schemas.js';
import { BadInput } from '../../shared/errors.js';
import { DEFAULT_DIGEST_LIMIT, digestHash } from '../../shared/digest.js';
import { type Selector, matches, parseSelectorText } from '../../shared/model/selector.js';
import type { HubStore, Tracker } from '../store/index.js';
import type { RouteHandlers } from './mount.js';

/** Items read per store call: a filter that matches few items still reads in pages this size. */
const READ_PAGE = 1000;

function selectorOf(tracker: Tracker, where: string | undefined): Selector | null {
  if (where === undefined) return null;
  const checked = parseSelectorText(where, tracker.fields);
  if (!checked.ok) throw BadInput.from(checked.problems, 'invalid selector');
  return checked.selector;
}

export function digestHandlers(store: HubStore): Pick<RouteHandlers, 'digest'> {
  return {
    digest: async ({ res, tracker, query }) => {
      const selector = selectorOf(tracker, query.where);
      const limit = Number(query.limit ?? DEFAULT_DIGEST_LIMIT);
      // A field this tracker lacks hashes as no value, as it does on the clone's side.
      const names = query.fields === undefined ? tracker.fields.map((f) => f.name) : query.fields === '' ? [] : query.fields.split(',');
      let after = Number(query.after ?? 0);
      const stored = !selector && store.digestPage ? await store.digestPage(tracker.id, { after, limit, names }) : null;
      if (stored) {
        res.json(stored);
        return;
      }
      const page: DigestEntry[] = [];
      for (;;) {
        const wanted = selector ? READ_PAGE : limit - page.length;
        const items = await store.listItems(tracker.id, { afterId: after, limit: wanted });
        for (const item of items) {
          after = item.id;
          if (selector && !matches(selector, item)) continue;
          page.push({ id: item.id, version: item.version, hash: digestHash(names, item) });
          if (page.length === limit) break;
        }
        if (page.length === limit || items.length < wanted) break;
      }
      res.json(page);
    },
  };
}
