/**
 * Schema edits on PostgreSQL (DESIGN §13): the tracker row locked FOR UPDATE (no item write of
 * the tracker runs meanwhile, ./keys.ts), the edit judged by shared/model/schema-edit.ts against
 * the live items, then the fields, the schema hash, a removed field's values and the key index
 * changed in the same transaction. Values are text in the schema's order, so a removed field
 * leaves each item's JSON through JavaScript, never jsonb (which would reorder it).
 */
import { BadInput } from '../../../shared/errors.js';
import { hashSchema } from '../../../shared/hash.js';
import { type FieldEdit, type LiveItem, planFieldEdit } from '../../../shared/model/schema-edit.js';
import type { Values } from '../../../shared/model/values.js';
import type { Tracker } from '../types.js';
import type { PgDatabase, Queryable } from './database.js';
import { lockTracker, reindexField } from './keys.js';
import type { PgTrackers } from './trackers.js';

const PAGE = 5000;

/** Every live item of a tracker, read a page at a time. */
async function liveItems(client: Queryable, trackerId: number): Promise<LiveItem[]> {
  const items: LiveItem[] = [];
  for (let after = 0; ; ) {
    const { rows } = await client.query<{ id: number; values_json: string }>(
      'SELECT id, values_json FROM items WHERE tracker_id = $1 AND NOT deleted AND id > $2 ORDER BY id LIMIT $3',
      [trackerId, after, PAGE],
    );
    for (const row of rows) items.push({ id: row.id, values: JSON.parse(row.values_json) as Values });
    if (rows.length < PAGE) return items;
    after = rows[rows.length - 1]!.id;
  }
}

/** Drops a field's values from the items that hold one (their order kept); seqs stay: clones drop them with the schema. */
async function stripField(client: Queryable, trackerId: number, name: string, items: readonly LiveItem[]): Promise<void> {
  const holding = items.filter((item) => Object.hasOwn(item.values, name));
  for (let start = 0; start < holding.length; start += PAGE) {
    const part = holding.slice(start, start + PAGE);
    const texts = part.map((item) => {
      const rest: Values = { ...item.values };
      delete rest[name];
      return JSON.stringify(rest);
    });
    await client.query(
      'UPDATE items AS i SET values_json = v.values_json FROM unnest($2::bigint[], $3::text[]) AS v(id, values_json) WHERE i.tracker_id = $1 AND i.id = v.id',
      [trackerId, part.map((item) => item.id), texts],
    );
  }
}

export class PgSchemaEditor {
  constructor(
    private readonly db: PgDatabase,
    private readonly trackers: PgTrackers,
  ) {}

  /** Adds, edits or removes a field; refused with every problem named, changing nothing. */
  async edit(trackerId: number, edit: FieldEdit): Promise<{ tracker: Tracker; changed: boolean }> {
    return this.db.transaction(async (client) => {
      const tracker = await this.trackers.get(trackerId, client);
      await lockTracker(client, tracker, 'exclusive');
      const items = await liveItems(client, tracker.id);
      const linked = edit.op === 'add' && Number.isSafeInteger(edit.field?.linkedTracker) ? await this.trackers.find(edit.field.linkedTracker!, client) : undefined;
      const { plan, problems } = planFieldEdit(tracker.fields, edit, { items: () => items, trackerExists: (id) => linked?.id === id });
      const name = edit.op === 'add' ? String(edit.field?.name ?? '') : edit.name;
      if (problems.length > 0) throw BadInput.from(problems, `cannot ${edit.op} field "${name}" of tracker "${tracker.name}"`);
      if (!plan.changed) return { tracker, changed: false };
      await client.query('UPDATE trackers SET fields = $1, schema_hash = $2 WHERE id = $3', [JSON.stringify(plan.fields), hashSchema(plan.fields, tracker.statuses), tracker.id]);
      const after = await this.trackers.get(tracker.id, client);
      if (plan.removed !== undefined) {
        await stripField(client, tracker.id, plan.removed, items);
        await client.query('DELETE FROM autoincrements WHERE tracker_id = $1 AND field = $2', [tracker.id, plan.removed]);
      }
      for (const { field, key } of plan.reindex) await reindexField(client, after, field, key, items);
      return { tracker: after, changed: true };
    });
  }
}
