/**
 * The OpenAPI document the server serves, against Redocly's recommended rules and against the
 * server itself: generated requests (fast-check, from the zod schemas of the route table) to
 * every documented route, each answer checked by the document alone (./openapi-check.ts): its
 * status declared for that operation, its body valid for that status and media type, its ETag
 * where the document promises one.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { type RouteSpec, openApiPath, routeList } from '../../shared/api/routes.js';
import { API_PREFIX, NDJSON, OCTETS } from '../../shared/api/schemas.js';
import { type ApiAnswer, api, everyTypeTracker, ndjson, seedUsers, startInstance, type TestInstance, tempDir } from '../helpers/instance.js';
import { type OpenApiDocument, schemaProblems } from '../helpers/openapi-check.js';
import { arbitraryOf } from '../helpers/zod-arbitrary.js';

let inst: TestInstance;
let bugs: Tracker;
let doc: OpenApiDocument;
let itemIds: number[];
/** An attachment the tracker holds, so the blob routes can answer 200. */
const blob = Buffer.from('an attachment of the bugs tracker');
const blobSha = createHash('sha256').update(blob).digest('hex');

beforeAll(async () => {
  inst = await startInstance();
  bugs = await everyTypeTracker(inst.hub);
  await seedUsers(inst.hub, bugs);
  itemIds = (await inst.hub.createItems(bugs.id, [{ values: { title: 'one', priority: 'low' } }, { values: { title: 'two', tags: ['a'] } }], 'root')).map((i) => i.id);
  await inst.hub.deleteItems(bugs.id, [itemIds[1]!], 'root');
  expect((await api(inst.url, `/trackers/${bugs.id}/blobs/${blobSha}`, { method: 'PUT', user: 'root', raw: blob, headers: { 'content-type': OCTETS } })).status).toBe(200);
  doc = (await api(inst.url, '/openapi.json', { user: 'root' })).json as OpenApiDocument;
});

afterAll(async () => {
  await inst.close();
});

describe('the served OpenAPI document', () => {
  it("passes Redocly's recommended rules without an error or a warning", () => {
    const file = join(tempDir('s15n-openapi-'), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const lint = spawnSync(join(process.cwd(), 'node_modules/.bin/redocly'), ['lint', '--extends=recommended', '--format=stylish', file], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const said = `${lint.stdout}\n${lint.stderr}`;
    expect(lint.status, said).toBe(0);
    expect(said).not.toMatch(/\b(error|warning)\b.*\b(rule|at #)/i);
    expect(said).toMatch(/valid/i);
  });
});

// Repeats weigh the draw towards requests that reach the route's own answer.
const USERS = ['root', 'root', 'root', 'vera', 'eddie', 'olga', 'nobody', undefined] as const;
const ACCEPTS = [undefined, undefined, undefined, '*/*', 'application/json', NDJSON, 'text/html', 'APPLICATION/JSON;q=0.4, application/x-ndjson;q=0.5', 'application/json;q=0'];
const CONDITIONS = [undefined, undefined, '*', '*', '"x"', 'W/"x", "y"'];

/** A request to `route`: its path parameters real or generated, its query and body generated from its zod schemas. */
function requestOf(route: RouteSpec) {
  const { params, query, body, bytes } = route.request;
  // An empty segment would name another route (`/trackers/` is the list): every segment holds something.
  const trackerRef = fc.oneof(fc.constant(String(bugs.id)), fc.constant(bugs.name), fc.string({ minLength: 1, maxLength: 12 }));
  const itemRef = fc.oneof(fc.constantFrom(...itemIds.map(String)), fc.constant('0'), fc.string({ minLength: 1, maxLength: 12 }));
  const shaRef = fc.oneof({ arbitrary: fc.constant(blobSha), weight: 3 }, { arbitrary: fc.constantFrom('0'.repeat(64), blobSha.toUpperCase()), weight: 1 }, { arbitrary: fc.string({ minLength: 1, maxLength: 70 }), weight: 1 });
  const generated = params
    ? (arbitraryOf(params) as fc.Arbitrary<Record<string, string>>).filter((p) => Object.values(p).every((v) => v !== ''))
    : fc.constant({} as Record<string, string>);
  return fc.record({
    params: fc.oneof({ arbitrary: fc.record({ id: trackerRef, itemId: itemRef, sha256: shaRef }), weight: 3 }, { arbitrary: generated, weight: 1 }),
    // A live feed (longpoll, continuous) waits for changes: each is made to end within 50 ms.
    query: query
      ? fc.oneof(arbitraryOf(query) as fc.Arbitrary<Record<string, string>>, fc.dictionary(fc.constantFrom('since', 'limit', 'x'), fc.string({ maxLength: 20 }), { maxKeys: 2 })).map((q) => ('feed' in q ? { ...q, timeout: '50' } : q))
      : fc.constant({}),
    body: body ? arbitraryOf(body) : fc.constant(undefined),
    // A raw body: the content the path names, or other bytes (a hash mismatch).
    raw: bytes ? fc.constantFrom(blob, blob, Buffer.from('other bytes')) : fc.constant(undefined),
    user: fc.constantFrom(...USERS),
    accept: fc.constantFrom(...ACCEPTS),
    ifNoneMatch: fc.constantFrom(...CONDITIONS),
  });
}

function urlOf(route: RouteSpec, params: Record<string, string>, query: Record<string, string>): string {
  const path = route.path.replace(/:(\w+)/g, (_all, name: string) => encodeURIComponent(params[name] ?? ''));
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined)).toString();
  return search ? `${path}?${search}` : path;
}

/** Everything the document says about one answer, checked: status, media type, body, ETag. */
function checkAnswer(route: RouteSpec, res: ApiAnswer, method: string): void {
  const operation = doc.paths[`${API_PREFIX}${openApiPath(route)}`]![route.method]!;
  const where = `${method} ${route.path} answered ${res.status} ${res.text.slice(0, 300)}`;
  const response = operation.responses[String(res.status)];
  expect(response, where).toBeDefined();
  if (res.status === 304 || method === 'HEAD') {
    expect(res.text, where).toBe('');
    return;
  }
  // The table's ETags are weak (a hash of the JSON); an attachment's is strong: its sha256 names exactly those bytes.
  if (response!.headers?.ETag && res.status === 200) expect(res.headers.etag, where).toMatch(route.answer.etag ? /^W\/"[^"]+"$/ : /^(W\/)?"[^"]+"$/);
  const type = String(res.headers['content-type']).split(';')[0]!;
  const media = response!.content?.[type];
  expect(media, `${where}: content-type ${type}`).toBeDefined();
  // Raw bytes are the content itself; CSV is a text (the document's schema: a string).
  if (type === OCTETS) return;
  if (type !== 'application/json' && type !== NDJSON) {
    expect(schemaProblems(res.text, media!.schema, doc), where).toEqual([]);
    return;
  }
  if (type === NDJSON) {
    const lines = ndjson(res.text);
    for (const line of lines.slice(0, -1)) expect(schemaProblems(line, { $ref: '#/components/schemas/Change' }, doc), where).toEqual([]);
    expect(lines.at(-1), where).toEqual({ next: expect.any(Number), more: false });
    return;
  }
  expect(schemaProblems(res.json, media!.schema, doc), where).toEqual([]);
}

describe('every documented route, driven with generated requests', () => {
  it.each(routeList().map((route) => [route.id, route] as const))('%s answers only what the document declares, in the shape it declares', async (_id, route) => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestOf(route), fc.integer({ min: 0, max: 3 }), async (request, draw) => {
        const head = draw === 0;
        const method = head && route.method === 'get' ? 'HEAD' : route.method.toUpperCase();
        const headers: Record<string, string> = {};
        if (request.accept !== undefined) headers.accept = request.accept;
        if (request.ifNoneMatch !== undefined) headers['if-none-match'] = request.ifNoneMatch;
        const res = await api(inst.url, urlOf(route, request.params, request.query), {
          method,
          headers,
          ...(request.user ? { user: request.user, ...(request.user === 'nobody' ? { password: 'x' } : {}) } : {}),
          ...(request.body !== undefined ? { body: request.body } : {}),
          ...(request.raw !== undefined ? { raw: request.raw } : {}),
        });
        checkAnswer(route, res, method);
        seen.add(res.status);
      }),
      { seed: 18, numRuns: 60 },
    );
    // The generated requests reach the route's own answer, not only its refusals.
    expect([...seen], route.id).toContain(200);
    if (route.answer.etag) expect([...seen], route.id).toContain(304);
  });
});
