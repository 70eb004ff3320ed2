/** Attachments in the TUI: the item view lists them (name, size, type); the editor attaches a file by its path and detaches, and the save stores them. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TuiEngine } from '../../client/tui/engine.js';
import { filesInputReducer, initialFilesInput } from '../../client/tui/state/files-input.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import type { FileRef } from '../../shared/model/files.js';
import { blobFiles, bytesOf, storeBlob } from '../helpers/blobs.js';
import { createEveryTypeTracker, tempDir, tempStore } from '../helpers/instance.js';
import { KEYS, frameOf, sendAndWait } from '../helpers/ink.js';
import { renderApp } from './fixtures.js';

const ref = (n: number, name: string): FileRef => ({ name, size: n, type: 'text/plain', sha256: String(n).repeat(64) });

describe('the attachments input (reducer)', () => {
  it('moves, detaches the file under the cursor, attaches one (replacing its name), and says what happened', () => {
    let state = initialFilesInput([ref(1, 'a.txt'), ref(2, 'b.txt')]);
    state = filesInputReducer(state, { type: 'move', delta: 5 });
    expect(state.cursor).toBe(1);
    state = filesInputReducer(state, { type: 'detach' });
    expect(state).toMatchObject({ files: [ref(1, 'a.txt')], cursor: 0, message: { text: 'detached b.txt', error: false } });
    state = filesInputReducer(filesInputReducer(state, { type: 'ask-path' }), { type: 'failed', reason: 'nope: no such file' });
    expect(state).toMatchObject({ mode: 'path', message: { error: true } });
    state = filesInputReducer(state, { type: 'attached', file: ref(3, 'a.txt') });
    expect(state).toMatchObject({ files: [ref(3, 'a.txt')], mode: 'list', message: { text: 'attached a.txt (replaces a.txt)' } });
    expect(filesInputReducer(initialFilesInput(null), { type: 'detach' }).files).toEqual([]);
  });
});

describe('ItemView and ItemEditor with attachments', () => {
  let store: SqliteStore;
  let cleanup: () => void;
  let tracker: Tracker;
  let engine: TuiEngine;
  let itemId: number;
  let dir: string;
  beforeAll(async () => {
    ({ store, cleanup } = tempStore());
    tracker = createEveryTypeTracker(store);
    const shot = await storeBlob(store, bytesOf(2048), 'shot.png');
    [itemId] = store.createItems(tracker.id, [{ values: { title: 'Bug 1', files: [shot] } }], null).map((i) => i.id) as [number];
    engine = new TuiEngine(store);
    dir = tempDir();
    writeFileSync(join(dir, 'crash.log'), bytesOf(300, 2));
  });
  afterAll(() => cleanup());

  it('lists the attachments of an item: name, size, type', async () => {
    const app = await renderApp(engine, { screen: 'item', trackerId: tracker.id, itemId });
    expect(frameOf(app)).toMatch(/files\s+shot\.png {2}2\.0 KB {2}image\/png/);
    app.unmount();
  });

  it('attaches a file by its path and detaches another in the editor; the save stores both changes', async () => {
    const app = await renderApp(engine, { screen: 'edit', trackerId: tracker.id, itemId });
    if (!/›Status/.test(frameOf(app))) await sendAndWait(app, 'g', /›Status/);
    for (let i = 0; i < 20 && !/›files/.test(frameOf(app)); i++) await sendAndWait(app, 'j');
    expect(frameOf(app)).toMatch(/›files\s+1 file: shot\.png \(2\.0 KB\)/);
    await sendAndWait(app, KEYS.enter, /a attach a file.*d detach.*Enter done/);
    await sendAndWait(app, 'a', 'path:');
    await sendAndWait(app, join(dir, 'missing.log'), 'missing.log');
    await sendAndWait(app, KEYS.enter, /missing\.log: no such file/);
    for (let i = 0; i < 'missing.log'.length; i++) app.stdin.write(KEYS.backspace);
    await sendAndWait(app, 'crash.log', /crash\.log$/m);
    await sendAndWait(app, KEYS.enter, 'attached crash.log');
    expect(frameOf(app)).toMatch(/› crash\.log 300 B text\/plain/);
    // The cursor is on the file just attached (the list is in sha256 order); the other one goes.
    await sendAndWait(app, frameOf(app).indexOf('shot.png') > frameOf(app).indexOf('crash.log') ? 'j' : 'k', /› shot\.png/);
    await sendAndWait(app, 'd', 'detached shot.png');
    await sendAndWait(app, KEYS.enter, /›files\s+1 file: crash\.log \(300 B\)/);
    app.stdin.write(KEYS.ctrlS);
    await expect.poll(() => store.getItem(tracker.id, itemId)!.version).toBe(2);
    const saved = store.getItem(tracker.id, itemId)!;
    expect((saved.values.files as FileRef[]).map((f) => [f.name, f.size, f.type])).toEqual([['crash.log', 300, 'text/plain']]);
    expect(blobFiles(store.dataDir).blobs).toHaveLength(2);
    app.unmount();
  });
});
