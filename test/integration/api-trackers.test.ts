/** The read routes' wire shapes over real HTTP (DESIGN §5): tracker list, tracker schema, one item, user list. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { ItemBody, TrackerList, TrackerSchemaBody, UserList } from '../../shared/api/schemas.js';
import { hashSchema } from '../../shared/hash.js';
import { FIELD_TYPES } from '../../shared/model/fields.js';
import { api, everyTypeTracker, seedUsers, startInstance, type TestInstance } from '../helpers/instance.js';

let inst: TestInstance;
let bugs: Tracker;

beforeAll(async () => {
  inst = await startInstance();
  bugs = await everyTypeTracker(inst.hub);
  await seedUsers(inst.hub, bugs);
});

afterAll(async () => {
  await inst.close();
});

describe('GET /trackers', () => {
  it('answers {trackers: [{id, name, description, schemaHash}]}', async () => {
    const res = await api(inst.url, '/trackers', { user: 'vera' });
    expect(TrackerList.parse(res.json)).toBeTruthy();
    expect(res.json).toEqual({ trackers: [{ id: bugs.id, name: 'Bugs', description: 'every field type', schemaHash: bugs.schemaHash }] });
  });
});

describe('GET /trackers/:id', () => {
  it('answers the schema: every field with name, label, type, options and required; the statuses; the schema hash', async () => {
    const res = await api(inst.url, `/trackers/${bugs.id}`, { user: 'vera' });
    expect(res.status).toBe(200);
    const schema = TrackerSchemaBody.parse(res.json);
    expect(schema).toMatchObject({ id: bugs.id, name: 'Bugs', description: 'every field type', statuses: ['open', 'pending', 'closed'] });
    expect(schema.fields.map((f) => f.type).sort()).toEqual([...FIELD_TYPES].sort());
    expect(schema.fields[0]).toEqual({ name: 'title', label: 'Title', type: 'text', required: true });
    expect(schema.fields.find((f) => f.name === 'estimate')).toEqual({ name: 'estimate', label: 'estimate', type: 'number', required: false });
    expect(schema.fields.find((f) => f.name === 'priority')).toMatchObject({ type: 'dropdown', options: ['low', 'medium', 'high'], required: false });
    expect(schema.fields.find((f) => f.name === 'person')).toMatchObject({ type: 'itemlink', linkedTracker: (await inst.hub.getTracker('People')).id });
    expect(schema.schemaHash).toBe(bugs.schemaHash);
    expect(schema.schemaHash).toBe(hashSchema(bugs.fields, bugs.statuses));
  });

  it('finds a tracker by id or by exact name', async () => {
    const byId = await api(inst.url, `/trackers/${bugs.id}`, { user: 'vera' });
    const byName = await api(inst.url, '/trackers/Bugs', { user: 'vera' });
    expect(byName.json).toEqual(byId.json);
  });

  it('follows a schema change: a new hash', async () => {
    const tracker = await inst.hub.createTracker({ name: 'Mutable', fields: [{ name: 'title', type: 'text' }] });
    const before = (await api(inst.url, `/trackers/${tracker.id}`, { user: 'root' })).json.schemaHash;
    await inst.hub.setTrackerFields(tracker.id, [...tracker.fields, { name: 'extra', label: 'Extra', type: 'text', required: false }]);
    const after = (await api(inst.url, `/trackers/${tracker.id}`, { user: 'root' })).json;
    expect(after.schemaHash).not.toBe(before);
    expect(after.fields.map((f: { name: string }) => f.name)).toEqual(['title', 'extra']);
  });
});

describe('GET /trackers/:id/items/:itemId', () => {
  it('answers {id, status, version, values, updatedAt, updatedBy} with canonical values', async () => {
    const [item] = await inst.hub.createItems(bugs.id, [{ status: 'pending', values: { title: 'One', tags: ['z', 'a'], done: true } }], 'eddie');
    const res = await api(inst.url, `/trackers/${bugs.id}/items/${item!.id}`, { user: 'vera' });
    expect(res.status).toBe(200);
    expect(ItemBody.parse(res.json)).toBeTruthy();
    expect(res.json).toEqual({
      id: item!.id,
      status: 'pending',
      version: 1,
      values: { title: 'One', done: true, tags: ['a', 'z'], number: expect.any(Number) },
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      updatedBy: 'eddie',
    });
  });

  it('does not serve an item of another tracker under this one', async () => {
    const people = await inst.hub.getTracker('People');
    const [person] = await inst.hub.createItems(people.id, [{ values: { fullname: 'Ada' } }], 'root');
    expect((await api(inst.url, `/trackers/${bugs.id}/items/${person!.id}`, { user: 'root' })).status).toBe(404);
    expect((await api(inst.url, `/trackers/${people.id}/items/${person!.id}`, { user: 'root' })).status).toBe(200);
  });
});

describe('GET /users', () => {
  it('answers {users: [names]} and nothing else about them (no admin flag, no hash)', async () => {
    const res = await api(inst.url, '/users', { user: 'alice' });
    expect(UserList.parse(res.json)).toBeTruthy();
    expect(Object.keys(res.json)).toEqual(['users']);
    expect([...res.json.users].sort()).toEqual(['alice', 'eddie', 'olga', 'root', 'vera']);
    expect(res.text).not.toMatch(/scrypt|hash|admin"/);
  });
});
