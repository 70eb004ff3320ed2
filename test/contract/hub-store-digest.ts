/**
 * The store contract for digest pages (DESIGN §12): an engine's optional fast path
 * (`HubStore.digestPage`) must answer exactly what the rule of shared/digest.ts gives over its
 * listed items, paged by id, tombstones left out, rows written before a field was removed included.
 */
import { describe, expect, it } from 'vitest';
import type { HubStore } from '../../server/store/index.js';
import { digestHash } from '../../shared/digest.js';

const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'n', type: 'number' },
  { name: 'tags', type: 'tags' },
  { name: 'prio', type: 'dropdown', options: ['low', 'high'] },
];

type WithStore = (fn: (store: HubStore) => Promise<void>) => () => Promise<void>;

async function expected(store: HubStore, trackerId: number, names: readonly string[]) {
  return (await store.listItems(trackerId)).map((i) => ({ id: i.id, version: i.version, hash: digestHash(names, i) }));
}

export function describeDigestPages(withStore: WithStore): void {
  describe('digest pages', () => {
    it('hash live items by id as the shared rule does, a page at a time; a removed field is left out; other field lists may be declined', withStore(async (store) => {
      const t = await store.createTracker({ name: 'T', fields: FIELDS });
      const made = await store.createItems(t.id, [{ values: { title: 'a', n: 1, tags: ['x', 'y'] } }, { status: 'closed', values: { title: 'b', prio: 'high' } }, { values: { title: 'c', n: 2.5 } }, { values: { title: 'd' } }], 'root');
      await store.updateItems(t.id, [made[0]!.id], { values: { n: 7 } }, 'root');
      await store.deleteItems(t.id, [made[2]!.id], 'root');
      if (!store.digestPage) return;
      const names = FIELDS.map((f) => f.name);
      const all = await expected(store, t.id, names);
      expect(all).toHaveLength(3);
      expect(await store.digestPage(t.id, { after: 0, limit: 100, names })).toEqual(all);
      expect(await store.digestPage(t.id, { after: all[0]!.id, limit: 1, names })).toEqual(all.slice(1, 2));
      expect(await store.digestPage(t.id, { after: all[2]!.id, limit: 10, names })).toEqual([]);
      const subset = await store.digestPage(t.id, { after: 0, limit: 100, names: ['title'] });
      if (subset !== null) expect(subset).toEqual(await expected(store, t.id, ['title']));
      // Rows written before the field went still hold its value: the digest leaves it out.
      await store.setTrackerFields(t.id, t.fields.filter((f) => f.name !== 'n'));
      const kept = names.filter((n) => n !== 'n');
      const after = await store.digestPage(t.id, { after: 0, limit: 100, names: kept });
      expect(after).toEqual(await expected(store, t.id, kept));
      expect(after![0]!.hash).not.toBe(all[0]!.hash);
    }));
  });
}
