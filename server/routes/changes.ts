/**
 * GET /trackers/:id/changes: the change feed after a token, paged as JSON or streamed as NDJSON.
 * The stream reads the feed a page at a time and never holds a cursor across an await: the
 * store must stay free for pushes while a slow client drains a long stream.
 */
import type { Response } from 'express';
import { DEFAULT_PAGE_LIMIT, type FeedEntry, NDJSON } from '../../shared/api/schemas.js';
import type { HubStore, Item } from '../store/index.js';
import { type FeedFilter, countEntries, feedFilter } from './feed-filter.js';
import type { RouteHandlers } from './mount.js';

const STREAM_PAGE = 1000;

/** Resolves when the client has taken what was written, or is gone (then the loop sees `destroyed`). */
function drained(res: Response): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function changesHandlers(store: HubStore): Pick<RouteHandlers, 'changes'> {
  return {
    changes: async ({ req, res, user, tracker, query }) => {
      const since = Number(query.since ?? 0);
      const filter = feedFilter(tracker, query.where, since);
      res.setHeader('X-S15n-Total', String(await countEntries(store, tracker.id, since, filter)));
      // The caller's right, so a push dry run can tell which overwrites and deletes the remote would grant.
      res.setHeader('X-S15n-Right', (await store.rightOf(user.name, tracker.id)) ?? 'none');
      if (!(req.get('accept') ?? '').includes(NDJSON)) {
        const page = await store.changesSince(tracker.id, since, Number(query.limit ?? DEFAULT_PAGE_LIMIT));
        res.json({ changes: entries(page.changes, filter), next: page.next, more: page.more });
        return;
      }
      await stream(store, res, tracker.id, since, filter);
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
