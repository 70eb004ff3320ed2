/**
 * Schema edits in SQLite (DESIGN §13): the shared rules of shared/model/schema-edit.ts judge the
 * edit against the live items, then the fields, the schema hash, the values of a removed field
 * and the key index change in one transaction.
 */
import type Database from 'better-sqlite3';
import { BadInput } from '../../../shared/errors.js';
import { type FieldEdit, type LiveItem, planFieldEdit } from '../../../shared/model/schema-edit.js';
import type { Values } from '../../../shared/model/values.js';
import type { Tracker } from '../types.js';
import type { KeyIndex } from './keys.js';
import type { TrackerTable } from './trackers.js';

const PAGE = 1000;

function prepare(db: Database.Database) {
  return {
    page: db.prepare<[number, number, number], { id: number; values_json: string }>('SELECT id, values_json FROM items WHERE tracker_id = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?'),
    // Field names are [A-Za-z_][A-Za-z0-9_]*: safe in a JSON path. The values keep their order.
    strip: db.prepare<[string, number, string]>("UPDATE items SET values_json = json_remove(values_json, '$.' || ?) WHERE tracker_id = ? AND json_type(values_json, '$.' || ?) IS NOT NULL"),
    forgetCounter: db.prepare<[number, string]>('DELETE FROM autoincrements WHERE tracker_id = ? AND field = ?'),
  };
}

export class SchemaEditor {
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(
    db: Database.Database,
    private readonly trackers: TrackerTable,
    private readonly keys: KeyIndex,
    private readonly transaction: <T>(fn: () => T) => T,
  ) {
    this.stmts = prepare(db);
  }

  /** The live items of a tracker, a page at a time (the checks may read them more than once). */
  private *live(trackerId: number): Generator<LiveItem> {
    for (let rows = this.stmts.page.all(trackerId, 0, PAGE); rows.length > 0; rows = this.stmts.page.all(trackerId, rows[rows.length - 1]!.id, PAGE)) {
      for (const row of rows) yield { id: row.id, values: JSON.parse(row.values_json) as Values };
    }
  }

  /** Adds, edits or removes a field; refused with every problem named, changing nothing. */
  edit(trackerId: number, edit: FieldEdit): { tracker: Tracker; changed: boolean } {
    return this.transaction(() => {
      const tracker = this.trackers.get(trackerId);
      const { plan, problems } = planFieldEdit(tracker.fields, edit, {
        items: () => this.live(trackerId),
        trackerExists: (id) => this.trackers.find(id) !== undefined,
      });
      const name = edit.op === 'add' ? String(edit.field?.name ?? '') : edit.name;
      if (problems.length > 0) throw BadInput.from(problems, `cannot ${edit.op} field "${name}" of tracker "${tracker.name}"`);
      if (!plan.changed) return { tracker, changed: false };
      const after = this.trackers.setFields(trackerId, plan.fields);
      if (plan.removed !== undefined) {
        this.stmts.strip.run(plan.removed, trackerId, plan.removed);
        this.stmts.forgetCounter.run(trackerId, plan.removed);
      }
      for (const { field, key } of plan.reindex) this.keys.reindex(trackerId, field, key);
      return { tracker: after, changed: true };
    });
  }
}
