/** The item decision (DESIGN §4, §9): what one remote item does to its local copy, deletions included, and what the new base becomes. */
import type { FieldDef } from '../model/fields.js';
import { type FieldValue, type Values, valuesEqual } from '../model/values.js';
import type { ConflictPolicy } from './policy.js';
import { type BaseState, type FieldConflict, type ItemState, mergeItem } from './three-way.js';

/** An item-level conflict, stored with the item's sync state until the user decides. */
export type ItemConflict =
  | { kind: 'fields'; fields: FieldConflict[]; remoteVersion: number }
  /** The remote removed fields this clone holds unpushed values of (each entry `removed`): keep them here, or drop them too. */
  | { kind: 'field-removed'; fields: FieldConflict[]; remoteVersion: number }
  | { kind: 'remote-deleted'; remoteVersion: number }
  | { kind: 'local-deleted'; remote: ItemState; remoteVersion: number }
  /** The item no longer matches the clone's filter (DESIGN §12) while this side holds unpushed edits of it. */
  | { kind: 'left' };

/**
 * What applying one remote item did locally; the report counts these. `left`: the copy was dropped
 * because the item no longer matches the clone's filter (counted as deleted); `ignored`: a left
 * marker of an item the clone never had (not counted: the clone never saw that item).
 */
export type ApplyOutcome = 'created' | 'updated' | 'deleted' | 'merged' | 'unchanged' | 'conflict' | 'left' | 'ignored';

/** What the remote holds of an item it sent: its state, or its deletion, with the version. */
export type RemoteSide = { state: ItemState; version: number } | { deleted: true; version: number };

/**
 * States are canonical for `fields` (what the store holds and what the feed's mapping gives):
 * compared by type, never rewritten here, so a decision to keep or take a state hands it back as it is.
 */
export interface DecisionInput {
  fields: readonly FieldDef[];
  /** What both sides last agreed on and its remote version; null when the clone has no base for this remote item (it is new here, or its sync state was lost). */
  base: { state: BaseState; version: number | null } | null;
  /** The local item: its state, 'deleted' (a local tombstone), or 'absent' (no local copy). */
  local: ItemState | 'deleted' | 'absent';
  /** What the remote now holds, with its version; `left`: the item no longer matches the clone's filter (its values are not sent). */
  remote: RemoteSide | { left: true };
  policy?: ConflictPolicy;
}

/**
 * - create: write remote.state as a new local item (without a base, a local item already there is not this remote item's copy and is left alone);
 * - write: rewrite the local item with `local`;
 * - keep: leave the local item as it is;
 * - delete-local: tombstone the local item (remote deleted it, local had not changed it);
 * - forget: nothing left on either side: drop the sync state (both deleted, or remote deleted an item the clone never had).
 */
export type ItemAction = 'create' | 'write' | 'keep' | 'delete-local' | 'forget';

export interface ItemDecision {
  action: ItemAction;
  /** What the report counts. */
  outcome: ApplyOutcome;
  /** The local state after the decision (one of the given states, or the merge's canonical one); undefined when the local item is (or stays) deleted / absent. */
  local?: ItemState;
  /** The base to remember afterwards, null when the sync state is dropped. A field still in conflict keeps its OLD base (so it is neither pushed nor taken until the user decides); status too. */
  base: BaseState | null;
  /** The base version to remember (remote.version, except for deletion conflicts, which keep the old one). */
  baseVersion: number | null;
  conflict: ItemConflict | null;
  /** Whether the local state still differs from the remote (something to push). */
  pending: boolean;
}

type LiveRemote = { state: ItemState; version: number };
type Base = NonNullable<DecisionInput['base']>;

/** A field's value, own keys only: a field named like an Object.prototype member must not read the prototype. */
function valueOf(values: Readonly<Values>, name: string): FieldValue | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

/** Whether two states hold the same status and the same value in every field, compared after normalising by type. */
export function sameState(fields: readonly FieldDef[], a: BaseState, b: BaseState): boolean {
  if (a.status !== b.status) return false;
  for (const field of fields) if (!valuesEqual(field.type, valueOf(a.values, field.name), valueOf(b.values, field.name))) return false;
  return true;
}

/**
 * THE rule of what is a local change (DESIGN §3: derived from base and local, never a flag):
 * the names of what differs between base and local, 'status' first, then fields in schema order.
 */
export function localChanges(fields: readonly FieldDef[], base: BaseState, local: ItemState): string[] {
  const names = base.status === local.status ? [] : ['status'];
  for (const field of fields) if (!valuesEqual(field.type, valueOf(base.values, field.name), valueOf(local.values, field.name))) names.push(field.name);
  return names;
}

/**
 * The base to remember after a merge: the remote state, except that a field still in conflict
 * keeps its old base, so it is neither pushed nor taken until the user decides.
 */
function baseAfterMerge(base: BaseState, remote: ItemState, conflicting: ReadonlySet<string>): BaseState {
  if (conflicting.size === 0) return remote;
  const values = { ...remote.values };
  for (const name of conflicting) {
    if (name === 'status') continue;
    const old = valueOf(base.values, name);
    if (old === undefined || old === null) delete values[name];
    else values[name] = old;
  }
  return { status: conflicting.has('status') ? base.status : remote.status, values };
}

/** No base or no local copy: the remote item is new here (or its sync state was lost). */
function decideUnknown(fields: readonly FieldDef[], remote: RemoteSide): ItemDecision {
  if ('deleted' in remote) return { action: 'forget', outcome: 'unchanged', base: null, baseVersion: null, conflict: null, pending: false };
  return {
    action: 'create',
    outcome: 'created',
    local: remote.state,
    base: remote.state,
    baseVersion: remote.version,
    conflict: null,
    pending: false,
  };
}

/** Remote deleted the item: the delete wins only over a local side that did not change it. */
function decideRemoteDeleted(fields: readonly FieldDef[], base: Base, local: ItemState | 'deleted', remoteVersion: number): ItemDecision {
  if (local === 'deleted') return { action: 'forget', outcome: 'deleted', base: null, baseVersion: null, conflict: null, pending: false };
  if (sameState(fields, local, base.state)) {
    return { action: 'delete-local', outcome: 'deleted', base: null, baseVersion: null, conflict: null, pending: false };
  }
  // The old base and version stay, so deciding again (or resolving) starts from what both last agreed on.
  return {
    action: 'keep',
    outcome: 'conflict',
    local,
    base: base.state,
    baseVersion: base.version,
    conflict: { kind: 'remote-deleted', remoteVersion },
    pending: true,
  };
}

/**
 * The item left the clone's filter: the copy goes without a delete ever being pushed (the remote
 * still has the item), unless this side changed it (edited or deleted, not yet pushed): then a
 * conflict of kind `left`, with the old base, for the user to decide.
 */
function decideLeft(fields: readonly FieldDef[], base: Base | null, local: DecisionInput['local']): ItemDecision {
  if (base === null || local === 'absent') return { action: 'forget', outcome: 'ignored', base: null, baseVersion: null, conflict: null, pending: false };
  if (local !== 'deleted' && sameState(fields, local, base.state)) {
    return { action: 'delete-local', outcome: 'left', base: null, baseVersion: null, conflict: null, pending: false };
  }
  return {
    action: 'keep',
    outcome: 'conflict',
    ...(local === 'deleted' ? {} : { local }),
    base: base.state,
    baseVersion: base.version,
    conflict: { kind: 'left' },
    pending: true,
  };
}

/** Local deleted the item, remote still has it: the delete is pushed unless remote changed the item meanwhile. */
function decideLocalDeleted(fields: readonly FieldDef[], base: Base, remote: LiveRemote): ItemDecision {
  if (sameState(fields, remote.state, base.state)) {
    return { action: 'keep', outcome: 'unchanged', base: base.state, baseVersion: remote.version, conflict: null, pending: true };
  }
  return {
    action: 'keep',
    outcome: 'conflict',
    base: base.state,
    baseVersion: base.version,
    conflict: { kind: 'local-deleted', remote: remote.state, remoteVersion: remote.version },
    pending: true,
  };
}

/** Both sides changed the item: merged field by field; the merge's outcome is what the report counts. */
function decideMerge(fields: readonly FieldDef[], base: Base, local: ItemState, remote: LiveRemote, policy?: ConflictPolicy): ItemDecision {
  const merge = mergeItem(fields, base.state, local, remote.state, policy);
  const conflicting = new Set(merge.conflicts.map((c) => c.name));
  const conflict: ItemConflict | null = merge.conflicts.length > 0 ? { kind: 'fields', fields: merge.conflicts, remoteVersion: remote.version } : null;
  const keepsLocal = sameState(fields, merge.state, local);
  const takesRemote = sameState(fields, merge.state, remote.state);
  const outcome: ApplyOutcome = conflict ? 'conflict' : keepsLocal ? 'unchanged' : takesRemote ? 'updated' : 'merged';
  return {
    action: keepsLocal ? 'keep' : 'write',
    outcome,
    local: merge.state,
    base: baseAfterMerge(base.state, remote.state, conflicting),
    baseVersion: remote.version,
    conflict,
    pending: conflict !== null || !takesRemote,
  };
}

/** Both sides hold the item: the three-way rule of §4 over the whole item. */
function decideLive(fields: readonly FieldDef[], base: Base, local: ItemState, remote: LiveRemote, policy?: ConflictPolicy): ItemDecision {
  const after = { baseVersion: remote.version, conflict: null };
  if (sameState(fields, local, base.state)) {
    // l = b: take r.
    if (sameState(fields, local, remote.state)) return { action: 'keep', outcome: 'unchanged', local, base: remote.state, ...after, pending: false };
    return { action: 'write', outcome: 'updated', local: remote.state, base: remote.state, ...after, pending: false };
  }
  // r = b: only local changed; it stays to be pushed and the base is still what the remote holds.
  if (sameState(fields, remote.state, base.state)) return { action: 'keep', outcome: 'unchanged', local, base: base.state, ...after, pending: true };
  return decideMerge(fields, base, local, remote, policy);
}

/** The one decision reload, push answers, status, the TUI and the dry runs all take for a remote item. Pure. */
export function decideItem(input: DecisionInput): ItemDecision {
  const { fields, base, local, remote } = input;
  if ('left' in remote) return decideLeft(fields, base, local);
  if (base === null || local === 'absent') return decideUnknown(fields, remote);
  if ('deleted' in remote) return decideRemoteDeleted(fields, base, local, remote.version);
  if (local === 'deleted') return decideLocalDeleted(fields, base, remote);
  return decideLive(fields, base, local, remote, input.policy);
}
