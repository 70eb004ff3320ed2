import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { ReplicaState } from '../../client/replica/index.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { status } from '../../client/sync/status.js';
import { PASSWORDS } from '../helpers/instance.js';
import { type TestProxy, proxyRemote } from '../helpers/proxy.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, startPair } from '../helpers/sync.js';

/** Retries allowed, fast: a refusal that were retried would show as more than one request. */
const RETRYING = { retries: 3, timeoutMs: 5000, backoffLimitMs: 20 } as const;

let pair: SyncPair | undefined;
let proxy: TestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await pair?.close();
  pair = undefined;
  proxy = undefined;
});

/** A clone logged in as `user`, talking to the master through a counting proxy. */
async function clonedAs(user: keyof typeof PASSWORDS): Promise<{ p: SyncPair; proxy: TestProxy }> {
  pair = await startPair({ simple: true, user });
  proxy = await proxyRemote(pair.clone, 'origin', pair.master.url);
  return { p: pair, proxy };
}

const master = (p: SyncPair, id: number) => p.master.store.getItem(p.tracker.id, id, { includeDeleted: true })!;
const runs = (p: SyncPair) => new ReplicaState(p.clone).log.list(p.clone.getTracker(p.tracker.name).id).length;

describe('push and the remote rights', () => {
  it('with the edit right, updates go while deletes are rejected by the remote, per item, as item errors, in one request', async () => {
    const { p, proxy } = await clonedAs('eddie');
    const a = masterAdd(p, { title: 'a' });
    const b = masterAdd(p, { title: 'b' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    localEdit(p, a.id, { n: 1 });
    const bLocal = localOf(p, b.id).id;
    p.clone.deleteItems(p.clone.getTracker(p.tracker.name).id, [bLocal], null);
    const postsBefore = proxy.count('POST');

    const report = await push(p.clone, p.tracker.name, { remote: RETRYING });
    expect(report.counts).toMatchObject({ seen: 2, updated: 1, deleted: 0, errors: 1 });
    expect(report.errors).toEqual([{ id: bLocal, message: expect.stringMatching(/needs the admin right .* to delete items/) }]);
    expect(proxy.count('POST') - postsBefore).toBe(1);
    expect(master(p, a.id).values.n).toBe(1);
    expect(master(p, b.id).deleted).toBe(false);
    // The refused delete stays a local change, to push with the right.
    expect(status(p.clone, p.tracker.name).deleted.map((i) => i.id)).toEqual([bLocal]);
  });

  it('--overwrite with only the edit right is not granted: the remote answers the conflict, saying why; nothing changes and the conflict stays', async () => {
    const { p, proxy } = await clonedAs('eddie');
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10 });
    localEdit(p, a.id, { n: 20 });
    await reload(p.clone, p.tracker.name, { remote: FAST });
    const id = localOf(p, a.id).id;
    const postsBefore = proxy.count('POST');

    const report = await push(p.clone, p.tracker.name, { items: [id], overwrite: true, remote: RETRYING });
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1, errors: 0, updated: 0 });
    expect(report.warnings).toEqual([expect.stringMatching(new RegExp(`^item ${id}: user "eddie" needs the admin right .* to overwrite changes`))]);
    expect(proxy.count('POST') - postsBefore).toBe(1);
    expect(master(p, a.id).values.n).toBe(10);
    expect(localOf(p, a.id).values.n).toBe(20);
    expect(status(p.clone, p.tracker.name).conflicts[0]!.fields).toEqual([{ name: 'n', base: 1, local: 20, remote: 10 }]);
  });

  it('--overwrite with the admin right of the tracker forces a named item over a remote change the clone has not seen', async () => {
    const { p } = await clonedAs('alice');
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10, title: 'theirs' });
    localEdit(p, a.id, { n: 20 });
    const id = localOf(p, a.id).id;

    const plain = await push(p.clone, p.tracker.name, { items: [id], remote: FAST });
    expect(plain.counts).toMatchObject({ seen: 1, conflicts: 1 });
    expect(master(p, a.id).values.n).toBe(10);

    const forced = await push(p.clone, p.tracker.name, { items: [id], overwrite: true, remote: FAST });
    expect(forced.counts).toMatchObject({ seen: 1, updated: 1, conflicts: 0 });
    // Only the changed field is forced; the remote's other change stays and comes back.
    expect(master(p, a.id).values).toMatchObject({ title: 'theirs', n: 20 });
    expect(localOf(p, a.id).values).toMatchObject({ title: 'theirs', n: 20 });
    expect(status(p.clone, p.tracker.name).conflicts).toEqual([]);
  });
});

describe('push usage refused before anything is sent', () => {
  it('an unknown item, items with --all-clean, and --overwrite without items send nothing and log no run', async () => {
    const { p, proxy } = await clonedAs('root');
    const a = masterAdd(p, { title: 'a' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    localEdit(p, a.id, { n: 1 });
    const id = localOf(p, a.id).id;
    const requests = proxy.requests.length;
    const logged = runs(p);

    await expect(push(p.clone, p.tracker.name, { items: [id, 9999], remote: FAST })).rejects.toThrow(/unknown item 9999/);
    await expect(push(p.clone, p.tracker.name, { items: [id], allClean: true, remote: FAST })).rejects.toThrow(/not both/);
    await expect(push(p.clone, p.tracker.name, { overwrite: true, remote: FAST })).rejects.toThrow(/--overwrite applies to named items/);
    expect(proxy.requests.length).toBe(requests);
    expect(runs(p)).toBe(logged);
    expect(master(p, a.id).values.n).toBeUndefined();
  });

  it('a named item with nothing to push counts unchanged and sends no request', async () => {
    const { p, proxy } = await clonedAs('root');
    const a = masterAdd(p, { title: 'a' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const requests = proxy.requests.length;
    const report = await push(p.clone, p.tracker.name, { items: [localOf(p, a.id).id], remote: FAST });
    expect(report).toMatchObject({ outcome: 'success', counts: { seen: 1, unchanged: 1 } });
    expect(proxy.requests.length).toBe(requests);
  });
});
