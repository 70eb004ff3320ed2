/**
 * The TUI live: `w` on the sync screen turns live mode on (the header says `live` and how long ago
 * the last change landed; the master's changes come in and local edits go out by themselves; a
 * conflict that arrives is flagged at once) and off again; the item list and the item view follow
 * changes made under them by another process. Every wait is for a frame, never a fixed delay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import { frameOf, sendAndWait, waitForFrame } from '../helpers/ink.js';
import { waitFor } from '../helpers/wait.js';
import { type Pair, masterAndClone, masterItem, renderApp } from './fixtures.js';

describe('live mode', () => {
  let pair: Pair | undefined;
  afterEach(async () => {
    await pair?.engine.close();
    await pair?.close();
    pair = undefined;
  });

  it('w turns it on: the master changes come in, local edits go out, the header says live and the age of the last change; w turns it off', async () => {
    pair = await masterAndClone();
    const p = pair;
    const [m1, m2] = p.masterIds as [number, number];
    const app = await renderApp(p.engine, { screen: 'sync', trackerId: p.trackerId });
    expect(frameOf(app)).toMatch(/w live/);

    let frame = await sendAndWait(app, 'w', /live · no change since/);
    expect(frame).toMatch(/w stop live/);
    expect(frame).not.toMatch(/r reload/);

    p.master.store.updateItems(p.tracker.id, [m1], { values: { estimate: 41 } }, 'eddie');
    frame = await waitForFrame(app, /live · last change (just now|\d+ s ago)/);
    expect(frame).toMatch(/Sync: success/);
    expect(p.clone.getItem(p.trackerId, p.local(m1))?.values.estimate).toBe(41);

    p.clone.updateItems(p.trackerId, [p.local(m2)], { values: { done: true } }, null);
    await waitFor(() => masterItem(p, m2)?.values.done === true, 'the local edit on the master');
    await waitForFrame(app, 'Modified without conflicts (0)');
    await waitForFrame(app, /last change [1-9]\d* s ago/);

    frame = await sendAndWait(app, 'w', /r reload/);
    expect(frame).not.toMatch(/live ·/);
    app.unmount();
  });

  it('flags a conflict the moment it arrives', async () => {
    pair = await masterAndClone();
    const p = pair;
    const [m1] = p.masterIds as [number];
    const app = await renderApp(p.engine, { screen: 'sync', trackerId: p.trackerId });
    await sendAndWait(app, 'w', /live · no change since/);
    // Both sides change one field at once: whichever way round they meet, it is a conflict.
    p.master.store.updateItems(p.tracker.id, [m1], { values: { title: 'Bug 1 (master)' } }, 'eddie');
    p.clone.updateItems(p.trackerId, [p.local(m1)], { values: { title: 'Bug 1 (clone)' } }, null);
    const frame = await waitForFrame(app, /Conflict arrived: item \d+ Bug 1 \(clone\) \(title\) — Enter on it reviews it/);
    expect(frame).toContain('Modified with conflicts (1)');
    expect(masterItem(p, m1)?.values.title).toBe('Bug 1 (master)');
    app.unmount();
  });

  it('the item view and the item list follow changes another process makes under them', async () => {
    pair = await masterAndClone();
    const p = pair;
    const other = openLocalStore(p.cloneDir);
    try {
      const local = p.local(p.masterIds[0]!);
      const view = await renderApp(p.engine, { screen: 'item', trackerId: p.trackerId, itemId: local });
      expect(frameOf(view)).toMatch(/Title\s+Bug 1\b/);
      other.updateItems(p.trackerId, [local], { values: { title: 'Renamed elsewhere' } }, null);
      const frame = await waitForFrame(view, /Title\s+Renamed elsewhere/);
      expect(frame).toMatch(/sync: modified/);
      view.unmount();

      const list = await renderApp(p.engine, { screen: 'items', trackerId: p.trackerId });
      expect(frameOf(list)).not.toContain('Made by another process');
      other.createItems(p.trackerId, [{ values: { title: 'Made by another process' } }], null);
      await waitForFrame(list, /Made by another process/);
      expect(frameOf(list)).toMatch(/of 13/);
      list.unmount();
    } finally {
      other.close();
    }
  });
});
