/**
 * The item digests of `reload --verify` (DESIGN §12): a short hash of an item's status and of the
 * fields a clone can compare, computed alike by the remote (over its item) and by the clone (over
 * its base), so the two sides compare every item without sending its values.
 */
import { createHash } from 'node:crypto';
import { FIELD_NAME_PATTERN, type FieldDef, type FieldType } from './model/fields.js';
import type { FieldMapping } from './model/transform.js';
import { type FieldValue, type Values, normalizeValue } from './model/values.js';

/** 22 base64url characters: 132 bits, far beyond any chance collision, and a third of a full SHA-256 on the wire. */
export const DIGEST_HASH_LENGTH = 22;
export const DEFAULT_DIGEST_LIMIT = 5000;
export const MAX_DIGEST_LIMIT = 10_000;
/** A name the `fields` list of a digest request may hold. */
export const DIGEST_FIELD_PATTERN = FIELD_NAME_PATTERN;

/**
 * The digest hash of an item: its status and the named fields in the given order, each value in
 * the canonical form of the field's type on this side (a field this side lacks counts as no value).
 */
export function digestHash(types: ReadonlyMap<string, FieldType>, names: readonly string[], state: { status: string; values: Readonly<Values> }): string {
  const parts: FieldValue[] = [state.status];
  for (const name of names) {
    const type = types.get(name);
    const value = Object.hasOwn(state.values, name) ? (state.values[name] ?? null) : null;
    parts.push(type === undefined ? null : normalizeValue(type, value));
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, DIGEST_HASH_LENGTH);
}

/** The types of a tracker's fields by name, as digestHash reads them. */
export function fieldTypes(fields: readonly FieldDef[]): Map<string, FieldType> {
  return new Map(fields.map((f) => [f.name, f.type]));
}

/**
 * The fields whose local value is the remote's value itself, so a base and the remote item hash
 * alike: kept fields, and user fields (a dropdown or text holding the same user name). An
 * itemlink cloned as text holds a title, and skipped fields are not here at all. Sorted, so both
 * sides hash them in one order.
 */
export function comparableFields(mappings: readonly FieldMapping[]): string[] {
  return mappings
    .filter((m) => m.action === 'kept' || (m.action === 'transformed' && m.remoteType === 'user'))
    .map((m) => m.name)
    .sort();
}
