/**
 * Rows matched or created on PostgreSQL (a CSV import, DESIGN §13): the tracker row held FOR
 * UPDATE (an import is judged against items no other write changes meanwhile), the holders of
 * the rows' key values and the items they name read, or every live item when a match field is
 * not a key; then the shared plan (shared/model/upsert.ts) judges every row and its writes are
 * committed together, or, in a dry run, nothing is and the counts say what would have been.
 */
import { BadInput } from '../../../shared/errors.js';
import { keyFields } from '../../../shared/model/keys.js';
import { type UpsertOptions, type UpsertResult, type UpsertRow, planUpsert } from '../../../shared/model/upsert.js';
import type { Item, Tracker } from '../types.js';
import type { Queryable } from './database.js';
import type { PgItems } from './items.js';
import { ITEM_COLUMNS, type ItemRow, toItem } from './rows.js';
import type { PlannedWrite } from './writes.js';

const PAGE = 5000;

/** Live items of a tracker: those of `ids`, or all of them (null). */
async function liveItems(client: Queryable, trackerId: number, ids: readonly number[] | null): Promise<Map<number, Item>> {
  const found = new Map<number, Item>();
  if (ids !== null) {
    for (let start = 0; start < ids.length; start += PAGE) {
      const { rows } = await client.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE tracker_id = $1 AND id = ANY($2::bigint[]) AND NOT deleted`, [trackerId, ids.slice(start, start + PAGE)]);
      for (const row of rows) found.set(row.id, toItem(row));
    }
    return found;
  }
  for (let after = 0; ; ) {
    const { rows } = await client.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE tracker_id = $1 AND NOT deleted AND id > $2 ORDER BY id LIMIT $3`, [trackerId, after, PAGE]);
    for (const row of rows) found.set(row.id, toItem(row));
    if (rows.length < PAGE) return found;
    after = rows[rows.length - 1]!.id;
  }
}

export class PgUpserter {
  constructor(private readonly items: PgItems) {}

  /** Judges every row, then writes; refused as a whole (nothing written) when any row has a problem. */
  upsert(tracker: Tracker, rows: readonly UpsertRow[], options: UpsertOptions, by: string | null): Promise<UpsertResult> {
    return this.items.write(
      tracker,
      async (client, book) => {
        await book.loadValues(client, rows.map((r) => r.values));
        const keys = new Set(keyFields(tracker.fields).map((f) => f.name));
        const everyItem = options.match.some((name) => !keys.has(name));
        const current = await liveItems(client, tracker.id, everyItem ? null : [...book.holderIds()]);
        const plan = planUpsert(rows, { fields: tracker.fields, match: options.match, holders: book.holders, item: (id) => current.get(id), live: () => current.values() });
        if (plan.problems.length > 0) throw BadInput.from(plan.problems, `refused ${rows.length === 1 ? 'the row' : `all ${rows.length} rows`}; nothing was written`);
        const result = { created: plan.created, updated: plan.updated, unchanged: plan.unchanged, dryRun: options.dryRun === true };
        if (options.dryRun) return { writes: [], result };
        const creates = plan.writes.flatMap((w) => (w.op === 'create' ? [w.state] : []));
        const inserted = await this.items.planInserts(client, tracker, creates, by);
        let next = 0;
        const writes: PlannedWrite[] = plan.writes.map((w) => (w.op === 'create' ? inserted[next++]! : this.items.planUpdate(tracker, current.get(w.id)!, w.state, false, by)));
        return { writes, result };
      },
      'exclusive',
    );
  }
}
