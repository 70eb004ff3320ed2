/**
 * A tracker's live items as CSV text, a page at a time, for `tracker export --csv` and
 * `GET …/export.csv` alike: memory holds one page whatever the tracker's size.
 */
import { csvHeader, csvRecord, stringifyCsv } from '../shared/model/csv.js';
import type { HubStore, Tracker } from './store/index.js';

export const EXPORT_PAGE = 1000;

/** The header, then each page of items (by id), as CSV chunks; a reader that stops early stops the reading. */
export async function* csvChunks(hub: HubStore, tracker: Tracker, pageSize = EXPORT_PAGE): AsyncGenerator<string> {
  yield stringifyCsv([csvHeader(tracker.fields)]);
  let afterId = 0;
  for (;;) {
    const items = await hub.listItems(tracker.id, { afterId, limit: pageSize });
    if (items.length === 0) return;
    yield stringifyCsv(items.map((item) => csvRecord(tracker.fields, item)));
    afterId = items[items.length - 1]!.id;
  }
}
