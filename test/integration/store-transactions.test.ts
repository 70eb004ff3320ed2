/** SqliteStore transactions on a real SQLite file: the write lock taken at BEGIN, and seqs reserved per batch (withReservedSeqs). */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import { tempStore } from '../helpers/instance.js';

let opened: ReturnType<typeof tempStore> | undefined;
afterEach(() => opened?.cleanup());

function setup(): { store: SqliteStore; tracker: Tracker } {
  opened = tempStore();
  const tracker = opened.store.createTracker({ name: 'Tasks', fields: [{ name: 'title', type: 'text' }] });
  return { store: opened.store, tracker };
}

const counter = (store: SqliteStore) => (store.db.prepare("SELECT value FROM counters WHERE name = 'seq'").get() as { value: number }).value;
const add = (store: SqliteStore, tracker: Tracker, title: string) => store.createItem(tracker.id, { status: 'open', values: { title } }, 'root').seq;

describe('seqs reserved for a batch', () => {
  it('number the batch from one counter update; unused ones are a gap the next write skips', () => {
    const { store, tracker } = setup();
    const before = counter(store);
    const seqs = store.withReservedSeqs(5, () => [add(store, tracker, 'a'), add(store, tracker, 'b')]);
    expect(seqs).toEqual([before + 1, before + 2]);
    expect(counter(store)).toBe(before + 5);
    expect(add(store, tracker, 'c')).toBe(before + 6);
  });

  it('fall back to the counter when the batch writes more than it reserved, still rising and unique', () => {
    const { store, tracker } = setup();
    const seqs = store.withReservedSeqs(1, () => ['a', 'b', 'c'].map((t) => add(store, tracker, t)));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(3);
    expect(add(store, tracker, 'd')).toBeGreaterThan(seqs[2]!);
  });

  it('are taken back with the rows when the transaction rolls back, and the block is gone after it', () => {
    const { store, tracker } = setup();
    const before = counter(store);
    expect(() =>
      store.withReservedSeqs(10, () => {
        add(store, tracker, 'lost');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(counter(store)).toBe(before);
    expect(store.countItems(tracker.id)).toBe(0);
    expect(add(store, tracker, 'kept')).toBe(before + 1);
  });

  it('inside another reservation use the outer block; an item rolled back in a savepoint leaves a gap, not a reuse', () => {
    const { store, tracker } = setup();
    const before = counter(store);
    const seqs = store.withReservedSeqs(4, () => {
      const first = add(store, tracker, 'a');
      try {
        store.transaction(() => {
          add(store, tracker, 'rolled back');
          throw new Error('one item fails');
        });
      } catch {
        // the batch goes on without it
      }
      const inner = store.withReservedSeqs(10, () => add(store, tracker, 'b'));
      return [first, inner];
    });
    expect(seqs).toEqual([before + 1, before + 3]);
    expect(counter(store)).toBe(before + 4);
    expect(store.countItems(tracker.id)).toBe(2);
  });
});

describe('a store transaction', () => {
  it('holds the write lock from its start: another process waits for it, instead of the transaction failing on its first write', () => {
    const { store, tracker } = setup();
    const item = store.createItem(tracker.id, { status: 'open', values: { title: 'a' } }, 'root');
    // Another connection to the same file, as `s15n item edit` is to a running server's data dir.
    const other = new Database(join(opened!.dataDir, 's15n.db'), { timeout: 50 });
    try {
      const edited = store.transaction(() => {
        const read = store.getItem(tracker.id, item.id)!;
        // A deferred transaction would let this commit, and then fail its own write below with
        // SQLITE_BUSY at once, whatever busy_timeout says. Here the other writer is the one that waits.
        expect(() => other.prepare("UPDATE counters SET value = value + 1 WHERE name = 'seq'").run()).toThrow(/database is locked/);
        return store.saveItem(tracker, read.id, { status: 'closed', values: read.values }, 'root');
      });
      expect(edited.status).toBe('closed');
      expect(other.prepare("UPDATE counters SET value = value + 1 WHERE name = 'seq'").run().changes).toBe(1);
    } finally {
      other.close();
    }
  });
});
