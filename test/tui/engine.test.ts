/** The engine the screens call, on a real master and clone: listings, pages with a filter, sync lists, conflicts, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInput } from '../../shared/errors.js';
import { type Pair, masterAndClone } from './fixtures.js';

describe('TuiEngine', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await masterAndClone({ items: 25 });
  });
  afterAll(async () => {
    await pair.close();
  });

  it('lists trackers with their remote, and remotes', () => {
    const [row] = pair.engine.trackers();
    expect(row).toMatchObject({ name: 'Bugs', items: 25, remote: { name: 'origin', trackerName: 'Bugs', conflicts: 0 } });
    expect(row?.remote?.lastSyncAt).not.toBeNull();
    expect(pair.engine.remotes().map((r) => r.name)).toEqual(['origin']);
    expect(pair.engine.replicaInfo(pair.trackerId)).toMatchObject({ remote: 'origin', url: pair.master.url, remoteTracker: 'Bugs' });
  });

  it('reads pages by id with a filter on values or the id, never field names', () => {
    const { trackerId, engine } = pair;
    expect(engine.countItems(trackerId, '')).toBe(25);
    expect(engine.countItems(trackerId, 'bug 2')).toBe(7);
    expect(engine.countItems(trackerId, 'title')).toBe(0);
    expect(engine.countItems(trackerId, '100%')).toBe(0);
    const first = engine.itemPage(trackerId, '', { kind: 'first', limit: 3 }).rows;
    expect(first.map((r) => r.title)).toEqual(['Bug 1', 'Bug 2', 'Bug 3']);
    const last = engine.itemPage(trackerId, '', { kind: 'last', limit: 2 }).rows;
    expect(last.map((r) => r.title)).toEqual(['Bug 24', 'Bug 25']);
    const after = engine.itemPage(trackerId, 'bug 2', { kind: 'after', id: first[1]!.id, limit: 2 }).rows;
    expect(after.map((r) => r.title)).toEqual(['Bug 20', 'Bug 21']);
    const from = engine.itemPage(trackerId, '', { kind: 'from', id: first[2]!.id, limit: 1 });
    expect(from.offset).toBe(2);
    expect(engine.countItems(trackerId, String(first[0]!.id))).toBeGreaterThanOrEqual(1);
  });

  it('marks local work in pages and sync lists, and describes conflicts field by field', async () => {
    const { engine, trackerId } = pair;
    const [m1, m2] = pair.masterIds as [number, number];
    engine.saveItem(trackerId, pair.local(m2), { values: { done: true } });
    const created = engine.newItem(trackerId, { status: 'open', values: { title: 'Local only' } });
    pair.master.store.updateItems(pair.tracker.id, [m1], { values: { title: 'M' } }, 'eddie');
    engine.saveItem(trackerId, pair.local(m1), { values: { title: 'C' } });
    await engine.reload(trackerId);
    const rows = engine.itemPage(trackerId, '', { kind: 'first', limit: 30 }).rows;
    expect(rows.find((r) => r.id === pair.local(m1))?.mark).toBe('conflict');
    expect(rows.find((r) => r.id === pair.local(m2))?.mark).toBe('modified');
    expect(rows.find((r) => r.id === created.id)?.mark).toBe('new');
    expect(engine.syncRows(trackerId).map((r) => [r.list, r.title])).toEqual([
      ['new', 'Local only'],
      ['modified', 'Bug 2'],
      ['conflicts', 'C'],
    ]);
    expect(engine.conflicts(trackerId)).toEqual([expect.objectContaining({ field: 'title', label: 'Title', base: 'Bug 1', local: 'C', remote: 'M' })]);
    expect(engine.itemSync(engine.tracker(trackerId), engine.item(trackerId, pair.local(m1))!)).toMatchObject({ state: 'conflict' });
    expect(engine.log(trackerId).map((run) => run.kind)).toEqual(['reload', 'clone']);
  });

  it('refuses bad values with the problem of each field', () => {
    const id = pair.local(pair.masterIds[4] as number);
    try {
      pair.engine.saveItem(pair.trackerId, id, { values: { estimate: 'many', contact: 'nope' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BadInput);
      expect((error as BadInput).problems.map((p) => p.field)).toEqual(['values.estimate', 'values.contact']);
    }
  });
});
