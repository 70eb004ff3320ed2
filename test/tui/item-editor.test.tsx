/** The item editor and the new item form: per-type inputs, validation messages beside the fields, save and discard. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TuiEngine } from '../../client/tui/engine.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import { createEveryTypeTracker, tempStore } from '../helpers/instance.js';
import { type InkHandle, KEYS, frameOf, sendAndWait } from '../helpers/ink.js';
import { renderApp } from './fixtures.js';

/** Moves the editor's cursor down to the field labelled `label`. */
async function focus(app: InkHandle, label: string): Promise<void> {
  if (!/›Status/.test(frameOf(app))) await sendAndWait(app, 'g', /›Status/);
  for (let i = 0; i < 20 && !new RegExp(`›${label}`).test(frameOf(app)); i++) await sendAndWait(app, 'j');
  expect(frameOf(app)).toMatch(new RegExp(`›${label}`));
}

describe('ItemEditor and NewItem screens', () => {
  let store: SqliteStore;
  let cleanup: () => void;
  let tracker: Tracker;
  let engine: TuiEngine;
  let itemId: number;
  beforeAll(() => {
    ({ store, cleanup } = tempStore());
    tracker = createEveryTypeTracker(store);
    [itemId] = store.createItems(tracker.id, [{ values: { title: 'Bug 1', body: 'line one\nline two', priority: 'low', contact: 'a@example.com' } }], null).map((i) => i.id) as [number];
    engine = new TuiEngine(store);
  });
  afterAll(() => cleanup());

  const item = () => store.getItem(tracker.id, itemId);

  it('edits a text, a checkbox, a dropdown, a multiselect and a textarea, then saves with Ctrl-S', async () => {
    const app = await renderApp(engine, { screen: 'items', trackerId: tracker.id });
    await sendAndWait(app, 'e', /Edit item \d+ .*Bugs/);
    expect(frameOf(app)).toMatch(/Enter\/e edit field.*Space toggle.*Ctrl-S save.*Esc\/q back/);
    expect(frameOf(app)).toMatch(/›Title\*\s+Bug 1/);
    await sendAndWait(app, KEYS.enter, 'keep');
    await sendAndWait(app, ' fixed', 'Bug 1 fixed');
    await sendAndWait(app, KEYS.enter, /›Title\*\s+Bug 1 fixed/);

    await focus(app, 'Description');
    await sendAndWait(app, KEYS.enter, /line 2\/2 · Ctrl-S keep/);
    await sendAndWait(app, KEYS.enter, 'line 3/3');
    await sendAndWait(app, 'line three', 'line three');
    await sendAndWait(app, KEYS.ctrlS, /›Description\s+line one … \(3 lines\)/);

    await focus(app, 'done');
    await sendAndWait(app, KEYS.space, /›done\s+\[x\]/);

    await focus(app, 'priority');
    await sendAndWait(app, KEYS.enter, 'now: low');
    await sendAndWait(app, KEYS.down);
    await sendAndWait(app, KEYS.down);
    await sendAndWait(app, KEYS.enter, /›priority\s+medium/);

    await focus(app, 'platforms');
    await sendAndWait(app, KEYS.enter, 'windows');
    await sendAndWait(app, KEYS.space);
    await sendAndWait(app, KEYS.down);
    await sendAndWait(app, KEYS.down);
    await sendAndWait(app, KEYS.space);
    await sendAndWait(app, KEYS.enter, /›platforms\s+linux, windows/);

    await sendAndWait(app, KEYS.ctrlS, /Items .*Bug 1 fixed/s);
    expect(item()?.values).toMatchObject({ title: 'Bug 1 fixed', body: 'line one\nline two\nline three', done: true, priority: 'medium', platforms: ['linux', 'windows'] });
    expect(item()?.version).toBe(2);
    app.unmount();
  });

  it('shows why a value is refused beside its field, and saves nothing', async () => {
    const before = item();
    const app = await renderApp(engine, { screen: 'edit', trackerId: tracker.id, itemId });
    await focus(app, 'contact');
    await sendAndWait(app, KEYS.enter, 'keep');
    for (let i = 0; i < 'a@example.com'.length; i++) app.stdin.write(KEYS.backspace);
    await sendAndWait(app, 'not-an-email', 'not-an-email');
    await sendAndWait(app, KEYS.enter, 'expected an email address');
    await focus(app, 'estimate');
    await sendAndWait(app, KEYS.enter, 'keep');
    await sendAndWait(app, 'lots', 'lots');
    await sendAndWait(app, KEYS.enter, 'expected a finite number');
    await sendAndWait(app, KEYS.ctrlS, 'Not saved: fix the fields marked in red.');
    expect(frameOf(app)).toMatch(/›estimate\s+lots/);
    expect(item()).toEqual(before);
    app.unmount();
  });

  it('asks before discarding changes on Esc: n keeps editing, y leaves', async () => {
    const app = await renderApp(engine, { screen: 'items', trackerId: tracker.id });
    await sendAndWait(app, 'e', 'Edit item');
    await sendAndWait(app, KEYS.enter, 'keep');
    await sendAndWait(app, KEYS.backspace);
    await sendAndWait(app, KEYS.enter);
    await sendAndWait(app, KEYS.esc, 'Discard your changes? y/n');
    expect(frameOf(app)).toMatch(/y discard changes\s+n keep editing/);
    await sendAndWait(app, 'n', (f) => !f.includes('Discard your changes'));
    await sendAndWait(app, KEYS.esc, 'Discard your changes? y/n');
    await sendAndWait(app, 'y', /Items .*Bugs/);
    expect(item()?.values.title).toBe('Bug 1 fixed');
    app.unmount();
  });

  it('creates a new item with n, refusing it first without its required title', async () => {
    const app = await renderApp(engine, { screen: 'items', trackerId: tracker.id });
    await sendAndWait(app, 'n', 'New item');
    expect(frameOf(app)).toMatch(/Ctrl-S create/);
    await sendAndWait(app, KEYS.ctrlS, /required/);
    expect(store.countItems(tracker.id)).toBe(1);
    await sendAndWait(app, KEYS.enter, 'keep');
    await sendAndWait(app, 'Written in the TUI', 'Written in the TUI');
    await sendAndWait(app, KEYS.enter);
    await sendAndWait(app, KEYS.ctrlS, /Item \d+ .*Written in the TUI/);
    expect(store.countItems(tracker.id)).toBe(2);
    await sendAndWait(app, KEYS.esc, /2 of 2|1 of 2/);
    expect(frameOf(app)).toContain('Written in the TUI');
    app.unmount();
  });
});
