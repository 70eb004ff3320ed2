/**
 * `s15n item attach|detach|file`, `item show` and `s15n gc` on a local instance, the built CLI as
 * a child process: contents stored once by sha256, names replaced and detached, bytes written out
 * checked, every refusal naming the field or the file and changing nothing; and a data dir of
 * release 0.1.0, whose files values were names without content, opens with them moved aside.
 */
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import { DB_FILE } from '../../server/store/index.js';
import type { FileRef } from '../../shared/model/files.js';
import { blobFiles, bytesOf, sha256Of } from '../helpers/blobs.js';
import { runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/instance.js';

let data: string;
let files: string;
const s15n = (args: string[], cwd?: string) => runCli(args, { data, ...(cwd ? { cwd } : {}) });
const values = (id = 1) => s15n(['item', 'show', 'Bugs', String(id), '--json']).json<{ values: { shots?: FileRef[] } }>().values;

beforeEach(() => {
  data = join(tempDir(), 'data');
  files = join(tempDir(), 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'shot.png'), bytesOf(2048, 1));
  writeFileSync(join(files, 'log.txt'), bytesOf(100, 2));
  writeFileSync(join(files, 'new-log.txt'), bytesOf(150, 3));
  const store = openLocalStore(data, { create: true });
  store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }, { name: 'shots', type: 'files' }] });
  store.createTracker({ name: 'Two', fields: [{ name: 'a', type: 'files' }, { name: 'b', type: 'files' }, { name: 'n', type: 'number' }] });
  store.createItems(store.getTracker('Bugs').id, [{ values: { title: 'one' } }, { values: { title: 'two' } }], null);
  store.createItems(store.getTracker('Two').id, [{ values: {} }], null);
  store.close();
});

describe('item attach, show, detach, file', () => {
  it('attaches by path (name and type from the file), lists them in item show, stores a content once, replaces a name attached again', () => {
    const attached = s15n(['item', 'attach', 'Bugs', '1', join(files, 'shot.png'), join(files, 'log.txt'), '--json']);
    expect(attached.code, attached.stderr).toBe(0);
    const shot = { name: 'shot.png', size: 2048, type: 'image/png', sha256: sha256Of(bytesOf(2048, 1)) };
    expect(attached.json()).toMatchObject({ item: { id: 1, version: 2 }, attached: [shot, { name: 'log.txt', size: 100, type: 'text/plain' }], replaced: [] });
    expect(s15n(['item', 'attach', 'Bugs', '2', join(files, 'shot.png'), '--name', 'same-bytes.png']).code).toBe(0);
    expect(blobFiles(data).blobs).toHaveLength(2);
    const show = s15n(['item', 'show', 'Bugs', '1']);
    expect(show.stdout).toMatch(/shots: 2 files\n\s+log\.txt {2}100 B {2}text\/plain {2}sha256 [0-9a-f]{12}\n\s+shot\.png {2}2\.0 KB {2}image\/png/);
    // The same name again: its new content replaces the old one.
    writeFileSync(join(files, 'log.txt'), bytesOf(120, 9));
    const again = s15n(['item', 'attach', 'Bugs', '1', join(files, 'log.txt')]);
    expect(again.stdout).toMatch(/attached log\.txt \(120 B, text\/plain\)[\s\S]*replaces log\.txt \(100 B/);
    expect(values().shots?.map((f) => [f.name, f.size])).toEqual(expect.arrayContaining([['log.txt', 120], ['shot.png', 2048]]));
  });

  it('writes an attachment out checked against its sha256: to its name here, to -o, into a directory, to stdout; never over a file unless asked', () => {
    s15n(['item', 'attach', 'Bugs', '1', join(files, 'shot.png')]);
    const here = tempDir();
    expect(s15n(['item', 'file', 'Bugs', '1', 'shot.png'], here).code).toBe(0);
    expect(readFileSync(join(here, 'shot.png')).equals(bytesOf(2048, 1))).toBe(true);
    const refused = s15n(['item', 'file', 'Bugs', '1', 'shot.png'], here);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/exists; give another -o or --force/)]);
    expect(s15n(['item', 'file', 'Bugs', '1', 'shot.png', '--force'], here).code).toBe(0);
    const dir = tempDir();
    expect(s15n(['item', 'file', 'Bugs', '1', 'shot.png', '-o', dir, '--json']).json()).toMatchObject({ name: 'shot.png', path: join(dir, 'shot.png') });
    const hash = sha256Of(bytesOf(2048, 1));
    expect(s15n(['item', 'file', 'Bugs', '1', hash.slice(0, 10), '-o', join(dir, 'by-hash.png')]).code).toBe(0);
    const piped = runCli(['--data', data, 'item', 'file', 'Bugs', '1', 'shot.png', '-o', '-']);
    expect(piped.code).toBe(0);
    expect(Buffer.from(piped.stdout, 'latin1').length).toBeGreaterThan(0);
    expect(s15n(['item', 'file', 'Bugs', '1', 'shot.png', '-o', '-', '--json']).code).toBe(2);
    // A damaged content is refused, and nothing is written.
    writeFileSync(join(data, 'blobs', hash.slice(0, 2), hash), bytesOf(2048, 5));
    const damaged = s15n(['item', 'file', 'Bugs', '1', 'shot.png', '-o', join(dir, 'damaged.png')]);
    expect([damaged.code, damaged.stderr]).toEqual([1, expect.stringMatching(/damaged/)]);
    expect(statSync(join(dir, 'damaged.png'), { throwIfNoEntry: false })).toBeUndefined();
  });

  it('detaches by name, or by sha256 when two share a name, and says which there are when the name is unknown or ambiguous', () => {
    s15n(['item', 'attach', 'Bugs', '1', join(files, 'log.txt'), join(files, 'shot.png')]);
    s15n(['item', 'attach', 'Bugs', '1', join(files, 'new-log.txt'), '--name', 'other.txt']);
    // Two contents under one name arise from a merge; made here by hand.
    const store = openLocalStore(data);
    const item = store.getItem(store.getTracker('Bugs').id, 1)!;
    store.updateItem(item.trackerId, 1, { values: { shots: (item.values.shots as FileRef[]).map((f) => (f.name === 'other.txt' ? { ...f, name: 'log.txt' } : f)) } }, null);
    store.close();
    const ambiguous = s15n(['item', 'detach', 'Bugs', '1', 'log.txt']);
    expect([ambiguous.code, ambiguous.stderr]).toEqual([2, expect.stringMatching(/2 attachments are named "log.txt" \(sha256 [0-9a-f]{12}, [0-9a-f]{12}\)/)]);
    const unknown = s15n(['item', 'detach', 'Bugs', '1', 'nope.txt']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/no attachment "nope.txt" \(it has "log.txt", "log.txt", "shot.png"\)|no attachment "nope.txt" \(it has .*shot\.png/)]);
    const byHash = s15n(['item', 'detach', 'Bugs', '1', sha256Of(bytesOf(150, 3)).slice(0, 8), 'shot.png', '--json']);
    expect(byHash.code, byHash.stderr).toBe(0);
    expect(values().shots?.map((f) => f.name)).toEqual(['log.txt']);
  });

  it('refuses what it cannot do, naming the field or the file, and changes nothing', () => {
    const before = () => {
      const store = openLocalStore(data);
      try {
        return snapshot(store);
      } finally {
        store.close();
      }
    };
    const start = before();
    const cases: [string[], RegExp][] = [
      [['item', 'attach', 'Bugs', '1', join(files, 'missing.png')], /missing\.png: no such file/],
      [['item', 'attach', 'Bugs', '1', files], /not a regular file/],
      [['item', 'attach', 'Bugs', '1', join(files, 'shot.png'), '--max-file', '1kb'], /more than the largest attachment \(1\.0 KB/],
      [['item', 'attach', 'Bugs', '1', join(files, 'shot.png'), '--field', 'title'], /--field title: a text field holds no attachments/],
      [['item', 'attach', 'Bugs', '1', join(files, 'shot.png'), '--name', 'a/b'], /not a path/],
      [['item', 'attach', 'Two', '3', join(files, 'shot.png')], /several files fields \(a, b\); name one/],
      [['item', 'attach', 'Bugs', '1', join(files, 'shot.png'), join(files, 'log.txt'), '--name', 'x'], /one file only/],
      [['item', 'edit', 'Bugs', '1', '--set', `shots=[{"name":"x","size":1,"type":"text/plain","sha256":"${'a'.repeat(64)}"}]`], /no content for "x".*item attach/],
      [['item', 'edit', 'Bugs', '1', '--set', 'shots=a.png'], /JSON array of \{"name", "size", "type", "sha256"\}/],
    ];
    for (const [args, message] of cases) {
      const result = s15n(args);
      expect([result.code, result.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
    expect(before()).toBe(start);
    expect(s15n(['item', 'file', 'Bugs', '1', 'nothing']).code).toBe(1);
  });
});

describe('s15n gc', () => {
  it('removes contents no item names once the grace period has passed, and stray files of dead transfers', () => {
    s15n(['item', 'attach', 'Bugs', '1', join(files, 'shot.png'), join(files, 'log.txt')]);
    s15n(['item', 'detach', 'Bugs', '1', 'log.txt']);
    expect(s15n(['gc', '--json']).json()).toMatchObject({ removed: 0, kept: 2 });
    const stray = join(data, 'blobs', 'tmp', 'dead-upload');
    writeFileSync(stray, 'half an upload');
    mkdirSync(join(data, 'blobs', 'partial'), { recursive: true });
    const fresh = join(data, 'blobs', 'partial', 'a'.repeat(64));
    writeFileSync(fresh, 'a download under way');
    utimesSync(stray, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    expect(s15n(['gc', '--grace', '0', '--json']).json()).toEqual({ removed: 1, bytes: 100, kept: 1, swept: { files: 1, bytes: 14 } });
    expect(blobFiles(data)).toEqual({ blobs: [sha256Of(bytesOf(2048, 1))], tmp: [], partial: ['a'.repeat(64)] });
    expect(s15n(['gc', '--grace', 'soon']).stderr).toMatch(/--grace: expected a duration/);
  });
});

describe('a data dir of release 0.1.0 with files values', () => {
  it('moves the names it held (no content was ever stored) out of the values, into legacy_file_names', () => {
    const store = openLocalStore(data);
    const tracker = store.getTracker('Bugs');
    store.close();
    // What 0.1.0 left: a files value of names, and no blobs module yet.
    const db = new Database(join(data, DB_FILE));
    db.prepare('UPDATE items SET values_json = ? WHERE id = 1').run(JSON.stringify({ title: 'one', shots: ['screen.png', 'notes.txt'] }));
    db.exec("DROP TABLE legacy_file_names; DELETE FROM s15n_modules WHERE name = 'blobs'; DROP TABLE blobs; DROP TABLE blob_refs; DROP TABLE blob_uploads");
    db.close();
    const show = s15n(['item', 'show', 'Bugs', '1', '--json']);
    expect(show.json()).toMatchObject({ values: { title: 'one' }, version: 1 });
    expect(show.json<{ values: object }>().values).not.toHaveProperty('shots');
    const after = new Database(join(data, DB_FILE), { readonly: true });
    expect(after.prepare('SELECT item_id, field, names FROM legacy_file_names').all()).toEqual([{ item_id: 1, field: 'shots', names: '["screen.png","notes.txt"]' }]);
    after.close();
    expect(tracker.id).toBeGreaterThan(0);
  });
});
