/**
 * Bad input over real HTTP: malformed and oversized bodies, wrong types, unknown fields and
 * options, unknown and huge ids, path tricks. Each gets a clear JSON error, no stack trace,
 * and leaves the store exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { MAX_PUSH_CHANGES } from '../../shared/api/schemas.js';
import { type ApiAnswer, type ApiRequest, api, everyTypeTracker, seedUsers, snapshotOf, startInstance, type TestInstance } from '../helpers/instance.js';

const STACK = /\bat .+:\d+:\d+|node_modules|\.[jt]s:\d+|Error:/;

let inst: TestInstance;
let bugs: Tracker;
let itemId: number;

beforeAll(async () => {
  inst = await startInstance();
  bugs = await everyTypeTracker(inst.hub);
  await seedUsers(inst.hub, bugs);
  itemId = (await inst.hub.createItems(bugs.id, [{ values: { title: 'first', priority: 'low' } }], 'root'))[0]!.id;
});

afterAll(async () => {
  await inst.close();
});

/** Sends a request that must be refused: checks the status, the JSON error, no stack, and that nothing changed. */
async function refused(path: string, opts: ApiRequest, status: number, code: string): Promise<ApiAnswer> {
  const before = await snapshotOf(inst);
  const res = await api(inst.url, path, { user: 'root', ...opts });
  const label = `${opts.method ?? 'GET'} ${path.slice(0, 80)} ${typeof opts.raw === 'string' ? opts.raw.slice(0, 80) : JSON.stringify(opts.body ?? '').slice(0, 80)}`;
  expect(res.status, label).toBe(status);
  expect(res.headers['content-type'], label).toMatch(/^application\/json/);
  expect(res.json?.error?.code, label).toBe(code);
  expect(typeof res.json.error.message, label).toBe('string');
  expect(res.text, label).not.toMatch(STACK);
  expect(await snapshotOf(inst), label).toBe(before);
  return res;
}

const pushPath = () => `/trackers/${bugs.id}/push`;
/** The fields named by a 400's problems. */
const fieldsOf = (res: ApiAnswer): string[] => res.json.error.details.problems.map((p: { field: string }) => p.field);

describe('malformed bodies', () => {
  it.each([
    ['{not json'],
    ['{"changes": [}'],
    ['{"changes": []} trailing'],
    ["{'changes': []}"],
    ['null'],
    ['"a string"'],
    ['42'],
    ['\u0000'],
  ])('%j is a 400 "malformed JSON"', async (raw) => {
    const res = await refused(pushPath(), { raw }, 400, 'bad_input');
    expect(res.json.error.message).toMatch(/malformed JSON/);
    expect(fieldsOf(res)).toEqual(['body']);
  });

  it('an empty body or none reads as {} and is a 400 naming changes', async () => {
    for (const opts of [{ raw: '', headers: { 'content-type': 'application/json' } }, { method: 'POST' }] as ApiRequest[]) {
      const res = await refused(pushPath(), opts, 400, 'bad_input');
      expect(fieldsOf(res)).toEqual(['changes']);
    }
  });

  it('a form body or a JSON array are 400 naming the body', async () => {
    for (const opts of [
      { raw: 'changes=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { raw: '[]' },
    ] as ApiRequest[]) {
      const res = await refused(pushPath(), opts, 400, 'bad_input');
      expect(fieldsOf(res)).toEqual(['body']);
    }
  });

  it('a JSON body is read as JSON whatever its Content-Type says (curl -d sends a form type)', async () => {
    const raw = JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'typed-as-form', values: { title: 'from curl -d' } }] });
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const res = await api(inst.url, pushPath(), { user: 'root', raw, headers: { 'content-type': type } });
      expect(res.status, type).toBe(200);
      expect(res.json.results).toEqual([expect.objectContaining({ status: 'created' })]);
    }
    // The same key twice: one item.
    expect((await inst.hub.listItems(bugs.id)).filter((i) => i.values.title === 'from curl -d')).toHaveLength(1);
  });

  it('an unsupported charset is a 400', async () => {
    await refused(pushPath(), { raw: '{"changes":[]}', headers: { 'content-type': 'application/json; charset=latin-9' } }, 400, 'bad_input');
  });
});

describe('batches that do not fit the contract', () => {
  const cases: [string, unknown, string[]][] = [
    ['no changes', {}, ['changes']],
    ['changes not a list', { changes: { op: 'create' } }, ['changes']],
    ['an unknown op', { changes: [{ op: 'upsert', id: 1 }] }, ['changes.0.op']],
    ['no op', { changes: [{ id: 1, baseVersion: 1 }] }, ['changes.0.op']],
    ['a create without key', { changes: [{ op: 'create', values: {} }] }, ['changes.0.idempotencyKey']],
    ['a key with a space', { changes: [{ op: 'create', idempotencyKey: 'has space', values: {} }] }, ['changes.0.idempotencyKey']],
    ['an empty key', { changes: [{ op: 'create', idempotencyKey: '', values: {} }] }, ['changes.0.idempotencyKey']],
    ['a key of 129 characters', { changes: [{ op: 'create', idempotencyKey: 'k'.repeat(129), values: {} }] }, ['changes.0.idempotencyKey']],
    ['values not an object', { changes: [{ op: 'create', idempotencyKey: 'k', values: ['title'] }] }, ['changes.0.values']],
    ['an unknown status', { changes: [{ op: 'create', idempotencyKey: 'k', status: 'archived', values: {} }] }, ['changes.0.status']],
    ['an id as a string', { changes: [{ op: 'update', id: '1', baseVersion: 1, fields: {} }] }, ['changes.0.id']],
    ['a negative id', { changes: [{ op: 'update', id: -1, baseVersion: 1, fields: {} }] }, ['changes.0.id']],
    ['a fractional id', { changes: [{ op: 'delete', id: 1.5, baseVersion: 1 }] }, ['changes.0.id']],
    ['a huge id', { changes: [{ op: 'delete', id: 1e20, baseVersion: 1 }] }, ['changes.0.id']],
    ['no baseVersion', { changes: [{ op: 'update', id: 1, fields: {} }] }, ['changes.0.baseVersion']],
    ['a negative baseVersion', { changes: [{ op: 'delete', id: 1, baseVersion: -1 }] }, ['changes.0.baseVersion']],
    ['fields not an object', { changes: [{ op: 'update', id: 1, baseVersion: 1, fields: 'title=x' }] }, ['changes.0.fields']],
    ['a field change that is not {base, value}', { changes: [{ op: 'update', id: 1, baseVersion: 1, fields: { title: 'x' } }] }, ['changes.0.fields.title']],
    ['overwrite not a boolean', { changes: [{ op: 'update', id: 1, baseVersion: 1, fields: {}, overwrite: 'yes' }] }, ['changes.0.overwrite']],
    ['a bad change after good ones', { changes: [{ op: 'create', idempotencyKey: 'good', values: { title: 'x' } }, { op: 'create' }] }, ['changes.1.idempotencyKey', 'changes.1.values']],
  ];

  it.each(cases)('%s is a 400 naming the field, and nothing of the batch is written', async (_name, body, fields) => {
    const res = await refused(pushPath(), { body }, 400, 'bad_input');
    expect([...new Set(fieldsOf(res))]).toEqual(fields);
    for (const problem of res.json.error.details.problems) expect(problem.reason).toEqual(expect.any(String));
  });

  it('an empty list is answered with no results, and writes nothing', async () => {
    const before = await snapshotOf(inst);
    const res = await api(inst.url, pushPath(), { user: 'root', body: { changes: [] } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ results: [] });
    expect(await snapshotOf(inst)).toBe(before);
  });

  it(`more than ${MAX_PUSH_CHANGES} changes in one batch is a 400`, async () => {
    const changes = Array.from({ length: MAX_PUSH_CHANGES + 1 }, (_, i) => ({ op: 'create', idempotencyKey: `many-${i}`, values: { title: 'x' } }));
    const res = await refused(pushPath(), { body: { changes } }, 400, 'bad_input');
    expect(fieldsOf(res)).toEqual(['changes']);
  });

  it('lists at most 50 problems for a hostile batch', async () => {
    const changes = Array.from({ length: 500 }, () => ({ op: 'create' }));
    const res = await refused(pushPath(), { body: { changes } }, 400, 'bad_input');
    expect(res.json.error.details.problems).toHaveLength(50);
  });
});

describe('values that do not fit the schema', () => {
  it('are answered per item as rejected, with the field and reason, and not written', async () => {
    const before = await snapshotOf(inst);
    const bad: Record<string, unknown>[] = [
      { title: 42 },
      { title: 'x', estimate: '3' },
      { title: 'x', done: 'true' },
      { title: 'x', priority: 'urgent' },
      { title: 'x', platforms: 'linux' },
      { title: 'x', platforms: ['linux', 'amiga'] },
      { title: 'x', due: '2024-02-30' },
      { title: 'x', seen: 'yesterday' },
      { title: 'x', contact: 'not-an-email' },
      { title: 'x', link: 'javascript:alert(1)' },
      { title: 'x', tags: [1, 2] },
      { title: 'x', where: '91,0' },
      { title: 'x', owner: 'a\nb' },
      { title: 'x', number: 7 },
      { title: 'x', person: -1 },
      { title: 'x', title2: 'unknown field' },
      { title: 'x', status: 'closed' },
      { title: { nested: true } },
    ];
    const res = await api(inst.url, pushPath(), { user: 'root', body: { changes: bad.map((values, i) => ({ op: 'create', idempotencyKey: `bad-value-${i}`, values })) } });
    expect(res.status).toBe(200);
    for (const [i, result] of res.json.results.entries()) {
      expect(result.status, JSON.stringify(bad[i])).toBe('rejected');
      expect(result.error, JSON.stringify(bad[i])).toMatch(/^values\.\w+: /);
    }
    expect(await snapshotOf(inst)).toBe(before);
  });
});

describe('bodies over the limit', () => {
  it('are refused with 413 too_large (configured limit), before any of it is written', async () => {
    const small = await startInstance({ bodyLimit: 1024 });
    try {
      const t = await small.hub.createTracker({ name: 'T', fields: [{ name: 'title', type: 'text' }] });
      await small.hub.addUser('root', 'pw', { admin: true });
      const before = await snapshotOf(small);
      const big = { changes: [{ op: 'create', idempotencyKey: 'k', values: { title: 'x'.repeat(2000) } }] };
      const res = await api(small.url, `/trackers/${t.id}/push`, { user: 'root', password: 'pw', body: big });
      expect(res.status).toBe(413);
      expect(res.json.error.code).toBe('too_large');
      expect(res.text).not.toMatch(STACK);
      expect(await snapshotOf(small)).toBe(before);
      // Just under the limit goes through.
      const fits = { changes: [{ op: 'create', idempotencyKey: 'k', values: { title: 'x'.repeat(900) } }] };
      expect((await api(small.url, `/trackers/${t.id}/push`, { user: 'root', password: 'pw', body: fits })).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('are refused with 413 at the default limit of 16 MiB', async () => {
    const raw = JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'big', values: { title: 'x', body: 'x'.repeat(16 * 1024 * 1024) } }] });
    await refused(pushPath(), { raw }, 413, 'too_large');
  });

  it('are not read at all without valid credentials: 401 comes first', async () => {
    const raw = JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'big', values: { title: 'x'.repeat(17 * 1024 * 1024) } }] });
    await refused(pushPath(), { raw, user: 'root', password: 'wrong' }, 401, 'unauthorized');
  });
});

describe('ids and paths', () => {
  it('unknown trackers and items are 404, by id and by name', async () => {
    await refused('/trackers/999', {}, 404, 'not_found');
    await refused('/trackers/nope', {}, 404, 'not_found');
    await refused('/trackers/bugs', {}, 404, 'not_found');
    await refused('/trackers/999/changes', {}, 404, 'not_found');
    await refused('/trackers/999/items/1', {}, 404, 'not_found');
    await refused('/trackers/999/push', { body: { changes: [{ op: 'delete', id: 1, baseVersion: 1 }] } }, 404, 'not_found');
    const res = await refused(`/trackers/${bugs.id}/items/99999`, {}, 404, 'not_found');
    expect(res.json.error.message).toMatch(/unknown item 99999/);
  });

  it('a deleted item is 404', async () => {
    const [gone] = await inst.hub.createItems(bugs.id, [{ values: { title: 'gone' } }], 'root');
    await inst.hub.deleteItems(bugs.id, [gone!.id], 'root');
    await refused(`/trackers/${bugs.id}/items/${gone!.id}`, {}, 404, 'not_found');
  });

  it('an item id that is not a positive integer is a 400 naming itemId', async () => {
    for (const id of ['abc', '-1', '0', '1.5', '1e3', '0x10', '%20', '99999999999999999999', "1'%20OR%20'1'='1"]) {
      const res = await refused(`/trackers/${bugs.id}/items/${id}`, {}, 400, 'bad_input');
      expect(fieldsOf(res), id).toEqual(['itemId']);
    }
  });

  it('huge tracker ids and names are 404, with a short message', async () => {
    for (const ref of ['99999999999999999999999', '1'.repeat(5000), 'n'.repeat(5000)]) {
      const res = await refused(`/trackers/${ref}`, {}, 404, 'not_found');
      expect(res.text.length).toBeLessThan(400);
    }
  });

  it('path tricks are unknown trackers or unknown routes, never files or other trackers', async () => {
    for (const path of [
      '/trackers/..%2f',
      '/trackers/..%2f..%2fetc%2fpasswd',
      '/trackers/%2e%2e',
      '/trackers/%2e%2e%2fusers',
      `/trackers/${bugs.id}%2fitems%2f${itemId}`,
      '/trackers/%00',
      `/trackers/${bugs.id}%00`,
      "/trackers/Bugs'%20OR%20'1'='1",
      '/trackers/Bugs%20',
      '/trackers/..',
    ]) {
      await refused(path, {}, 404, 'not_found');
    }
    expect((await api(inst.url, '/trackers/Bugs', { user: 'root' })).status).toBe(200);
  });

  it('broken percent-encoding in the path is a 400', async () => {
    for (const path of ['/trackers/%E0%A4%A', `/trackers/${bugs.id}/items/%ZZ`, '/trackers/%']) {
      const res = await refused(path, {}, 400, 'bad_input');
      expect(res.json.error.message).toMatch(/percent-encoding/);
    }
  });
});
