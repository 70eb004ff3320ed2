/** Trackers in SQLite: created from a checked definition, found by id or name, their fields replaced on a schema change. */
import type Database from 'better-sqlite3';
import { BadInput, Conflict, NotFound } from '../../../shared/errors.js';
import { hashSchema } from '../../../shared/hash.js';
import { type FieldDef, checkFieldDefs, clipText } from '../../../shared/model/fields.js';
import { type NewTracker, checkNewTracker, trackerRefIsId } from '../../../shared/model/tracker-input.js';
import type { Tracker } from '../types.js';
import { type TrackerRow, toTracker } from './rows.js';

function prepare(db: Database.Database) {
  return {
    byId: db.prepare<[number], TrackerRow>('SELECT * FROM trackers WHERE id = ?'),
    byName: db.prepare<[string], TrackerRow>('SELECT * FROM trackers WHERE name = ?'),
    all: db.prepare<[], TrackerRow>('SELECT * FROM trackers ORDER BY id'),
    insert: db.prepare('INSERT INTO trackers (name, description, fields, statuses, schema_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    setFields: db.prepare('UPDATE trackers SET fields = ?, schema_hash = ? WHERE id = ?'),
  };
}

export class TrackerTable {
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.stmts = prepare(db);
  }

  create(input: NewTracker): Tracker {
    const { definition, problems } = checkNewTracker(input, (id) => this.stmts.byId.get(id) !== undefined);
    if (problems.length > 0) throw BadInput.from(problems, 'invalid tracker');
    if (this.stmts.byName.get(definition.name)) throw new Conflict(`a tracker named "${definition.name}" already exists`);
    const { name, description, fields, statuses } = definition;
    const info = this.stmts.insert.run(name, description, JSON.stringify(fields), JSON.stringify(statuses), hashSchema(fields, statuses), new Date().toISOString());
    return this.get(Number(info.lastInsertRowid));
  }

  list(): Tracker[] {
    return this.stmts.all.all().map(toTracker);
  }

  find(ref: string | number): Tracker | undefined {
    const row = trackerRefIsId(ref) ? this.stmts.byId.get(Number(ref)) : this.stmts.byName.get(ref as string);
    return row ? toTracker(row) : undefined;
  }

  get(ref: string | number): Tracker {
    const tracker = this.find(ref);
    if (!tracker) throw new NotFound(`unknown tracker "${clipText(String(ref))}"`);
    return tracker;
  }

  /** Replaces a tracker's fields (a schema change seen on a remote, options refreshed). */
  setFields(trackerId: number, fields: FieldDef[]): Tracker {
    const problems = checkFieldDefs(fields);
    if (problems.length > 0) throw BadInput.from(problems, 'invalid fields');
    const tracker = this.get(trackerId);
    this.stmts.setFields.run(JSON.stringify(fields), hashSchema(fields, tracker.statuses), trackerId);
    return this.get(trackerId);
  }
}
