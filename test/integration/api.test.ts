import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { PASSWORDS, type TestInstance, basic, createEveryTypeTracker, seedUsers, snapshot, startInstance, tempDir } from '../helpers/instance.js';

let master: TestInstance;
let bugs: Tracker;
let other: Tracker;
let firstId: number;

async function call(path: string, opts: { user?: string; password?: string; method?: string; body?: unknown; raw?: string; headers?: Record<string, string>; base?: string } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.user) headers.authorization = basic(opts.user, opts.password);
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${opts.base ?? master.url}/api/v1${path}`, {
    method: opts.method ?? (opts.body !== undefined || opts.raw !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const push = (changes: unknown[], user = 'root') => call(`/trackers/${bugs.id}/push`, { user, body: { changes } });

beforeAll(async () => {
  master = await startInstance({ loginThrottle: { max: 5, windowMs: 60_000 } });
  bugs = createEveryTypeTracker(master.store);
  other = master.store.createTracker({ name: 'Other', fields: [{ name: 'title', type: 'text' }] });
  await seedUsers(master.store, bugs);
  firstId = master.store.createItems(bugs.id, [{ values: { title: 'first', priority: 'low' } }, { values: { title: 'second', estimate: 3 } }], 'root')[0]!.id;
});

afterAll(async () => {
  await master.close();
});

describe('health and the OpenAPI document', () => {
  it('answers health without credentials', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ok' });
  });

  it('publishes an OpenAPI 3 document listing every route', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toMatch(/^3\./);
    for (const path of ['/health', '/trackers', '/trackers/{id}', '/trackers/{id}/changes', '/trackers/{id}/items/{itemId}', '/trackers/{id}/push', '/users']) {
      expect(Object.keys(res.json.paths)).toContain(`/api/v1${path}`);
    }
  });

  it('sends security headers and no x-powered-by', async () => {
    const res = await call('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('authentication', () => {
  it('refuses a request without credentials with 401, a Basic challenge and a JSON error', async () => {
    const res = await call('/trackers');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="s15n"/);
    expect(res.json.error.code).toBe('unauthorized');
  });

  it('accepts a password containing ":" (passport-http would cut it)', async () => {
    expect(PASSWORDS.root).toContain(':');
    expect((await call('/trackers', { user: 'root' })).status).toBe(200);
  });

  it('accepts a unicode password', async () => {
    await master.store.addUser('zoe', 'pässwörd✓:x');
    expect((await call('/trackers', { user: 'zoe', password: 'pässwörd✓:x' })).status).toBe(200);
  });

  it('throttles repeated failed logins with 429 per address and user, leaving other users alone', async () => {
    await master.store.addUser('target', 'right-pw');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call('/trackers', { user: 'target', password: `wrong${i}` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const locked = await call('/trackers', { user: 'target', password: 'right-pw' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.json.error.code).toBe('too_many_requests');
    expect((await call('/trackers', { user: 'root' })).status).toBe(200);
  });

  it('never echoes the password or the Authorization header in an answer', async () => {
    const res = await call('/trackers', { user: 'root', password: 'secret-guess-123' });
    expect(res.text).not.toContain('secret-guess-123');
    expect(res.text).not.toMatch(/Basic /);
  });
});

describe('the rights matrix', () => {
  const users = ['root', 'alice', 'eddie', 'vera', 'olga'] as const;

  it('lists only the trackers a user may view', async () => {
    const names = async (user: string) => (await call('/trackers', { user })).json.trackers.map((t: { name: string }) => t.name);
    expect(await names('root')).toEqual(['People', 'Bugs', 'Other']);
    expect(await names('alice')).toEqual(['Bugs']);
    expect(await names('vera')).toEqual(['Bugs']);
    expect(await names('olga')).toEqual([]);
  });

  it('reading schema, items and changes needs the view right', async () => {
    const expected = { root: 200, alice: 200, eddie: 200, vera: 200, olga: 403 };
    for (const user of users) {
      for (const path of [`/trackers/${bugs.id}`, `/trackers/${bugs.id}/changes`, `/trackers/${bugs.id}/items/${firstId}`]) {
        expect((await call(path, { user })).status, `${user} ${path}`).toBe(expected[user]);
      }
    }
  });

  it('pushing creates and updates needs the edit right; deletes and overwrites need admin', async () => {
    const before = snapshot(master.store);
    expect((await push([{ op: 'create', idempotencyKey: 'vera-1', values: { title: 'x' } }], 'vera')).status).toBe(403);
    expect((await push([{ op: 'create', idempotencyKey: 'olga-1', values: { title: 'x' } }], 'olga')).status).toBe(403);
    expect((await push([{ op: 'delete', id: firstId, baseVersion: 1 }], 'eddie')).status).toBe(403);
    expect((await push([{ op: 'update', id: firstId, baseVersion: 1, fields: { title: { base: 'first', value: 'y' } }, overwrite: true }], 'eddie')).status).toBe(403);
    expect(snapshot(master.store)).toBe(before);
    const created = await push([{ op: 'create', idempotencyKey: 'eddie-1', values: { title: 'by eddie' } }], 'eddie');
    expect(created.status).toBe(200);
    expect(created.json.results[0]).toMatchObject({ status: 'created' });
  });

  it('listing users needs the admin right somewhere', async () => {
    const expected = { root: 200, alice: 200, eddie: 403, vera: 403, olga: 403 };
    for (const user of users) expect((await call('/users', { user })).status, user).toBe(expected[user]);
    expect((await call('/users', { user: 'root' })).json.users).toContain('alice');
  });
});

describe('trackers, items and the change feed', () => {
  it('serves a schema with fields, statuses and the schema hash, by id and by name', async () => {
    const byId = await call(`/trackers/${bugs.id}`, { user: 'vera' });
    const byName = await call('/trackers/Bugs', { user: 'vera' });
    expect(byId.json).toEqual(byName.json);
    expect(byId.json.statuses).toEqual(['open', 'pending', 'closed']);
    expect(byId.json.fields.find((f: { name: string }) => f.name === 'priority')).toMatchObject({ type: 'dropdown', options: ['low', 'medium', 'high'], required: false });
    expect(byId.json.schemaHash).toBe(bugs.schemaHash);
  });

  it('answers 404 for unknown trackers and items, 400 for malformed ids', async () => {
    expect((await call('/trackers/999', { user: 'root' })).status).toBe(404);
    expect((await call('/trackers/nope', { user: 'root' })).status).toBe(404);
    expect((await call(`/trackers/${bugs.id}/items/99999`, { user: 'root' })).status).toBe(404);
    expect((await call(`/trackers/${bugs.id}/items/abc`, { user: 'root' })).status).toBe(400);
    expect((await call(`/trackers/${bugs.id}/items/99999999999999999999`, { user: 'root' })).status).toBe(400);
    expect((await call('/trackers/..%2f..%2fetc', { user: 'root' })).status).toBe(404);
    expect((await call('/nothing-here', { user: 'root' })).status).toBe(404);
  });

  it('pages the feed with precise tokens: following next through any page size yields the whole feed once', async () => {
    const all = (await call(`/trackers/${bugs.id}/changes?since=0&limit=10000`, { user: 'root' })).json;
    expect(all.more).toBe(false);
    for (const limit of [1, 2, 3]) {
      const seen: number[] = [];
      let token = 0;
      for (;;) {
        const page = (await call(`/trackers/${bugs.id}/changes?since=${token}&limit=${limit}`, { user: 'root' })).json;
        seen.push(...page.changes.map((c: { seq: number }) => c.seq));
        token = page.next;
        if (!page.more) break;
      }
      expect(seen).toEqual(all.changes.map((c: { seq: number }) => c.seq));
    }
  });

  it('refuses bad tokens and limits with 400 naming the parameter', async () => {
    for (const query of ['since=-1', 'since=abc', 'limit=0', 'limit=100001', 'since=1&since=2', 'bogus=1']) {
      const res = await call(`/trackers/${bugs.id}/changes?${query}`, { user: 'root' });
      expect(res.status, query).toBe(400);
      expect(res.json.error.code).toBe('bad_input');
    }
  });

  it('streams NDJSON: one change per line then {"next","more":false}; a cut stream resumes from the last seq', async () => {
    const res = await fetch(`${master.url}/api/v1/trackers/${bugs.id}/changes?since=0`, { headers: { authorization: basic('root'), accept: 'application/x-ndjson' } });
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const last = lines.pop();
    expect(last).toEqual({ next: lines.at(-1).seq, more: false });
    const cutAt = lines[0].seq;
    const rest = await fetch(`${master.url}/api/v1/trackers/${bugs.id}/changes?since=${cutAt}`, { headers: { authorization: basic('root'), accept: 'application/x-ndjson' } });
    const resumed = (await rest.text()).trim().split('\n').map((l) => JSON.parse(l));
    resumed.pop();
    expect(resumed.map((c) => c.seq)).toEqual(lines.slice(1).map((c) => c.seq));
  });

  it('includes tombstones in the feed and hides deleted items from GET item', async () => {
    const [victim] = master.store.createItems(bugs.id, [{ values: { title: 'to delete' } }], 'root');
    const before = (await call(`/trackers/${bugs.id}/changes?since=0&limit=10000`, { user: 'root' })).json.next;
    const res = await push([{ op: 'delete', id: victim!.id, baseVersion: 1 }], 'alice');
    expect(res.json.results[0]).toMatchObject({ status: 'deleted', id: victim!.id });
    const feed = (await call(`/trackers/${bugs.id}/changes?since=${before}`, { user: 'root' })).json;
    expect(feed.changes).toEqual([expect.objectContaining({ id: victim!.id, deleted: true })]);
    expect((await call(`/trackers/${bugs.id}/items/${victim!.id}`, { user: 'root' })).status).toBe(404);
  });
});

describe('push', () => {
  it('creates once per idempotency key, however often the batch is retried', async () => {
    const change = { op: 'create', idempotencyKey: 'retry-key-1', values: { title: 'once', priority: 'high' } };
    const first = (await push([change])).json.results[0];
    const again = (await push([change])).json.results[0];
    expect(first.status).toBe('created');
    expect(again).toEqual(first);
    const titles = master.store.listItems(bugs.id).filter((i) => i.values.title === 'once');
    expect(titles).toHaveLength(1);
    expect(titles[0]!.values.number).toBeTypeOf('number');
  });

  it('updates a field whose base matches and keeps the remote change of another field', async () => {
    const [item] = master.store.createItems(bugs.id, [{ values: { title: 'fl', priority: 'low', estimate: 1 } }], 'root');
    master.store.updateItem(bugs.id, item!.id, { values: { estimate: 2 } }, 'someone');
    const res = (await push([{ op: 'update', id: item!.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } } }])).json.results[0];
    expect(res).toMatchObject({ status: 'updated', version: 3 });
    expect(res.item.values).toMatchObject({ priority: 'high', estimate: 2 });
  });

  it('answers a stale base with a per-field conflict and the current item, writing nothing', async () => {
    const [item] = master.store.createItems(bugs.id, [{ values: { title: 'c', priority: 'low' } }], 'root');
    master.store.updateItem(bugs.id, item!.id, { values: { priority: 'medium' } }, 'someone');
    const before = snapshot(master.store);
    const res = (await push([{ op: 'update', id: item!.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' }, title: { base: 'c', value: 'c2' } } }])).json.results[0];
    expect(res).toMatchObject({ status: 'conflict', conflicts: ['priority'] });
    expect(res.item.values.priority).toBe('medium');
    expect(snapshot(master.store)).toBe(before);
  });

  it('overwrites a conflicting field only when overwrite is asked with the admin right', async () => {
    const [item] = master.store.createItems(bugs.id, [{ values: { title: 'o', priority: 'low' } }], 'root');
    master.store.updateItem(bugs.id, item!.id, { values: { priority: 'medium' } }, 'someone');
    const res = (await push([{ op: 'update', id: item!.id, baseVersion: 1, fields: { priority: { base: 'low', value: 'high' } }, overwrite: true }], 'alice')).json.results[0];
    expect(res).toMatchObject({ status: 'updated' });
    expect(master.store.getItem(bugs.id, item!.id)!.values.priority).toBe('high');
  });

  it('treats status as the pseudo-field of an update', async () => {
    const [item] = master.store.createItems(bugs.id, [{ values: { title: 's' } }], 'root');
    const res = (await push([{ op: 'update', id: item!.id, baseVersion: 1, fields: { status: { base: 'open', value: 'closed' } } }])).json.results[0];
    expect(res).toMatchObject({ status: 'updated' });
    expect(res.item.status).toBe('closed');
  });

  it('answers a delete of a changed item with a conflict, and of a gone item with deleted', async () => {
    const [item] = master.store.createItems(bugs.id, [{ values: { title: 'd' } }], 'root');
    master.store.updateItem(bugs.id, item!.id, { values: { title: 'd2' } }, 'someone');
    expect((await push([{ op: 'delete', id: item!.id, baseVersion: 1 }])).json.results[0].status).toBe('conflict');
    expect((await push([{ op: 'delete', id: item!.id, baseVersion: 2 }])).json.results[0].status).toBe('deleted');
    expect((await push([{ op: 'delete', id: item!.id, baseVersion: 2 }])).json.results[0].status).toBe('deleted');
  });

  it('answers each change of a batch on its own: a bad value is rejected with the field and reason, the rest goes through', async () => {
    const before = master.store.countItems(bugs.id);
    const res = (await push([
      { op: 'create', idempotencyKey: 'ok-1', values: { title: 'fine' } },
      { op: 'create', idempotencyKey: 'bad-1', values: { title: 'x', estimate: 'ten' } },
      { op: 'create', idempotencyKey: 'bad-2', values: { title: 'x', priority: 'urgent' } },
      { op: 'create', idempotencyKey: 'bad-3', values: { title: 'x', ghost: 1 } },
      { op: 'create', idempotencyKey: 'bad-4', values: { estimate: 1 } },
      { op: 'update', id: 987654, baseVersion: 1, fields: { title: { base: 'a', value: 'b' } } },
    ])).json.results;
    expect(res.map((r: { status: string }) => r.status)).toEqual(['created', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(res[1].error).toMatch(/values\.estimate: expected a finite number/);
    expect(res[2].error).toMatch(/values\.priority: "urgent" is not one of the options/);
    expect(res[3].error).toMatch(/values\.ghost: unknown field/);
    expect(res[4].error).toMatch(/values\.title: required/);
    expect(res[5].error).toMatch(/unknown item/);
    expect(master.store.countItems(bugs.id)).toBe(before + 1);
  });

  it('stores SQL-injection strings verbatim as data', async () => {
    const evil = "'); DROP TABLE items; -- \" OR 1=1";
    const res = (await push([{ op: 'create', idempotencyKey: 'sqli', values: { title: evil, body: evil } }])).json.results[0];
    const got = await call(`/trackers/${bugs.id}/items/${res.id}`, { user: 'root' });
    expect(got.json.values.title).toBe(evil);
    expect(master.store.countItems(bugs.id)).toBeGreaterThan(1);
  });

  it('refuses malformed batches with 400 naming the field, changing nothing', async () => {
    const bodies: [string, string][] = [
      ['{not json', 'body'],
      ['[]', ''],
      [JSON.stringify({ changes: [] }), 'changes'],
      [JSON.stringify({ changes: [{ op: 'explode' }] }), 'changes.0.op'],
      [JSON.stringify({ changes: [{ op: 'create', values: {} }] }), 'changes.0.idempotencyKey'],
      [JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'has space', values: {} }] }), 'changes.0.idempotencyKey'],
      [JSON.stringify({ changes: [{ op: 'update', id: 'one', baseVersion: 1, fields: {} }] }), 'changes.0.id'],
      [JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'k', values: {} }], extra: 1 }), ''],
    ];
    const before = snapshot(master.store);
    for (const [raw, field] of bodies) {
      const res = await call(`/trackers/${bugs.id}/push`, { user: 'root', raw });
      expect(res.status, raw).toBe(400);
      expect(res.json.error.code).toBe('bad_input');
      if (field) expect(JSON.stringify(res.json.error.details), raw).toContain(field);
      expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    expect(snapshot(master.store)).toBe(before);
  });

  it('refuses a body over the limit with 413 and changes nothing', async () => {
    const small = await startInstance({ bodyLimit: 1024 });
    try {
      const t = small.store.createTracker({ name: 'T', fields: [{ name: 'title', type: 'text' }] });
      await small.store.addUser('root', 'pw', { admin: true });
      const before = snapshot(small.store);
      const res = await call(`/trackers/${t.id}/push`, { base: small.url, user: 'root', password: 'pw', body: { changes: [{ op: 'create', idempotencyKey: 'k', values: { title: 'x'.repeat(5000) } }] } });
      expect(res.status).toBe(413);
      expect(res.json.error.code).toBe('too_large');
      expect(snapshot(small.store)).toBe(before);
    } finally {
      await small.close();
    }
  });

  it('refuses a body over the default 16 MiB limit with 413', async () => {
    const res = await call(`/trackers/${other.id}/push`, { user: 'root', raw: JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'big', values: { title: 'x'.repeat(17 * 1024 * 1024) } }] }) });
    expect(res.status).toBe(413);
  });
});

describe('TLS', () => {
  it('serves https with a certificate and key', async () => {
    const dir = tempDir();
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const secure = await startInstance({ tls: { cert, key } });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { request } = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        request(`${secure.url}/api/v1/health`, { ca: [readFileSync(cert)] }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    } finally {
      await secure.close();
    }
  });
});
