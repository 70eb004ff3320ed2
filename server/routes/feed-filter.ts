/**
 * The change feed filtered by a selector (`where`, DESIGN §12), as one function of a stored change
 * that every feed mode calls (pages, the NDJSON stream, and any live mode): a matching item goes
 * as it is, a tombstone as a tombstone, and a change of any other item as a `left` marker, since
 * the server does not know which items the clone holds. From token 0 the clone holds nothing:
 * then only matching items are sent. The cost stays that of the changes after the token.
 */
import type { FeedEntry } from '../../shared/api/schemas.js';
import { BadInput } from '../../shared/errors.js';
import { matches, parseSelectorText } from '../../shared/model/selector.js';
import { type HubStore, type Item, type Tracker, itemToChange } from '../store/index.js';

const COUNT_PAGE = 1000;

export interface FeedFilter {
  /** The entry a stored change becomes, or null when it is not sent at all. */
  entry(change: Item): FeedEntry | null;
  /** Every change after the token is sent (as itself or as a marker): the feed's own count is the count of entries. */
  readonly sendsEveryChange: boolean;
  /** The filter of the changes a live feed sends once it has sent everything up to now (the clone may then hold any item). */
  readonly following: FeedFilter;
}

const UNFILTERED: FeedFilter = { entry: itemToChange, sendsEveryChange: true, get following() { return UNFILTERED; } };

/** The filter of a feed request; a bad selector is a 400 naming the part and why, before anything is sent. */
export function feedFilter(tracker: Tracker, where: string | undefined, since: number): FeedFilter {
  if (where === undefined) return UNFILTERED;
  const checked = parseSelectorText(where, tracker.fields);
  if (!checked.ok) throw BadInput.from(checked.problems, 'invalid selector');
  const { selector } = checked;
  const following: FeedFilter = {
    sendsEveryChange: true,
    entry: (change) => (change.deleted || matches(selector, change) ? itemToChange(change) : { id: change.id, seq: change.seq, left: true }),
    get following() { return following; },
  };
  if (since > 0) return following;
  return { sendsEveryChange: false, entry: (change) => (!change.deleted && matches(selector, change) ? itemToChange(change) : null), following };
}

/** How many entries the feed after `since` sends: the feed's count, or (filtered from token 0) the matching items, counted by reading them. */
export async function countEntries(store: HubStore, trackerId: number, since: number, filter: FeedFilter): Promise<number> {
  if (filter.sendsEveryChange) return store.countChangesSince(trackerId, since);
  let count = 0;
  let token = since;
  for (;;) {
    const page = await store.changesSince(trackerId, token, COUNT_PAGE);
    for (const change of page.changes) if (filter.entry(change) !== null) count += 1;
    if (!page.more) return count;
    token = page.next;
  }
}
