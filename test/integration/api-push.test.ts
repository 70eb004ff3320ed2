/**
 * Push semantics over real HTTP (DESIGN §5): idempotent creates, field-level optimistic
 * concurrency with the current item in every conflict, overwrite, deletes, per-item answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item, Tracker } from '../../server/store/index.js';
import { PushResponse } from '../../shared/api/schemas.js';
import { api, everyTypeTracker, seedUsers, snapshotOf, startInstance, type TestInstance } from '../helpers/instance.js';

let inst: TestInstance;
let bugs: Tracker;
let people: Tracker;

beforeAll(async () => {
  inst = await startInstance();
  bugs = await everyTypeTracker(inst.hub);
  people = await inst.hub.getTracker('People');
  await seedUsers(inst.hub, bugs);
});

afterAll(async () => {
  await inst.close();
});

/** Pushes as `user` (root by default), checks the answer's shape against the shared schema, and returns its results. */
async function push(changes: unknown[], user = 'root', tracker: Tracker = bugs): Promise<any[]> {
  const res = await api(inst.url, `/trackers/${tracker.id}/push`, { user, body: { changes } });
  expect(res.status, res.text).toBe(200);
  expect(PushResponse.safeParse(res.json).success, res.text).toBe(true);
  expect(res.json.results).toHaveLength(changes.length);
  return res.json.results;
}

const item = async (values: Record<string, unknown>, status?: string): Promise<Item> => (await inst.hub.createItems(bugs.id, [{ values, status }], 'root'))[0]!;
/** Someone else changes the item on the instance after our base was taken. */
const remoteEdit = async (id: number, values: Record<string, unknown>) => (await inst.hub.updateItems(bugs.id, [id], { values }, 'someone'))[0]!;
const stored = async (id: number) => (await inst.hub.getItem(bugs.id, id, { includeDeleted: true }))!;

describe('create', () => {
  it('creates an item with canonical values, a server-assigned autoincrement, version 1 and the item in the answer', async () => {
    const [res] = await push([
      {
        op: 'create',
        idempotencyKey: 'full-1',
        status: 'pending',
        values: { title: 'Full', tags: ['b', ' a ', 'b'], platforms: ['mac', 'linux'], seen: '2024-05-01 10:00', where: ' 48.85 , 2.35 ', done: false, estimate: 2.5 },
      },
    ]);
    expect(res).toMatchObject({ status: 'created', id: expect.any(Number), version: 1 });
    expect(res.item).toMatchObject({ id: res.id, status: 'pending', version: 1, updatedBy: 'root' });
    expect(res.item.values).toEqual({
      title: 'Full',
      estimate: 2.5,
      done: false,
      platforms: ['linux', 'mac'],
      seen: '2024-05-01T10:00:00.000Z',
      tags: ['a', 'b'],
      where: '48.85,2.35',
      number: expect.any(Number),
    });
    const got = await api(inst.url, `/trackers/${bugs.id}/items/${res.id}`, { user: 'vera' });
    expect(got.json).toMatchObject({ id: res.id, status: 'pending', version: 1, values: res.item.values });
  });

  it('creates once per idempotency key, however often the batch is retried, and answers the same', async () => {
    const change = { op: 'create', idempotencyKey: 'retry-key-1', values: { title: 'once', priority: 'high' } };
    const [first] = await push([change]);
    const [again] = await push([change]);
    const [third] = await push([change], 'eddie');
    expect(first.status).toBe('created');
    expect(again).toEqual(first);
    expect(third).toEqual(first);
    expect((await inst.hub.listItems(bugs.id)).filter((i) => i.values.title === 'once')).toHaveLength(1);
  });

  it('creates once when the same key appears twice in one batch', async () => {
    const change = { op: 'create', idempotencyKey: 'twice-in-batch', values: { title: 'twice' } };
    const results = await push([change, change]);
    expect(results[0]).toEqual(results[1]);
    expect((await inst.hub.listItems(bugs.id)).filter((i) => i.values.title === 'twice')).toHaveLength(1);
  });

  it('keys are per tracker: the same key on another tracker creates there', async () => {
    const [a] = await push([{ op: 'create', idempotencyKey: 'shared-key', values: { title: 'in bugs' } }]);
    const [b] = await push([{ op: 'create', idempotencyKey: 'shared-key', values: { fullname: 'in people' } }], 'root', people);
    expect(a.status).toBe('created');
    expect(b.status).toBe('created');
    expect(b.id).not.toBe(a.id);
  });

  it('rejects an invalid create with the field and the reason, and does not burn its key', async () => {
    const [bad] = await push([{ op: 'create', idempotencyKey: 'fix-me', values: { title: 'x', estimate: 'ten' } }]);
    expect(bad).toEqual({ status: 'rejected', error: expect.stringMatching(/values\.estimate: expected a finite number/) });
    const [fixed] = await push([{ op: 'create', idempotencyKey: 'fix-me', values: { title: 'x', estimate: 10 } }]);
    expect(fixed.status).toBe('created');
  });
});

describe('update', () => {
  it('writes a field whose base matches: version +1, the new item in the answer', async () => {
    const it1 = await item({ title: 'u', priority: 'low' });
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } } }], 'eddie');
    expect(res).toMatchObject({ status: 'updated', id: it1.id, version: 2 });
    expect(res.item).toMatchObject({ version: 2, values: { title: 'u', priority: 'high' }, updatedBy: 'eddie' });
    expect((await stored(it1.id)).seq).toBe(res.item.seq);
  });

  it('is field-level: a push touching other fields goes through and keeps the remote change', async () => {
    const it1 = await item({ title: 'fl', priority: 'low', estimate: 1 });
    await remoteEdit(it1.id, { estimate: 2 });
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } } }]);
    expect(res).toMatchObject({ status: 'updated', version: 3 });
    expect(res.item.values).toMatchObject({ priority: 'high', estimate: 2 });
    expect((await stored(it1.id)).values).toMatchObject({ priority: 'high', estimate: 2 });
  });

  it('answers a stale base with a conflict naming only the conflicting fields and the current item, writing nothing of it', async () => {
    const it1 = await item({ title: 'c', priority: 'low', estimate: 1 });
    await remoteEdit(it1.id, { priority: 'medium' });
    const before = await snapshotOf(inst);
    const [res] = await push([
      { op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' }, title: { base: 'c', value: 'c2' }, estimate: { base: 1, value: 5 } } },
    ]);
    expect(res).toMatchObject({ status: 'conflict', id: it1.id, version: 2, conflicts: ['priority'] });
    expect(res.item).toMatchObject({ id: it1.id, version: 2, values: { title: 'c', priority: 'medium', estimate: 1 } });
    expect(await snapshotOf(inst)).toBe(before);
  });

  it('is no conflict when the remote already holds the pushed value', async () => {
    const it1 = await item({ title: 'same', priority: 'low' });
    await remoteEdit(it1.id, { priority: 'high' });
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } } }]);
    expect(res).toMatchObject({ status: 'updated', version: 2 });
  });

  it('compares after normalising: another spelling of the same base or value is no conflict and no change', async () => {
    const it1 = await item({ title: 'norm', tags: ['a', 'b'], seen: '2024-01-01T00:00:00Z', platforms: ['linux', 'mac'] });
    const [res] = await push([
      {
        op: 'update',
        id: it1.id,
        baseVersion: 1,
        fields: {
          tags: { base: ['b', 'a'], value: ['b', 'a', 'a'] },
          seen: { base: '2024-01-01 00:00:00', value: '2024-01-01T00:00:00.000Z' },
          platforms: { base: ['mac', 'linux'], value: ['mac', 'linux'] },
        },
      },
    ]);
    expect(res).toMatchObject({ status: 'updated', version: 1 });
    expect((await stored(it1.id)).version).toBe(1);
  });

  it('clears a field with null and refuses to clear a required one', async () => {
    const it1 = await item({ title: 'clear', priority: 'low' });
    const [cleared] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: null } } }]);
    expect(cleared.status).toBe('updated');
    expect(cleared.item.values).not.toHaveProperty('priority');
    const [refused] = await push([{ op: 'update', id: it1.id, baseVersion: 2, fields: { title: { base: 'clear', value: null } } }]);
    expect(refused).toMatchObject({ status: 'rejected', id: it1.id, error: expect.stringMatching(/fields\.title: required/) });
  });

  it('treats status as the pseudo-field of an update, with conflicts like any field', async () => {
    const it1 = await item({ title: 's' });
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { status: { base: 'open', value: 'closed' } } }]);
    expect(res).toMatchObject({ status: 'updated' });
    expect(res.item.status).toBe('closed');
    const [stale] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { status: { base: 'open', value: 'pending' } } }]);
    expect(stale).toMatchObject({ status: 'conflict', conflicts: ['status'] });
    const [bad] = await push([{ op: 'update', id: it1.id, baseVersion: 2, fields: { status: { base: 'closed', value: 'archived' } } }]);
    expect(bad).toMatchObject({ status: 'rejected', error: expect.stringMatching(/status/) });
  });

  it('rejects unknown fields, bad values, unknown options and server-assigned fields, naming each', async () => {
    const it1 = await item({ title: 'r' });
    const results = await push([
      { op: 'update', id: it1.id, baseVersion: 1, fields: { ghost: { base: null, value: 1 } } },
      { op: 'update', id: it1.id, baseVersion: 1, fields: { done: { base: null, value: 'yes' } } },
      { op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: null, value: 'urgent' } } },
      { op: 'update', id: it1.id, baseVersion: 1, fields: { platforms: { base: null, value: ['beos'] } } },
      { op: 'update', id: it1.id, baseVersion: 1, fields: { number: { base: null, value: 99 } } },
      { op: 'update', id: 987654, baseVersion: 1, fields: { title: { base: 'a', value: 'b' } } },
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('rejected'));
    expect(results[0].error).toMatch(/fields\.ghost: unknown field/);
    expect(results[1].error).toMatch(/fields\.done: expected true or false/);
    expect(results[2].error).toMatch(/fields\.priority: "urgent" is not one of the options/);
    expect(results[3].error).toMatch(/fields\.platforms: "beos" is not one of the options/);
    expect(results[4].error).toMatch(/fields\.number: assigned by the server/);
    expect(results[5].error).toMatch(/unknown item/);
    expect((await stored(it1.id)).version).toBe(1);
  });
});

describe('overwrite', () => {
  it('forces a conflicting field for an admin, keeping the other remote changes', async () => {
    const it1 = await item({ title: 'o', priority: 'low', estimate: 1 });
    await remoteEdit(it1.id, { priority: 'medium', estimate: 7 });
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } }, overwrite: true }], 'alice');
    expect(res).toMatchObject({ status: 'updated', version: 3 });
    expect((await stored(it1.id)).values).toMatchObject({ priority: 'high', estimate: 7 });
  });

  it('asked by an editor, is not granted: the conflict is answered, saying why, and the rest of the batch goes', async () => {
    const it1 = await item({ title: 'o2', priority: 'low' });
    await remoteEdit(it1.id, { priority: 'medium' });
    const results = await push(
      [
        { op: 'create', idempotencyKey: 'with-overwrite', values: { title: 'x' } },
        { op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } }, overwrite: true },
      ],
      'eddie',
    );
    expect(results[0]).toMatchObject({ status: 'created' });
    expect(results[1]).toMatchObject({ status: 'conflict', conflicts: ['priority'], item: { values: { priority: 'medium' } } });
    expect(results[1].error).toMatch(/user "eddie" needs the admin right on tracker "Bugs" to overwrite changes/);
    expect(await stored(it1.id)).toMatchObject({ version: 2, values: { priority: 'medium' } });
  });

  it('asked by an editor for an update that conflicts with nothing: the update goes, as for anyone', async () => {
    const it1 = await item({ title: 'o4', priority: 'low' });
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } }, overwrite: true }], 'eddie');
    expect(res).toMatchObject({ status: 'updated', version: 2 });
    expect((await stored(it1.id)).values.priority).toBe('high');
  });

  it('without the flag an admin gets the conflict like anyone', async () => {
    const it1 = await item({ title: 'o3', priority: 'low' });
    await remoteEdit(it1.id, { priority: 'medium' });
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } } }], 'alice');
    expect(res.status).toBe('conflict');
  });
});

describe('delete', () => {
  it('tombstones an unchanged item: gone from GET, in the feed with deleted:true', async () => {
    const it1 = await item({ title: 'd' });
    const [res] = await push([{ op: 'delete', id: it1.id, baseVersion: 1 }], 'alice');
    expect(res).toMatchObject({ status: 'deleted', id: it1.id, version: 2 });
    expect((await api(inst.url, `/trackers/${bugs.id}/items/${it1.id}`, { user: 'root' })).status).toBe(404);
    const feed = (await api(inst.url, `/trackers/${bugs.id}/changes?since=${(await stored(it1.id)).seq - 1}`, { user: 'root' })).json;
    expect(feed.changes).toEqual([expect.objectContaining({ id: it1.id, deleted: true, values: {} })]);
  });

  it('answers a delete of a changed item with a conflict and the current item, and deletes nothing', async () => {
    const it1 = await item({ title: 'd1' });
    await remoteEdit(it1.id, { title: 'd2' });
    const [res] = await push([{ op: 'delete', id: it1.id, baseVersion: 1 }]);
    expect(res).toMatchObject({ status: 'conflict', id: it1.id, version: 2, item: { values: { title: 'd2' } } });
    expect((await stored(it1.id)).deleted).toBe(false);
  });

  it('deletes a changed item with overwrite (admin)', async () => {
    const it1 = await item({ title: 'd3' });
    await remoteEdit(it1.id, { title: 'd4' });
    const [res] = await push([{ op: 'delete', id: it1.id, baseVersion: 1, overwrite: true }], 'alice');
    expect(res.status).toBe('deleted');
    expect((await stored(it1.id)).deleted).toBe(true);
  });

  it('answers a retried delete with deleted again (idempotent), an unknown id with rejected', async () => {
    const it1 = await item({ title: 'd5' });
    await push([{ op: 'delete', id: it1.id, baseVersion: 1 }]);
    const [again] = await push([{ op: 'delete', id: it1.id, baseVersion: 1 }]);
    expect(again).toMatchObject({ status: 'deleted', id: it1.id });
    const [unknown] = await push([{ op: 'delete', id: 424242, baseVersion: 1 }]);
    expect(unknown).toMatchObject({ status: 'rejected', error: expect.stringMatching(/unknown item/) });
  });

  it('answers an update of a deleted item with a conflict carrying the tombstone', async () => {
    const it1 = await item({ title: 'gone' });
    await inst.hub.deleteItems(bugs.id, [it1.id], 'someone');
    const [res] = await push([{ op: 'update', id: it1.id, baseVersion: 1, fields: { title: { base: 'gone', value: 'back' } } }]);
    expect(res).toMatchObject({ status: 'conflict', item: { id: it1.id, deleted: true } });
  });
});

describe('batches', () => {
  it('answers each change on its own, in order: the good ones go through beside the bad', async () => {
    const before = (await inst.hub.countItems(bugs.id));
    const results = await push([
      { op: 'create', idempotencyKey: 'ok-1', values: { title: 'fine' } },
      { op: 'create', idempotencyKey: 'bad-2', values: { title: 'x', priority: 'urgent' } },
      { op: 'create', idempotencyKey: 'bad-3', values: { title: 'x', ghost: 1 } },
      { op: 'create', idempotencyKey: 'bad-4', values: { estimate: 1 } },
      { op: 'create', idempotencyKey: 'bad-5', values: { title: 'x', number: 5 } },
      { op: 'create', idempotencyKey: 'ok-6', values: { title: 'also fine' } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['created', 'rejected', 'rejected', 'rejected', 'rejected', 'created']);
    expect(results[1].error).toMatch(/values\.priority: "urgent" is not one of the options/);
    expect(results[2].error).toMatch(/values\.ghost: unknown field/);
    expect(results[3].error).toMatch(/values\.title: required/);
    expect(results[4].error).toMatch(/values\.number: assigned by the server/);
    expect((await inst.hub.countItems(bugs.id))).toBe(before + 2);
  });

  it('chains within a batch: a later change sees the earlier one', async () => {
    const it1 = await item({ title: 'chain', estimate: 1 });
    const results = await push([
      { op: 'update', id: it1.id, baseVersion: 1, fields: { estimate: { base: 1, value: 2 } } },
      { op: 'update', id: it1.id, baseVersion: 2, fields: { estimate: { base: 2, value: 3 } } },
      { op: 'update', id: it1.id, baseVersion: 1, fields: { estimate: { base: 1, value: 9 } } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['updated', 'updated', 'conflict']);
    expect((await stored(it1.id)).values.estimate).toBe(3);
  });
});

describe('data stays data', () => {
  it('stores SQL-injection strings verbatim, in values and in idempotency keys', async () => {
    const evil = "'); DROP TABLE items; -- \" OR 1=1; /* */ \\x00";
    const key = "';DROP-TABLE-idempotency_keys;--";
    const [res] = await push([{ op: 'create', idempotencyKey: key, values: { title: evil, body: `${evil}\n${evil}`, tags: [evil, 'x'] } }]);
    expect(res.status).toBe('created');
    const got = await api(inst.url, `/trackers/${bugs.id}/items/${res.id}`, { user: 'root' });
    expect(got.json.values).toMatchObject({ title: evil, body: `${evil}\n${evil}`, tags: [evil, 'x'].sort() });
    const [again] = await push([{ op: 'create', idempotencyKey: key, values: { title: 'other' } }]);
    expect(again.id).toBe(res.id);
    expect((await inst.hub.countItems(bugs.id))).toBeGreaterThan(1);
  });

  it('round-trips unicode, control characters and very long text exactly', async () => {
    const title = 'Ünïcødé ✓ 日本語 🎉 \u0000 \u202e rtl \t tab';
    const body = `${'line\r\n'.repeat(1000)}${'é'.repeat(100_000)}`;
    const [res] = await push([{ op: 'create', idempotencyKey: 'unicode-1', values: { title, body } }]);
    const got = await api(inst.url, `/trackers/${bugs.id}/items/${res.id}`, { user: 'root' });
    expect(got.json.values.title).toBe(title);
    expect(got.json.values.body).toBe(body);
  });
});

describe('keys this version does not know (DESIGN §5: more keys are welcome, none may change meaning)', () => {
  it('are ignored at every level of a push: the same answers and the same writes as without them', async () => {
    const a = await item({ title: 'k1', priority: 'low' });
    const b = await item({ title: 'k2' });
    const results = await push(
      [
        { op: 'create', idempotencyKey: 'newer-peer', values: { title: 'from a newer peer' }, origin: 'peer-7', id: 999 },
        { op: 'update', id: a.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high', previous: 'x' } }, reason: 'triage' },
        { op: 'delete', id: b.id, baseVersion: 1, force: true, comment: 'dup' },
      ],
      'alice',
    );
    expect(results.map((r) => r.status)).toEqual(['created', 'updated', 'deleted']);
    expect(results[0].id).not.toBe(999);
    expect((await stored(results[0].id)).values).toMatchObject({ title: 'from a newer peer' });
    expect(await stored(a.id)).toMatchObject({ version: 2, values: { priority: 'high' } });
    expect((await stored(b.id)).deleted).toBe(true);
    // A top-level key too.
    const res = await api(inst.url, `/trackers/${bugs.id}/push`, { user: 'root', body: { changes: [{ op: 'create', idempotencyKey: 'newer-peer', values: { title: 'again' } }], client: 's15n/9' } });
    expect(res.status).toBe(200);
    expect(res.json.results[0]).toMatchObject({ status: 'created', id: results[0].id });
  });

  it('do not make an unknown field of the tracker acceptable: that value is still rejected, per item', async () => {
    const [res] = await push([{ op: 'create', idempotencyKey: 'unknown-field', values: { title: 'x', nosuch: 1 } }]);
    expect(res.status).toBe('rejected');
    expect(res.error).toMatch(/nosuch/);
  });
});
