/** The clone wizard's filter step against a real master: a selector typed (and refused, naming the part), one built from a field and its values, the count the remote gives, the partial clone, and the tracker list saying so. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, frameOf, sendAndWait, waitForFrame } from '../helpers/ink.js';
import { type Pair, masterAndClone, renderApp } from './fixtures.js';

describe('CloneWizard filter step', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await masterAndClone({ items: 40 });
  });
  afterAll(async () => {
    await pair.close();
  });

  it('refuses a bad selector with the part and why, builds one from a field and values, previews the count, and clones only those items', async () => {
    const app = await renderApp(pair.engine);
    await sendAndWait(app, 'c', 'Pick the tracker to clone');
    let frame = await sendAndWait(app, KEYS.enter, 'Clone report');
    expect(frame).toContain('Filter: none, every item is cloned');

    await sendAndWait(app, 'f', 'Clone only the items matching a selector');
    await sendAndWait(app, '{"estimate": {"$gt": "x"}}', '$gt": "x"}}');
    await sendAndWait(app, KEYS.enter, 'where.estimate.$gt: expected a finite number');
    await sendAndWait(app, KEYS.esc, 'Clone report');

    await sendAndWait(app, 'b', 'Pick the field the items must match');
    expect(frameOf(app)).toMatch(/›\s+status/);
    for (let i = 0; i < 5; i += 1) await sendAndWait(app, 'j');
    expect(frameOf(app)).toMatch(/›\s+priority\s+dropdown/);
    await sendAndWait(app, KEYS.enter, 'Items whose priority is one of');
    await sendAndWait(app, KEYS.down);
    await sendAndWait(app, KEYS.down);
    await sendAndWait(app, KEYS.space);
    await sendAndWait(app, KEYS.enter, /Filter: \{"priority":"high"\} — a partial clone, 13 items match/);

    await sendAndWait(app, 'e', 'use this name');
    await sendAndWait(app, ' high', 'Bugs high');
    await sendAndWait(app, KEYS.enter, 'Press Enter to clone');
    frame = await sendAndWait(app, KEYS.enter, 'Cloned as "Bugs high"');
    expect(frame).toMatch(/seen 13 · created 13/);
    await sendAndWait(app, KEYS.esc, 'Trackers');
    await waitForFrame(app, /Bugs high\s+13\s+origin\/Bugs \(partial\)/);
    expect(frameOf(app)).toMatch(/Bugs\s+40\s+origin\/Bugs\s/);
    app.unmount();
  });
});
