/**
 * The live change feeds over real HTTP (DESIGN §11): longpoll waits for the first change, a
 * continuous feed streams the backlog then each change as it commits (this process's, another
 * process's on the same file), heartbeats while idle, ends on its idle timeout and on server stop
 * with its last line; one store watcher serves every idle feed without a query per tick; each user
 * holds at most so many open feeds, and a client that goes away gives its slot back.
 */
import { type ClientRequest, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { LONGPOLL_TIMEOUT_MS } from '../../shared/api/live.js';
import { api, basic, startInstance, type TestInstance } from '../helpers/instance.js';
import { runCliAsync } from '../helpers/sync.js';
import { waitFor } from '../helpers/wait.js';

let inst: TestInstance;
let bugs: Tracker;
let other: Tracker;

/** An open continuous feed: what has arrived so far, its parsed lines, and its end. */
interface OpenFeed {
  req: ClientRequest;
  status: number;
  text(): string;
  /** The JSON lines so far (heartbeats left out). */
  lines(): any[];
  heartbeats(): number;
  ended: Promise<void>;
}

function openFeed(instance: TestInstance, query: string, user = 'root'): Promise<OpenFeed> {
  const url = new URL(instance.url);
  return new Promise((resolve, reject) => {
    let text = '';
    const req = request({ host: url.hostname, port: url.port, path: `/api/v1/trackers/${bugs.id}/changes?feed=continuous&${query}`, headers: { authorization: basic(user) }, agent: false }, (res) => {
      res.setEncoding('utf8');
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
      });
      res.on('data', (chunk: string) => (text += chunk));
      resolve({
        req,
        status: res.statusCode ?? 0,
        text: () => text,
        lines: () => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line)),
        heartbeats: () => text.split('\n').length - 1 - text.split('\n').filter((line) => line !== '').length,
        ended,
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const add = (title: string, tracker = bugs) => inst.store.createItems(tracker.id, [{ values: { title } }], 'root')[0]!;
const lastSeq = () => inst.store.lastSeq();

beforeAll(async () => {
  inst = await startInstance({ maxFeedsPerUser: 8 });
  await inst.store.addUser('root', 'root:pass:word', { admin: true });
  bugs = inst.store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }] });
  other = inst.store.createTracker({ name: 'Other', fields: [{ name: 'title', type: 'text' }] });
  add('first');
  add('second');
});

afterAll(async () => {
  await inst?.close();
});

describe('feed=longpoll', () => {
  it('answers at once when a change follows the token, like a normal page', async () => {
    const res = await api(inst.url, `/trackers/${bugs.id}/changes?feed=longpoll&since=0`, { user: 'root' });
    expect(res.status).toBe(200);
    expect(res.json.changes.map((c: any) => c.values.title)).toEqual(['first', 'second']);
    expect(res.json.more).toBe(false);
  });

  it('waits for the first change after the token and answers with it; a timeout above the maximum is clamped, not refused', async () => {
    const since = lastSeq();
    const answer = api(inst.url, `/trackers/${bugs.id}/changes?feed=longpoll&since=${since}&timeout=999999999999`, { user: 'root' });
    await waitFor(() => inst.server.live.slots.open('root') === 1, 'the longpoll is waiting');
    const item = add('while waiting');
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.json.changes).toEqual([expect.objectContaining({ id: item.id, seq: item.seq, values: { title: 'while waiting' } })]);
    expect(res.json.next).toBe(item.seq);
    await waitFor(() => inst.server.live.slots.open('root') === 0, 'the slot is given back');
  });

  it('answers an empty page with the same token when nothing comes before the timeout; a change elsewhere does not wake it', async () => {
    const since = lastSeq();
    const started = Date.now();
    const answer = api(inst.url, `/trackers/${bugs.id}/changes?feed=longpoll&since=${since}&timeout=300`, { user: 'root' });
    await waitFor(() => inst.server.live.slots.open('root') === 1, 'the longpoll is waiting');
    add('in another tracker', other);
    const res = await answer;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.json).toEqual({ changes: [], next: since, more: false });
    expect(LONGPOLL_TIMEOUT_MS.max).toBe(120_000);
  });

  it('refuses a feed, timeout or heartbeat it cannot read, naming the parameter', async () => {
    for (const [query, field] of [['feed=sometimes', 'feed'], ['feed=longpoll&timeout=-5', 'timeout'], ['feed=continuous&heartbeat=soon', 'heartbeat']] as const) {
      const res = await api(inst.url, `/trackers/${bugs.id}/changes?${query}`, { user: 'root' });
      expect(res.status, query).toBe(400);
      expect(res.json.error.details.problems[0].field).toBe(field);
    }
  });
});

describe('feed=continuous', () => {
  it('streams the backlog, then each change as it commits; heartbeats while idle; the idle timeout ends it with the last line', async () => {
    const feed = await openFeed(inst, 'since=0&heartbeat=100&timeout=1500');
    expect(feed.status).toBe(200);
    await waitFor(() => feed.lines().length >= 2, 'the backlog');
    expect(feed.lines().slice(0, 2).map((c) => c.values.title)).toEqual(['first', 'second']);
    await waitFor(() => feed.heartbeats() >= 2, 'two heartbeats');
    add('elsewhere', other);
    const live = add('live');
    await waitFor(() => feed.lines().some((c) => c.id === live.id), 'the live change');
    const seen = feed.lines();
    expect(seen.some((c) => c.values?.title === 'elsewhere')).toBe(false);
    for (let i = 1; i < seen.length; i++) expect(seen[i].seq).toBeGreaterThan(seen[i - 1].seq);
    await feed.ended;
    expect(feed.lines().at(-1)).toEqual({ next: live.seq, more: false });
    expect(feed.text().endsWith('\n')).toBe(true);
  });

  it('carries a change made by another process on the same data dir (noticed by data_version)', async () => {
    const feed = await openFeed(inst, `since=${lastSeq()}`);
    await waitFor(() => inst.server.live.slots.open('root') === 1, 'the feed is open');
    const cli = await runCliAsync(['--json', 'item', 'add', 'Bugs', '--set', 'title=from the CLI'], { data: inst.dataDir });
    expect(cli.code, cli.stderr).toBe(0);
    await waitFor(() => feed.lines().some((c) => c.values?.title === 'from the CLI'), 'the CLI change');
    feed.req.destroy();
    await waitFor(() => inst.server.live.slots.open('root') === 0, 'the slot is given back');
  });

  it('costs no query while idle, however many feeds wait; a commit is read once for all of them', async () => {
    const feeds = await Promise.all(Array.from({ length: 5 }, () => openFeed(inst, `since=${lastSeq()}&heartbeat=100`)));
    await waitFor(() => inst.server.live.slots.open('root') === 5, 'five feeds open');
    const original = inst.store.changesSince.bind(inst.store);
    let reads = 0;
    inst.store.changesSince = (...args) => {
      reads += 1;
      return original(...args);
    };
    try {
      const beats = feeds.map((f) => f.heartbeats());
      // Three heartbeats each: a few ticks of the store's watcher have gone by.
      await waitFor(() => feeds.every((f, i) => f.heartbeats() >= beats[i]! + 3), 'three heartbeats on every feed');
      expect(reads).toBe(0);
      const item = add('for all five');
      await waitFor(() => feeds.every((f) => f.lines().some((c) => c.id === item.id)), 'the change on every feed');
      expect(reads).toBe(1);
    } finally {
      inst.store.changesSince = original;
      for (const feed of feeds) feed.req.destroy();
    }
    await waitFor(() => inst.server.live.slots.open('root') === 0, 'the slots are given back');
  });

  it('holds at most --max-feeds open feeds per user (429 beyond), and a client that goes away frees its slot', async () => {
    const feeds = await Promise.all(Array.from({ length: 8 }, () => openFeed(inst, `since=${lastSeq()}`)));
    expect(feeds.map((f) => f.status)).toEqual(Array(8).fill(200));
    const refused = await api(inst.url, `/trackers/${bugs.id}/changes?feed=continuous&since=${lastSeq()}`, { user: 'root' });
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toMatch(/already holds 8 open feeds/);
    const longpoll = await api(inst.url, `/trackers/${bugs.id}/changes?feed=longpoll&since=${lastSeq()}&timeout=10`, { user: 'root' });
    expect(longpoll.status).toBe(429);
    feeds[0]!.req.destroy();
    await waitFor(() => inst.server.live.slots.open('root') === 7, 'the gone client frees its slot');
    const again = await openFeed(inst, `since=${lastSeq()}`);
    expect(again.status).toBe(200);
    for (const feed of [...feeds, again]) feed.req.destroy();
    await waitFor(() => inst.server.live.slots.open('root') === 0, 'the slots are given back');
  });
});

describe('server stop', () => {
  it('ends open feeds cleanly at once: a stream with its last line, a longpoll with an empty page', async () => {
    const own = await startInstance();
    await own.store.addUser('root', 'root:pass:word', { admin: true });
    const tracker = own.store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }] });
    expect(tracker.id).toBe(bugs.id);
    const item = own.store.createItems(tracker.id, [{ values: { title: 'only' } }], 'root')[0]!;
    const feed = await openFeed(own, 'since=0');
    const longpoll = api(own.url, `/trackers/${tracker.id}/changes?feed=longpoll&since=${item.seq}`, { user: 'root' });
    await waitFor(() => own.server.live.slots.open('root') === 2, 'both feeds open');
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1500);
    await feed.ended;
    expect(feed.lines()).toEqual([expect.objectContaining({ id: item.id }), { next: item.seq, more: false }]);
    expect((await longpoll).json).toEqual({ changes: [], next: item.seq, more: false });
  });
});
