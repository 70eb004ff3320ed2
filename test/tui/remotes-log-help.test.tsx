/** The remotes screen (answers, 401, remote down), the sync log, and the help bar and full help on every screen. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRemote } from '../../client/sync/remotes.js';
import type { Route } from '../../client/tui/state/navigation.js';
import { KEYS, frameOf, sendAndWait, waitForFrame } from '../helpers/ink.js';
import { type Pair, masterAndClone, renderApp } from './fixtures.js';

describe('Remotes, SyncLog and help', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await masterAndClone();
    addRemote(pair.clone, { name: 'dead', url: 'http://127.0.0.1:1', user: 'alice', password: 'x' });
    addRemote(pair.clone, { name: 'wrongpw', url: pair.master.url, user: 'alice', password: 'not-her-password' });
  });
  afterAll(async () => {
    await pair.close();
  });

  it('checks each remote: answers, wrong credentials (401), unreachable', async () => {
    const app = await renderApp(pair.engine, { screen: 'remotes' });
    const frame = await waitForFrame(app, (f) => !f.includes('checking…'));
    expect(frame).toMatch(/dead\s+http:\/\/127\.0\.0\.1:1\s+alice\s+file\s+Remote unreachable/);
    expect(frame).toMatch(/origin\s+http.*ok, 1 tracker visible\s+Bugs/);
    expect(frame).toMatch(/wrongpw\s+http.*Wrong credentials \(401\)/);
    expect(frame).toMatch(/dead: cannot reach remote dead at http:\/\/127\.0\.0\.1:1/);
    await sendAndWait(app, 'G', /wrongpw: .*refused the credentials of user "alice"/);
    await sendAndWait(app, 'r', 'checking…');
    await waitForFrame(app, (f) => !f.includes('checking…'));
    app.unmount();
  });

  it('lists the sync runs with their outcome and counters, and shows a report with Enter', async () => {
    pair.master.store.updateItems(pair.tracker.id, [pair.masterIds[0] as number], { values: { done: true } }, 'eddie');
    await pair.engine.reload(pair.trackerId);
    const app = await renderApp(pair.engine, { screen: 'log', trackerId: pair.trackerId });
    const frame = frameOf(app);
    expect(frame).toMatch(/Sync log .*Bugs/);
    expect(frame).toMatch(/reload\s+success\s+.*1\/0\/1\/0\/0\/0\/0\/0/);
    expect(frame).toMatch(/clone\s+success\s+.*12\/12\/0/);
    await sendAndWait(app, KEYS.enter, /Run \d+ \(reload\): success/);
    await sendAndWait(app, KEYS.enter, (f) => !f.includes('(reload): success'));
    app.unmount();
  });

  const screens: [string, Route, RegExp][] = [
    ['Trackers', { screen: 'trackers' }, /Enter items/],
    ['Instances and remotes', { screen: 'remotes' }, /check again/],
    ['Clone a tracker', { screen: 'clone', remote: 'origin' }, /Enter preview clone/],
    ['Items', { screen: 'items', trackerId: 0 }, /\/ filter/],
    ['Item', { screen: 'item', trackerId: 0, itemId: 0 }, /e edit/],
    ['Edit item', { screen: 'edit', trackerId: 0, itemId: 0 }, /Ctrl-S save/],
    ['New item', { screen: 'new', trackerId: 0 }, /Ctrl-S create/],
    ['Sync', { screen: 'sync', trackerId: 0 }, /a all clean/],
    ['Conflict review', { screen: 'conflicts', trackerId: 0 }, /Esc\/q back/],
    ['Sync log', { screen: 'log', trackerId: 0 }, /Enter report/],
  ];
  for (const [title, route, keys] of screens) {
    it(`shows the help bar on ${title} and the full help with ?`, async () => {
      const itemId = pair.local(pair.masterIds[0] as number);
      const real = { ...route, ...('trackerId' in route ? { trackerId: pair.trackerId } : {}), ...('itemId' in route ? { itemId } : {}) } as Route;
      const app = await renderApp(pair.engine, real, keys);
      expect(frameOf(app)).toMatch(/\? help$/m);
      await sendAndWait(app, '?', `Keys of ${title}`);
      expect(frameOf(app)).toContain('Any key closes this help.');
      await sendAndWait(app, KEYS.esc, (f) => !f.includes('Keys of'));
      app.unmount();
    });
  }
});

describe('a screen that cannot open', () => {
  it('shows the error and goes back with Esc instead of crashing with a stack trace', async () => {
    const pair = await masterAndClone({ items: 1 });
    try {
      const app = await renderApp(pair.engine);
      await sendAndWait(app, KEYS.enter, 'Items');
      await sendAndWait(app, KEYS.esc, 'Trackers');
      pair.engine.replicaInfo = () => {
        throw new Error('the replica table is unreadable');
      };
      const frame = await sendAndWait(app, 's', 'the replica table is unreadable');
      expect(frame).toMatch(/s15n Error/);
      expect(frame).not.toMatch(/\n\s+at /);
      await sendAndWait(app, KEYS.esc, 'Trackers');
      app.unmount();
    } finally {
      await pair.close();
    }
  });
});
