/**
 * GET /trackers/:id/changes: the change feed after a token, paged as JSON or streamed as NDJSON;
 * feed=longpoll and feed=continuous are the live forms (./live-feed.ts).
 * The stream reads the feed a page at a time and never holds a cursor across an await: the
 * store must stay free for pushes while a slow client drains a long stream.
 */
import type { Response } from 'express';
import { feedTiming } from '../../shared/api/live.js';
import { DEFAULT_PAGE_LIMIT, type FeedEntry, NDJSON } from '../../shared/api/schemas.js';
import type { LiveFeeds } from '../live/index.js';
import { drained } from '../compression.js';
import type { HubStore, Item } from '../store/index.js';
import { type FeedFilter, countEntries, feedFilter } from './feed-filter.js';
import { continuousFeed, untilChange } from './live-feed.js';
import type { RouteHandlers } from './mount.js';

const STREAM_PAGE = 1000;

export function changesHandlers(store: HubStore, live: LiveFeeds): Pick<RouteHandlers, 'changes'> {
  return {
    changes: async ({ req, res, user, tracker, query, media }) => {
      const since = Number(query.since ?? 0);
      const filter = feedFilter(tracker, query.where, since);
      const timing = feedTiming({ feed: query.feed, timeout: optionalNumber(query.timeout), heartbeat: optionalNumber(query.heartbeat) });
      const call = { res, user: user.name, trackerId: tracker.id, since, timing, filter };
      // A continuous feed is NDJSON whatever Accept says (as CouchDB's): it has no JSON page form.
      if (timing.feed === 'continuous') return continuousFeed(live, store, call, await feedHeaders(store, user.name, tracker.id, since, filter));
      if (timing.feed === 'longpoll') await untilChange(live, store, call);
      if (res.destroyed) return;
      res.set(await feedHeaders(store, user.name, tracker.id, since, filter));
      if (media !== NDJSON) {
        const page = await store.changesSince(tracker.id, since, Number(query.limit ?? DEFAULT_PAGE_LIMIT));
        res.json({ changes: entries(page.changes, filter), next: page.next, more: page.more });
        return;
      }
      // HEAD: the stream's headers without reading the feed.
      if (req.method === 'HEAD') res.status(200).type(NDJSON).end();
      else await stream(store, res, tracker.id, since, filter);
    },
  };
}

function entries(changes: readonly Item[], filter: FeedFilter): FeedEntry[] {
  const out: FeedEntry[] = [];
  for (const change of changes) {
    const entry = filter.entry(change);
    if (entry) out.push(entry);
  }
  return out;
}

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

/** How many entries follow the token, and the caller's right (so a push dry run can tell which overwrites and deletes the remote would grant). */
async function feedHeaders(store: HubStore, user: string, trackerId: number, since: number, filter: FeedFilter): Promise<Record<string, string>> {
  return { 'X-S15n-Total': String(await countEntries(store, trackerId, since, filter)), 'X-S15n-Right': (await store.rightOf(user, trackerId)) ?? 'none' };
}

/** The feed after `since` as NDJSON, a page at a time, waiting for a slow client to drain each. */
async function stream(store: HubStore, res: Response, trackerId: number, since: number, filter: FeedFilter): Promise<void> {
  res.status(200).type(NDJSON);
  let token = since;
  for (;;) {
    if (res.destroyed) return;
    const page = await store.changesSince(trackerId, token, STREAM_PAGE);
    let chunk = '';
    for (const change of page.changes) {
      const entry = filter.entry(change);
      if (entry) chunk += `${JSON.stringify(entry)}\n`;
    }
    token = page.next;
    if (!page.more) {
      res.end(`${chunk}${JSON.stringify({ next: token, more: false })}\n`);
      return;
    }
    if (!res.write(chunk)) await drained(res);
  }
}
