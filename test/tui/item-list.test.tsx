/** The item list: virtualised over a large tracker, `/` filter, and the keys to view, edit and add items. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TuiEngine } from '../../client/tui/engine.js';
import { tempStore } from '../helpers/instance.js';
import { KEYS, frameOf, sendAndWait, waitForFrame } from '../helpers/ink.js';
import { type Pair, masterAndClone, renderApp } from './fixtures.js';

describe('ItemList screen on a clone', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await masterAndClone({ items: 30 });
  });
  afterAll(async () => {
    await pair.close();
  });

  it('lists items by id and title with their sync state, and moves with j/k and arrows', async () => {
    pair.clone.updateItems(pair.trackerId, [pair.local(pair.masterIds[1] as number)], { values: { title: 'Bug 2 edited here' } }, null);
    pair.clone.createItems(pair.trackerId, [{ values: { title: 'Brand new' } }], null);
    const app = await renderApp(pair.engine, { screen: 'items', trackerId: pair.trackerId });
    const frame = frameOf(app);
    expect(frame).toMatch(/Items .*Bugs \(clone\)/);
    expect(frame).toMatch(/\d+\s+open\s+Bug 1\b/);
    expect(frame).toMatch(/modified\s+Bug 2 edited here/);
    expect(frame).toContain('1 of 31');
    expect(frame).toMatch(/Enter view.*e edit.*n new.*\/ filter.*s sync/);
    await sendAndWait(app, 'j', '2 of 31');
    await sendAndWait(app, KEYS.down, '3 of 31');
    await sendAndWait(app, 'k', '2 of 31');
    await sendAndWait(app, 'G', '31 of 31');
    expect(frameOf(app)).toMatch(/›\s+\d+\s+open\s+new\s+Brand new/);
    await sendAndWait(app, 'g', '1 of 31');
    app.unmount();
  });

  it('filters with / as you type, keeps the filter with Enter and clears it with Esc', async () => {
    const app = await renderApp(pair.engine, { screen: 'items', trackerId: pair.trackerId });
    await sendAndWait(app, '/', 'keep filter');
    for (const char of 'Bug 1') app.stdin.write(char);
    await waitForFrame(app, /1 of 11|Bug 19/);
    await sendAndWait(app, KEYS.enter, 'filter: "Bug 1"');
    const frame = frameOf(app);
    expect(frame).toContain('1 of 11');
    expect(frame).not.toMatch(/Bug 2\b/);
    expect(frame).toMatch(/Esc\/q clear filter/);
    await sendAndWait(app, KEYS.esc, '1 of 31');
    await sendAndWait(app, '/', 'keep filter');
    for (const char of 'nothing like it') app.stdin.write(char);
    await sendAndWait(app, KEYS.enter, 'Nothing matches "nothing like it"');
    await sendAndWait(app, KEYS.esc, '1 of 31');
    app.unmount();
  });

  it('opens the item view with Enter, the editor with e, the new item form with n, and sync with s', async () => {
    const app = await renderApp(pair.engine, { screen: 'items', trackerId: pair.trackerId });
    await sendAndWait(app, KEYS.enter, /Item \d+ .*Bug 1/);
    expect(frameOf(app)).toMatch(/sync: in sync \(remote item \d+, base version 1\)/);
    await sendAndWait(app, KEYS.esc, 'Items');
    await sendAndWait(app, 'e', /Edit item \d+/);
    await sendAndWait(app, KEYS.esc, 'Items');
    await sendAndWait(app, 'n', 'New item');
    await sendAndWait(app, KEYS.esc, 'Items');
    await sendAndWait(app, 's', /Sync .*⇄/);
    app.unmount();
  });
});

describe('ItemList on a large tracker', () => {
  it('reads only a window of 20k items: End, PgUp, Home and the filter stay on the right rows', async () => {
    const { store, cleanup } = tempStore();
    try {
      const tracker = store.createTracker({ name: 'big', fields: [{ name: 'title', type: 'text' }] });
      const total = 20_000;
      for (let start = 0; start < total; start += 5000) {
        store.createItems(tracker.id, Array.from({ length: 5000 }, (_, i) => ({ values: { title: `row ${start + i + 1}` } })), null);
      }
      const app = await renderApp(new TuiEngine(store), { screen: 'items', trackerId: tracker.id });
      expect(frameOf(app)).toContain(`1 of ${total}`);
      await sendAndWait(app, KEYS.end, `${total} of ${total}`);
      expect(frameOf(app)).toMatch(/›\s+20000\s+open\s+row 20000/);
      await sendAndWait(app, KEYS.pageUp, /\d+ of 20000/);
      expect(frameOf(app)).toMatch(/row 19999/);
      await sendAndWait(app, KEYS.home, `1 of ${total}`);
      await sendAndWait(app, KEYS.pageDown);
      await sendAndWait(app, '/', 'keep filter');
      app.stdin.write('row 1999');
      await sendAndWait(app, KEYS.enter, 'filter: "row 1999"');
      expect(frameOf(app)).toContain('1 of 11');
      await sendAndWait(app, 'G', '11 of 11');
      expect(frameOf(app)).toMatch(/›\s+19999\s+open\s+row 19999/);
      app.unmount();
    } finally {
      cleanup();
    }
  });
});
