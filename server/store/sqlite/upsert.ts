/**
 * Rows matched or created in SQLite (a CSV import): the shared plan (shared/model/upsert.ts)
 * judges every row against the live items first, then its writes go in one transaction, or,
 * in a dry run, nothing does and the counts say what would have.
 */
import type Database from 'better-sqlite3';
import { BadInput } from '../../../shared/errors.js';
import type { ItemStatus } from '../../../shared/model/fields.js';
import { type LiveState, type UpsertOptions, type UpsertResult, type UpsertRow, planUpsert } from '../../../shared/model/upsert.js';
import type { Values } from '../../../shared/model/values.js';
import type { Tracker } from '../types.js';
import type { ItemTable } from './items.js';
import type { Sequence } from './sequence.js';

const PAGE = 1000;

export class Upserter {
  private readonly page;

  constructor(
    db: Database.Database,
    private readonly items: ItemTable,
    private readonly seq: Sequence,
  ) {
    this.page = db.prepare<[number, number, number], { id: number; status: string; values_json: string }>(
      'SELECT id, status, values_json FROM items WHERE tracker_id = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?',
    );
  }

  private *live(trackerId: number): Generator<LiveState> {
    for (let rows = this.page.all(trackerId, 0, PAGE); rows.length > 0; rows = this.page.all(trackerId, rows[rows.length - 1]!.id, PAGE)) {
      for (const row of rows) yield { id: row.id, status: row.status as ItemStatus, values: JSON.parse(row.values_json) as Values };
    }
  }

  /** Judges every row, then writes; refused as a whole (nothing written) when any row has a problem. */
  upsert(tracker: Tracker, rows: readonly UpsertRow[], options: UpsertOptions, by: string | null): UpsertResult {
    return this.seq.withReserved(rows.length, () => {
      const plan = planUpsert(rows, {
        fields: tracker.fields,
        match: options.match,
        holders: this.items.keys.holders(tracker.id),
        item: (id) => this.items.get(tracker.id, id),
        live: () => this.live(tracker.id),
      });
      if (plan.problems.length > 0) throw BadInput.from(plan.problems, `refused ${rows.length === 1 ? 'the row' : `all ${rows.length} rows`}; nothing was written`);
      const counts = { created: plan.created, updated: plan.updated, unchanged: plan.unchanged, dryRun: options.dryRun === true };
      if (options.dryRun) return counts;
      for (const write of plan.writes) {
        if (write.op === 'create') this.items.insert(tracker, write.state, by);
        else this.items.write(tracker, write.id, write.state, false, by);
      }
      return counts;
    });
  }
}
