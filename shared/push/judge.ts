/** The server's push judgement (DESIGN §5, §9): pure, so every store and `push --dry-run` answer a change by one rule. */
import type { Change, CreateChange, DeleteChange, PushChange, PushResult, UpdateChange } from '../api/schemas.js';
import type { ItemState } from '../merge/index.js';
import { type FieldDef, type ItemStatus, type Problem, STATUS_FIELD } from '../model/fields.js';
import { checkNewItem, describeProblems } from '../model/items.js';
import { type KeyHolders, describeSeveral, duplicateKeys, matchByKeys } from '../model/keys.js';
import { type Values, applyChange, checkStatus, validateValues, valuesEqual } from '../model/values.js';

/** The item a change is judged against, as the remote holds it now (tombstones included). */
export interface CurrentItem {
  id: number;
  status: ItemStatus;
  values: Values;
  version: number;
  /** Absent means false, as the change feed sends it: a store's item and a feed entry both fit. */
  deleted?: boolean;
}

/** Who pushes, to which tracker, with which right: enough to judge and to word a refusal. */
export interface Pusher {
  user: string;
  trackerName: string;
  /** The admin right on the tracker: deletes, and overwrites of a change the pusher has not seen. */
  admin: boolean;
}

/**
 * `write: null`: the idempotency key is known; the answer is the item it created, never a second one.
 * `matched`: the key values are those of live item `id`; nothing is written, the pusher merges with it.
 */
export type CreateJudgement = { status: 'created'; write: ItemState | null } | { status: 'matched'; id: number } | { status: 'rejected'; error: string };

export type UpdateJudgement =
  /** Unknown item, bad values or a bad status. */
  | { status: 'rejected'; error: string }
  /** Nothing is written; `error` says why an overwrite that was asked was not granted. */
  | { status: 'conflict'; conflicts: string[]; error?: string }
  /** `write: null`: nothing changes (the pushed values are already there). */
  | { status: 'updated'; write: ItemState | null };

export type DeleteJudgement =
  | { status: 'rejected'; error: string }
  | { status: 'conflict'; conflicts: string[]; error: string }
  /** `write: false`: already a tombstone, answered as deleted again (a retried delete). */
  | { status: 'deleted'; write: boolean };

export type PushJudgement = CreateJudgement | UpdateJudgement | DeleteJudgement;

/** For callers that know no other item (a tracker without keys): nobody holds any key value. */
export const NO_HOLDERS: KeyHolders = () => [];

const needsAdmin = (pusher: Pusher, what: string): string => `user "${pusher.user}" needs the admin right on tracker "${pusher.trackerName}" to ${what}`;

/** Overwrite is honoured only with the admin right; asked without it, it changes nothing. */
const forced = (change: UpdateChange | DeleteChange, pusher: Pusher): boolean => change.overwrite === true && pusher.admin;

/**
 * A create: validated like any new item, unless its idempotency key is known (`known`: the item
 * that key created). Key values another live item holds make it that item (DESIGN §13): no
 * duplicate is ever created, and nothing of the pushed values is written over the other's.
 */
export function judgeCreate(fields: readonly FieldDef[], change: CreateChange, known: CurrentItem | undefined, holders: KeyHolders = NO_HOLDERS): CreateJudgement {
  // A retry after a lost answer is answered as the first time, even if the schema has changed since.
  if (known) return { status: 'created', write: null };
  const checked = checkNewItem(fields, { status: change.status, values: change.values });
  if (checked.problems.length > 0) return { status: 'rejected', error: describeProblems(checked.problems) };
  const match = matchByKeys(fields, checked.state.values, holders);
  if (match.kind === 'one') return { status: 'matched', id: match.id };
  if (match.kind === 'several') return { status: 'rejected', error: describeSeveral(match.holders) };
  return { status: 'created', write: checked.state };
}

/**
 * The problems of an update's fields and their canonical values. Status is the pseudo-field of
 * `fields`; its problem names `fields.status.value`, where the wire carried it.
 */
function checkFields(fields: readonly FieldDef[], change: UpdateChange): { values: Values; problems: Problem[] } {
  const problems: Problem[] = [];
  const statusChange = change.fields[STATUS_FIELD];
  if (statusChange) {
    const p = checkStatus(statusChange.value, `fields.${STATUS_FIELD}.value`);
    if (p) problems.push(p);
  }
  const valueChanges: Record<string, unknown> = {};
  for (const [name, { value }] of Object.entries(change.fields)) if (name !== STATUS_FIELD) valueChanges[name] = value;
  const checked = validateValues(fields, valueChanges, { partial: true, prefix: 'fields' });
  problems.push(...checked.problems);
  return { values: checked.values, problems };
}

/**
 * An update, field by field: a field whose current value differs from both its pushed base and
 * its pushed value is a conflict, and a conflicting item is not written at all unless forced.
 * A field already holding the pushed value is neither a change nor a conflict.
 */
export function judgeUpdate(fields: readonly FieldDef[], current: CurrentItem | undefined, change: UpdateChange, pusher: Pusher, holders: KeyHolders = NO_HOLDERS): UpdateJudgement {
  if (!current) return { status: 'rejected', error: `unknown item ${change.id}` };
  const names = Object.keys(change.fields);
  // Editing an item someone deleted: every field is in conflict with its absence.
  if (current.deleted) return { status: 'conflict', conflicts: names };
  const checked = checkFields(fields, change);
  if (checked.problems.length > 0) return { status: 'rejected', error: describeProblems(checked.problems) };

  const force = forced(change, pusher);
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const conflicts: string[] = [];
  const apply: Values = {};
  let status = current.status;
  for (const name of names) {
    const { base, value } = change.fields[name]!;
    const isStatus = name === STATUS_FIELD;
    const held = isStatus ? current.status : (current.values[name] ?? null);
    const equal = (a: unknown, b: unknown) => (isStatus ? a === b : valuesEqual(types.get(name)!, a, b));
    const next = isStatus ? value : checked.values[name];
    if (equal(held, next)) continue;
    if (!equal(held, base)) {
      conflicts.push(name);
      if (!force) continue;
    }
    if (isStatus) status = value as ItemStatus;
    else apply[name] = checked.values[name] ?? null;
  }
  if (conflicts.length > 0 && !force) {
    return { status: 'conflict', conflicts, ...(change.overwrite ? { error: needsAdmin(pusher, 'overwrite changes') } : {}) };
  }
  if (status === current.status && Object.keys(apply).length === 0) return { status: 'updated', write: null };
  const values = applyChange(fields, current.values, apply);
  const taken = duplicateKeys(fields, values, current.id, holders, 'fields', new Set(Object.keys(apply)));
  if (taken.length > 0) return { status: 'rejected', error: describeProblems(taken) };
  return { status: 'updated', write: { status, values } };
}

/** A delete: the admin right's alone, by version (any change since the base is a conflict), idempotent on a tombstone. */
export function judgeDelete(current: CurrentItem | undefined, change: DeleteChange, pusher: Pusher): DeleteJudgement {
  if (!current) return { status: 'rejected', error: `unknown item ${change.id}` };
  if (!pusher.admin) return { status: 'rejected', error: needsAdmin(pusher, 'delete items') };
  if (current.deleted) return { status: 'deleted', write: false };
  if (current.version !== change.baseVersion && !forced(change, pusher)) {
    return { status: 'conflict', conflicts: [], error: `item ${current.id} changed since version ${change.baseVersion} (now ${current.version})` };
  }
  return { status: 'deleted', write: true };
}

/**
 * The wire answer to a judgement. `item` is the item as the remote holds it once the judgement is
 * carried out (the written one, else the current one); a rejection carries none, and names the
 * change's item id when it has one.
 */
export function answerOf(judgement: PushJudgement, change: PushChange, item: Change | undefined): PushResult {
  if (judgement.status === 'rejected') {
    return { status: 'rejected', ...(change.op === 'create' ? {} : { id: change.id }), error: judgement.error };
  }
  // matched: the live item the key values point to, as it is (nothing was written).
  const id = item?.id ?? (judgement.status === 'matched' ? judgement.id : change.op === 'create' ? undefined : change.id);
  const answer: PushResult = { status: judgement.status, ...(id !== undefined ? { id } : {}), ...(item ? { version: item.version, item } : {}) };
  if (judgement.status === 'conflict') {
    answer.conflicts = judgement.conflicts;
    if (judgement.error !== undefined) answer.error = judgement.error;
  }
  return answer;
}
