import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { ReplicaState } from '../../client/replica/index.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { blobFiles, bytesOf, storeBlob } from '../helpers/blobs.js';
import { PASSWORDS } from '../helpers/instance.js';
import { FAST, type SyncPair, localOf, masterAdd, startPair, tokenOf } from '../helpers/sync.js';

let pair: SyncPair;
afterEach(async () => {
  await pair?.close();
});

const FULL = {
  title: 'Crash on start',
  body: 'line one\nline two\n',
  estimate: 3.5,
  done: true,
  priority: 'high',
  platforms: ['mac', 'linux'],
  due: '2024-05-01',
  seen: '2024-05-01T10:00:00Z',
  contact: 'ann@example.org',
  link: 'https://example.org/bug/1',
  tags: ['ui', 'crash'],
  where: '48.85,2.35',
  owner: 'alice',
  wiki: 'HomePage',
};

function addPerson(p: SyncPair, fullname: string): number {
  return p.master.store.createItem(p.master.store.getTracker('People').id, { values: { fullname } }, 'root').id;
}

describe('clone', () => {
  it('keeps, transforms and skips every field type as the transform table says, and reports each field', async () => {
    pair = await startPair();
    const ann = addPerson(pair, 'Ann Lee');
    const shot = await storeBlob(pair.master.store, bytesOf(5000), 'shot.png');
    const remote = masterAdd(pair, { ...FULL, person: ann, files: [shot] });
    const result = await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });

    const byName = Object.fromEntries(result.fields.map((f) => [f.name, f]));
    for (const name of ['title', 'body', 'estimate', 'done', 'priority', 'platforms', 'due', 'seen', 'contact', 'link', 'tags', 'where', 'files']) {
      expect(byName[name]).toMatchObject({ action: 'kept', localType: byName[name]?.remoteType });
    }
    expect(byName.owner).toMatchObject({ remoteType: 'user', action: 'transformed', localType: 'dropdown' });
    expect(byName.person).toMatchObject({ remoteType: 'itemlink', action: 'transformed', localType: 'text' });
    for (const name of ['number', 'wiki']) {
      expect(byName[name]?.action).toBe('skipped');
      expect(byName[name]?.reason).toMatch(/\w/);
    }

    const local = pair.clone.getTracker('Bugs');
    expect(local.id).toBe(result.tracker.id);
    expect(local.fields.map((f) => f.name)).toEqual(['title', 'body', 'estimate', 'done', 'priority', 'platforms', 'due', 'seen', 'contact', 'link', 'tags', 'where', 'owner', 'person', 'files']);
    expect(local.fields.find((f) => f.name === 'owner')).toMatchObject({ type: 'dropdown', options: ['alice', 'eddie', 'olga', 'root', 'vera'] });
    expect(local.fields.find((f) => f.name === 'priority')?.options).toEqual(['low', 'medium', 'high']);

    const item = localOf(pair, remote.id);
    const { wiki: _wiki, ...kept } = FULL;
    expect(item.values).toEqual({
      ...kept,
      platforms: ['linux', 'mac'],
      tags: ['crash', 'ui'],
      seen: '2024-05-01T10:00:00.000Z',
      person: 'Ann Lee',
      files: [shot],
    });
    expect(result.report).toMatchObject({ outcome: 'success', dryRun: false, counts: { seen: 1, created: 1, errors: 0 }, attachments: { files: 1, bytes: 5000 } });
    expect(blobFiles(pair.cloneDir).blobs).toEqual([shot.sha256]);
  });

  it('turns user fields into text when the remote user may not list users', async () => {
    pair = await startPair({ user: 'vera' });
    masterAdd(pair, { title: 'x', owner: 'eddie' });
    const result = await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    expect(result.fields.find((f) => f.name === 'owner')).toMatchObject({ action: 'transformed', localType: 'text', reason: expect.stringMatching(/refused/) });
    expect(pair.clone.getTracker('Bugs').fields.find((f) => f.name === 'owner')?.type).toBe('text');
    expect(pair.clone.listItems(result.tracker.id)[0]?.values.owner).toBe('eddie');
  });

  it('falls back to #id for itemlink titles the remote user may not read', async () => {
    pair = await startPair({ user: 'alice' });
    const ann = addPerson(pair, 'Ann Lee');
    const remote = masterAdd(pair, { title: 'x', person: ann });
    await clone(pair.clone, 'origin', pair.tracker.id, { remote: FAST });
    expect(localOf(pair, remote.id).values.person).toBe(`#${ann}`);
  });

  it('titles linked items by the first text field, and #id for a deleted linked item', async () => {
    pair = await startPair();
    const ann = addPerson(pair, 'Ann Lee');
    const gone = addPerson(pair, 'Gone Person');
    pair.master.store.deleteItems(pair.master.store.getTracker('People').id, [gone], 'root');
    const a = masterAdd(pair, { title: 'a', person: ann });
    const b = masterAdd(pair, { title: 'b', person: gone });
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    expect(localOf(pair, a.id).values.person).toBe('Ann Lee');
    expect(localOf(pair, b.id).values.person).toBe(`#${gone}`);
  });

  it('a reload resolves titles of newly linked items one by one', async () => {
    pair = await startPair();
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const bob = addPerson(pair, 'Bob Stone');
    const remote = masterAdd(pair, { title: 'later', person: bob });
    await reload(pair.clone, 'Bugs', { remote: FAST });
    expect(localOf(pair, remote.id).values.person).toBe('Bob Stone');
  });

  it('a reload meeting many new linked items titles them all (through the linked feed)', async () => {
    pair = await startPair();
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    const linked = Array.from({ length: 60 }, (_, i) => ({ person: addPerson(pair, `Person ${i}`), i }));
    const items = linked.map(({ person, i }) => masterAdd(pair, { title: `bug ${i}`, person }));
    await reload(pair.clone, 'Bugs', { remote: FAST });
    expect(items.map((item) => localOf(pair, item.id).values.person)).toEqual(linked.map(({ i }) => `Person ${i}`));
  });

  it('names the clone with --as, and refuses a name already taken with a hint to use --as', async () => {
    pair = await startPair();
    masterAdd(pair, { title: 'x' });
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    await expect(clone(pair.clone, 'origin', 'Bugs', { remote: FAST })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/--as/) });
    const second = await clone(pair.clone, 'origin', 'Bugs', { as: 'Bugs copy', remote: FAST });
    expect(second.tracker.name).toBe('Bugs copy');
    expect(pair.clone.listItems(second.tracker.id)).toHaveLength(1);
  });

  it('loads the whole feed through the replica: token at the last change, tombstones not created, a clone log entry', async () => {
    pair = await startPair();
    const kept = masterAdd(pair, { title: 'kept' });
    const deleted = masterAdd(pair, { title: 'deleted' });
    pair.master.store.deleteItems(pair.tracker.id, [deleted.id], 'root');
    const result = await clone(pair.clone, 'origin', 'Bugs', { remote: FAST, batchSize: 1 });
    expect(pair.clone.listItems(result.tracker.id).map((i) => i.values.title)).toEqual(['kept']);
    expect(result.report.counts).toMatchObject({ seen: 2, created: 1, unchanged: 1 });
    const lastSeq = pair.master.store.getItem(pair.tracker.id, deleted.id, { includeDeleted: true })!.seq;
    expect(tokenOf(pair.clone, 'Bugs')).toBe(lastSeq);
    expect(new ReplicaState(pair.clone).itemByRemoteId(result.tracker.id, kept.id)?.base?.values).toEqual({ title: 'kept' });
    const runs = new ReplicaState(pair.clone).log.list(result.tracker.id);
    expect(runs.map((r) => [r.kind, r.outcome])).toEqual([['clone', 'success']]);
  });

  it('a clone stopped midway leaves a consistent tracker that reload completes, and says so', async () => {
    pair = await startPair();
    for (let i = 0; i < 10; i += 1) masterAdd(pair, { title: `item ${i}` });
    const controller = new AbortController();
    const result = await clone(pair.clone, 'origin', 'Bugs', {
      remote: FAST,
      batchSize: 3,
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 3) controller.abort();
      },
    });
    expect(result.report.outcome).toBe('error');
    expect(result.report.errors[0]?.message).toMatch(/s15n reload Bugs/);
    const partial = pair.clone.listItems(result.tracker.id).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(10);
    const report = await reload(pair.clone, 'Bugs', { remote: FAST });
    expect(report.counts.created).toBe(10 - partial);
    expect(pair.clone.listItems(result.tracker.id).map((i) => i.values.title).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `item ${i}`).sort());
  });

  it('refuses an unknown remote, an unknown remote tracker and a tracker the user may not see, creating nothing', async () => {
    pair = await startPair();
    await expect(clone(pair.clone, 'nowhere', 'Bugs', { remote: FAST })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/unknown remote "nowhere"/) });
    await expect(clone(pair.clone, 'origin', 'NoSuchTracker', { remote: FAST })).rejects.toMatchObject({ code: 'not_found' });
    addRemote(pair.clone, { name: 'asolga', url: pair.master.url, user: 'olga', password: PASSWORDS.olga });
    await expect(clone(pair.clone, 'asolga', 'Bugs', { remote: FAST })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/olga/) });
    expect(pair.clone.listTrackers()).toEqual([]);
  });
});
