/** The clone wizard against a real master: pick a remote, pick its tracker, preview the clone report, rename, confirm, progress, report. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRemote } from '../../client/sync/remotes.js';
import { KEYS, frameOf, sendAndWait, waitForFrame } from '../helpers/ink.js';
import { type Pair, masterAndClone, renderApp } from './fixtures.js';

describe('CloneWizard screen', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await masterAndClone({ items: 40 });
    addRemote(pair.clone, { name: 'dead', url: 'http://127.0.0.1:1', user: 'alice', password: 'x' });
  });
  afterAll(async () => {
    await pair.close();
  });

  it('says an unreachable remote is down, then clones from the other under a new name', async () => {
    const app = await renderApp(pair.engine);
    await sendAndWait(app, 'c', 'Pick the remote to clone from');
    expect(frameOf(app)).toMatch(/›\s+dead/);
    let frame = await sendAndWait(app, KEYS.enter, 'Remote unreachable');
    expect(frame).toContain('cannot reach remote dead at http://127.0.0.1:1');
    expect(frame).not.toMatch(/\n\s+at /);
    await sendAndWait(app, KEYS.esc, 'Pick the remote to clone from');
    await sendAndWait(app, 'j', /›\s+origin/);
    await sendAndWait(app, KEYS.enter, 'Pick the tracker to clone');
    expect(frameOf(app)).toMatch(/›\s+\d+\s+Bugs\s+every field type/);

    frame = await sendAndWait(app, KEYS.enter, 'Clone report');
    expect(frame).toMatch(/owner\s+user\s+transformed\s+dropdown\s+user -> dropdown of the remote's user names/);
    expect(frame).toMatch(/number\s+autoincrement\s+skipped/);
    expect(frame).toMatch(/person\s+itemlink\s+transformed\s+text/);
    expect(frame).toMatch(/title\s+text\s+kept\s+text/);
    expect(frame).toContain('A local tracker is named "Bugs" already: press e to pick another name.');
    await sendAndWait(app, 'e', 'use this name');
    await sendAndWait(app, ' copy', 'Bugs copy');
    frame = await sendAndWait(app, KEYS.enter, 'Press Enter to clone');
    expect(frame).toMatch(/as Bugs copy/);

    frame = await sendAndWait(app, KEYS.enter, 'Cloned as "Bugs copy"');
    expect(frame).toMatch(/Clone: success/);
    expect(frame).toMatch(/seen 40 · created 40/);
    await sendAndWait(app, KEYS.enter, /Items .*Bugs copy \(clone\)/);
    expect(frameOf(app)).toContain('1 of 40');
    await sendAndWait(app, KEYS.esc, 'Trackers');
    await waitForFrame(app, /Bugs copy\s+40\s+origin\/Bugs/);
    app.unmount();
  });

  it('starts from a remote chosen on the remotes screen and steps back with Esc', async () => {
    const app = await renderApp(pair.engine, { screen: 'remotes' });
    await sendAndWait(app, 'j', /›\s+origin/);
    await sendAndWait(app, 'c', 'Pick the tracker to clone');
    await sendAndWait(app, KEYS.enter, 'Clone report');
    await sendAndWait(app, KEYS.esc, 'Pick the tracker to clone');
    await sendAndWait(app, KEYS.esc, 'Instances and remotes');
    app.unmount();
  });
});
