/**
 * The load of the hub bench, each part in a process of its own: a writer reading the feed then
 * pushing 100-item batches over the wire (some items hot, shared by every writer), a feed watcher timing when each commit
 * shows in the store's feed (woken by the store's change notification, as live feeds are), and a
 * probe timing a small reload while clones drain the hub.
 */
import { performance } from 'node:perf_hooks';
import { openLocalStore } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import type { HubStore } from '../../server/store/index.js';
import { openHub } from '../../server/store/open.js';
import { seededRandom } from '../../shared/random.js';
import { PASSWORD, USER } from './items.js';

const now = () => performance.timeOrigin + performance.now();
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
export const BATCH_ITEMS = 100;
export const HOT_SET = 10;
const HOT_PER_BATCH = 5;

interface Known {
  version: number;
  estimate: unknown;
}

export interface WriterResult {
  pushes: number;
  updates: number;
  conflicts: number;
  errors: number;
  /** Push round trips, ms. */
  latencies: number[];
  /** Each committed batch: when its answer arrived and the highest seq it wrote. */
  commits: { at: number; seq: number }[];
}

async function call(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, { ...init, headers: { authorization: AUTH, 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** 100 distinct items: a few of the hot set, the rest anywhere. */
function pick(random: () => number, ids: readonly number[]): number[] {
  const chosen = new Set<number>();
  while (chosen.size < HOT_PER_BATCH) chosen.add(ids[Math.floor(random() * HOT_SET)]!);
  while (chosen.size < BATCH_ITEMS) chosen.add(ids[Math.floor(random() * ids.length)]!);
  return [...chosen];
}

/** What a clone does before it pushes: read the feed since its token, so its bases are the hub's current values. */
async function catchUp(base: string, token: number, known: Map<number, Known>): Promise<number> {
  for (;;) {
    const page = await call(`${base}/changes?since=${token}&limit=10000`);
    for (const c of page.changes) known.set(c.id, { version: c.version, estimate: c.values.estimate ?? null });
    token = page.next;
    if (!page.more) return token;
  }
}

/**
 * Syncs for `seconds`: reads the feed since its token, then pushes a batch of field-level updates
 * based on what it knows (a conflict is another writer's commit that came in between).
 */
export async function runWriter(args: { url: string; trackerId: number; seconds: number; seed: number }): Promise<WriterResult> {
  const base = `${args.url}/api/v1/trackers/${args.trackerId}`;
  const known = new Map<number, Known>();
  let token = await catchUp(base, 0, known);
  const ids = [...known.keys()].sort((a, b) => a - b);
  const random = seededRandom(args.seed);
  const result: WriterResult = { pushes: 0, updates: 0, conflicts: 0, errors: 0, latencies: [], commits: [] };
  const end = now() + args.seconds * 1000;
  while (now() < end) {
    token = await catchUp(base, token, known);
    const changes = pick(random, ids).map((id) => {
      const k = known.get(id)!;
      return { op: 'update', id, baseVersion: k.version, fields: { estimate: { base: k.estimate, value: Math.round(random() * 1e6) / 100 } } };
    });
    const sent = now();
    const answer = await call(`${base}/push`, { method: 'POST', body: JSON.stringify({ changes }) });
    const at = now();
    result.pushes++;
    result.latencies.push(at - sent);
    let seq = 0;
    for (const r of answer.results) {
      if (r.status === 'updated') result.updates++;
      else if (r.status === 'conflict') result.conflicts++;
      else result.errors++;
      if (r.item) {
        known.set(r.item.id, { version: r.item.version, estimate: r.item.values.estimate ?? null });
        if (r.status === 'updated') seq = Math.max(seq, r.item.seq);
      }
    }
    if (seq > 0) result.commits.push({ at, seq });
  }
  return result;
}

/**
 * Reads a tracker's feed whenever the store announces a commit; remembers when its token reached
 * each value. The feed is precise, so a token at or past a commit's seq means the commit is in the
 * feed (it may show the item's later state already: that change superseded it).
 */
export class FeedWatcher {
  private hub: HubStore | null = null;
  private stop: (() => void) | null = null;
  private token = 0;
  private reading: Promise<void> = Promise.resolve();
  /** [token, when the feed had been read up to it], in time order. */
  private readonly reached: [number, number][] = [];

  async start(args: { location: string; trackerId: number }): Promise<void> {
    this.hub = await openHub(args.location);
    this.token = (await this.hub.changesSince(args.trackerId, 0, 1_000_000)).next;
    const read = async () => {
      for (;;) {
        const page = await this.hub!.changesSince(args.trackerId, this.token, 1000);
        this.token = page.next;
        this.reached.push([page.next, now()]);
        if (!page.more) return;
      }
    };
    this.stop = this.hub.onChange(() => {
      this.reading = this.reading.then(read);
    });
  }

  async finish(): Promise<[number, number][]> {
    this.stop?.();
    await this.reading;
    await this.hub?.close();
    return this.reached;
  }
}

/** Edits a few items of the small tracker on the hub, then reloads its clone, over and over: each reload timed. */
export class ReloadProbe {
  private running = false;
  private loop: Promise<number[]> = Promise.resolve([]);

  async start(args: { location: string; url: string; dir: string; trackerId: number }): Promise<void> {
    const store = openLocalStore(args.dir, { create: true });
    addRemote(store, { name: 'origin', url: args.url, user: USER, password: PASSWORD });
    await clone(store, 'origin', args.trackerId, { as: 'probe' });
    const hub = await openHub(args.location);
    const ids = (await hub.listItems(args.trackerId)).map((i) => i.id);
    this.running = true;
    this.loop = (async () => {
      const times: number[] = [];
      for (let round = 0; this.running; round++) {
        const edited = Array.from({ length: 5 }, (_, i) => ids[(round * 5 + i) % ids.length]!);
        await hub.updateItems(args.trackerId, edited, { values: { estimate: round } }, USER);
        const started = now();
        const report = await reload(store, 'probe');
        if (report.outcome === 'error') throw new Error(`probe reload failed: ${JSON.stringify(report.errors).slice(0, 300)}`);
        times.push(now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      store.close();
      await hub.close();
      return times;
    })();
  }

  async finish(): Promise<number[]> {
    this.running = false;
    return this.loop;
  }
}
