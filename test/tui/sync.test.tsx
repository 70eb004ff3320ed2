/**
 * The sync screen against a real master: reload with its report, the three lists, selection
 * (Space, a), push of the selected items checked on the master, Ctrl-C cancelling a reload,
 * and the remote's failures (down, 401) shown on screen without a stack trace.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, frameOf, sendAndWait, waitForFrame } from '../helpers/ink.js';
import { type Pair, masterAndClone, masterItem, renderApp } from './fixtures.js';

describe('Sync screen', () => {
  let pair: Pair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('reloads with r and shows the report, then the three lists with checkboxes', async () => {
    pair = await masterAndClone();
    const [m1, m2, m3] = pair.masterIds as [number, number, number];
    pair.master.store.updateItems(pair.tracker.id, [m3], { values: { estimate: 99 } }, 'eddie');
    pair.master.store.updateItems(pair.tracker.id, [m1], { values: { title: 'Bug 1 (master)' } }, 'eddie');
    pair.clone.updateItems(pair.trackerId, [pair.local(m1)], { values: { title: 'Bug 1 (clone)' } }, null);
    pair.clone.updateItems(pair.trackerId, [pair.local(m2)], { values: { done: true } }, null);
    pair.clone.createItems(pair.trackerId, [{ values: { title: 'Made on the clone' } }], null);

    const app = await renderApp(pair.engine, { screen: 'sync', trackerId: pair.trackerId });
    let frame = frameOf(app);
    expect(frame).toMatch(/Sync .*Bugs ⇄ origin\/Bugs/);
    expect(frame).toMatch(/Space toggle.*a all clean.*p push.*r reload.*Enter open.*Esc\/q back/);
    expect(frame).toContain('New local items (1)');
    expect(frame).toContain('Modified without conflicts (2)');
    expect(frame).toContain('Modified with conflicts (0)');

    frame = await sendAndWait(app, 'r', /Reload: warning/);
    expect(frame).toMatch(/seen 2 · created 0 · updated 1 .* conflicts 1 · errors 0/);
    expect(frame).toContain('Modified without conflicts (1)');
    expect(frame).toContain('Modified with conflicts (1)');
    expect(frame).toMatch(/\[!\] \d+ Bug 1 \(clone\) title — Enter to review/);
    expect(pair.clone.getItem(pair.trackerId, pair.local(m3))?.values.estimate).toBe(99);
    app.unmount();
  });

  it('selects with Space and a (never a conflict) and pushes the selection with p', async () => {
    pair = await masterAndClone();
    const [m1, m2, m3] = pair.masterIds as [number, number, number];
    pair.clone.updateItems(pair.trackerId, [pair.local(m2)], { values: { done: true } }, null);
    pair.clone.updateItems(pair.trackerId, [pair.local(m3)], { values: { estimate: 7 } }, null);
    pair.clone.createItems(pair.trackerId, [{ values: { title: 'Made on the clone' } }], null);
    pair.master.store.updateItems(pair.tracker.id, [m1], { values: { title: 'Bug 1 (master)' } }, 'eddie');
    pair.clone.updateItems(pair.trackerId, [pair.local(m1)], { values: { title: 'Bug 1 (clone)' } }, null);
    const app = await renderApp(pair.engine, { screen: 'sync', trackerId: pair.trackerId });
    await sendAndWait(app, 'r', /Reload: warning/);

    await sendAndWait(app, 'p', 'Nothing selected');
    await sendAndWait(app, KEYS.space, /\[x\] \d+ Made on the clone/);
    await sendAndWait(app, 'a', /3 selected/);
    await sendAndWait(app, 'a', /0 selected/);
    await sendAndWait(app, 'G', /›\s+\[!\]/);
    await sendAndWait(app, KEYS.space, /Item \d+ is in conflict: Enter reviews it/);
    expect(frameOf(app)).toMatch(/0 selected/);
    await sendAndWait(app, 'a', /3 selected/);
    const frame = await sendAndWait(app, 'p', /Push: success/);
    expect(frame).toMatch(/seen 3 · created 1 · updated 2/);
    expect(frame).toContain('New local items (0)');
    expect(frame).toContain('Modified without conflicts (0)');
    expect(frame).toContain('Modified with conflicts (1)');

    expect(masterItem(pair, m2)?.values.done).toBe(true);
    expect(masterItem(pair, m3)?.values.estimate).toBe(7);
    expect(masterItem(pair, m1)?.values.title).toBe('Bug 1 (master)');
    const created = pair.master.store.listItems(pair.tracker.id).find((item) => item.values.title === 'Made on the clone');
    expect(created?.updatedBy).toBe('alice');
    app.unmount();
  });

  it('cancels a running reload with Ctrl-C, keeping the batches applied, without quitting', async () => {
    pair = await masterAndClone({ items: 3000 });
    pair.master.store.updateItems(pair.tracker.id, pair.masterIds, { values: { done: true } }, 'eddie');
    const done = () => pair?.clone.listItems(pair.trackerId).filter((item) => item.values.done === true).length ?? 0;
    const app = await renderApp(pair.engine, { screen: 'sync', trackerId: pair.trackerId });
    // The user presses Ctrl-C right after the first batch is applied: the real reload, watched.
    const reload = pair.engine.reload.bind(pair.engine);
    pair.engine.reload = (trackerId, options = {}) =>
      reload(trackerId, {
        ...options,
        onProgress: (applied, total) => {
          options.onProgress?.(applied, total);
          if (applied > 0 && applied < 3000) app.stdin.write(KEYS.ctrlC);
        },
      });
    app.stdin.write('r');
    const frame = await waitForFrame(app, /Reload: error/);
    expect(frame).toMatch(/cancelled after \d+ changes; what was applied is kept/);
    expect(app.isExited()).toBe(false);
    const applied = done();
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThan(3000);
    // The next reload takes the rest from the token the cancelled one reached.
    pair.engine.reload = reload;
    await sendAndWait(app, 'r', /Reload: success/);
    expect(frameOf(app)).toMatch(new RegExp(`seen ${3000 - applied} `));
    expect(done()).toBe(3000);
    app.unmount();
  });

  it('shows a remote that is down, or refuses the password, as an error on screen', async () => {
    pair = await masterAndClone();
    await pair.master.store.setPassword('alice', 'changed-password');
    const app = await renderApp(pair.engine, { screen: 'sync', trackerId: pair.trackerId });
    let frame = await sendAndWait(app, 'r', /Reload: error/);
    expect(frame).toMatch(/refused the credentials of user "alice"/);
    expect(frame).not.toMatch(/\n\s+at /);
    await pair.master.server.close();
    frame = await sendAndWait(app, 'r', /cannot reach remote origin at/);
    expect(frame).toMatch(/Reload: error/);
    expect(frame).not.toMatch(/\n\s+at /);
    app.unmount();
  });

  it('shows a refused push (403, view right only) on screen and keeps the local change', async () => {
    pair = await masterAndClone({ user: 'vera' });
    const [m1] = pair.masterIds as [number];
    pair.clone.updateItems(pair.trackerId, [pair.local(m1)], { values: { done: true } }, null);
    const app = await renderApp(pair.engine, { screen: 'sync', trackerId: pair.trackerId });
    await sendAndWait(app, 'a', /1 selected/);
    const frame = await sendAndWait(app, 'p', /Push: warning/);
    expect(frame).toMatch(/errors 1/);
    expect(frame).toMatch(/user "vera" has no right/);
    expect(frame).not.toMatch(/\n\s+at /);
    expect(frame).toContain('Modified without conflicts (1)');
    expect(masterItem(pair, m1)?.values.done).toBeUndefined();
    app.unmount();
  });

  it('opens an item with Enter, a conflict review on a conflict, and the log with L', async () => {
    pair = await masterAndClone();
    const [m1] = pair.masterIds as [number];
    pair.master.store.updateItems(pair.tracker.id, [m1], { values: { title: 'Bug 1 (master)' } }, 'eddie');
    pair.clone.updateItems(pair.trackerId, [pair.local(m1)], { values: { title: 'Bug 1 (clone)' } }, null);
    const app = await renderApp(pair.engine, { screen: 'sync', trackerId: pair.trackerId });
    await sendAndWait(app, KEYS.enter, /Item \d+ .*Bug 1 \(clone\)/);
    await sendAndWait(app, KEYS.esc, /Sync /);
    await sendAndWait(app, 'r', /Reload: warning/);
    await sendAndWait(app, KEYS.enter, 'Conflict review');
    await sendAndWait(app, KEYS.esc, /Sync /);
    await sendAndWait(app, 'L', /Sync log/);
    expect(frameOf(app)).toMatch(/reload\s+warning/);
    app.unmount();
  });
});
