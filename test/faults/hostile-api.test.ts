/**
 * Generated hostile input for every route of the HTTP API (DESIGN §5, §8 "bad input gets a clear
 * error and changes nothing"): bodies of any JSON shape, wrong types per known key, huge strings,
 * deep nesting, unknown keys, bad idempotency keys, bad tokens and limits, path tricks, odd
 * headers and bad credentials. Every answer: no 5xx, a JSON error without stack or internals,
 * and a store that no refusal changed. The hand-written cases are in
 * test/integration/api-input.test.ts; this file goes generative. S15N_LONG=1 runs ten times more.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { PUSH_RESULT_STATUSES } from '../../shared/api/schemas.js';
import { type ApiAnswer, type ApiRequest, PASSWORDS, api, createEveryTypeTracker, ndjson, seedUsers, startInstance, type TestInstance } from '../helpers/instance.js';
import {
  anyString,
  badAuthorization,
  badIdempotencyKey,
  contentType,
  deepValue,
  extraHeaders,
  fingerprintDb,
  hostileJson,
  hostileKey,
  hugeString,
  leakIn,
  mutate,
  params,
  pathSegment,
  queryString,
  runs,
  wildString,
} from './arbitraries.js';

/** An error answer never grows with the input: messages clip what they echo. */
const MAX_ERROR_BYTES = 32 * 1024;
const USERS = Object.keys(PASSWORDS) as (keyof typeof PASSWORDS)[];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const TIMEOUT = 120_000;

let inst: TestInstance;
let bugs: Tracker;
let people: Tracker;
let secret: Tracker;
let itemIds: number[] = [];
let goneId: number;
/** Requests sent, for the report at the end. */
let sent = 0;

beforeAll(async () => {
  inst = await startInstance();
  bugs = createEveryTypeTracker(inst.store);
  people = inst.store.findTracker('People')!;
  secret = inst.store.createTracker({ name: 'Secret', fields: [{ name: 'title', type: 'text' }] });
  await seedUsers(inst.store, bugs);
  inst.store.grant('vera', people.id, 'view');
  const person = inst.store.createItems(people.id, [{ values: { fullname: 'Ann' } }], 'root')[0]!;
  itemIds = inst.store
    .createItems(
      bugs.id,
      [
        { values: { title: 'first', priority: 'low', platforms: ['linux'], tags: ['a'], person: person.id, due: '2024-01-31', estimate: 3 } },
        { status: 'pending', values: { title: 'second', body: 'one\ntwo', done: true, contact: 'a@b.cd', link: 'https://example.org', where: '1,2' } },
        { status: 'closed', values: { title: 'third', owner: 'alice', wiki: 'Home', seen: '2024-01-01T10:00:00Z' } },
      ],
      'root',
    )
    .map((i) => i.id);
  inst.store.createItems(secret.id, [{ values: { title: 'hidden' } }], 'root');
  goneId = inst.store.createItems(bugs.id, [{ values: { title: 'gone' } }], 'root')[0]!.id;
  inst.store.deleteItems(bugs.id, [goneId], 'root');
});

afterAll(async () => {
  await inst?.close();
  console.log(`hostile-api: ${sent} requests`);
});

/** A big input built only when sent, shown by its recipe in counterexamples. */
function lazy(recipe: string, build: () => string): { build(): string; [fc.toStringMethod](): string } {
  return { build, [fc.toStringMethod]: () => recipe };
}

const label = (path: string, opts: ApiRequest) =>
  `${opts.method ?? (opts.raw !== undefined || opts.body !== undefined ? 'POST' : 'GET')} ${path.slice(0, 120)} ${JSON.stringify(opts.headers ?? {}).slice(0, 200)} ${(typeof opts.raw === 'string' ? opts.raw : JSON.stringify(opts.body) ?? '').slice(0, 200)}`;

/** The checks every answer passes, whatever was sent. */
function checkAnswer(res: ApiAnswer, method: string, what: string): void {
  expect(res.status, what).toBeGreaterThanOrEqual(200);
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400 && method !== 'HEAD') {
    expect(res.headers['content-type'], what).toMatch(/^application\/json/);
    expect(typeof res.json?.error?.code, `${what}: ${res.text.slice(0, 300)}`).toBe('string');
    expect(res.json.error.message, what).toEqual(expect.any(String));
    expect(res.json.error.message.length, what).toBeGreaterThan(0);
    expect(leakIn(res.text), `${what}: ${res.text.slice(0, 300)}`).toBeUndefined();
    expect(Buffer.byteLength(res.text), `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(MAX_ERROR_BYTES);
  }
}

/** Sends one request; checks the answer and that a refusal left the store exactly as it was. */
async function hostile(path: string, opts: ApiRequest): Promise<ApiAnswer> {
  const what = label(path, opts);
  const before = fingerprintDb(inst.store.db);
  const res = await api(inst.url, path, opts);
  sent++;
  checkAnswer(res, opts.method ?? 'GET', what);
  if (res.status >= 400) expect(fingerprintDb(inst.store.db), `a refusal changed the store: ${what}`).toBe(before);
  return res;
}

const user = fc.constantFrom(...USERS);
const trackerRef = () => fc.constantFrom(String(bugs.id), 'Bugs', String(people.id), 'People', String(secret.id), 'Secret');
const itemRef = () => fc.oneof(fc.constantFrom(...itemIds.map(String), String(goneId)), pathSegment);
const routePath = () =>
  fc.oneof(
    fc.constant('/health'),
    fc.constant('/openapi.json'),
    fc.constant('/trackers'),
    fc.constant('/users'),
    trackerRef().map((t) => `/trackers/${t}`),
    trackerRef().map((t) => `/trackers/${t}/changes`),
    fc.tuple(trackerRef(), fc.constantFrom(...itemIds)).map(([t, i]) => `/trackers/${t}/items/${i}`),
    trackerRef().map((t) => `/trackers/${t}/push`),
  );

// --- push bodies ---

let keyCounter = 0;
const freshKey = () => fc.constant(null).map(() => `hostile-${Date.now()}-${keyCounter++}`);
const fieldNames = () => fc.oneof(fc.constantFrom(...bugs.fields.map((f) => f.name), 'status'), hostileKey);

const validCreate = () => freshKey().map((idempotencyKey) => ({ op: 'create', idempotencyKey, values: { title: 'valid' } }));
const validUpdate = () =>
  fc.constantFrom(...itemIds).map((id) => ({ op: 'update', id, baseVersion: 1, fields: { title: { base: 'first', value: 'changed' } } }));
const validDelete = () => fc.constantFrom(...itemIds).map((id) => ({ op: 'delete', id, baseVersion: 999 }));

/** A change that is refused: the contract's shape broken in one place, or plain garbage. */
const brokenChange = () =>
  fc.oneof(
    // Unknown keys are welcome in a push (DESIGN §5): a broken change has a key missing or of the wrong type.
    ...[validCreate(), validUpdate(), validDelete()].map((valid) => valid.chain((change) => mutate(change, { unknownKeys: false }))),
    badIdempotencyKey.map((idempotencyKey) => ({ op: 'create', idempotencyKey, values: { title: 'x' } })),
    fc.tuple(fieldNames(), hostileJson).map(([name, v]) => ({ op: 'update', id: itemIds[0], baseVersion: 1, fields: { [name]: v } })),
    hostileJson,
  );

/** A change of the right shape whose content is hostile: answered per item, mostly rejected. */
const hostileChange = () =>
  fc.oneof(
    fc.tuple(freshKey(), fc.dictionary(fieldNames(), hostileJson, { minKeys: 1, maxKeys: 4 }), fc.option(fc.constantFrom('open', 'closed'), { nil: undefined })).map(([idempotencyKey, values, status]) => ({
      op: 'create',
      idempotencyKey,
      ...(status ? { status } : {}),
      values,
    })),
    fc
      .tuple(
        fc.oneof(fc.constantFrom(...itemIds, goneId), fc.integer({ min: 1, max: 2 ** 40 })),
        fc.integer({ min: 0, max: 5 }),
        fc.dictionary(fieldNames(), fc.record({ base: hostileJson, value: hostileJson }), { minKeys: 1, maxKeys: 3 }),
        fc.boolean(),
      )
      .map(([id, baseVersion, fields, overwrite]) => ({ op: 'update', id, baseVersion, fields, ...(overwrite ? { overwrite } : {}) })),
    fc.tuple(fc.oneof(fc.constant(goneId), fc.integer({ min: 10_000, max: 2 ** 40 })), fc.integer({ min: 0, max: 2 ** 31 })).map(([id, baseVersion]) => ({ op: 'delete', id, baseVersion })),
  );

describe('POST /trackers/:id/push', () => {
  it(
    'a body of the wrong shape anywhere is a 400 (or 403/404 first) and writes nothing',
    async () => {
      const body = fc.oneof(
        hostileJson,
        hostileJson.filter((v) => !(Array.isArray(v) && v.length === 0)).map((changes) => ({ changes })),
        fc.array(fc.oneof(validCreate(), brokenChange()), { minLength: 1, maxLength: 5 }).chain((changes) =>
          // At least one broken change: the whole batch is refused.
          brokenChange().map((bad) => ({ changes: [...changes, bad] })),
        ),
        deepValue.map((v) => ({ changes: [v] })),
      );
      await fc.assert(
        fc.asyncProperty(user, trackerRef(), body, async (who, ref, b) => {
          const res = await hostile(`/trackers/${ref}/push`, { user: who, body: b });
          expect(res.status, JSON.stringify(b).slice(0, 300)).not.toBe(200);
        }),
        params(runs(60)),
      );
    },
    TIMEOUT,
  );

  it(
    'changes of the right shape with hostile content are answered one by one; a batch with no write changes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(user, fc.array(hostileChange(), { minLength: 1, maxLength: 6 }), async (who, changes) => {
          const before = fingerprintDb(inst.store.db);
          const res = await hostile(`/trackers/${bugs.id}/push`, { user: who, body: { changes } });
          if (res.status !== 200) return;
          const results = res.json.results as { status: string; error?: string }[];
          expect(results).toHaveLength(changes.length);
          for (const r of results) {
            expect(PUSH_RESULT_STATUSES).toContain(r.status);
            if (r.error !== undefined) {
              expect(leakIn(r.error), r.error.slice(0, 300)).toBeUndefined();
              expect(r.error.length, r.error.slice(0, 300)).toBeLessThan(MAX_ERROR_BYTES);
            }
          }
          if (results.every((r) => r.status === 'rejected' || r.status === 'conflict')) expect(fingerprintDb(inst.store.db)).toBe(before);
        }),
        params(runs(50)),
      );
    },
    TIMEOUT,
  );

  it(
    'raw bodies (truncated, binary, odd content types and encodings) are refused cleanly',
    async () => {
      const valid = JSON.stringify({ changes: [{ op: 'create', idempotencyKey: 'raw-valid', values: { title: 'x' } }] });
      const raw = fc.oneof(
        fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        wildString,
        fc.integer({ min: 1_000, max: 200_000 }).map((n) => lazy(`'[' × ${n} + ']' × ${n}`, () => '['.repeat(n) + ']'.repeat(n))),
        fc.integer({ min: 1_000, max: 200_000 }).map((n) => lazy(`'{"a":' × ${n} + '1' + '}' × ${n}`, () => '{"a":'.repeat(n) + '1' + '}'.repeat(n))),
        fc.integer({ min: 1_000, max: 200_000 }).map((n) => lazy(`'[' × ${n}`, () => '['.repeat(n))),
        fc.constantFrom('\ufeff{"changes":[1]}', '{"changes":[],"changes":[1]}', '{"__proto__":{"changes":[1]}}', '{"constructor":{"prototype":{"x":1}}}', 'NaN', '[1,]', '{"a":1e999}', '"\\ud800"'),
        hugeString(20_000, 100_000).map((h) => lazy(`${JSON.stringify(h[0])} × ${h.length}`, () => h)),
      );
      const encoding = fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-nope', 'gzip, gzip'), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(user, raw, contentType, encoding, fc.constantFrom('POST', 'POST', 'PUT', 'PATCH', 'DELETE'), async (who, gen, type, enc, method) => {
          const r = typeof gen === 'string' || Buffer.isBuffer(gen) ? gen : gen.build();
          const headers: Record<string, string> = { 'content-type': type, ...(enc ? { 'content-encoding': enc } : {}) };
          const res = await hostile(`/trackers/${bugs.id}/push`, { user: who, method, raw: r, headers });
          expect(res.status, label('push', { raw: String(r), headers })).not.toBe(200);
        }),
        params(runs(50)),
      );
    },
    TIMEOUT,
  );
});

describe('paths', () => {
  it(
    'hostile tracker and item references, any method, any route: 4xx with a JSON error, nothing written',
    async () => {
      const path = fc.oneof(
        pathSegment.map((t) => `/trackers/${t}`),
        pathSegment.map((t) => `/trackers/${t}/changes`),
        pathSegment.map((t) => `/trackers/${t}/push`),
        fc.tuple(fc.oneof(trackerRef(), pathSegment), itemRef()).map(([t, i]) => `/trackers/${t}/items/${i}`),
        fc.tuple(trackerRef(), pathSegment).map(([t, s]) => `/trackers/${t}/${s}`),
        fc.tuple(trackerRef(), pathSegment, pathSegment).map(([t, a, b]) => `/trackers/${t}/${a}/${b}`),
        pathSegment.map((s) => `/${s}`),
        pathSegment.map((s) => `/users/${s}`),
        pathSegment.map((s) => `//${s}`),
        pathSegment.map((s) => `//api/${s}/trackers`),
        fc.constantFrom('/trackers/', '//api/v1', '//api/v1/', '//api', '/trackers//items', `/trackers/${'x/'.repeat(500)}`, '/./trackers', '/trackers/./1', '/%2e/trackers'),
      );
      const body = fc.option(fc.constant({ changes: [{ op: 'delete', id: 999_999, baseVersion: 1 }] }), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(user, path, fc.constantFrom(...METHODS), body, async (who, p, method, b) => {
          const res = await hostile(p, { user: who, method, ...(b !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: b } : {}) });
          if (res.status === 200 && method === 'POST') {
            // Only a real tracker's push route answers 200; the change names no item, so nothing was written.
            expect(res.json.results[0].status).toBe('rejected');
          }
        }),
        params(runs(60)),
      );
    },
    TIMEOUT,
  );
});

describe('GET /trackers/:id/changes', () => {
  it(
    'hostile query strings: 400 naming the parameter, or a valid page or stream',
    async () => {
      await fc.assert(
        fc.asyncProperty(user, trackerRef(), queryString, fc.constantFrom('application/json', 'application/x-ndjson', '*/*'), async (who, ref, query, accept) => {
          const res = await hostile(`/trackers/${ref}/changes?${query}`, { user: who, headers: { accept } });
          if (res.status === 400) {
            expect(res.json.error.code).toBe('bad_input');
            expect(res.json.error.details?.problems?.length, res.text.slice(0, 300)).toBeGreaterThan(0);
          }
          if (res.status !== 200) return;
          if (accept === 'application/x-ndjson') {
            const lines = ndjson(res.text);
            expect(lines.at(-1)).toMatchObject({ more: false, next: expect.any(Number) });
          } else {
            expect(res.json).toMatchObject({ changes: expect.any(Array), next: expect.any(Number), more: expect.any(Boolean) });
          }
        }),
        params(runs(60)),
      );
    },
    TIMEOUT,
  );

  it(
    'any query string on any other route is ignored or refused, never a crash',
    async () => {
      await fc.assert(
        fc.asyncProperty(user, routePath(), queryString, async (who, p, query) => {
          const post = p.endsWith('/push');
          await hostile(`${p}?${query}`, { user: who, ...(post ? { body: { changes: [{ op: 'delete', id: 999_999, baseVersion: 1 }] } } : {}) });
        }),
        params(runs(40)),
      );
    },
    TIMEOUT,
  );
});

describe('headers and credentials', () => {
  it(
    'odd headers on every route with valid credentials: never a crash',
    async () => {
      await fc.assert(
        fc.asyncProperty(user, routePath(), extraHeaders, contentType, async (who, p, headers, type) => {
          const post = p.endsWith('/push');
          const res = await hostile(p, {
            user: who,
            headers: { ...headers, 'content-type': type },
            ...(post ? { raw: JSON.stringify({ changes: [{ op: 'delete', id: 999_999, baseVersion: 1 }] }) } : {}),
          });
          if (res.status === 200 && (headers.accept ?? '').includes('ndjson') && p.endsWith('/changes')) ndjson(res.text);
        }),
        params(runs(50)),
      );
    },
    TIMEOUT,
  );

  it(
    'bad credentials on every route: 401 (or 429 once locked) before anything is read or written',
    async () => {
      const badUser = fc.oneof(
        fc.tuple(user, anyString).filter(([u, p]) => p !== PASSWORDS[u]).map(([u, p]) => ({ user: u as string, password: p })),
        fc.tuple(wildString, wildString).map(([u, p]) => ({ user: u, password: p })),
      );
      const auth = fc.oneof(
        badUser.map((c) => ({ credentials: c })),
        badAuthorization.map((authorization) => ({ authorization })),
      );
      await fc.assert(
        fc.asyncProperty(routePath(), auth, fc.option(hostileJson, { nil: undefined }), async (p, a, body) => {
          const open = p === '/health';
          const post = p.endsWith('/push');
          const opts: ApiRequest = {
            // A second client address, so locking names out here never locks out the other properties.
            localAddress: '127.0.0.2',
            ...('credentials' in a ? { user: a.credentials.user.replace(/[\ud800-\udfff]/g, 'x'), password: a.credentials.password } : { headers: { authorization: a.authorization } }),
            ...(post ? { body: body ?? { changes: [{ op: 'create', idempotencyKey: 'no-auth', values: { title: 'x' } }] } } : {}),
          };
          const res = await hostile(p, opts);
          if (open) {
            expect(res.status).toBe(200);
          } else {
            expect([401, 429], label(p, opts)).toContain(res.status);
            if (res.status === 401) expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
          }
        }),
        params(runs(60)),
      );
    },
    TIMEOUT,
  );
});
