/**
 * DESIGN §13 over real HTTP, on either engine (the postgres project runs it again on a
 * PostgreSQL hub): key fields in the schema, two concurrent pushes of one key answered created
 * and matched with one item on the hub, and GET …/export.csv with the view right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { PushResponse } from '../../shared/api/schemas.js';
import { api, seedUsers, startInstance, type TestInstance } from '../helpers/instance.js';

let inst: TestInstance;
let people: Tracker;

beforeAll(async () => {
  inst = await startInstance();
  people = await inst.hub.createTracker({ name: 'People', fields: [{ name: 'email', type: 'email', key: true }, { name: 'name', type: 'text' }, { name: 'tags', type: 'tags' }] });
  await seedUsers(inst.hub, people);
});

afterAll(async () => {
  await inst.close();
});

const create = (idempotencyKey: string, values: Record<string, unknown>) => ({ op: 'create', idempotencyKey, values });

async function push(changes: unknown[]): Promise<any[]> {
  const res = await api(inst.url, `/trackers/${people.id}/push`, { user: 'eddie', body: { changes } });
  expect(res.status, res.text).toBe(200);
  expect(PushResponse.safeParse(res.json).success, res.text).toBe(true);
  return res.json.results;
}

describe('key fields over HTTP', () => {
  it('shows a key field in the schema', async () => {
    const res = await api(inst.url, `/trackers/${people.id}`, { user: 'vera' });
    expect(res.json.fields[0]).toMatchObject({ name: 'email', key: true });
  });

  it('answers two concurrent pushes of one key value created and matched: one item, the other\'s values not written', async () => {
    const answers = (await Promise.all([push([create('a-1', { email: 'bob@example.org', name: 'Bob' })]), push([create('b-1', { email: 'bob@example.org', name: 'Robert' })])])).map(([r]) => r);
    expect(answers.map((r) => r.status).sort()).toEqual(['created', 'matched']);
    const created = answers.find((r) => r.status === 'created');
    const matched = answers.find((r) => r.status === 'matched');
    expect(matched).toMatchObject({ id: created.id, version: 1, item: { values: created.item.values } });
    expect((await inst.hub.listItems(people.id)).filter((i) => i.values.email === 'bob@example.org')).toHaveLength(1);
  });
});

describe('GET /trackers/:id/export.csv', () => {
  it('streams the items as CSV to the view right (header of field names and status), 403 without it', async () => {
    await inst.hub.createItems(people.id, [{ status: 'closed', values: { email: 'ann@example.org', name: 'Ann, "A"\nLee', tags: ['x', 'y'] } }], 'root');
    const res = await api(inst.url, '/trackers/People/export.csv', { user: 'vera' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.text.split('\r\n')[0]).toBe('email,name,tags,status');
    expect(res.text).toContain('ann@example.org,"Ann, ""A""\nLee","x, y",closed\r\n');
    // Content negotiation (DESIGN §15): a client asking for CSV gets it; one that takes only JSON is told what there is.
    const asked = await api(inst.url, '/trackers/People/export.csv', { user: 'vera', headers: { accept: 'text/csv, */*;q=0.1' } });
    expect([asked.status, asked.text]).toEqual([200, res.text]);
    const json = await api(inst.url, '/trackers/People/export.csv', { user: 'vera', headers: { accept: 'application/json' } });
    expect(json.status).toBe(406);
    expect(json.json.error.details).toEqual({ available: ['text/csv'] });
    expect((await api(inst.url, '/trackers/People/export.csv', { user: 'olga' })).status).toBe(403);
    expect((await api(inst.url, '/trackers/Nope/export.csv', { user: 'root' })).status).toBe(404);
  });
});
