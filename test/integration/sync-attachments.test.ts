/**
 * Attachments replicate (DESIGN §14) between a real master served on port 0 and a clone, the CLI
 * run as a child process: binary contents of every size round trip byte for byte, one content
 * is stored once however many items name it, both sides' attachments merge as a set, a clone
 * keeps what its bases need, bytes that do not match their hash are refused and nothing of them
 * is kept, and no name or hash a remote sends reaches outside the data dir.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { reload } from '../../client/sync/reload.js';
import type { Report } from '../../client/sync/report.js';
import type { FileRef } from '../../shared/model/files.js';
import { blobFiles, bytesOf, everyBlobWhole, sha256Of, storeBlob } from '../helpers/blobs.js';
import { api, tempDir } from '../helpers/instance.js';
import { FAST, type SyncPair, localOf, masterAdd, masterEdit, runCliAsync, startPair, tokenOf } from '../helpers/sync.js';
import { waitFor } from '../helpers/wait.js';
import { startWatch } from '../helpers/watch.js';

let pair: SyncPair;
afterEach(async () => {
  await pair?.close();
});

/** Files of these sizes in a temp dir: 0 bytes, 1, just over 64 KiB, just under the master's limit. */
function writeFiles(dir: string, sizes: Record<string, number>): Record<string, Buffer> {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, Buffer> = {};
  Object.entries(sizes).forEach(([name, size], i) => {
    out[name] = bytesOf(size, i + 7);
    writeFileSync(join(dir, name), out[name]);
  });
  return out;
}

const masterBytes = (p: SyncPair, sha256: string) => readFileSync(join(p.master.dataDir, 'blobs', sha256.slice(0, 2), sha256));
const filesOf = (values: Record<string, unknown>) => (values.files ?? []) as FileRef[];

describe('attachments between a master and its clone', () => {
  it('round trip binary files of several sizes, 0 bytes included, through push and reload, byte for byte; one over the limit is its item\'s error', async () => {
    pair = await startPair({ serve: { blobLimits: { maxSize: 1 << 20 } } });
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const dir = join(tempDir(), 'files');
    const bytes = writeFiles(dir, { 'empty.txt': 0, 'one.bin': 1, 'shot.png': 65_537, 'dump.bin': (1 << 20) - 1, 'huge.iso': (1 << 20) + 512 * 1024 });
    const cli = (args: string[]) => runCliAsync([...args, '--json'], { data: pair.cloneDir });
    const [a, b, c] = [1, 2, 3].map(() => pair.clone.createItem(pair.clone.getTracker('Bugs').id, { values: { title: 'with files' } }, null));
    expect((await cli(['item', 'attach', 'Bugs', String(a!.id), join(dir, 'empty.txt'), join(dir, 'one.bin'), join(dir, 'shot.png')])).code).toBe(0);
    expect((await cli(['item', 'attach', 'Bugs', String(b!.id), join(dir, 'dump.bin')])).code).toBe(0);
    expect((await cli(['item', 'attach', 'Bugs', String(c!.id), join(dir, 'huge.iso'), '--max-file', '4mb'])).code).toBe(0);

    const pushed = await cli(['push', 'Bugs']);
    const report = pushed.json<Report>();
    expect(report.counts).toMatchObject({ seen: 3, created: 2, errors: 1 });
    expect(report.errors).toEqual([{ id: c!.id, message: expect.stringMatching(/attachment "huge.iso" \(1\.5 MB\) was refused: .*larger than the limit/) }]);
    expect(report.attachments).toEqual({ files: 4, bytes: 1 + 65_537 + (1 << 20) - 1 });
    const onMaster = pair.master.store.listItems(pair.tracker.id).flatMap((item) => filesOf(item.values));
    expect(onMaster.map((f) => f.name).sort()).toEqual(['dump.bin', 'empty.txt', 'one.bin', 'shot.png']);
    for (const file of onMaster) expect(masterBytes(pair, file.sha256).equals(bytes[file.name]!), file.name).toBe(true);
    expect(blobFiles(pair.master.dataDir).blobs).not.toContain(sha256Of(bytes['huge.iso']!));
    expect(blobFiles(pair.master.dataDir).tmp).toEqual([]);

    // And back: a file attached on the master comes to the clone with the next reload.
    const masterItem = pair.master.store.listItems(pair.tracker.id).find((item) => filesOf(item.values).some((f) => f.name === 'dump.bin'))!;
    const log = await storeBlob(pair.master.store, bytesOf(300_001, 99), 'server.log');
    masterEdit(pair, masterItem.id, { files: [...filesOf(masterItem.values), log] });
    const reloaded = await reload(pair.clone, 'Bugs', { remote: FAST });
    expect(reloaded).toMatchObject({ outcome: 'success', counts: { updated: 1 }, attachments: { files: 1, bytes: 300_001 } });
    const out = join(tempDir(), 'out.log');
    expect((await cli(['item', 'file', 'Bugs', String(b!.id), 'server.log', '-o', out])).code).toBe(0);
    expect(readFileSync(out).equals(bytesOf(300_001, 99))).toBe(true);
    expect(everyBlobWhole(pair.cloneDir) && everyBlobWhole(pair.master.dataDir)).toBe(true);
  }, 60_000);

  it('stores one file for the same content on 100 items, on both sides, and fetches it once', async () => {
    pair = await startPair();
    const shot = await storeBlob(pair.master.store, bytesOf(40_000), 'shot.png');
    pair.master.store.createItems(pair.tracker.id, Array.from({ length: 100 }, (_, i) => ({ values: { title: `item ${i}`, files: [{ ...shot, name: `shot-${i}.png` }] } })), 'root');
    const { report } = await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    expect(report).toMatchObject({ counts: { created: 100 }, attachments: { files: 1, bytes: 40_000 } });
    expect(blobFiles(pair.master.dataDir).blobs).toEqual([shot.sha256]);
    expect(blobFiles(pair.cloneDir).blobs).toEqual([shot.sha256]);
    expect(pair.clone.blobs.count()).toBe(1);
    expect(filesOf(localOf(pair, pair.master.store.listItems(pair.tracker.id)[42]!.id).values)).toEqual([{ ...shot, name: 'shot-42.png' }]);
  });

  it('brings a content attached on the master to a clone under sync --watch (the continuous feed fetches it before it applies the item)', async () => {
    pair = await startPair();
    const p = pair;
    const remote = masterAdd(p, { title: 'watched' });
    await clone(p.clone, 'origin', 'Bugs', { remote: FAST });
    const watcher = startWatch(p.cloneDir, ['Bugs']);
    try {
      await watcher.reported(1, 'the first full sync');
      const shot = await storeBlob(p.master.store, bytesOf(300_000, 4), 'live.png');
      masterEdit(p, remote.id, { files: [shot] });
      await waitFor(() => filesOf(localOf(p, remote.id).values).length === 1, 'the attachment on the clone');
      expect(readFileSync(join(p.cloneDir, 'blobs', shot.sha256.slice(0, 2), shot.sha256)).equals(bytesOf(300_000, 4))).toBe(true);
    } finally {
      await watcher.stop();
    }
  });

  it('reload --verify repairs a copy deleted behind s15n\'s back with its attachment, fetching the content again before it writes the item', async () => {
    pair = await startPair();
    const shot = await storeBlob(pair.master.store, bytesOf(50_000, 9), 'kept.png');
    const item = pair.master.store.createItems(pair.tracker.id, [{ values: { title: 'with a file', files: [shot] } }], 'root')[0]!;
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const local = localOf(pair, item.id);
    // The clone's file edited by something else: the copy is gone, with its sync state, the content's bytes and its row.
    pair.clone.db.prepare('DELETE FROM replica_items WHERE item_id = ?').run(local.id);
    pair.clone.db.prepare('DELETE FROM items WHERE id = ?').run(local.id);
    pair.clone.db.prepare('DELETE FROM blob_refs WHERE sha256 = ?').run(shot.sha256);
    pair.clone.db.prepare('DELETE FROM blobs WHERE sha256 = ?').run(shot.sha256);
    rmSync(join(pair.cloneDir, 'blobs', shot.sha256.slice(0, 2), shot.sha256));

    const report = await reload(pair.clone, 'Bugs', { remote: FAST, verify: true });
    expect(report).toMatchObject({ outcome: 'success', repaired: 1 });
    expect(filesOf(localOf(pair, item.id).values)).toEqual([shot]);
    expect(readFileSync(join(pair.cloneDir, 'blobs', shot.sha256.slice(0, 2), shot.sha256)).equals(bytesOf(50_000, 9))).toBe(true);
    expect(everyBlobWhole(pair.cloneDir)).toBe(true);
  });

  it('merges attachments both sides added to one item as a set: both kept, pushed back, each content once', async () => {
    pair = await startPair();
    const remote = masterAdd(pair, { title: 'shared' });
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const mine = await storeBlob(pair.clone, bytesOf(1000, 1), 'log.txt');
    const theirs = await storeBlob(pair.master.store, bytesOf(2000, 2), 'log.txt');
    const local = localOf(pair, remote.id);
    pair.clone.updateItem(local.trackerId, local.id, { values: { files: [mine] } }, null);
    masterEdit(pair, remote.id, { files: [theirs] });
    expect(await reload(pair.clone, 'Bugs', { remote: FAST })).toMatchObject({ counts: { merged: 1, conflicts: 0 } });
    expect(filesOf(localOf(pair, remote.id).values).map((f) => f.sha256).sort()).toEqual([mine.sha256, theirs.sha256].sort());
    const pushed = await runCliAsync(['push', 'Bugs', '--json'], { data: pair.cloneDir });
    expect(pushed.json<Report>()).toMatchObject({ counts: { updated: 1 }, attachments: { files: 1, bytes: 1000 } });
    expect(filesOf(pair.master.store.getItem(pair.tracker.id, remote.id)!.values).map((f) => f.name)).toEqual(['log.txt', 'log.txt']);
    expect(blobFiles(pair.master.dataDir).blobs.sort()).toEqual([mine.sha256, theirs.sha256].sort());
  });

  it('keeps on a clone the contents its bases still name, and lets them go once the remote agreed', async () => {
    pair = await startPair();
    const shot = await storeBlob(pair.master.store, bytesOf(3000), 'shot.png');
    const remote = masterAdd(pair, { title: 'x', files: [shot] });
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const local = localOf(pair, remote.id);
    pair.clone.updateItem(local.trackerId, local.id, { values: { files: null } }, null);
    // Detached here only: the base (what both sides last agreed on) still names it, `resolve --take base` may need it.
    expect(pair.clone.blobs.collect(0)).toMatchObject({ removed: 0, kept: 1 });
    expect((await runCliAsync(['push', 'Bugs'], { data: pair.cloneDir })).code).toBe(0);
    expect(pair.clone.blobs.collect(0)).toMatchObject({ removed: 1, kept: 0 });
    expect(blobFiles(pair.cloneDir).blobs).toEqual([]);
  });

  it('refuses bytes that do not match their hash or their size: the reload fails, nothing is applied or kept; a sound remote then succeeds', async () => {
    pair = await startPair();
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const before = tokenOf(pair.clone, 'Bugs');
    const good = bytesOf(70_000, 5);
    const shot = await storeBlob(pair.master.store, good, 'shot.png');
    masterAdd(pair, { title: 'with a damaged file', files: [shot] });
    const file = join(pair.master.dataDir, 'blobs', shot.sha256.slice(0, 2), shot.sha256);
    const longer = Buffer.concat([good, Buffer.from('more')]);
    for (const [bad, why] of [[bytesOf(70_000, 6), /hash to [0-9a-f]{64}, not/], [longer, /more than the 70000 bytes/]] as const) {
      writeFileSync(file, bad);
      // The master serves as many bytes as its row says: a longer content needs a row that says so.
      pair.master.store.db.prepare('UPDATE blobs SET size = ? WHERE sha256 = ?').run(bad.length, shot.sha256);
      const report = await reload(pair.clone, 'Bugs', { remote: FAST });
      expect(report).toMatchObject({ outcome: 'error', errors: [{ id: null, message: expect.stringMatching(why) }] });
      expect(tokenOf(pair.clone, 'Bugs')).toBe(before);
      expect(pair.clone.countItems(pair.clone.getTracker('Bugs').id)).toBe(0);
      expect(blobFiles(pair.cloneDir)).toMatchObject({ blobs: [], partial: [] });
    }
    writeFileSync(file, good);
    pair.master.store.db.prepare('UPDATE blobs SET size = ? WHERE sha256 = ?').run(good.length, shot.sha256);
    expect(await reload(pair.clone, 'Bugs', { remote: FAST })).toMatchObject({ outcome: 'success', counts: { created: 1 } });
    expect(blobFiles(pair.cloneDir).blobs).toEqual([shot.sha256]);
  });

  it('never lets a name or a hash reach outside the data dir, whatever the master holds', async () => {
    pair = await startPair();
    const shot = await storeBlob(pair.master.store, bytesOf(100), 'shot.png');
    // Over HTTP, a path in a hash or a name is refused before anything is written.
    const tricks = await api(pair.master.url, `/trackers/${pair.tracker.id}/blobs/..%2F..%2Fs15n.db`, { method: 'PUT', user: 'root', raw: 'x' });
    expect(tricks.status).toBe(400);
    const [named] = pair.master.store.applyPush(pair.tracker.id, [{ op: 'create', idempotencyKey: 'k', values: { title: 't', files: [{ ...shot, name: '../../escape' }] } }], { user: 'root', isAdmin: true });
    expect(named).toMatchObject({ status: 'rejected', error: expect.stringMatching(/not a path/) });
    // A hostile master: names written past validation, straight into its database.
    const item = masterAdd(pair, { title: 'hostile', files: [shot] });
    const hostile = JSON.stringify({ title: 'hostile', files: [{ ...shot, name: '../../../outside.png' }] });
    pair.master.store.db.prepare('UPDATE items SET values_json = ? WHERE id = ?').run(hostile, item.id);
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const local = localOf(pair, item.id);
    const cwd = join(tempDir(), 'here', 'deeper');
    mkdirSync(cwd, { recursive: true });
    const written = await runCliAsync(['item', 'file', 'Bugs', String(local.id), '../../../outside.png', '--json'], { data: pair.cloneDir, cwd });
    expect(written.code, written.stderr).toBe(0);
    expect(written.json<{ path: string }>().path).toBe(join(cwd, 'outside.png'));
    expect(readFileSync(join(cwd, 'outside.png')).equals(bytesOf(100))).toBe(true);
    // A hash that is a path never becomes a file: the feed carrying it is refused as malformed.
    pair.master.store.db.prepare('UPDATE items SET values_json = ?, seq = seq + 1000 WHERE id = ?').run(JSON.stringify({ title: 'h', files: [{ ...shot, sha256: `../../${'a'.repeat(58)}` }] }), item.id);
    expect(await reload(pair.clone, 'Bugs', { remote: FAST })).toMatchObject({ outcome: 'error' });
    expect(blobFiles(pair.cloneDir).blobs).toEqual([shot.sha256]);
  });
});
