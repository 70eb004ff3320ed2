/**
 * The change feed over real HTTP: pages and the NDJSON stream, precise tokens (a stream cut
 * anywhere resumes from its last seq), backpressure without blocking pushes, disconnects.
 */
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { NDJSON } from '../../shared/api/schemas.js';
import { api, basic, ndjson, startInstance, type TestInstance } from '../helpers/instance.js';

/** Big enough that one stream page (1,000 changes, ~8 MB) outgrows the socket buffers of a paused client. */
const ITEMS = 3000;
const BODY = 'x'.repeat(8000);

let inst: TestInstance;
let feed: Tracker;
let side: Tracker;
/** Every change of the feed from 0, as the stream gave it in the first test. */
let full: any[];
let changesSinceCalls = 0;

const page = (query: string) => api(inst.url, `/trackers/${feed.id}/changes?${query}`, { user: 'root' });
const stream = async (since: number) => {
  const res = await api(inst.url, `/trackers/${feed.id}/changes?since=${since}`, { user: 'root', headers: { accept: NDJSON } });
  expect(res.status).toBe(200);
  return res.text;
};
const seqs = (changes: { seq: number }[]) => changes.map((c) => c.seq);

/** Opens a stream with node:http and hands back the live response (to pause, read a bit, or cut). */
function openStream(since: number): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  const url = new URL(inst.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `/api/v1/trackers/${feed.id}/changes?since=${since}`, headers: { authorization: basic('root'), accept: NDJSON }, agent: false },
      (res) => resolve({ req, res }),
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  inst = await startInstance();
  await inst.hub.addUser('root', 'root:pass:word', { admin: true });
  feed = await inst.hub.createTracker({ name: 'Feed', fields: [{ name: 'title', type: 'text', required: true }, { name: 'body', type: 'textarea' }] });
  side = await inst.hub.createTracker({ name: 'Side', fields: [{ name: 'title', type: 'text' }] });
  for (let start = 0; start < ITEMS; start += 500) {
    const batch = Array.from({ length: 500 }, (_, i) => ({ values: { title: `item ${start + i}`, body: BODY } }));
    await inst.hub.createItems(feed.id, batch, 'root');
    // Writes to another tracker take seqs too: the feed has gaps, which tokens must survive.
    await inst.hub.createItems(side.id, [{ values: { title: `side ${start}` } }], 'root');
  }
  await inst.hub.updateItems(feed.id, [1, 2, 3], { values: { title: 'edited' } }, 'root');
  await inst.hub.deleteItems(feed.id, [4, 5], 'root');
  const original = inst.hub.changesSince.bind(inst.hub);
  inst.hub.changesSince = (...args) => {
    changesSinceCalls += 1;
    return original(...args);
  };
});

afterAll(async () => {
  await inst.close();
});

describe('the NDJSON stream', () => {
  it('answers one change per line, every line with its seq, then {"next","more":false}', async () => {
    const res = await api(inst.url, `/trackers/${feed.id}/changes`, { user: 'root', headers: { accept: NDJSON } });
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.text.endsWith('\n')).toBe(true);
    const lines = ndjson(res.text);
    const end = lines.pop();
    full = lines;
    expect(full).toHaveLength(ITEMS);
    expect(end).toEqual({ next: full.at(-1).seq, more: false });
    for (let i = 1; i < full.length; i++) expect(full[i].seq).toBeGreaterThan(full[i - 1].seq);
    expect(new Set(full.map((c) => c.id)).size).toBe(ITEMS);
  });

  it('carries items and tombstones in their wire shape; an edited item moved to the end', async () => {
    const byId = new Map(full.map((c) => [c.id, c]));
    expect(byId.get(10)).toEqual({ id: 10, seq: expect.any(Number), status: 'open', version: 1, values: { title: 'item 9', body: BODY }, updatedAt: expect.any(String), updatedBy: 'root' });
    expect(byId.get(4)).toMatchObject({ id: 4, deleted: true, values: {}, version: 2 });
    expect(full.slice(-5).map((c) => c.id)).toEqual([1, 2, 3, 4, 5]);
    expect(byId.get(1)).toMatchObject({ version: 2, values: { title: 'edited' } });
  });

  it('equals the paged feed', async () => {
    const paged: any[] = [];
    let token = 0;
    for (;;) {
      const res = await page(`since=${token}`);
      expect(res.json.changes.length).toBeLessThanOrEqual(1000);
      paged.push(...res.json.changes);
      token = res.json.next;
      if (!res.json.more) break;
    }
    expect(paged).toEqual(full);
  });

  it('resumes from the last complete line wherever the stream was cut (simulated cuts at many offsets)', async () => {
    const text = await stream(0);
    const lineEnds = [...text.matchAll(/\n/g)].map((m) => m.index!);
    const cuts = [0, 1, 50, lineEnds[0]!, lineEnds[0]! + 1, lineEnds[999]! - 3, lineEnds[999]! + 1, lineEnds[1500]!, text.length - 10, text.length - 1];
    for (let i = 0; i < 4; i++) cuts.push(Math.floor(Math.random() * text.length));
    for (const cut of cuts) {
      const received = text.slice(0, cut);
      const complete = ndjson(received.slice(0, received.lastIndexOf('\n') + 1)).filter((l) => 'seq' in l);
      const resumeAt = complete.at(-1)?.seq ?? 0;
      const rest = ndjson(await stream(resumeAt));
      expect(rest.pop(), `cut at ${cut}`).toEqual({ next: full.at(-1).seq, more: false });
      expect(seqs([...complete, ...rest]), `cut at ${cut}`).toEqual(seqs(full));
    }
  });

  it('resumes after a real cut: the client drops the connection mid-stream, then asks from its last seq', async () => {
    const { req, res } = await openStream(0);
    let received = '';
    await new Promise<void>((resolve) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        received += chunk;
        if (received.length > 3_000_000) {
          req.destroy();
          resolve();
        }
      });
    });
    const complete = ndjson(received.slice(0, received.lastIndexOf('\n') + 1));
    expect(complete.length).toBeGreaterThan(0);
    expect(complete.length).toBeLessThan(ITEMS);
    const rest = ndjson(await stream(complete.at(-1).seq));
    rest.pop();
    expect([...complete, ...rest]).toEqual(full);
  });

  it('stops reading the feed when the client goes away', async () => {
    const before = changesSinceCalls;
    const { req, res } = await openStream(0);
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    req.destroy();
    await sleep(300);
    const after = changesSinceCalls;
    // The first page (~8 MB) cannot drain into a client that is gone: a server that noticed stops after it.
    expect(after - before).toBe(1);
    await sleep(200);
    expect(changesSinceCalls).toBe(after);
    expect((await page('since=0&limit=1')).status).toBe(200);
  });

  it('a paused reader holds the stream open without blocking pushes; the pushed change arrives at the end', async () => {
    const before = changesSinceCalls;
    const { req, res } = await openStream(0);
    let received = '';
    res.setEncoding('utf8');
    await new Promise<void>((resolve) =>
      res.once('data', (chunk: string) => {
        received += chunk;
        res.pause();
        resolve();
      }),
    );
    await sleep(200);
    // The server is waiting for 'drain' between pages, not holding a SQLite iterator.
    expect(changesSinceCalls - before).toBeLessThan(3);
    const item = (await inst.hub.getItem(feed.id, 100))!;
    const pushed = await api(inst.url, `/trackers/${feed.id}/push`, {
      user: 'root',
      body: { changes: [{ op: 'update', id: 100, baseVersion: item.version, fields: { title: { base: item.values.title, value: 'pushed mid-stream' } } }] },
    });
    expect(pushed.status).toBe(200);
    expect(pushed.json.results[0].status).toBe('updated');
    const newSeq = pushed.json.results[0].item.seq;
    await new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: string) => (received += chunk));
      res.on('end', resolve);
      res.on('error', reject);
      res.resume();
    });
    req.destroy();
    const lines = ndjson(received);
    const end = lines.pop();
    expect(end).toEqual({ next: newSeq, more: false });
    expect(lines.at(-1)).toMatchObject({ id: 100, seq: newSeq, values: { title: 'pushed mid-stream' } });
    // Item 100 appears twice: its old state (read before the push) and its new one; applying in seq order ends right.
    expect(lines.filter((c) => c.id === 100).length).toBeLessThanOrEqual(2);
    full = ndjson(await stream(0)).slice(0, -1);
  });

  it('from the end of the feed answers only the end line; a token past the end is kept', async () => {
    const last = full.at(-1).seq;
    expect(ndjson(await stream(last))).toEqual([{ next: last, more: false }]);
    expect(ndjson(await stream(last + 1000))).toEqual([{ next: last + 1000, more: false }]);
  });
});

describe('pages', () => {
  it('default to 1,000 changes with the next token and whether more remain', async () => {
    const res = await page('');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json.changes).toHaveLength(1000);
    expect(res.json).toMatchObject({ next: res.json.changes[999].seq, more: true });
  });

  it('are JSON unless NDJSON is asked for', async () => {
    for (const accept of ['application/json', '*/*', 'text/html']) {
      const res = await api(inst.url, `/trackers/${feed.id}/changes?limit=2`, { user: 'root', headers: { accept } });
      expect(res.json.changes, accept).toHaveLength(2);
    }
  });

  it('have precise tokens: from any seq of the feed, the next page starts right after it', async () => {
    const picks = [0, 1, 999, 1000, 1001, 2997, 2998];
    for (const index of picks) {
      const since = full[index].seq;
      const res = await page(`since=${since}&limit=3`);
      expect(seqs(res.json.changes), `since ${since}`).toEqual(seqs(full.slice(index + 1, index + 4)));
      expect(res.json.more).toBe(index + 4 < full.length);
    }
  });

  it('followed through any page size give the whole feed once', async () => {
    for (const limit of [1, 7, 1000, 10000]) {
      if (limit === 1) {
        // Walking 3,000 pages of one is slow for nothing: walk the last 50.
        let token = full.at(-51).seq;
        const seen: number[] = [];
        for (;;) {
          const res = (await page(`since=${token}&limit=1`)).json;
          seen.push(...seqs(res.changes));
          token = res.next;
          if (!res.more) break;
        }
        expect(seen).toEqual(seqs(full.slice(-50)));
        continue;
      }
      const seen: number[] = [];
      let token = 0;
      for (;;) {
        const res = (await page(`since=${token}&limit=${limit}`)).json;
        seen.push(...seqs(res.changes));
        token = res.next;
        if (!res.more) break;
      }
      expect(seen, `limit ${limit}`).toEqual(seqs(full));
    }
  });

  it('past the end are empty with the token kept and more false', async () => {
    const last = full.at(-1).seq;
    expect((await page(`since=${last}`)).json).toEqual({ changes: [], next: last, more: false });
    expect((await page('since=9999999999')).json).toEqual({ changes: [], next: 9999999999, more: false });
  });

  it('hold only this tracker: the other tracker has its own feed', async () => {
    const res = (await api(inst.url, `/trackers/${side.id}/changes`, { user: 'root' })).json;
    expect(res.changes.map((c: { values: { title: string } }) => c.values.title)).toEqual(Array.from({ length: 6 }, (_, i) => `side ${i * 500}`));
    expect(full.some((c) => c.values.title?.startsWith('side'))).toBe(false);
  });
});

describe('query validation', () => {
  const BAD: [string, string][] = [
    ['since=-1', 'since'],
    ['since=abc', 'since'],
    ['since=1.5', 'since'],
    ['since=1e3', 'since'],
    ['since=0x10', 'since'],
    ['since=', 'since'],
    ['since=12345678901234567', 'since'],
    ['since=1&since=2', 'since'],
    ['since[a]=1', 'since[a]'],
    ['limit=0', 'limit'],
    ['limit=10001', 'limit'],
    ['limit=-5', 'limit'],
    ['limit=ten', 'limit'],
    ['bogus=1', 'bogus'],
    ['SINCE=1', 'SINCE'],
    ["since=1'%20OR%20'1'='1", 'since'],
  ];

  it.each(BAD)('?%s is a 400 naming %s, paged or streamed', async (query, param) => {
    for (const accept of ['application/json', NDJSON]) {
      const res = await api(inst.url, `/trackers/${feed.id}/changes?${query}`, { user: 'root', headers: { accept } });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json.error.code).toBe('bad_input');
      expect(res.json.error.details.problems[0].field).toBe(param);
      expect(res.json.error.message).toContain(param);
    }
  });
});
