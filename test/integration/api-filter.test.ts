/** The filtered feed (`changes?where=`) and the digest route over real HTTP (DESIGN §12): markers, totals, refusals, pages by id. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { NDJSON } from '../../shared/api/schemas.js';
import { digestHash } from '../../shared/digest.js';
import { PASSWORDS, api, basic, ndjson, snapshotOf, startInstance, type TestInstance } from '../helpers/instance.js';
import { waitFor } from '../helpers/wait.js';

let inst: TestInstance;
let bugs: Tracker;
let token: number;
const ids: number[] = [];

const where = (selector: unknown) => encodeURIComponent(JSON.stringify(selector));
const get = (path: string, headers: Record<string, string> = {}) => api(inst.url, `/trackers/${bugs.id}${path}`, { user: 'root', headers });

beforeAll(async () => {
  inst = await startInstance();
  await inst.hub.addUser('root', PASSWORDS.root, { admin: true });
  bugs = await inst.hub.createTracker({
    name: 'Bugs',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'prio', type: 'number' },
      { name: 'sev', type: 'dropdown', options: ['low', 'high'] },
      { name: 'tags', type: 'tags' },
      { name: 'due', type: 'datetime' },
    ],
  });
  const made = await inst.hub.createItems(
    bugs.id,
    Array.from({ length: 10 }, (_, i) => ({ status: i % 2 === 0 ? 'open' : 'closed', values: { title: `b${i}`, prio: i, sev: i < 5 ? 'low' : 'high', tags: i % 3 === 0 ? ['ui'] : ['io'], due: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z` } })),
    'root',
  );
  ids.push(...made.map((i) => i.id));
  token = (await inst.hub.changesSince(bugs.id, 0, 1000)).next;
  await inst.hub.updateItems(bugs.id, [ids[0]!], { status: 'closed' }, 'root'); // leaves status=open
  await inst.hub.updateItems(bugs.id, [ids[1]!], { status: 'open' }, 'root'); // enters
  await inst.hub.updateItems(bugs.id, [ids[3]!], { values: { title: 'b3 again' } }, 'root'); // closed, stays out
  await inst.hub.deleteItems(bugs.id, [ids[2]!], 'root'); // a tombstone
});

afterAll(async () => {
  await inst.close();
});

describe('GET …/changes?where=', () => {
  it('after a token: matching items as they are, other changes as left markers, tombstones as tombstones, pages and stream alike', async () => {
    const open = where({ status: 'open' });
    const pageRes = await get(`/changes?since=${token}&where=${open}`);
    expect(pageRes.status).toBe(200);
    const streamRes = await get(`/changes?since=${token}&where=${open}`, { accept: NDJSON });
    const lines = ndjson(streamRes.text);
    expect(lines.at(-1)).toEqual({ next: pageRes.json.next, more: false });
    for (const changes of [pageRes.json.changes, lines.slice(0, -1)]) {
      expect(changes.map((c: any) => [c.id, c.left === true, c.deleted === true, c.values?.title])).toEqual([
        [ids[0], true, false, undefined],
        [ids[1], false, false, 'b1'],
        [ids[3], true, false, undefined],
        [ids[2], false, true, undefined],
      ]);
    }
    // A marker is the id and the seq, nothing of the item's values.
    expect(Object.keys(pageRes.json.changes[0]).sort()).toEqual(['id', 'left', 'seq']);
    expect(pageRes.headers['x-s15n-total']).toBe('4');
  });

  it('from token 0: the matching live items only, and the total is how many match', async () => {
    const selector = where({ prio: { $gte: 4 }, $or: [{ sev: 'high' }, { tags: 'ui' }] });
    const res = await get(`/changes?since=0&where=${selector}`);
    const expected = [4, 5, 6, 7, 8, 9].filter((i) => i >= 5 || i % 3 === 0).map((i) => ids[i]);
    expect(res.json.changes.map((c: any) => c.id)).toEqual(expected);
    expect(res.headers['x-s15n-total']).toBe(String(expected.length));
    const dated = await get(`/changes?since=0&where=${where({ due: { $lt: '2024-01-03T00:00:00.000+00:00' } })}`);
    expect(dated.json.changes.map((c: any) => c.values.title)).toEqual(['b0', 'b1']);
  });

  it('a continuous feed from token 0: the matching items, then past the backlog any change as itself or as its marker', async () => {
    const url = new URL(inst.url);
    let text = '';
    const req = await new Promise<ReturnType<typeof request>>((resolve, reject) => {
      const path = `/api/v1/trackers/${bugs.id}/changes?feed=continuous&since=0&where=${where({ sev: 'high' })}`;
      const r = request({ host: url.hostname, port: url.port, path, headers: { authorization: basic('root') }, agent: false }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        resolve(r);
      });
      r.on('error', reject);
      r.end();
    });
    const lines = () => ndjson(text);
    try {
      const high = (await inst.hub.listItems(bugs.id)).filter((i) => i.values.sev === 'high').map((i) => i.id);
      await waitFor(() => lines().length === high.length, 'the backlog');
      expect(lines().map((l) => l.id)).toEqual(high);
      await inst.hub.updateItems(bugs.id, [high[0]!], { values: { sev: 'low' } }, 'root'); // leaves
      await inst.hub.updateItems(bugs.id, [ids[4]!], { values: { sev: 'high' } }, 'root'); // enters
      await waitFor(() => lines().length === high.length + 2, 'the live changes');
      const { schemaHash } = await inst.hub.getTracker(bugs.id);
      expect(lines().slice(high.length)).toEqual([
        { id: high[0], seq: expect.any(Number), left: true, schemaHash },
        expect.objectContaining({ id: ids[4], values: expect.objectContaining({ sev: 'high' }), schemaHash }),
      ]);
    } finally {
      req.destroy();
      await inst.hub.updateItems(bugs.id, [ids[4]!], { values: { sev: 'low' } }, 'root');
      await inst.hub.updateItems(bugs.id, [ids[5]!], { values: { sev: 'high' } }, 'root');
    }
  });

  it('refuses a bad selector with 400 naming the part and why, and changes nothing', async () => {
    const before = (await snapshotOf(inst));
    const cases = [
      [{ prio: { $gt: 'x' } }, 'where.prio.$gt', /expected a finite number/],
      [{ prio: { $near: 1 } }, 'where.prio.$near', /unknown operator/],
      [{ $or: {} }, 'where.$or', /non-empty list/],
      [{ tags: { $lt: 'a' } }, 'where.tags.$lt', /a tags field has no order/],
      [[1], 'where', /expected a JSON object/],
    ] as const;
    for (const [selector, field, reason] of cases) {
      const res = await get(`/changes?where=${where(selector)}`);
      expect(res.status, JSON.stringify(selector)).toBe(400);
      expect(res.json.error.details.problems[0], JSON.stringify(selector)).toEqual({ field, reason: expect.stringMatching(reason) });
    }
    const broken = await get('/changes?where=%7Bnope');
    expect(broken.json.error.details.problems[0]).toEqual({ field: 'where', reason: expect.stringMatching(/not valid JSON/) });
    // An unknown field is no typo here: the remote's schema may have lost it since the clone; it has no value.
    const unknown = await get(`/changes?since=0&where=${where({ gone: { $exists: false } })}`);
    expect(unknown.status).toBe(200);
    expect(unknown.json.changes).toHaveLength(9);
    expect((await snapshotOf(inst))).toBe(before);
  });
});

describe('GET …/digest', () => {
  it('pages the live items by id with their version and the hash of their status and the named fields', async () => {
    const first = await get('/digest?limit=4&fields=prio,title');
    expect(first.status).toBe(200);
    const live = (await inst.hub.listItems(bugs.id));
    expect(first.json).toEqual(live.slice(0, 4).map((i) => ({ id: i.id, version: i.version, hash: digestHash(['prio', 'title'], i) })));
    const rest = await get(`/digest?after=${first.json[3].id}&limit=10&fields=prio,title`);
    expect([...first.json, ...rest.json].map((e: any) => e.id)).toEqual(live.map((i) => i.id));
    // Another field list, another hash; none is the status alone.
    const statusOnly = await get('/digest?limit=1&fields=');
    expect(statusOnly.json[0].hash).not.toBe(first.json[0].hash);
  });

  it('hashes stored rows as they are when every field is asked for, by the same rule, a row holding a removed field included', async () => {
    const names = bugs.fields.map((f) => f.name);
    const all = await get(`/digest?fields=${names.join(',')}`);
    expect(all.json).toEqual((await inst.hub.listItems(bugs.id)).map((i) => ({ id: i.id, version: i.version, hash: digestHash(names, i) })));
    // The master drops a field: rows written before still hold its value, which the digest leaves out.
    const fewer = bugs.fields.filter((f) => f.name !== 'due');
    await inst.hub.setTrackerFields(bugs.id, fewer);
    const kept = fewer.map((f) => f.name);
    const after = await get(`/digest?fields=${kept.join(',')}`);
    expect(after.json).toEqual((await inst.hub.listItems(bugs.id)).map((i) => ({ id: i.id, version: i.version, hash: digestHash(kept, i) })));
    expect(after.json[0].hash).not.toBe(all.json[0].hash);
    await inst.hub.setTrackerFields(bugs.id, bugs.fields);
  });

  it('applies where, filling each page with matching items', async () => {
    const res = await get(`/digest?limit=2&where=${where({ status: 'open' })}`);
    const open = (await inst.hub.listItems(bugs.id)).filter((i) => i.status === 'open');
    expect(res.json.map((e: any) => e.id)).toEqual(open.slice(0, 2).map((i) => i.id));
    const bad = await get('/digest?fields=a,,b');
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.problems[0].field).toBe('fields');
  });
});
