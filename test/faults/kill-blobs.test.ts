/**
 * Attachments under faults (DESIGN §14): the client SIGKILLed halfway through downloading blobs
 * (reload) and halfway through uploading them (push), then run again; and every connection cut in
 * the middle of a download. Whatever the moment, no file under a hash is ever partial, no item is
 * applied before its contents are here, nothing is duplicated, and the next run resumes a cut
 * download from the bytes it already has (Range) instead of starting over.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import type { Report } from '../../client/sync/report.js';
import type { FileRef } from '../../shared/model/files.js';
import { blobFiles, bytesOf, everyBlobWhole, sha256Of, storeBlob } from '../helpers/blobs.js';
import { tempDir } from '../helpers/instance.js';
import { type SyncPair, runCliAsync, startPair, tokenOf } from '../helpers/sync.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { TRIAL_TIMEOUT, spawnCli } from './harness.js';

const MB = 1024 * 1024;
const SIZE = 6 * MB;
const COUNT = 3;

let pair: SyncPair;
let proxy: FaultProxy;
afterEach(async () => {
  await proxy?.close();
  await pair?.close();
});

/** A master and a clone that talks to it through the fault proxy. */
async function world(): Promise<void> {
  pair = await startPair();
  proxy = await startFaultProxy(pair.master.server.port);
  pair.clone.db.prepare("UPDATE remotes SET url = ? WHERE name = 'origin'").run(proxy.url);
  await clone(pair.clone, 'origin', 'Bugs', { remote: { retries: 0 } });
}

/** Bytes the clone's partial downloads hold on disk. */
function partialBytes(): number {
  const dir = join(pair.cloneDir, 'blobs', 'partial');
  try {
    return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}

/** Runs the CLI on the clone and SIGKILLs it once its partial downloads hold `bytes` (what it has written, not what the network carried). */
async function killWhenFetched(args: string[], bytes: number): Promise<number> {
  const run = spawnCli(pair.cloneDir, args);
  while (partialBytes() < bytes && run.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
  run.child.kill('SIGKILL');
  const done = await run.exited;
  expect(done.signal, done.stderr).toBe('SIGKILL');
  return partialBytes();
}

/** Runs the CLI on the clone and SIGKILLs it once `bytes` went `direction` through the proxy. */
async function killAt(args: string[], direction: 'up' | 'down', bytes: number): Promise<void> {
  const run = spawnCli(pair.cloneDir, args);
  proxy.tripwire(direction, proxy.bytes()[direction] + bytes, () => {
    proxy.freeze();
    run.child.kill('SIGKILL');
  });
  const done = await run.exited;
  proxy.thaw();
  expect(done.signal, done.stderr).toBe('SIGKILL');
}

describe('blob transfers under faults', () => {
  it('a reload killed while downloading keeps no partial file under a hash and applies nothing; run again it resumes the partial downloads', async () => {
    await world();
    const contents = Array.from({ length: COUNT }, (_, i) => bytesOf(SIZE, i + 1));
    const refs: FileRef[] = [];
    for (const [i, bytes] of contents.entries()) refs.push(await storeBlob(pair.master.store, bytes, `dump-${i}.bin`));
    pair.master.store.createItems(pair.tracker.id, refs.map((ref, i) => ({ values: { title: `with dump ${i}`, files: [ref] } })), 'root');
    const before = tokenOf(pair.clone, 'Bugs');

    const had = await killWhenFetched(['reload', 'Bugs'], Math.floor(COUNT * SIZE * 0.4));
    expect(everyBlobWhole(pair.cloneDir)).toBe(true);
    expect(blobFiles(pair.cloneDir).partial.length).toBeGreaterThan(0);
    expect(tokenOf(pair.clone, 'Bugs')).toBe(before);
    expect(pair.clone.countItems(pair.clone.getTracker('Bugs').id)).toBe(0);

    const down = proxy.bytes().down;
    const rerun = await runCliAsync(['reload', 'Bugs', '--json'], { data: pair.cloneDir });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json<Report>()).toMatchObject({ counts: { created: COUNT, errors: 0 } });
    // What the killed run had written was not fetched again (a download it had finished but not placed yet is just placed).
    expect(proxy.bytes().down - down).toBeLessThan(COUNT * SIZE - had + 256 * 1024);
    expect(blobFiles(pair.cloneDir)).toEqual({ blobs: refs.map((r) => r.sha256).sort(), tmp: [], partial: [] });
    expect(everyBlobWhole(pair.cloneDir)).toBe(true);
  }, TRIAL_TIMEOUT);

  it('a push killed while uploading leaves the master no partial blob and no item; pushed again, each item and each content arrive once', async () => {
    await world();
    const dir = tempDir();
    const paths = Array.from({ length: COUNT }, (_, i) => join(dir, `upload-${i}.bin`));
    paths.forEach((path, i) => writeFileSync(path, bytesOf(SIZE, 10 + i)));
    const trackerId = pair.clone.getTracker('Bugs').id;
    for (const path of paths) {
      const [item] = pair.clone.createItems(trackerId, [{ values: { title: path } }], null);
      expect((await runCliAsync(['item', 'attach', 'Bugs', String(item!.id), path], { data: pair.cloneDir })).code).toBe(0);
    }

    await killAt(['push', 'Bugs'], 'up', Math.floor(COUNT * SIZE * 0.5));
    expect(pair.master.store.countItems(pair.tracker.id)).toBe(0);
    // The server drops the temp file of the upload cut off (it sees the connection go).
    await expect.poll(() => blobFiles(pair.master.dataDir).tmp, { timeout: 5000 }).toEqual([]);
    expect(everyBlobWhole(pair.master.dataDir)).toBe(true);

    const rerun = await runCliAsync(['push', 'Bugs', '--json'], { data: pair.cloneDir });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json<Report>()).toMatchObject({ counts: { created: COUNT, errors: 0 } });
    expect(pair.master.store.countItems(pair.tracker.id)).toBe(COUNT);
    const expected = Array.from({ length: COUNT }, (_, i) => sha256Of(bytesOf(SIZE, 10 + i))).sort();
    expect(blobFiles(pair.master.dataDir)).toEqual({ blobs: expected, tmp: [], partial: [] });
    expect(everyBlobWhole(pair.master.dataDir)).toBe(true);
  }, TRIAL_TIMEOUT);

  it('a download whose connections are all cut midway resumes by Range in the same run', async () => {
    await world();
    const ref = await storeBlob(pair.master.store, bytesOf(SIZE, 42), 'big.bin');
    pair.master.store.createItems(pair.tracker.id, [{ values: { title: 'big', files: [ref] } }], 'root');
    const start = proxy.bytes().down;
    proxy.tripwire('down', start + SIZE / 2, () => proxy.dropAll());
    const run = await runCliAsync(['reload', 'Bugs', '--json'], { data: pair.cloneDir });
    expect(proxy.tripped()).toBe(true);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<Report>()).toMatchObject({ outcome: 'success', attachments: { files: 1, bytes: SIZE } });
    expect(proxy.bytes().down - start).toBeLessThan(SIZE * 1.2);
    expect(blobFiles(pair.cloneDir).blobs).toEqual([ref.sha256]);
    expect(everyBlobWhole(pair.cloneDir)).toBe(true);
  }, TRIAL_TIMEOUT);
});
