/**
 * DESIGN §13 in the TUI: the schema screen shows a tracker's fields and edits a local one (add,
 * label, options, required, key, remove), shows a clone's read only; the tracker list exports a
 * tracker as CSV and imports a file after a dry run; a field-removed conflict in the review.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, frameOf, sendAndWait, settle } from '../helpers/ink.js';
import { tempDir } from '../helpers/instance.js';
import { type Pair, masterAndClone, renderApp } from './fixtures.js';

/** Deletes `n` characters of a text input, one key at a time (a batch of keys arrives as one input). */
async function erase(app: Parameters<typeof sendAndWait>[0], n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    app.stdin.write(KEYS.backspace);
    await settle();
  }
}

describe('Schema screen and CSV from the tracker list', () => {
  let pair: Pair;
  let localId: number;
  beforeAll(async () => {
    pair = await masterAndClone({ items: 2 });
    localId = pair.clone.createTracker({ name: 'notes', fields: [{ name: 'text', type: 'text' }, { name: 'kind', type: 'dropdown', options: ['a', 'b'] }] }).id;
    pair.clone.createItems(localId, [{ values: { text: 'one', kind: 'a' } }], null);
  });
  afterAll(async () => pair.close());

  it('edits a local tracker\'s fields, each refusal shown with its reason', async () => {
    const app = await renderApp(pair.engine, { screen: 'schema', trackerId: localId });
    expect(frameOf(app)).toMatch(/text\s+text\s+text/);
    await sendAndWait(app, 'a', 'new field');
    await sendAndWait(app, 'email*:email');
    await sendAndWait(app, KEYS.enter, 'Added email*:email.');
    expect(frameOf(app)).toMatch(/email\s+email\s+email\s+key/);
    await sendAndWait(app, 'j');
    await sendAndWait(app, 'o', 'options (a, b, c)');
    await erase(app, 4);
    await sendAndWait(app, 'b, c');
    await sendAndWait(app, KEYS.enter, /"a" is still used by item \d+/);
    await sendAndWait(app, KEYS.esc, (f) => !f.includes('options (a, b, c):'));
    await sendAndWait(app, 'l', 'label:');
    await erase(app, 4);
    await sendAndWait(app, 'Kind of note');
    await sendAndWait(app, KEYS.enter, 'Label of kind changed.');
    await sendAndWait(app, '!', 'kind is required now.');
    expect(frameOf(app)).toMatch(/kind\s+dropdown\s+Kind of note\s+required/);
    await sendAndWait(app, '*', 'kind is a key now.');
    await sendAndWait(app, 'd', 'Press d again to remove kind');
    await sendAndWait(app, 'd', 'Removed kind and its values.');
    expect(pair.clone.getTracker(localId).fields.map((f) => f.name)).toEqual(['text', 'email']);
    expect(pair.clone.listItems(localId)[0]!.values).toEqual({ text: 'one' });
    app.unmount();
  });

  it('shows a clone\'s schema without editing it', async () => {
    const app = await renderApp(pair.engine, { screen: 'schema', trackerId: pair.trackerId });
    const frame = frameOf(app);
    expect(frame).toContain('clone of origin/Bugs');
    expect(frame).toMatch(/priority\s+dropdown\s+priority\s+low, medium, high/);
    expect(frame).not.toMatch(/a add field/);
    await sendAndWait(app, '?', 'Keys of Schema');
    expect(frameOf(app)).not.toContain('remove the field');
    app.unmount();
  });

  it('exports a tracker as CSV with E and imports a file with I after showing its dry run', async () => {
    const dir = tempDir();
    const app = await renderApp(pair.engine);
    await sendAndWait(app, 'j');
    await sendAndWait(app, 'E', 'export notes as CSV to');
    await erase(app, 9);
    await sendAndWait(app, join(dir, 'out.csv'));
    await sendAndWait(app, KEYS.enter, /Exported 1 item of notes to/);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('text,email,status\r\none,,open\r\n');

    writeFileSync(join(dir, 'in.csv'), 'text,email\nsecond,b@x.org\nthird,c@x.org\n');
    await sendAndWait(app, 'I', 'import into notes the CSV file');
    await erase(app, 9);
    await sendAndWait(app, join(dir, 'in.csv'));
    await sendAndWait(app, KEYS.enter, /would import 2 rows into notes \(matched by email\): 2 created/);
    expect(pair.clone.countItems(localId)).toBe(1);
    await sendAndWait(app, KEYS.enter, /imported 2 rows into notes/);
    expect(pair.clone.countItems(localId)).toBe(3);
    expect(frameOf(app)).toMatch(/notes\s+3\s+local/);
    app.unmount();
  });
});

describe('a field-removed conflict in the review', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await masterAndClone({ items: 2 });
  });
  afterAll(async () => pair.close());

  it('shows the unpushed value of a field the remote removed, with keep and drop as the choices', async () => {
    const [m1, m2] = pair.masterIds as [number, number];
    pair.clone.updateItems(pair.trackerId, [pair.local(m1), pair.local(m2)], { values: { body: 'my unpushed text' } }, null);
    pair.master.store.editFields(pair.tracker.id, { op: 'remove', name: 'body' });
    await pair.engine.reload(pair.trackerId);
    const app = await renderApp(pair.engine, { screen: 'conflicts', trackerId: pair.trackerId });
    const frame = frameOf(app);
    expect(frame).toMatch(/2 items, 2 conflicts to decide/);
    expect(frame).toContain('Description was removed on the remote; item');
    expect(frame).toContain('yours: my unpushed text');
    expect(frame).toMatch(/l keep your value here .* t drop it, as the remote did/);
    expect(frame).not.toMatch(/e edit/);
    await sendAndWait(app, 't', /Description: dropped, as on the remote/);
    await sendAndWait(app, 'l', /Description: your value kept here/);
    const values = (m: number) => pair.clone.getItem(pair.trackerId, pair.local(m))!.values.body;
    expect([values(m1), values(m2)]).toEqual([undefined, 'my unpushed text']);
    app.unmount();
  });
});
