/**
 * The route table (shared/api/routes.ts) against what really runs: every route mounted in the
 * Express app is in the OpenAPI document and in the table, and nothing else is; every documented
 * route but health asks for credentials; every status a route is seen to answer is documented;
 * every declared error status has its own wording in the client.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORDED_STATUSES } from '../../client/remote/errors.js';
import { createApp } from '../../server/app.js';
import type { Tracker } from '../../server/store/index.js';
import { openApiDocument } from '../../shared/api/openapi.js';
import { ROUTES, type RouteId, isTrackerRight, openApiPath, routeList, statusesOf } from '../../shared/api/routes.js';
import { API_PREFIX, NDJSON } from '../../shared/api/schemas.js';
import { type ApiAnswer, type ApiRequest, api, everyTypeTracker, seedUsers, startInstance, type TestInstance } from '../helpers/instance.js';

/** The methods probed on every path; HEAD and OPTIONS have tests of their own. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface Operation {
  operationId: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

let inst: TestInstance;
let bugs: Tracker;
let itemId: number;
/** The item's ETag, as a strong tag: If-None-Match compares weakly. */
let itemTag: string;
const blob = Buffer.from('the bytes of an attachment');
const blobSha = createHash('sha256').update(blob).digest('hex');
const doc = openApiDocument('test') as unknown as { paths: Paths };

beforeAll(async () => {
  // A small body limit and a throttle that locks at the first failure, so 413 and 429 are cheap to see.
  inst = await startInstance({ bodyLimit: 4096, loginThrottle: { max: 1, windowMs: 60_000 }, blobLimits: { maxSize: 4096 } });
  bugs = await everyTypeTracker(inst.hub);
  await seedUsers(inst.hub, bugs);
  await inst.hub.putBlob(bugs.id, Readable.from([blob]), { limits: { maxSize: 4096, quota: 1 << 20 } });
  itemId = (await inst.hub.createItems(bugs.id, [{ values: { title: 'first' } }], 'root'))[0]!.id;
  itemTag = String((await api(inst.url, `/trackers/${bugs.id}/items/${itemId}`, { user: 'root' })).headers.etag).replace(/^W\//, '');
});

afterAll(async () => {
  await inst.close();
});

/** `METHOD /api/v1/path/{param}` of every operation in the document. */
function documented(): string[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** `METHOD /path/{param}` of every route in the app's router stack, nested routers with their mount path. */
function mounted(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        // The catch-all after each path's routes (OPTIONS, 405) is not a route of the table.
        if (layer.route.methods._all) continue;
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        expect(typeof layer.rawPath, 'a nested router mounted at a path').toBe('string');
        walk(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${String(layer.rawPath)}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

/** A documented path with real values for its parameters. */
function concrete(path: string): string {
  return path.slice(API_PREFIX.length).replace('{id}', String(bugs.id)).replace('{itemId}', String(itemId)).replace('{sha256}', blobSha);
}

describe('the mounted routes, the table and the document', () => {
  it('are the same method and path pairs, each once', async () => {
    const app = createApp({ store: inst.hub });
    const fromTable = routeList().map((route) => `${route.method.toUpperCase()} ${API_PREFIX}${openApiPath(route)}`);
    expect(mounted(app).sort()).toEqual(documented().sort());
    expect(fromTable.sort()).toEqual(documented().sort());
    expect(new Set(documented()).size).toBe(routeList().length);
    for (const route of routeList()) expect(doc.paths[`${API_PREFIX}${openApiPath(route)}`]?.[route.method]?.operationId).toBe(route.id);
  });

  it('answer every other method on a documented path with 405, Allow (the documented methods, HEAD with GET, OPTIONS) and the JSON error shape', async () => {
    const pairs = Object.entries(doc.paths).flatMap(([path, operations]) => METHODS.filter((m) => !operations[m.toLowerCase()]).map((m) => [m, path, Object.keys(operations)] as const));
    expect(pairs.length).toBeGreaterThan(25);
    for (const [method, path, documentedMethods] of pairs) {
      const allow = [...new Set(documentedMethods.flatMap((m) => (m === 'get' ? ['GET', 'HEAD'] : [m.toUpperCase()]))), 'OPTIONS'];
      const res = await api(inst.url, concrete(path), { method, user: 'root', ...(method === 'GET' ? {} : { body: {} }) });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.allow, `${method} ${path}`).toBe(allow.join(', '));
      expect(res.json, `${method} ${path}`).toEqual({
        error: { code: 'method_not_allowed', message: `${method} is not allowed on ${API_PREFIX}${concrete(path)} (allowed: ${allow.join(', ')})`, details: { allow } },
      });
    }
  });

  it('answer OPTIONS on a documented path with 204 and Allow, HEAD of a GET route with its status and headers but no body', async () => {
    for (const path of Object.keys(doc.paths)) {
      const options = await api(inst.url, concrete(path), { method: 'OPTIONS', user: 'root' });
      expect(options.status, path).toBe(204);
      expect(options.headers.allow, path).toMatch(/OPTIONS$/);
      if (!doc.paths[path]!.get) continue;
      const [head, get] = [await api(inst.url, concrete(path), { method: 'HEAD', user: 'root' }), await api(inst.url, concrete(path), { user: 'root' })];
      expect([head.status, head.text], path).toEqual([get.status, '']);
      expect(head.headers['content-type'], path).toBe(get.headers['content-type']);
      expect(head.headers.etag, path).toBe(get.headers.etag);
    }
  });

  it('answer undocumented paths with 404 "no route" in the JSON error shape, whatever the method', async () => {
    const pairs: [string, string][] = [];
    for (const path of [`/trackers/${bugs.id}/items`, `/trackers/${bugs.id}/nothing`, '/users/root', '/openapi', '/api']) for (const m of METHODS) pairs.push([m, path]);
    for (const [method, path] of pairs) {
      const res = await api(inst.url, path, { method, user: 'root', ...(method === 'GET' ? {} : { body: {} }) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json, `${method} ${path}`).toEqual({ error: { code: 'not_found', message: `no route ${method} ${API_PREFIX}${path}` } });
    }
  });

  it('document Basic auth on every route but health, and every route but health answers 401 without credentials', async () => {
    for (const key of documented()) {
      const [method, path] = key.split(' ') as [string, string];
      const operation = doc.paths[path]![method.toLowerCase()]!;
      const open = operation.operationId === ROUTES.health.id;
      expect(operation.security, key).toEqual(open ? [] : [{ basic: [] }]);
      const res = await api(inst.url, concrete(path), { method, ...(method === 'POST' ? { body: { changes: [] } } : {}) });
      expect(res.status, key).toBe(open ? 200 : 401);
      if (!open) expect(res.headers['www-authenticate'], key).toMatch(/^Basic realm=/);
    }
  });
});

/** Requests that make each route answer each of its statuses. */
function probes(): Record<RouteId, (ApiRequest & { path: string })[]> {
  const push = `/trackers/${bugs.id}/push`;
  const blobs = `/trackers/${bugs.id}/blobs`;
  const blobPath = `${blobs}/${blobSha}`;
  const big = Buffer.alloc(8192, 7);
  const change = { changes: [{ op: 'create', idempotencyKey: `k-${Date.now()}`, values: { title: 'x' } }] };
  return {
    health: [{ path: '/health' }, { path: '/health', user: 'root', password: 'wrong' }, { path: '/health', headers: { accept: 'text/html' } }],
    openApi: [{ path: '/openapi.json', user: 'root' }, { path: '/openapi.json' }, { path: '/openapi.json', user: 'root', headers: { 'if-none-match': '*' } }, { path: '/openapi.json', user: 'root', headers: { accept: 'text/*' } }],
    listTrackers: [
      { path: '/trackers', user: 'olga' },
      { path: '/trackers', user: 'olga', headers: { accept: NDJSON } },
      { path: '/trackers', user: 'nobody', password: 'x' },
      { path: '/trackers', user: 'nobody', password: 'x' },
    ],
    getTracker: [
      { path: `/trackers/${bugs.id}`, user: 'vera' },
      { path: `/trackers/${bugs.id}`, user: 'vera', headers: { 'if-none-match': '*' } },
      { path: `/trackers/${bugs.id}`, user: 'vera', headers: { accept: 'application/json;q=0' } },
      { path: '/trackers/%', user: 'root' },
      { path: `/trackers/${bugs.id}`, user: 'olga' },
      { path: '/trackers/nope', user: 'root' },
    ],
    changes: [
      { path: `/trackers/${bugs.id}/changes`, user: 'vera' },
      { path: `/trackers/${bugs.id}/changes`, user: 'vera', headers: { accept: NDJSON } },
      { path: `/trackers/${bugs.id}/changes?limit=0`, user: 'vera' },
      { path: `/trackers/${bugs.id}/changes?since=x`, user: 'olga' },
      { path: `/trackers/${bugs.id}/changes`, user: 'vera', headers: { accept: 'text/plain' } },
      { path: '/trackers/nope/changes', user: 'root' },
    ],
    digest: [
      { path: `/trackers/${bugs.id}/digest`, user: 'vera' },
      { path: `/trackers/${bugs.id}/digest?limit=0`, user: 'vera' },
      { path: `/trackers/${bugs.id}/digest?where=${encodeURIComponent('{"estimate":{"$gte":"x"}}')}`, user: 'vera' },
      { path: `/trackers/${bugs.id}/digest`, user: 'olga' },
      { path: '/trackers/nope/digest', user: 'root' },
      { path: `/trackers/${bugs.id}/digest`, user: 'vera', headers: { accept: 'text/html' } },
    ],
    getItem: [
      { path: `/trackers/${bugs.id}/items/${itemId}`, user: 'vera' },
      { path: `/trackers/${bugs.id}/items/${itemId}`, user: 'vera', headers: { 'if-none-match': `"a", ${itemTag}` } },
      { path: `/trackers/${bugs.id}/items/${itemId}`, user: 'vera', headers: { accept: 'image/png' } },
      { path: `/trackers/${bugs.id}/items/0`, user: 'vera' },
      { path: `/trackers/${bugs.id}/items/${itemId}`, user: 'olga' },
      { path: `/trackers/${bugs.id}/items/99999`, user: 'root' },
    ],
    push: [
      { path: push, user: 'eddie', body: change },
      { path: push, user: 'eddie', body: change, headers: { accept: NDJSON } },
      { path: push, user: 'eddie', raw: '{not json' },
      { path: push, user: 'eddie', body: { changes: [{ op: 'upsert' }] } },
      { path: push, user: 'vera', body: change },
      { path: '/trackers/nope/push', user: 'root', body: change },
      { path: push, user: 'eddie', raw: JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'big', values: { title: 'x'.repeat(8192) } }] }) },
    ],
    listUsers: [{ path: '/users', user: 'root' }, { path: '/users', user: 'vera' }, { path: '/users', user: 'root', headers: { accept: 'text/csv' } }],
    exportCsv: [{ path: `/trackers/${bugs.id}/export.csv`, user: 'vera' }, { path: '/trackers/%/export.csv', user: 'root' }, { path: `/trackers/${bugs.id}/export.csv`, user: 'olga' }, { path: '/trackers/nope/export.csv', user: 'root' }, { path: `/trackers/${bugs.id}/export.csv`, user: 'vera', headers: { accept: 'application/json' } }],
    headBlob: [{ path: blobPath, user: 'vera' }, { path: `${blobs}/xyz`, user: 'vera' }, { path: blobPath, user: 'olga' }, { path: `${blobs}/${'0'.repeat(64)}`, user: 'root' }],
    getBlob: [
      { path: blobPath, user: 'vera' },
      { path: blobPath, user: 'vera', headers: { range: 'bytes=4-' } },
      { path: `${blobs}/${blobSha.toUpperCase()}`, user: 'vera' },
      { path: blobPath, user: 'olga' },
      { path: `${blobs}/${'0'.repeat(64)}`, user: 'root' },
      { path: blobPath, user: 'vera', headers: { range: `bytes=${blob.length}-` } },
      { path: blobPath, user: 'vera', headers: { accept: 'application/json' } },
    ],
    putBlob: [
      { path: blobPath, user: 'eddie', raw: blob },
      { path: blobPath, user: 'eddie', raw: Buffer.from('other bytes') },
      { path: blobPath, user: 'vera', raw: blob },
      { path: blobPath, user: 'eddie', raw: blob, headers: { accept: 'text/html' } },
      { path: `/trackers/nope/blobs/${blobSha}`, user: 'root', raw: blob },
      { path: `${blobs}/${createHash('sha256').update(big).digest('hex')}`, user: 'eddie', raw: big },
    ],
  };
}

describe('the statuses of each route', () => {
  it('seen over HTTP are all documented, and each route is seen answering 200 and every error it documents', async () => {
    for (const [id, requests] of Object.entries(probes()) as [RouteId, (ApiRequest & { path: string })[]][]) {
      const route = ROUTES[id];
      const operation = doc.paths[`${API_PREFIX}${openApiPath(route)}`]![route.method]!;
      const seen = new Set<number>();
      for (const { path, ...request } of requests) {
        const res: ApiAnswer = await api(inst.url, path, { method: route.method.toUpperCase(), ...request });
        seen.add(res.status);
        expect(Object.keys(operation.responses), `${id}: ${path} answered ${res.status} ${res.text.slice(0, 200)}`).toContain(String(res.status));
      }
      // 401 and 429 are authentication's, the same on every route: seen here on listTrackers, and 401 everywhere above.
      const own = (status: number) => id === 'listTrackers' || (status !== 401 && status !== 429);
      const byNumber = (a: number, b: number) => a - b;
      expect([...seen].filter(own).sort(byNumber), id).toEqual(statusesOf(route).map((s) => s.status).filter(own).sort(byNumber));
    }
  });

  it('documented are exactly the table\'s: 200, the route\'s own errors, and 401 and 429 wherever credentials are asked', () => {
    for (const route of routeList()) {
      const operation = doc.paths[`${API_PREFIX}${openApiPath(route)}`]![route.method]!;
      expect(Object.keys(operation.responses).map(Number), route.id).toEqual(statusesOf(route).map((s) => s.status));
      if (route.right !== 'none') expect(Object.keys(operation.responses), route.id).toEqual(expect.arrayContaining(['401', '429']));
    }
  });
});

describe('the table', () => {
  it('declares what its checks can answer: 400 for any input read, 403 and 404 for a tracker right, 413 for a body (JSON or bytes)', () => {
    for (const route of routeList()) {
      const { params, query, body, bytes } = route.request;
      const errors = Object.keys(route.errors).map(Number);
      if (params || query || body || bytes) expect(errors, route.id).toContain(400);
      if (isTrackerRight(route.right)) expect(errors, route.id).toEqual(expect.arrayContaining([403, 404]));
      if (body || bytes) expect(errors, route.id).toContain(413);
      // The path's parameters are the params schema's, and a route with any says what it is about.
      const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      expect(Object.keys(params?.shape ?? {}), route.id).toEqual(names);
      if (names.length > 0) expect(typeof route.subject, route.id).toBe('function');
    }
  });

  it('has a client wording for every error status any route declares', () => {
    for (const route of routeList()) for (const { status } of statusesOf(route).filter((s) => s.status >= 400)) expect(WORDED_STATUSES, `${route.id} ${status}`).toContain(status);
  });
});
