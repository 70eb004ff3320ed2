/**
 * The server side of push: field-level optimistic concurrency. A changed field whose current
 * value differs from the pushed base (and from the pushed value) is a conflict; a conflicting
 * item is not written at all unless overwrite was asked and allowed. Creates are idempotent by key.
 */
import type Database from 'better-sqlite3';
import type { CreateChange, DeleteChange, PushChange, PushResult, UpdateChange } from '../../shared/api/schemas.js';
import { type Problem, STATUS_FIELD } from '../../shared/model/fields.js';
import { type Values, applyChange, checkStatus, validateValues, valuesEqual } from '../../shared/model/values.js';
import type { Store } from './store.js';
import type { Item, Tracker } from './types.js';
import { itemToChange } from './wire.js';

export interface Actor {
  user: string;
  /** The admin right on the tracker: deletes, and overwrites of a change the pusher has not seen. */
  isAdmin: boolean;
}

const needsAdmin = (actor: Actor, tracker: Tracker, what: string): string => `user "${actor.user}" needs the admin right on tracker "${tracker.name}" to ${what}`;

const keyStatements = new WeakMap<Database.Database, { get: Database.Statement<[number, string], { item_id: number }>; put: Database.Statement }>();

function keys(db: Database.Database) {
  let stmts = keyStatements.get(db);
  if (!stmts) {
    stmts = {
      get: db.prepare<[number, string], { item_id: number }>('SELECT item_id FROM idempotency_keys WHERE tracker_id = ? AND key = ?'),
      put: db.prepare('INSERT INTO idempotency_keys (tracker_id, key, item_id, created_at) VALUES (?, ?, ?, ?)'),
    };
    keyStatements.set(db, stmts);
  }
  return stmts;
}

const describeProblems = (problems: Problem[]): string => problems.map((p) => `${p.field}: ${p.reason}`).join('; ');

function answer(status: PushResult['status'], item: Item, extra: Partial<PushResult> = {}): PushResult {
  return { status, id: item.id, version: item.version, item: itemToChange(item), ...extra };
}

function create(store: Store, tracker: Tracker, change: CreateChange, actor: Actor): PushResult {
  const known = keys(store.db).get.get(tracker.id, change.idempotencyKey);
  if (known) {
    // The same key again (a retry after a lost answer): the same answer, never a second item.
    const item = store.getItem(tracker.id, known.item_id, { includeDeleted: true });
    if (item) return answer('created', item);
  }
  const checked = store.checkNewItem(tracker, { status: change.status, values: change.values });
  if (checked.problems.length > 0) return { status: 'rejected', error: describeProblems(checked.problems) };
  const item = store.insertItem(tracker, checked.state, actor.user);
  keys(store.db).put.run(tracker.id, change.idempotencyKey, item.id, new Date().toISOString());
  return answer('created', item);
}

function update(store: Store, tracker: Tracker, change: UpdateChange, actor: Actor): PushResult {
  const item = store.getItem(tracker.id, change.id, { includeDeleted: true });
  if (!item) return { status: 'rejected', id: change.id, error: `unknown item ${change.id}` };
  const names = Object.keys(change.fields);
  if (item.deleted) return answer('conflict', item, { conflicts: names });

  const problems: Problem[] = [];
  const statusChange = change.fields[STATUS_FIELD];
  if (statusChange) {
    const p = checkStatus(statusChange.value, `fields.${STATUS_FIELD}.value`);
    if (p) problems.push(p);
  }
  const valueChanges: Record<string, unknown> = {};
  for (const name of names) if (name !== STATUS_FIELD) valueChanges[name] = change.fields[name]!.value;
  const checked = validateValues(tracker.fields, valueChanges, { partial: true, prefix: 'fields' });
  problems.push(...checked.problems);
  if (problems.length > 0) return { status: 'rejected', id: item.id, error: describeProblems(problems) };

  const types = new Map(tracker.fields.map((f) => [f.name, f.type]));
  const conflicts: string[] = [];
  const apply: Values = {};
  let status = item.status;
  for (const name of names) {
    const { base, value } = change.fields[name]!;
    const isStatus = name === STATUS_FIELD;
    const current = isStatus ? item.status : (item.values[name] ?? null);
    const equal = (a: unknown, b: unknown) => (isStatus ? a === b : valuesEqual(types.get(name)!, a, b));
    const next = isStatus ? value : checked.values[name];
    if (equal(current, next)) continue;
    if (!equal(current, base)) {
      conflicts.push(name);
      if (!(change.overwrite && actor.isAdmin)) continue;
    }
    if (isStatus) status = value as Item['status'];
    else apply[name] = checked.values[name] ?? null;
  }
  if (conflicts.length > 0 && !(change.overwrite && actor.isAdmin)) {
    // Overwrite asked without the right: a conflict like any other, saying why it was not forced.
    return answer('conflict', item, { conflicts, ...(change.overwrite ? { error: needsAdmin(actor, tracker, 'overwrite changes') } : {}) });
  }
  const values = applyChange(tracker.fields, item.values, apply);
  if (status === item.status && Object.keys(apply).length === 0) return answer('updated', item);
  return answer('updated', store.writeItem(tracker, item.id, { status, values }, false, actor.user));
}

function remove(store: Store, tracker: Tracker, change: DeleteChange, actor: Actor): PushResult {
  const item = store.getItem(tracker.id, change.id, { includeDeleted: true });
  if (!item) return { status: 'rejected', id: change.id, error: `unknown item ${change.id}` };
  if (!actor.isAdmin) return { status: 'rejected', id: change.id, error: needsAdmin(actor, tracker, 'delete items') };
  if (item.deleted) return answer('deleted', item);
  if (item.version !== change.baseVersion && !(change.overwrite && actor.isAdmin)) {
    return answer('conflict', item, { conflicts: [] , error: `item ${item.id} changed since version ${change.baseVersion} (now ${item.version})` });
  }
  return answer('deleted', store.tombstoneItem(tracker.id, item.id, actor.user));
}

/** Applies a batch in one transaction; each change is answered on its own. */
export function applyPush(store: Store, tracker: Tracker, changes: readonly PushChange[], actor: Actor): PushResult[] {
  return store.transaction(() =>
    changes.map((change) => {
      switch (change.op) {
        case 'create':
          return create(store, tracker, change, actor);
        case 'update':
          return update(store, tracker, change, actor);
        case 'delete':
          return remove(store, tracker, change, actor);
      }
    }),
  );
}
