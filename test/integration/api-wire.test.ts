/**
 * The wire (DESIGN §15) over real HTTP: answers compressed as Accept-Encoding asks (br or gzip,
 * q-values, a size threshold), streamed answers flushed at every write, push bodies inflated
 * from gzip and br within the body limit, ETags and conditional GETs by RFC 9110, Unicode
 * credentials in either normal form, and tokens beyond 2^53 - 1 refused instead of rounded.
 * Runs on both engines (the postgres project).
 */
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { request } from 'node:http';
import { brotliCompressSync, brotliDecompressSync, createBrotliDecompress, createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressAnswers, drained } from '../../server/compression.js';
import type { Tracker } from '../../server/store/index.js';
import { MAX_TOKEN } from '../../shared/api/schemas.js';
import { api, basic, everyTypeTracker, ndjson, seedUsers, startInstance, type TestInstance } from '../helpers/instance.js';

let inst: TestInstance;
let bugs: Tracker;
let itemId: number;

beforeAll(async () => {
  inst = await startInstance({ bodyLimit: 64 * 1024 });
  bugs = await everyTypeTracker(inst.hub);
  await seedUsers(inst.hub, bugs);
  const items = Array.from({ length: 1500 }, (_, i) => ({ values: { title: `item ${i}`, body: `line one of ${i}\nline two\n`, tags: ['wire', `t${i % 7}`] } }));
  itemId = (await inst.hub.createItems(bugs.id, items, 'root'))[0]!.id;
});

afterAll(async () => {
  await inst.close();
});

const feed = () => `/trackers/${bugs.id}/changes`;
const decode = (encoding: string | undefined, body: Buffer) => (encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');

describe('compressed answers', () => {
  it('follow Accept-Encoding: br when both are equally welcome, q-values otherwise, none for identity or q=0', async () => {
    const cases: [string | undefined, string | undefined][] = [
      ['br, gzip', 'br'],
      ['gzip, br', 'br'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
      ['GZIP', 'gzip'],
      ['*', 'br'],
      ['identity', undefined],
      ['br;q=0, gzip;q=0', undefined],
      [undefined, undefined],
    ];
    const plain = await api(inst.url, `${feed()}?limit=200`, { user: 'root' });
    for (const [acceptEncoding, expected] of cases) {
      const res = await api(inst.url, `${feed()}?limit=200`, { user: 'root', headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });
      expect(res.headers['content-encoding'], acceptEncoding).toBe(expected);
      expect(res.headers.vary, acceptEncoding).toMatch(/accept-encoding/i);
      expect(JSON.parse(decode(expected, res.body)), acceptEncoding).toEqual(plain.json);
      if (expected) expect(res.body.length, acceptEncoding).toBeLessThan(plain.body.length / 3);
    }
  });

  it('leave small answers, HEAD and 304 alone', async () => {
    const health = await api(inst.url, '/health', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(health.body.length).toBeLessThan(1024);
    expect(health.headers['content-encoding']).toBeUndefined();
    const head = await api(inst.url, feed(), { method: 'HEAD', user: 'root', headers: { 'accept-encoding': 'gzip' } });
    expect([head.status, head.headers['content-encoding'], head.text]).toEqual([200, undefined, '']);
    const item = await api(inst.url, `/trackers/${bugs.id}/items/${itemId}`, { user: 'root', headers: { 'if-none-match': '*', 'accept-encoding': 'gzip' } });
    expect([item.status, item.headers['content-encoding'], item.text]).toEqual([304, undefined, '']);
  });

  it('compress the NDJSON stream, every change once and the last line last, with br and gzip', async () => {
    const plain = ndjson((await api(inst.url, feed(), { user: 'root', headers: { accept: 'application/x-ndjson' } })).text);
    expect(plain).toHaveLength(1501);
    for (const encoding of ['br', 'gzip']) {
      const res = await api(inst.url, feed(), { user: 'root', headers: { accept: 'application/x-ndjson', 'accept-encoding': encoding } });
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(ndjson(decode(encoding, res.body))).toEqual(plain);
    }
  });
});

describe('a streamed answer', () => {
  it('reaches the client at every write, before the answer ends, through br and through gzip', async () => {
    // A handler that writes one line and ends only once the client has read it: were the line
    // held in the compressor, neither side would move and the test would time out.
    let release: () => void = () => undefined;
    const app = express();
    app.use(compressAnswers());
    app.get('/live', (_req, res) => {
      res.type('application/x-ndjson');
      res.write(`${JSON.stringify({ line: 1, padding: 'x'.repeat(2000) })}\n`);
      release = () => res.end('{"line":2}\n');
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      for (const encoding of ['br', 'gzip']) {
        const { port } = server.address() as AddressInfo;
        const req = request({ host: '127.0.0.1', port, path: '/live', headers: { 'accept-encoding': encoding } });
        req.end();
        const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
        expect(res.headers['content-encoding']).toBe(encoding);
        const inflate = encoding === 'br' ? createBrotliDecompress() : createGunzip();
        res.pipe(inflate);
        let text = '';
        for await (const chunk of inflate) {
          text += String(chunk);
          if (text.includes('"line":1') && text.endsWith('\n') && !text.includes('"line":2')) release();
        }
        expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).line)).toEqual([1, 2]);
      }
    } finally {
      server.close();
    }
  });
});

describe('the continuous feed, compressed', () => {
  it('brings its heartbeats and a change pushed while it is open as they are written, through br and through gzip', async () => {
    for (const encoding of ['br', 'gzip']) {
      const { hostname, port } = new URL(inst.url);
      const path = `/api/v1/trackers/${bugs.id}/changes?since=${await lastSeq()}&feed=continuous&heartbeat=100`;
      const req = request({ host: hostname, port, path, headers: { authorization: basic('root'), 'accept-encoding': encoding } });
      req.end();
      const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
      expect([res.statusCode, res.headers['content-encoding']]).toEqual([200, encoding]);
      const inflate = encoding === 'br' ? createBrotliDecompress() : createGunzip();
      res.pipe(inflate);
      let text = '';
      let pushed = false;
      const title = `live through ${encoding}`;
      for await (const chunk of inflate) {
        text += String(chunk);
        // A heartbeat came through the compressor while idle: now a change, which must follow at once.
        if (!pushed && text.includes('\n')) {
          pushed = true;
          await inst.hub.updateItems(bugs.id, [itemId], { values: { title } }, 'root');
        }
        if (text.includes(title)) break;
      }
      req.destroy();
      expect(ndjson(text).find((line) => line.id === itemId), encoding).toMatchObject({ values: { title } });
    }
  });
});

async function lastSeq(): Promise<number> {
  return (await api(inst.url, `/trackers/${bugs.id}/changes?since=0&limit=10000`, { user: 'root' })).json.next as number;
}

describe('waiting for a slow client', () => {
  it('takes one drain listener per answer however often it waits, compressed or not', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    let waits = 0;
    const app = express();
    app.use(compressAnswers());
    app.get('/big', async (_req, res) => {
      res.type('application/x-ndjson');
      for (let i = 0; i < 40; i++) {
        if (!res.write(`${JSON.stringify({ i, pad: String(i).repeat(40_000) })}\n`)) {
          waits += 1;
          await drained(res);
        }
      }
      res.end();
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      for (const encoding of ['br', 'identity']) {
        waits = 0;
        const res = await api(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, '//big', { headers: { 'accept-encoding': encoding } });
        expect(ndjson(decode(res.headers['content-encoding'], res.body)).map((l) => l.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
        expect(waits, encoding).toBeGreaterThan(10);
      }
      expect(warnings.filter((w) => /MaxListeners|memory leak/i.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      server.close();
    }
  });
});

describe('push bodies', () => {
  const change = (key: string) => ({ changes: [{ op: 'create', idempotencyKey: key, values: { title: `compressed ${key}` } }] });
  const send = (body: Buffer, encoding: string) => api(inst.url, `/trackers/${bugs.id}/push`, { user: 'eddie', raw: body, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });

  it('are read from gzip and br', async () => {
    const gz = await send(gzipSync(JSON.stringify(change('gz-1'))), 'gzip');
    const br = await send(brotliCompressSync(JSON.stringify(change('br-1'))), 'br');
    expect([gz.status, gz.json.results[0].status]).toEqual([200, 'created']);
    expect([br.status, br.json.results[0].status]).toEqual([200, 'created']);
  });

  it('count their inflated size against the body limit (a small gzip of a large body is 413), and an unknown coding is 400 naming it', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const big = await send(bomb, 'gzip');
    expect([big.status, big.json.error.code]).toEqual([413, 'too_large']);
    const odd = await send(Buffer.from(JSON.stringify(change('z-1'))), 'zstd');
    expect(odd.status).toBe(400);
    expect(odd.json.error.message).toBe('unsupported Content-Encoding "zstd" (a body may come as gzip, deflate, br or identity)');
    expect(odd.headers['accept-encoding']).toBe('gzip, deflate, br');
  });
});

describe('conditional GET', () => {
  const item = () => `/trackers/${bugs.id}/items/${itemId}`;

  it('tags schemas and items with a weak ETag; a matching If-None-Match (list, weak or strong, *) is 304 with the tag and no body', async () => {
    for (const path of [`/trackers/${bugs.id}`, `/trackers/${bugs.name}`, item()]) {
      const first = await api(inst.url, path, { user: 'vera' });
      const tag = String(first.headers.etag);
      expect(tag, path).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
      expect(first.headers['cache-control'], path).toBe('private, no-cache');
      const strong = tag.slice(2);
      for (const condition of [tag, strong, `"other", ${tag}`, `W/"a,b", ${strong}`, '*', ` ${tag} ,`]) {
        const res = await api(inst.url, path, { user: 'vera', headers: { 'if-none-match': condition } });
        expect([res.status, res.text, res.headers.etag], `${path} If-None-Match: ${condition}`).toEqual([304, '', tag]);
      }
      for (const condition of ['"other"', 'W/"other"', `${strong.slice(0, -2)}"`, 'not a tag', `"x", *`]) {
        const res = await api(inst.url, path, { user: 'vera', headers: { 'if-none-match': condition } });
        expect([res.status, res.json], `${path} If-None-Match: ${condition}`).toEqual([200, first.json]);
      }
    }
  });

  it('gives a changed item a new tag, so the old one no longer matches', async () => {
    const before = await api(inst.url, item(), { user: 'root' });
    await inst.hub.updateItems(bugs.id, [itemId], { values: { title: 'retitled' } }, 'root');
    const after = await api(inst.url, item(), { user: 'root', headers: { 'if-none-match': String(before.headers.etag) } });
    expect(after.status).toBe(200);
    expect(after.json.values.title).toBe('retitled');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('is not offered where there is no ETag: If-None-Match: * on the trackers, the feed and the users gets the full answer', async () => {
    for (const path of ['/trackers', feed(), '/users']) {
      const res = await api(inst.url, path, { user: 'root', headers: { 'if-none-match': '*' } });
      expect([res.status, res.headers.etag], path).toEqual([200, undefined]);
      expect(res.json, path).toBeDefined();
    }
  });

  it('comes after authentication and rights: no tag, no 304 for a caller without the right', async () => {
    const res = await api(inst.url, item(), { user: 'olga', headers: { 'if-none-match': '*' } });
    expect([res.status, res.headers.etag]).toEqual([403, undefined]);
  });
});

describe('Unicode credentials', () => {
  it('log in over Basic auth in either normal form, on every engine, and only with the right password', async () => {
    await inst.hub.addUser('Zoe\u0308', 'pa\u0308ss:wörd ✓');
    await inst.hub.grant('Zo\u00eb', bugs.id, 'view');
    for (const user of ['Zo\u00eb', 'Zoe\u0308']) {
      for (const password of ['päss:wörd ✓', 'pa\u0308ss:wo\u0308rd ✓']) {
        const res = await api(inst.url, `/trackers/${bugs.id}`, { user, password });
        expect(res.status, `${JSON.stringify(user)} ${JSON.stringify(password)}`).toBe(200);
      }
    }
    expect((await api(inst.url, `/trackers/${bugs.id}`, { user: 'Zoë', password: 'pass:word ✓' })).status).toBe(401);
  });
});

describe('tokens', () => {
  it('up to 2^53 - 1 come back exactly; beyond, or of 17 digits and more, are refused with 400 naming since', async () => {
    const last = await api(inst.url, `${feed()}?since=${MAX_TOKEN}`, { user: 'root' });
    expect(last.status).toBe(200);
    expect(last.text).toContain(`"next":${MAX_TOKEN}`);
    for (const since of ['9007199254740992', '9007199254740993', '99999999999999999', '1'.repeat(40)]) {
      const res = await api(inst.url, `${feed()}?since=${since}`, { user: 'root' });
      expect(res.status, since).toBe(400);
      expect(res.json.error.details.problems, since).toEqual([{ field: 'since', reason: `a change token: at most ${MAX_TOKEN} (2^53 - 1)` }]);
    }
  });

  it('in a push body beyond 2^53 - 1 are refused, never rounded to an existing item', async () => {
    const res = await api(inst.url, `/trackers/${bugs.id}/push`, {
      user: 'root',
      raw: `{"changes":[{"op":"delete","id":9007199254740993,"baseVersion":1}]}`,
      headers: { authorization: basic('root') },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json.error.details.problems)).toContain('changes.0.id');
  });
});
