/**
 * The live forms of GET /trackers/:id/changes (DESIGN §11): a longpoll waits for the first change
 * after the token, a continuous feed streams the backlog and then each change as it commits, with
 * heartbeats while idle. Both wait on the server's one store watcher (server/live/), hold a slot
 * of the caller's while open, and end cleanly when the client goes, the timeout passes or the
 * server stops.
 */
import type { Response } from 'express';
import type { FeedTiming } from '../../shared/api/live.js';
import { NDJSON } from '../../shared/api/schemas.js';
import type { LiveFeeds } from '../live/index.js';
import { drained } from '../compression.js';
import type { FeedPage, HubStore } from '../store/index.js';
import type { FeedFilter } from './feed-filter.js';

export interface LiveCall {
  res: Response;
  user: string;
  trackerId: number;
  since: number;
  timing: FeedTiming;
  /** The feed's filter (`where`, ./feed-filter.ts): every line is its entry of a change. */
  filter: FeedFilter;
}

/**
 * The NDJSON lines of a page, made once per filter however many feeds the watcher hands the same page to
 * (unfiltered feeds share theirs; a filtered feed's lines are its entries, markers included)
 * (it reads one page per token that feeds wait at, so each feed's page starts after its token).
 * Each line also carries the tracker's schema hash as it is when the line is made (after the
 * change committed): a watching clone whose schema is that one need not ask for it again.
 */
const lines = new WeakMap<FeedPage, Map<FeedFilter, string>>();
async function linesOf(store: HubStore, trackerId: number, page: FeedPage, filter: FeedFilter): Promise<string> {
  let made = lines.get(page);
  if (made === undefined) lines.set(page, (made = new Map()));
  let text = made.get(filter);
  if (text === undefined) {
    const { schemaHash } = await store.getTracker(trackerId);
    text = '';
    for (const change of page.changes) {
      const entry = filter.entry(change);
      if (entry) text += `${JSON.stringify({ ...entry, schemaHash })}\n`;
    }
    made.set(filter, text);
  }
  return text;
}

/**
 * Writes and pushes the bytes out at once (server/compression.ts flushes every write); false
 * when the client has not taken them yet: wait with drained(res), which under compression is
 * the compressor's drain, where res.writableNeedDrain and res.off would look at the socket.
 */
function send(res: Response, text: string): boolean {
  if (res.destroyed || text === '') return true;
  return res.write(text);
}

/** An abort signal for the feed: the client going away, the server stopping; with the detach of the watcher and the slot's release. */
function openFeed(live: LiveFeeds, call: LiveCall): { signal: AbortSignal; end(): void } {
  const release = live.slots.take(call.user);
  const stop = new AbortController();
  const abort = () => stop.abort();
  const detach = live.watcher.attach(abort);
  call.res.on('close', abort);
  return {
    signal: stop.signal,
    end: () => {
      call.res.off('close', abort);
      detach();
      release();
    },
  };
}

/**
 * Waits until the tracker has a change after `since`, the timeout passes, the client goes or the
 * server stops; the caller then answers as a normal feed does. A change already there answers at
 * once, without a slot.
 */
export async function untilChange(live: LiveFeeds, store: HubStore, call: LiveCall): Promise<void> {
  const asOf = live.watcher.now;
  if ((await store.changesSince(call.trackerId, call.since, 1)).changes.length > 0) return;
  const feed = openFeed(live, call);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  const timer = setTimeout(onAbort, call.timing.timeoutMs ?? 0);
  feed.signal.addEventListener('abort', onAbort);
  try {
    const waiting = live.watcher.next(call.trackerId, call.since, asOf, controller.signal);
    live.track(waiting);
    await waiting;
  } finally {
    clearTimeout(timer);
    feed.signal.removeEventListener('abort', onAbort);
    feed.end();
  }
}

/** Heartbeats (a bare newline after `everyMs` without a write) and the idle timeout (not reset by heartbeats). */
class FeedClock {
  private beat: NodeJS.Timeout | null = null;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    private readonly res: Response,
    private readonly timing: FeedTiming,
    private readonly onIdle: () => void,
  ) {}

  /** Something was written: the next heartbeat is a full interval away. */
  wrote(): void {
    if (this.beat) clearTimeout(this.beat);
    const every = this.timing.heartbeatMs;
    if (every !== null) this.beat = setTimeout(() => this.heartbeat(), every);
  }

  /** A change was sent: the feed is not idle. */
  changed(): void {
    if (this.idle) clearTimeout(this.idle);
    if (this.timing.timeoutMs !== null) this.idle = setTimeout(this.onIdle, this.timing.timeoutMs);
  }

  stop(): void {
    if (this.beat) clearTimeout(this.beat);
    if (this.idle) clearTimeout(this.idle);
  }

  private heartbeat(): void {
    send(this.res, '\n');
    this.wrote();
  }
}

/**
 * The continuous feed: the backlog after `since` a page at a time, then each change as the
 * watcher sees it commit, until the idle timeout, the client going or the server stopping; then
 * the last line `{"next","more":false}`. Every line carries its seq: a feed cut anywhere resumes.
 */
export async function continuousFeed(live: LiveFeeds, store: HubStore, call: LiveCall, headers: Record<string, string>): Promise<void> {
  const feed = openFeed(live, call);
  const { res } = call;
  const controller = new AbortController();
  feed.signal.addEventListener('abort', () => controller.abort());
  const clock = new FeedClock(res, call.timing, () => controller.abort());
  const done = (async () => {
    res.status(200).type(NDJSON).set(headers);
    res.flushHeaders();
    let token = call.since;
    let asOf = live.watcher.now;
    let page: FeedPage | null = await store.changesSince(call.trackerId, token, 1000);
    clock.changed();
    let filter = call.filter;
    while (page && !controller.signal.aborted) {
      const taken = send(res, page.changes.length > 0 ? await linesOf(store, call.trackerId, page, filter) : '');
      clock.wrote();
      if (page.changes.length > 0) clock.changed();
      token = Math.max(token, page.next);
      if (!taken) await drained(res);
      if (page.more) {
        asOf = live.watcher.now;
        page = await store.changesSince(call.trackerId, token, 1000);
        continue;
      }
      // Past the backlog: a change of any item the clone may now hold goes, as itself or as its marker.
      filter = filter.following;
      const wake = await live.watcher.next(call.trackerId, token, asOf, controller.signal);
      page = wake?.page ?? null;
      asOf = wake?.asOf ?? asOf;
    }
    if (!res.destroyed) res.end(`${JSON.stringify({ next: token, more: false })}\n`);
  })();
  live.track(done);
  try {
    await done;
  } finally {
    clock.stop();
    feed.end();
  }
}
