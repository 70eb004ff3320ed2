/**
 * Attachments through a hub of either engine (run by both projects: SQLite, and PostgreSQL with
 * its chunked blobs): a clone fetches every content once, byte for byte, across chunk boundaries
 * and by Range; a push uploads what the hub lacks, then names it; a name clash of two contents
 * keeps both; the hub collects what nothing names anymore.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { addRemote } from '../../client/sync/remotes.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import type { FileRef } from '../../shared/model/files.js';
import { bytesOf, sha256Of, storeBlob } from '../helpers/blobs.js';
import { PASSWORDS, type TestInstance, seedUsers, startInstance, tempDir } from '../helpers/instance.js';
import { FAST } from '../helpers/sync.js';

const LIMITS = { maxSize: 8 << 20, quota: 64 << 20 };
/** Past one PostgreSQL chunk (1 MiB), so reads and ranges cross a chunk boundary. */
const big = bytesOf((1 << 20) + 300_000, 3);
const empty = Buffer.alloc(0);
const ref = (bytes: Buffer, name: string): FileRef => ({ name, size: bytes.length, type: 'application/octet-stream', sha256: sha256Of(bytes) });

let inst: TestInstance;
let tracker: Tracker;
let local: SqliteStore;
let cloneDir: string;

beforeAll(async () => {
  inst = await startInstance({ blobLimits: LIMITS });
  tracker = await inst.hub.createTracker({ name: 'Docs', fields: [{ name: 'title', type: 'text' }, { name: 'files', type: 'files' }] });
  await seedUsers(inst.hub, tracker);
  for (const bytes of [big, empty]) await inst.hub.putBlob(null, Readable.from([bytes]), { limits: LIMITS });
  await inst.hub.createItems(tracker.id, [
    { values: { title: 'one', files: [ref(big, 'scan.pdf'), ref(empty, 'empty.txt')] } },
    { values: { title: 'two', files: [ref(big, 'same-scan.pdf')] } },
  ], 'root');
  cloneDir = join(tempDir(), 'clone');
  local = openLocalStore(cloneDir, { create: true });
  addRemote(local, { name: 'origin', url: inst.url, user: 'alice', password: PASSWORDS.alice });
});

afterAll(async () => {
  local?.close();
  await inst?.close();
});

const localBlob = (sha256: string) => readFileSync(join(cloneDir, 'blobs', sha256.slice(0, 2), sha256));

describe("attachments through a hub", () => {
  it('clone fetches each content once, byte for byte; a Range reads on from any byte', async () => {
    const result = await clone(local, 'origin', 'Docs', { remote: FAST });
    expect(result.report.outcome).toBe('success');
    expect(result.report).toMatchObject({ attachments: { files: 2, bytes: big.length } });
    expect(localBlob(sha256Of(big)).equals(big)).toBe(true);
    expect(localBlob(sha256Of(empty)).length).toBe(0);
    const from = (1 << 20) - 10;
    const auth = `Basic ${Buffer.from(`alice:${PASSWORDS.alice}`).toString('base64')}`;
    const res = await fetch(`${inst.url}/api/v1/trackers/${tracker.id}/blobs/${sha256Of(big)}`, { headers: { authorization: auth, range: `bytes=${from}-` } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(big.subarray(from))).toBe(true);
  });

  it('push uploads what the hub lacks, then names it; two contents of one name are both kept', async () => {
    const mine = bytesOf(5000, 9);
    const theirs = bytesOf(4000, 10);
    const localTracker = local.getTracker('Docs');
    const [item] = local.listItems(localTracker.id);
    const file = await storeBlob(local, mine, 'notes.txt');
    local.updateItem(localTracker.id, item!.id, { values: { files: [...(item!.values.files as FileRef[]), file] } }, null);
    const report = await push(local, 'Docs', { remote: FAST });
    expect(report).toMatchObject({ outcome: 'success', attachments: { files: 1, bytes: 5000 } });
    const onHub = await inst.hub.listItems(tracker.id);
    const named = onHub.flatMap((i) => i.values.files as FileRef[]);
    expect(named.map((f) => f.name).sort()).toEqual(['empty.txt', 'notes.txt', 'same-scan.pdf', 'scan.pdf']);
    const read = await inst.hub.readBlob(tracker.id, file.sha256);
    const chunks: Buffer[] = [];
    for await (const chunk of read!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(mine)).toBe(true);
    // Another content under the same name on the hub's side: a set by sha256 keeps both.
    await inst.hub.putBlob(null, Readable.from([theirs]), { limits: LIMITS });
    const current = onHub.find((i) => i.id === onHub[0]!.id)!;
    await inst.hub.updateItems(tracker.id, [current.id], { values: { files: [...(current.values.files as FileRef[]), ref(theirs, 'notes.txt')] } }, 'root');
    const after = (await inst.hub.getItem(tracker.id, current.id))!.values.files as FileRef[];
    expect(after.filter((f) => f.name === 'notes.txt').map((f) => f.sha256).sort()).toEqual([file.sha256, sha256Of(theirs)].sort());
  });

  it('collects a content once no item names it, and keeps one other items still name', async () => {
    const items = await inst.hub.listItems(tracker.id);
    await inst.hub.deleteItems(tracker.id, [items[0]!.id], 'root');
    const gc = await inst.hub.collectGarbage({ graceMs: 0 });
    // Gone: notes.txt (both contents) and empty.txt; kept: the scan the other item names.
    expect(gc).toMatchObject({ removed: 3, kept: 1 });
    expect(await inst.hub.blobSize(tracker.id, sha256Of(big))).toBe(big.length);
    expect(await inst.hub.blobSize(tracker.id, sha256Of(empty))).toBeUndefined();
  });
});
