/** The three-way rule of DESIGN §4, per field and per item: who changed what since the base, and what the local item becomes. */
import { type FieldDef, type ItemStatus, STATUS_FIELD_DEF } from '../model/fields.js';
import { type FieldValue, type Values, normalizeValue } from '../model/values.js';
import { type ConflictPolicy, defaultConflictPolicy } from './policy.js';
import type { TextHunk } from './text.js';

export interface ItemState {
  status: ItemStatus;
  values: Values;
}

/**
 * What both sides last agreed on. Its status is null where they never agreed on one: the empty
 * base of a new item matched by its key fields to an item the remote already had (DESIGN §13),
 * against which every difference is a change of both sides.
 */
export interface BaseState {
  status: ItemStatus | null;
  values: Values;
}

/** The base of an item matched by its keys: nothing agreed yet. */
export const EMPTY_BASE: Readonly<BaseState> = Object.freeze({ status: null, values: Object.freeze({}) as Values });

/**
 * - agreed: local and remote hold the same value (nobody changed it, or both made the same change);
 * - remote: only remote changed it, its value is taken;
 * - local: only local changed it, its value is kept (still to push);
 * - merged: both changed it and the policy combined the edits (diff3 or set merge);
 * - conflict: both changed it and the edits cannot be combined; the local value is kept.
 */
export type FieldOutcome = 'agreed' | 'remote' | 'local' | 'merged' | 'conflict';

export interface FieldConflict {
  name: string;
  base: FieldValue;
  local: FieldValue;
  remote: FieldValue;
  /** textarea only: the overlapping line edits. */
  hunks?: TextHunk[];
  /** The remote removed the field while this clone held an unpushed value of it (`remote` is null). */
  removed?: true;
}

export interface FieldMerge {
  outcome: FieldOutcome;
  /** The field's value in the resulting local state, canonical (the local value on a conflict). */
  value: FieldValue;
  hunks?: TextHunk[];
}

export interface MergeResult {
  /** The resulting local state: remote taken where only remote changed, local kept where only local changed, merges applied; a conflicting field keeps the local value until resolved. Values are canonical. */
  state: ItemState;
  /** In schema order, 'status' first if it conflicts. */
  conflicts: FieldConflict[];
  /** The outcome of every field (and of 'status') that is not 'agreed'; an absent name means agreed. */
  outcomes: Record<string, FieldOutcome>;
  /** The state differs from remote: something is still to push (true while a conflict is open). */
  localPending: boolean;
  /** The state differs from local: the local item must be rewritten. */
  remoteTaken: boolean;
  /** At least one field was merged automatically (diff3 or set merge). */
  merged: boolean;
}

/** The item status, merged like a scalar field under the pseudo-field name 'status'; defined with the model, re-exported for existing imports. */
export { STATUS_FIELD_DEF };

/** A field's value, own keys only: a field named like an Object.prototype member ("constructor") must not read the prototype. */
function valueOf(values: Values, name: string): FieldValue | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

/**
 * Merges one field. The checks by === come first because most fields of most items are the
 * same value on every side; a policy's isEqual must hold for identical values anyway.
 */
export function mergeField(
  field: FieldDef,
  base: unknown,
  local: unknown,
  remote: unknown,
  policy: ConflictPolicy = defaultConflictPolicy,
): FieldMerge {
  const type = field.type;
  if (local === remote || policy.isEqual(field, local, remote)) return { outcome: 'agreed', value: normalizeValue(type, local) };
  if (local === base || policy.isEqual(field, base, local)) return { outcome: 'remote', value: normalizeValue(type, remote) };
  if (remote === base || policy.isEqual(field, base, remote)) return { outcome: 'local', value: normalizeValue(type, local) };
  const l = normalizeValue(type, local);
  const resolution = policy.resolve(field, normalizeValue(type, base), l, normalizeValue(type, remote));
  if (resolution.outcome === 'merged') return { outcome: 'merged', value: resolution.value };
  return resolution.hunks ? { outcome: 'conflict', value: l, hunks: resolution.hunks } : { outcome: 'conflict', value: l };
}

/**
 * Merges an item field by field (status first, then the fields in schema order). Keys of the
 * values objects that are not fields of the schema are dropped.
 */
export function mergeItem(
  fields: readonly FieldDef[],
  base: BaseState,
  local: ItemState,
  remote: ItemState,
  policy: ConflictPolicy = defaultConflictPolicy,
): MergeResult {
  const values: Values = {};
  const conflicts: FieldConflict[] = [];
  const outcomes: Record<string, FieldOutcome> = {};
  let localPending = false;
  let remoteTaken = false;
  let merged = false;

  // Folds one field's merge into the result; returns the value the state holds.
  const record = (field: Readonly<FieldDef>, b: unknown, l: unknown, r: unknown): FieldValue => {
    const result = mergeField(field, b, l, r, policy);
    switch (result.outcome) {
      case 'agreed':
        return result.value;
      case 'remote':
        remoteTaken = true;
        break;
      case 'local':
        localPending = true;
        break;
      case 'merged':
        merged = true;
        // A merge may coincide with one side (e.g. local's adds were already among remote's).
        if (!policy.isEqual(field, result.value, r)) localPending = true;
        if (!policy.isEqual(field, result.value, l)) remoteTaken = true;
        break;
      case 'conflict': {
        localPending = true;
        const conflict: FieldConflict = {
          name: field.name,
          base: normalizeValue(field.type, b),
          local: result.value,
          remote: normalizeValue(field.type, r),
        };
        if (result.hunks) conflict.hunks = result.hunks;
        conflicts.push(conflict);
        break;
      }
    }
    outcomes[field.name] = result.outcome;
    return result.value;
  };

  const status =
    local.status === remote.status ? local.status : (record(STATUS_FIELD_DEF, base.status, local.status, remote.status) as ItemStatus);
  for (const field of fields) {
    const l = valueOf(local.values, field.name);
    const r = valueOf(remote.values, field.name);
    const value = l === r ? normalizeValue(field.type, l) : record(field, valueOf(base.values, field.name), l, r);
    if (value !== null) values[field.name] = value;
  }
  return { state: { status, values }, conflicts, outcomes, localPending, remoteTaken, merged };
}
