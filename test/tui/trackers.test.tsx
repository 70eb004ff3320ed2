/** The first screen: trackers with their remote and last sync, the help bar at once, and the keys that leave it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, frameOf, sendAndWait, waitForFrame } from '../helpers/ink.js';
import { type Pair, masterAndClone, renderApp } from './fixtures.js';

describe('Trackers screen', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await masterAndClone();
    pair.clone.createTracker({ name: 'notes', fields: [{ name: 'text', type: 'text' }] });
  });
  afterAll(async () => {
    await pair.close();
  });

  it('shows the trackers, where each clone comes from, and the help bar in its first frame', async () => {
    const app = await renderApp(pair.engine);
    const frame = frameOf(app);
    expect(frame).toContain('Trackers');
    expect(frame).toMatch(/Bugs\s+12\s+origin\/Bugs/);
    expect(frame).toMatch(/notes\s+0\s+local/);
    expect(frame).toMatch(/↑\/↓ move.*Enter items.*s sync.*c clone.*i remotes.*q\/Esc quit.*\? help/);
    app.unmount();
  });

  it('opens the items with Enter and the sync screen with s, and comes back with Esc', async () => {
    const app = await renderApp(pair.engine);
    await sendAndWait(app, KEYS.enter, 'Items');
    expect(frameOf(app)).toContain('Bug 1');
    await sendAndWait(app, KEYS.esc, 'Trackers');
    await sendAndWait(app, 's', /Sync .*Bugs ⇄ origin\/Bugs/);
    await sendAndWait(app, 'q', /Trackers .*s15n/s);
    app.unmount();
  });

  it('says a local tracker has nothing to sync, moving with j and k', async () => {
    const app = await renderApp(pair.engine);
    await sendAndWait(app, 'j');
    await sendAndWait(app, 's', 'is a local tracker');
    await sendAndWait(app, 'k');
    expect(frameOf(app)).toMatch(/›\s+\d+\s+Bugs/);
    app.unmount();
  });

  it('lists this instance and its remotes with i, showing the remote answers', async () => {
    const app = await renderApp(pair.engine);
    await sendAndWait(app, 'i', 'Instances and remotes');
    const frame = await waitForFrame(app, /ok, 1 tracker visible/);
    expect(frame).toContain(pair.master.url);
    expect(frame).toMatch(/origin\s+http.*alice\s+file/);
    await sendAndWait(app, KEYS.esc, 'Trackers');
    app.unmount();
  });

  it('shows the full help with ? and closes it with any key', async () => {
    const app = await renderApp(pair.engine);
    await sendAndWait(app, '?', 'Keys of Trackers');
    expect(frameOf(app)).toContain('the sync screen of the tracker under the cursor');
    expect(frameOf(app)).toContain('Ctrl-C');
    await sendAndWait(app, 'x', (f) => !f.includes('Keys of Trackers'));
    app.unmount();
  });

  it('quits with q on the first screen, and with Ctrl-C when nothing runs', async () => {
    const app = await renderApp(pair.engine);
    app.stdin.write('q');
    await app.exited;
    const again = await renderApp(pair.engine);
    again.stdin.write(KEYS.ctrlC);
    await again.exited;
    expect(again.isExited()).toBe(true);
  });
});
