/**
 * The rights matrix over real HTTP: instance admin (root), admin (alice), edit (eddie), view
 * (vera) and none (olga), against every route; a refused request writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { NDJSON } from '../../shared/api/schemas.js';
import { api, everyTypeTracker, ndjson, seedUsers, snapshotOf, startInstance, type TestInstance } from '../helpers/instance.js';

type Who = 'root' | 'alice' | 'eddie' | 'vera' | 'olga';
const EVERYONE: Who[] = ['root', 'alice', 'eddie', 'vera', 'olga'];
/** Who may do what on the tracker Bugs (DESIGN §5: view reads, edit pushes creates and updates, admin overwrites, deletes and sees users). */
const MAY: Record<'view' | 'edit' | 'admin' | 'instance', Who[]> = {
  view: ['root', 'alice', 'eddie', 'vera'],
  edit: ['root', 'alice', 'eddie'],
  admin: ['root', 'alice'],
  instance: ['root'],
};

let inst: TestInstance;
let bugs: Tracker;
let other: Tracker;

beforeAll(async () => {
  inst = await startInstance();
  bugs = await everyTypeTracker(inst.hub);
  other = await inst.hub.createTracker({ name: 'Other', fields: [{ name: 'title', type: 'text' }] });
  await seedUsers(inst.hub, bugs);
});

afterAll(async () => {
  await inst.close();
});

const newItem = async (title = 'subject') => (await inst.hub.createItems(bugs.id, [{ values: { title } }], 'root'))[0]!;
const push = (user: Who, changes: unknown[], tracker: Tracker = bugs) => api(inst.url, `/trackers/${tracker.id}/push`, { user, body: { changes } });

/**
 * Runs `request` as every user (after `prepare`, which may write: the snapshot is taken after it);
 * expects 200 for those in `allowed` and 403 with nothing written for the rest.
 */
async function expectMatrix<T>(allowed: Who[], request: (user: Who, prepared: T) => Promise<{ status: number; json: any }>, prepare?: () => Promise<T>): Promise<void> {
  for (const user of EVERYONE) {
    const prepared = (await prepare?.()) as T;
    const before = await snapshotOf(inst);
    const res = await request(user, prepared);
    if (allowed.includes(user)) {
      expect(res.status, user).toBe(200);
      if (res.json?.results) expect(res.json.results.map((r: { status: string }) => r.status), user).not.toContain('rejected');
    } else {
      expect(res.status, user).toBe(403);
      expect(res.json.error.code, user).toBe('forbidden');
      expect(await snapshotOf(inst), user).toBe(before);
    }
  }
}

describe('without credentials', () => {
  it('every route but health answers 401', async () => {
    const item = await newItem();
    expect((await api(inst.url, '/health')).status).toBe(200);
    const before = await snapshotOf(inst);
    for (const path of ['/openapi.json', '/trackers', `/trackers/${bugs.id}`, `/trackers/${bugs.id}/changes`, `/trackers/${bugs.id}/items/${item.id}`, '/users']) {
      expect((await api(inst.url, path)).status, path).toBe(401);
    }
    const res = await api(inst.url, `/trackers/${bugs.id}/push`, { body: { changes: [{ op: 'delete', id: item.id, baseVersion: 1 }] } });
    expect(res.status).toBe(401);
    expect(await snapshotOf(inst)).toBe(before);
  });
});

describe('reading', () => {
  it('GET /trackers lists exactly the trackers each user may view', async () => {
    const expected: Record<Who, string[]> = { root: ['People', 'Bugs', 'Other'], alice: ['Bugs'], eddie: ['Bugs'], vera: ['Bugs'], olga: [] };
    for (const user of EVERYONE) {
      const res = await api(inst.url, '/trackers', { user });
      expect(res.status, user).toBe(200);
      expect(res.json.trackers.map((t: { name: string }) => t.name), user).toEqual(expected[user]);
    }
  });

  it('GET /trackers/:id needs the view right', async () => {
    await expectMatrix(MAY.view, (user) => api(inst.url, `/trackers/${bugs.id}`, { user }));
    await expectMatrix(MAY.instance, (user) => api(inst.url, `/trackers/${other.id}`, { user }));
  });

  it('GET /trackers/:id/changes needs the view right, paged and streamed', async () => {
    await expectMatrix(MAY.view, (user) => api(inst.url, `/trackers/${bugs.id}/changes`, { user }));
    await expectMatrix(MAY.view, async (user) => {
      const res = await api(inst.url, `/trackers/${bugs.id}/changes`, { user, headers: { accept: NDJSON } });
      if (res.status === 200) expect(ndjson(res.text).at(-1)).toMatchObject({ more: false });
      return res;
    });
  });

  it('GET /trackers/:id/items/:itemId needs the view right', async () => {
    const item = await newItem();
    await expectMatrix(MAY.view, (user) => api(inst.url, `/trackers/${bugs.id}/items/${item.id}`, { user }));
  });

  it('names an unknown tracker 404 for everyone, with or without rights', async () => {
    for (const user of EVERYONE) expect((await api(inst.url, '/trackers/4242', { user })).status, user).toBe(404);
  });

  it('GET /users needs the admin right on some tracker (or instance admin)', async () => {
    await expectMatrix(MAY.admin, (user) => api(inst.url, '/users', { user }));
    const users = (await api(inst.url, '/users', { user: 'alice' })).json.users;
    expect([...users].sort()).toEqual([...EVERYONE].sort());
  });

  it('GET /users opens up for a user who becomes admin of any tracker', async () => {
    await inst.hub.addUser('otto', 'otto-pw');
    expect((await api(inst.url, '/users', { user: 'otto', password: 'otto-pw' })).status).toBe(403);
    await inst.hub.grant('otto', other.id, 'admin');
    expect((await api(inst.url, '/users', { user: 'otto', password: 'otto-pw' })).status).toBe(200);
  });
});

describe('pushing', () => {
  it('a create needs the edit right', async () => {
    let n = 0;
    await expectMatrix(MAY.edit, (user) => push(user, [{ op: 'create', idempotencyKey: `create-${user}-${++n}`, values: { title: `by ${user}` } }]));
  });

  it('an update needs the edit right', async () => {
    await expectMatrix(
      MAY.edit,
      (user, item) => push(user, [{ op: 'update', id: item.id, baseVersion: 1, fields: { title: { base: 'before', value: `after ${user}` } } }]),
      () => newItem('before'),
    );
  });

  it('a delete needs the admin right: an editor gets it rejected, per item, and nothing is deleted', async () => {
    for (const user of EVERYONE) {
      const item = await newItem();
      const before = await snapshotOf(inst);
      const res = await push(user, [{ op: 'delete', id: item.id, baseVersion: 1 }]);
      if (MAY.admin.includes(user)) {
        expect(res.status, user).toBe(200);
        expect(res.json.results[0].status, user).toBe('deleted');
        continue;
      }
      if (MAY.edit.includes(user)) {
        expect(res.status, user).toBe(200);
        expect(res.json.results[0], user).toMatchObject({ status: 'rejected', id: item.id, error: expect.stringMatching(/needs the admin right on tracker "Bugs" to delete items/) });
      } else {
        expect(res.status, user).toBe(403);
      }
      expect(await snapshotOf(inst), user).toBe(before);
    }
  });

  it('overwrite needs the admin right: for an editor a conflicting field stays the remote one, answered as a conflict', async () => {
    for (const user of EVERYONE) {
      const item = await newItem('before');
      await inst.hub.updateItems(bugs.id, [item.id], { values: { title: 'changed meanwhile' } }, 'someone');
      const before = await snapshotOf(inst);
      const res = await push(user, [{ op: 'update', id: item.id, baseVersion: 1, fields: { title: { base: 'before', value: 'forced' } }, overwrite: true }]);
      if (MAY.admin.includes(user)) {
        expect(res.status, user).toBe(200);
        expect(res.json.results[0].status, user).toBe('updated');
        expect((await inst.hub.getItem(bugs.id, item.id))!.values.title, user).toBe('forced');
        continue;
      }
      if (MAY.edit.includes(user)) {
        expect(res.json.results[0], user).toMatchObject({ status: 'conflict', conflicts: ['title'], error: expect.stringMatching(/admin right .* to overwrite changes/) });
      } else {
        expect(res.status, user).toBe(403);
      }
      expect(await snapshotOf(inst), user).toBe(before);
    }
  });

  it('a batch mixing a create with a delete, from an editor: the create goes, the delete is rejected', async () => {
    const item = await newItem();
    const res = await push('eddie', [
      { op: 'create', idempotencyKey: 'mixed-1', values: { title: 'created by eddie' } },
      { op: 'delete', id: item.id, baseVersion: 1 },
    ]);
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(['created', 'rejected']);
    expect((await inst.hub.getItem(bugs.id, item.id))!.deleted).toBe(false);
    expect((await inst.hub.getItem(bugs.id, res.json.results[0].id))!.values.title).toBe('created by eddie');
  });

  it('the right is per tracker: an editor of Bugs cannot push to Other', async () => {
    const res = await push('eddie', [{ op: 'create', idempotencyKey: 'other-1', values: { title: 'x' } }], other);
    expect(res.status).toBe(403);
    expect((await push('root', [{ op: 'create', idempotencyKey: 'other-1', values: { title: 'x' } }], other)).status).toBe(200);
  });

  it('a caller without the edit right gets 403 before the batch is validated', async () => {
    for (const user of ['vera', 'olga'] as const) {
      const res = await api(inst.url, `/trackers/${bugs.id}/push`, { user, body: { changes: 'not a list' } });
      expect(res.status, user).toBe(403);
    }
  });

  it('the updater is recorded as the authenticated user', async () => {
    const item = await newItem('who');
    const res = await push('eddie', [{ op: 'update', id: item.id, baseVersion: 1, fields: { title: { base: 'who', value: 'eddie was here' } } }]);
    expect(res.json.results[0].item.updatedBy).toBe('eddie');
    expect((await inst.hub.getItem(bugs.id, item.id))!.updatedBy).toBe('eddie');
  });
});
