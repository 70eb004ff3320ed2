/** Trackers on PostgreSQL: created from a definition checked by the one rule of shared/model/tracker-input.ts, found by id or name, fields replaced. */
import { BadInput, Conflict, NotFound } from '../../../shared/errors.js';
import { hashSchema } from '../../../shared/hash.js';
import { type FieldDef, checkFieldDefs, clipText } from '../../../shared/model/fields.js';
import { type NewTracker, checkNewTracker, trackerRefIsId } from '../../../shared/model/tracker-input.js';
import type { Tracker } from '../types.js';
import type { PgDatabase, Queryable } from './database.js';
import { type TrackerRow, toTracker } from './rows.js';

const COLUMNS = 'id, name, description, fields, statuses, schema_hash, created_at';

/** The tracker ids an input's itemlink fields name, whatever their shape (the check says what is wrong with them). */
function linkedIds(input: NewTracker): number[] {
  const fields = Array.isArray(input?.fields) ? input.fields : [];
  return fields.map((f) => (f as { linkedTracker?: unknown } | null)?.linkedTracker).filter((id): id is number => Number.isSafeInteger(id));
}

export class PgTrackers {
  constructor(private readonly db: PgDatabase) {}

  /** Creates a tracker, on `client` when inside a transaction (an import), else on its own. */
  async create(input: NewTracker, client?: Queryable): Promise<Tracker> {
    const run = this.db.runner(client);
    const ids = linkedIds(input);
    // The check is synchronous: the trackers an itemlink may name are read first.
    const existing = new Set(ids.length === 0 ? [] : (await run<{ id: number }>('SELECT id FROM trackers WHERE id = ANY($1::bigint[])', [ids])).map((r) => r.id));
    const { definition, problems } = checkNewTracker(input, (id) => existing.has(id));
    if (problems.length > 0) throw BadInput.from(problems, 'invalid tracker');
    const { name, description, fields, statuses } = definition;
    const conflict = () => new Conflict(`a tracker named "${name}" already exists`);
    if ((await run('SELECT 1 FROM trackers WHERE name = $1', [name])).length > 0) throw conflict();
    try {
      const [row] = await run<TrackerRow>(
        `INSERT INTO trackers (name, description, fields, statuses, schema_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [name, description, JSON.stringify(fields), JSON.stringify(statuses), hashSchema(fields, statuses), new Date().toISOString()],
      );
      return toTracker(row!);
    } catch (error) {
      // Another process created the same name between the check and the insert.
      if ((error as { code?: string }).code === '23505') throw conflict();
      throw error;
    }
  }

  async list(): Promise<Tracker[]> {
    return (await this.db.query<TrackerRow>(`SELECT ${COLUMNS} FROM trackers ORDER BY id`)).map(toTracker);
  }

  async find(ref: string | number, client?: Queryable): Promise<Tracker | undefined> {
    // No tracker is named with U+0000 (text cannot hold it): asking for one is not a query.
    if (typeof ref === 'string' && ref.includes('\u0000')) return undefined;
    const byId = trackerRefIsId(ref);
    const text = `SELECT ${COLUMNS} FROM trackers WHERE ${byId ? 'id' : 'name'} = $1`;
    const values = [byId ? Number(ref) : ref];
    const rows = await this.db.runner(client)<TrackerRow>(text, values, byId ? 'tracker-by-id' : 'tracker-by-name');
    return rows[0] ? toTracker(rows[0]) : undefined;
  }

  async get(ref: string | number, client?: Queryable): Promise<Tracker> {
    const tracker = await this.find(ref, client);
    if (!tracker) throw new NotFound(`unknown tracker "${clipText(String(ref))}"`);
    return tracker;
  }

  /** Replaces a tracker's fields (a schema change seen on a remote, options refreshed). */
  async setFields(trackerId: number, fields: FieldDef[]): Promise<Tracker> {
    const problems = checkFieldDefs(fields);
    if (problems.length > 0) throw BadInput.from(problems, 'invalid fields');
    const tracker = await this.get(trackerId);
    await this.db.query('UPDATE trackers SET fields = $1, schema_hash = $2 WHERE id = $3', [JSON.stringify(fields), hashSchema(fields, tracker.statuses), trackerId]);
    return this.get(trackerId);
  }
}
