/**
 * The store of an instance: one SQLite file (WAL) holding trackers, items with the instance-wide
 * change sequence and tombstones, users and rights. Server and client open the same code.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { PushChange, PushResult } from '../../shared/api/schemas.js';
import { BadInput, Conflict, NotFound } from '../../shared/errors.js';
import { hashSchema } from '../../shared/hash.js';
import { type FieldDef, type ItemStatus, type Problem, STATUSES, checkFieldDefs, clipText, isFieldType } from '../../shared/model/fields.js';
import { type Values, applyChange, changedFields, checkStatus, inFieldOrder, validateValues } from '../../shared/model/values.js';
import { migrate } from './migrations.js';
import { type Actor, applyPush } from './push.js';
import type { FieldInput, Item, ItemChange, NewItem, NewTracker, Right, Tracker, User } from './types.js';
import { Users } from './users.js';

export const DB_FILE = 's15n.db';
const MAX_TRACKER_NAME = 100;

interface TrackerRow {
  id: number;
  name: string;
  description: string;
  fields: string;
  statuses: string;
  schema_hash: string;
  created_at: string;
}

interface ItemRow {
  id: number;
  tracker_id: number;
  status: string;
  values_json: string;
  version: number;
  seq: number;
  deleted: number;
  updated_at: string;
  updated_by: string | null;
}

const toTracker = (row: TrackerRow): Tracker => ({
  id: row.id,
  name: row.name,
  description: row.description,
  fields: JSON.parse(row.fields) as FieldDef[],
  statuses: JSON.parse(row.statuses) as ItemStatus[],
  schemaHash: row.schema_hash,
  createdAt: row.created_at,
});

/** A values object in the tracker's field order, as the store keeps it (what JSON would keep: no undefined). */
function orderedValues(tracker: Tracker, values: Values): Values {
  // What the sync engine writes is already in order: kept as it is, not copied.
  if (inFieldOrder(tracker.fields, values)) return values;
  const out: Values = {};
  for (const field of tracker.fields) {
    const value = values[field.name];
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

const toItem = (row: ItemRow): Item => ({
  id: row.id,
  trackerId: row.tracker_id,
  status: row.status as ItemStatus,
  values: JSON.parse(row.values_json) as Values,
  version: row.version,
  seq: row.seq,
  deleted: row.deleted === 1,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

function prepare(db: Database.Database) {
  return {
    nextSeq: db.prepare<[], { value: number }>("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value"),
    reserveSeqs: db.prepare<[number], { value: number }>("UPDATE counters SET value = value + ? WHERE name = 'seq' RETURNING value"),
    trackerById: db.prepare<[number], TrackerRow>('SELECT * FROM trackers WHERE id = ?'),
    trackerByName: db.prepare<[string], TrackerRow>('SELECT * FROM trackers WHERE name = ?'),
    trackers: db.prepare<[], TrackerRow>('SELECT * FROM trackers ORDER BY id'),
    insertTracker: db.prepare('INSERT INTO trackers (name, description, fields, statuses, schema_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    setFields: db.prepare('UPDATE trackers SET fields = ?, schema_hash = ? WHERE id = ?'),
    item: db.prepare<[number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND id = ?'),
    items: db.prepare<[number, number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?'),
    itemsAll: db.prepare<[number, number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND id > ? ORDER BY id LIMIT ?'),
    count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM items WHERE tracker_id = ? AND deleted = 0'),
    insertItem: db.prepare<[number, string, string, number, string, string | null], { id: number }>(
      'INSERT INTO items (tracker_id, status, values_json, version, seq, deleted, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, 0, ?, ?) RETURNING id',
    ),
    updateItem: db.prepare<[string, string, number, number, string, string | null, number, number], { version: number }>(
      'UPDATE items SET status = ?, values_json = ?, version = version + 1, seq = ?, deleted = ?, updated_at = ?, updated_by = ? WHERE id = ? AND tracker_id = ? RETURNING version',
    ),
    changes: db.prepare<[number, number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    remaining: db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM items WHERE tracker_id = ? AND seq > ?'),
    nextAutoincrement: db.prepare<[number, string], { value: number }>(
      `INSERT INTO autoincrements (tracker_id, field, value) VALUES (?, ?, 1)
       ON CONFLICT (tracker_id, field) DO UPDATE SET value = value + 1 RETURNING value`,
    ),
  };
}

export class Store {
  readonly db: Database.Database;
  readonly users: Users;
  private readonly stmts: ReturnType<typeof prepare>;
  /** Seqs reserved for the running transaction by withReservedSeqs, handed out by nextSeq. */
  private seqBlock: { next: number; last: number } | null = null;

  private constructor(
    readonly dataDir: string,
    db: Database.Database,
  ) {
    this.db = db;
    this.stmts = prepare(db);
    this.users = new Users(db);
  }

  static exists(dataDir: string): boolean {
    return existsSync(join(dataDir, DB_FILE));
  }

  /** Opens the instance in `dataDir`; with `create`, makes the directory (0700) and the file (0600) first. */
  static open(dataDir: string, opts: { create?: boolean } = {}): Store {
    const dir = resolve(dataDir);
    const file = join(dir, DB_FILE);
    const isNew = !existsSync(file);
    if (isNew && !opts.create) throw new NotFound(`no s15n instance at ${dir}; run \`s15n init\``);
    if (isNew) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Created 0600 before SQLite opens it, so no other user can open it while it is readable
      // (SQLite gives the -wal and -shm files the mode of the database file).
      closeSync(openSync(file, 'a', 0o600));
    }
    const db = new Database(file);
    if (isNew) {
      chmodSync(dir, 0o700);
      chmodSync(file, 0o600);
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return new Store(dir, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `fn` in one transaction (a savepoint when already inside one). IMMEDIATE: the write lock
   * is taken at BEGIN, where busy_timeout waits for it. A deferred transaction that reads, then
   * writes after another process committed, fails at once with SQLITE_BUSY, whatever the timeout
   * (the server pushing while `s15n item edit` runs on the same data dir).
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** The next value of the instance-wide change sequence. */
  nextSeq(): number {
    const block = this.seqBlock;
    if (block && block.next <= block.last) return block.next++;
    return this.stmts.nextSeq.get()!.value;
  }

  /**
   * Runs `fn` in a transaction with `count` seqs taken from the counter by one update; the
   * writes of `fn` use them before asking the counter again. The block lives and dies with the
   * transaction (a rollback takes back the counter and the rows alike); seqs it leaves unused
   * are gaps, which a change token does not mind (it means "after this seq").
   */
  withReservedSeqs<T>(count: number, fn: () => T): T {
    // Inside another reservation: use that block (then the counter), so seqs keep rising.
    if (this.seqBlock) return this.transaction(fn);
    return this.transaction(() => {
      const reserved = Math.max(0, count);
      const last = this.stmts.reserveSeqs.get(reserved)!.value;
      this.seqBlock = { next: last - reserved + 1, last };
      try {
        return fn();
      } finally {
        this.seqBlock = null;
      }
    });
  }

  // --- trackers ---

  createTracker(input: NewTracker): Tracker {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    const problems: Problem[] = [];
    if (name.length === 0 || name.length > MAX_TRACKER_NAME) problems.push({ field: 'name', reason: `1 to ${MAX_TRACKER_NAME} characters` });
    else if (/^\d+$/.test(name)) problems.push({ field: 'name', reason: 'must not be all digits (digits name a tracker by id)' });
    if (input.description !== undefined && typeof input.description !== 'string') problems.push({ field: 'description', reason: 'must be a string' });
    if (!Array.isArray(input.fields)) problems.push({ field: 'fields', reason: 'must be an array of fields' });
    const fields = Array.isArray(input.fields) ? input.fields.map((f, i) => this.fieldFromInput(f, `fields[${i}]`, problems)) : [];
    problems.push(...checkFieldDefs(fields));
    if (problems.length > 0) throw BadInput.from(problems, 'invalid tracker');
    if (this.stmts.trackerByName.get(name)) throw new Conflict(`a tracker named "${name}" already exists`);
    const statuses = [...STATUSES];
    const info = this.stmts.insertTracker.run(name, input.description ?? '', JSON.stringify(fields), JSON.stringify(statuses), hashSchema(fields, statuses), new Date().toISOString());
    return this.getTracker(Number(info.lastInsertRowid));
  }

  private fieldFromInput(input: FieldInput, at: string, problems: Problem[]): FieldDef {
    if (input === null || typeof input !== 'object') {
      problems.push({ field: at, reason: 'must be an object' });
      return { name: '', label: '', type: 'text', required: false };
    }
    const type = isFieldType(input.type) ? input.type : (String(input.type) as FieldDef['type']);
    const field: FieldDef = {
      name: String(input.name ?? ''),
      label: typeof input.label === 'string' && input.label.length > 0 ? input.label : String(input.name ?? ''),
      type,
      required: input.required === true,
    };
    if (input.required !== undefined && typeof input.required !== 'boolean') problems.push({ field: `${at}.required`, reason: 'must be true or false' });
    if (type === 'dropdown' || type === 'multiselect') {
      if (input.options !== undefined && !Array.isArray(input.options)) problems.push({ field: `${at}.options`, reason: 'must be an array of strings' });
      field.options = Array.isArray(input.options) ? input.options : [];
    }
    if (type === 'itemlink') {
      if (input.linkedTracker === undefined) {
        problems.push({ field: `${at}.linkedTracker`, reason: 'an itemlink field names the tracker it links to' });
      } else if (!Number.isSafeInteger(input.linkedTracker) || !this.stmts.trackerById.get(input.linkedTracker)) {
        problems.push({ field: `${at}.linkedTracker`, reason: `no tracker with id ${String(input.linkedTracker)}` });
      } else {
        field.linkedTracker = input.linkedTracker;
      }
    }
    return field;
  }

  listTrackers(): Tracker[] {
    return this.stmts.trackers.all().map(toTracker);
  }

  /** A tracker by id (a number or an all-digits string) or by exact name. */
  findTracker(ref: string | number): Tracker | undefined {
    const row =
      typeof ref === 'number' || /^\d{1,15}$/.test(ref) ? this.stmts.trackerById.get(Number(ref)) : this.stmts.trackerByName.get(ref);
    return row ? toTracker(row) : undefined;
  }

  getTracker(ref: string | number): Tracker {
    const tracker = this.findTracker(ref);
    if (!tracker) throw new NotFound(`unknown tracker "${clipText(String(ref))}"`);
    return tracker;
  }

  /** Replaces a tracker's fields (a schema change seen on a remote, options refreshed). */
  setTrackerFields(trackerId: number, fields: FieldDef[]): Tracker {
    const problems = checkFieldDefs(fields);
    if (problems.length > 0) throw BadInput.from(problems, 'invalid fields');
    const tracker = this.getTracker(trackerId);
    this.stmts.setFields.run(JSON.stringify(fields), hashSchema(fields, tracker.statuses), trackerId);
    return this.getTracker(trackerId);
  }

  // --- items ---

  listItems(trackerId: number, opts: { includeDeleted?: boolean; afterId?: number; limit?: number } = {}): Item[] {
    const stmt = opts.includeDeleted ? this.stmts.itemsAll : this.stmts.items;
    return stmt.all(trackerId, opts.afterId ?? 0, opts.limit ?? -1).map(toItem);
  }

  countItems(trackerId: number): number {
    return this.stmts.count.get(trackerId)!.n;
  }

  getItem(trackerId: number, itemId: number, opts: { includeDeleted?: boolean } = {}): Item | undefined {
    const row = this.stmts.item.get(trackerId, itemId);
    if (!row || (row.deleted === 1 && !opts.includeDeleted)) return undefined;
    return toItem(row);
  }

  requireItem(trackerId: number, itemId: number): Item {
    const item = this.getItem(trackerId, itemId);
    if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${this.getTracker(trackerId).name}"`);
    return item;
  }

  /** Validates a new item; returns its canonical state or the problems, each prefixed by `at`. */
  checkNewItem(tracker: Tracker, input: NewItem, at = ''): { state: { status: ItemStatus; values: Values }; problems: Problem[] } {
    const problems: Problem[] = [];
    if (input === null || typeof input !== 'object') {
      return { state: { status: 'open', values: {} }, problems: [{ field: at || 'item', reason: 'must be an object' }] };
    }
    const status = input.status ?? 'open';
    const statusProblem = checkStatus(status, `${at}status`);
    if (statusProblem) problems.push(statusProblem);
    const check = validateValues(tracker.fields, input.values ?? {}, { partial: false, prefix: `${at}values` });
    problems.push(...check.problems);
    return { state: { status: status as ItemStatus, values: check.values }, problems };
  }

  /** Creates items in one transaction; one bad item refuses them all and nothing is written. */
  createItems(trackerId: number, inputs: NewItem[], by: string | null, opts: { indexed?: boolean } = {}): Item[] {
    const tracker = this.getTracker(trackerId);
    const indexed = opts.indexed === true || inputs.length > 1;
    const checked = inputs.map((input, i) => this.checkNewItem(tracker, input, indexed ? `items[${i}].` : ''));
    const problems = checked.flatMap((c) => c.problems);
    if (problems.length > 0) throw BadInput.from(problems, 'invalid item');
    return this.transaction(() => checked.map((c) => this.insertItem(tracker, c.state, by)));
  }

  createItem(trackerId: number, input: NewItem, by: string | null): Item {
    return this.createItems(trackerId, [input], by)[0]!;
  }

  /** Inserts an already-valid item, assigning autoincrement fields. */
  insertItem(tracker: Tracker, state: { status: ItemStatus; values: Values }, by: string | null): Item {
    const values = { ...state.values };
    for (const field of tracker.fields) {
      if (field.type === 'autoincrement') values[field.name] = this.stmts.nextAutoincrement.get(tracker.id, field.name)!.value;
    }
    return this.insertRow(tracker, { status: state.status, values }, by);
  }

  private insertRow(tracker: Tracker, state: { status: ItemStatus; values: Values }, by: string | null): Item {
    const values = orderedValues(tracker, state.values);
    const seq = this.nextSeq();
    const updatedAt = new Date().toISOString();
    const { id } = this.stmts.insertItem.get(tracker.id, state.status, JSON.stringify(values), seq, updatedAt, by)!;
    return { id, trackerId: tracker.id, status: state.status, values, version: 1, seq, deleted: false, updatedAt, updatedBy: by };
  }

  /** Validates a change (partial values, optional status). */
  checkChange(tracker: Tracker, change: ItemChange): { status?: ItemStatus; values: Values; problems: Problem[] } {
    const problems: Problem[] = [];
    if (change.status !== undefined) {
      const p = checkStatus(change.status);
      if (p) problems.push(p);
    }
    const check = change.values === undefined ? { values: {}, problems: [] } : validateValues(tracker.fields, change.values, { partial: true });
    problems.push(...check.problems);
    return { ...(change.status !== undefined ? { status: change.status as ItemStatus } : {}), values: check.values, problems };
  }

  /** Applies one change to several items in one transaction; items it would not change are left untouched. */
  updateItems(trackerId: number, ids: number[], change: ItemChange, by: string | null): Item[] {
    const tracker = this.getTracker(trackerId);
    const checked = this.checkChange(tracker, change);
    if (checked.problems.length > 0) throw BadInput.from(checked.problems, 'invalid change');
    return this.transaction(() =>
      ids.map((id) => {
        const item = this.requireItem(trackerId, id);
        const values = applyChange(tracker.fields, item.values, checked.values);
        const status = checked.status ?? item.status;
        if (status === item.status && changedFields(tracker.fields, item.values, values).length === 0) return item;
        return this.writeItem(tracker, item.id, { status, values }, false, by);
      }),
    );
  }

  updateItem(trackerId: number, id: number, change: ItemChange, by: string | null): Item {
    return this.updateItems(trackerId, [id], change, by)[0]!;
  }

  deleteItems(trackerId: number, ids: number[], by: string | null): void {
    this.transaction(() => {
      for (const id of ids) this.requireItem(trackerId, id);
      for (const id of ids) this.tombstoneItem(trackerId, id, by);
    });
  }

  /** Writes a new state of an existing item: version + 1, next seq. */
  writeItem(tracker: Tracker, itemId: number, state: { status: ItemStatus; values: Values }, deleted: boolean, by: string | null): Item {
    const values = orderedValues(tracker, state.values);
    const seq = this.nextSeq();
    const updatedAt = new Date().toISOString();
    const row = this.stmts.updateItem.get(state.status, JSON.stringify(values), seq, deleted ? 1 : 0, updatedAt, by, itemId, tracker.id);
    if (!row) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    return { id: itemId, trackerId: tracker.id, status: state.status, values, version: row.version, seq, deleted, updatedAt, updatedBy: by };
  }

  /**
   * Trusted write for the sync engine: values already canonical for this tracker. Takes the
   * tracker itself where the caller has it (a batch of thousands need not read it each time).
   */
  saveItem(trackerRef: Tracker | number, itemId: number | null, state: { status: ItemStatus; values: Values }, by: string | null): Item {
    const tracker = typeof trackerRef === 'number' ? this.getTracker(trackerRef) : trackerRef;
    return itemId === null ? this.insertRow(tracker, state, by) : this.writeItem(tracker, itemId, state, false, by);
  }

  /** Turns an item into a tombstone (its last status and version stay; values go). */
  tombstoneItem(trackerId: number, itemId: number, by: string | null): Item {
    const tracker = this.getTracker(trackerId);
    const item = this.getItem(trackerId, itemId, { includeDeleted: true });
    if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    if (item.deleted) return item;
    return this.writeItem(tracker, itemId, { status: item.status, values: {} }, true, by);
  }

  /** Items and tombstones with seq > since, in seq order: every prefix is a valid resume point. */
  changesSince(trackerId: number, since: number, limit: number): { changes: Item[]; next: number; more: boolean } {
    const rows = this.stmts.changes.all(trackerId, since, limit + 1);
    const more = rows.length > limit;
    const changes = rows.slice(0, limit).map(toItem);
    return { changes, next: changes.length > 0 ? changes[changes.length - 1]!.seq : since, more };
  }

  /** How many changes follow `since` (reads the feed index only). */
  countChangesSince(trackerId: number, since: number): number {
    return this.stmts.remaining.get(trackerId, since)!.n;
  }

  *iterateChanges(trackerId: number, since: number, pageSize = 1000): IterableIterator<Item> {
    let token = since;
    for (;;) {
      const page = this.changesSince(trackerId, token, pageSize);
      yield* page.changes;
      if (!page.more) return;
      token = page.next;
    }
  }

  // --- push ---

  applyPush(trackerId: number, changes: PushChange[], actor: Actor): PushResult[] {
    return applyPush(this, this.getTracker(trackerId), changes, actor);
  }

  // --- users and rights ---

  addUser(name: string, password: string, opts: { admin?: boolean } = {}): Promise<User> {
    return this.users.add(name, password, opts);
  }

  setPassword(name: string, password: string): Promise<void> {
    return this.users.setPassword(name, password);
  }

  verifyUser(name: string, password: string): Promise<User | null> {
    return this.users.verify(name, password);
  }

  getUser(name: string): User | undefined {
    return this.users.get(name);
  }

  listUsers(): User[] {
    return this.users.list();
  }

  grant(userName: string, trackerRef: string | number, right: string): void {
    this.users.grant(userName, this.getTracker(trackerRef).id, right);
  }

  rightOf(userName: string, trackerId: number): Right | null {
    return this.users.rightOf(userName, trackerId);
  }

  canListUsers(userName: string): boolean {
    return this.users.canListUsers(userName);
  }
}
