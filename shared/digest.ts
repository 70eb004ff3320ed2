/**
 * The item digests of `reload --verify` (DESIGN §12): a short hash of an item's status and of the
 * fields a clone can compare, computed alike by the remote (over its item) and by the clone (over
 * its base), so the two sides compare every item without sending its values. Values are hashed as
 * stored: both sides keep them canonical for their type (shared/model/normalise.ts), so equal
 * values are equal text.
 */
import crypto from 'node:crypto';
import { FIELD_NAME_PATTERN } from './model/fields.js';
import type { FieldMapping } from './model/transform.js';
import type { Values } from './model/values.js';

/** 22 base64url characters: 132 bits, far beyond any chance collision, and a third of a full SHA-256 on the wire. */
export const DIGEST_HASH_LENGTH = 22;
export const DEFAULT_DIGEST_LIMIT = 5000;
export const MAX_DIGEST_LIMIT = 10_000;
/** A name the `fields` list of a digest request may hold. */
export const DIGEST_FIELD_PATTERN = FIELD_NAME_PATTERN;

/** SHA-256 of a text, base64url, cut to DIGEST_HASH_LENGTH; the one-shot crypto.hash where node has it (a third of createHash's cost per item). */
function sha256(text: string): string {
  const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;
  const full = oneShot ? oneShot('sha256', text, 'base64url') : crypto.createHash('sha256').update(text).digest('base64url');
  return full.slice(0, DIGEST_HASH_LENGTH);
}

/**
 * The digest hash of an item: its status, then the JSON of the named fields that hold a value,
 * in the given order, as stored (canonical for the field's type, which both sides keep).
 */
export function digestHash(names: readonly string[], state: { status: string; values: Readonly<Values> }): string {
  const subset: Values = {};
  for (const name of names) {
    const value = Object.hasOwn(state.values, name) ? state.values[name] : undefined;
    if (value !== undefined && value !== null) subset[name] = value;
  }
  return digestOfJson(state.status, JSON.stringify(subset));
}

/**
 * The same hash from the JSON text a store row holds, without parsing it: right when the row holds
 * exactly the named fields in that order (a clone whose every field is compared, reading its own rows).
 */
export function digestOfJson(status: string, valuesJson: string): string {
  return sha256(`${status}\n${valuesJson}`);
}

/**
 * The fields whose local value is the remote's value itself, so a base and the remote item hash
 * alike: kept fields, and user fields (a dropdown or text holding the same user name), in the
 * order of the mapping (the remote's, which the local fields keep). An itemlink cloned as text
 * holds a title, and skipped fields are not here at all.
 */
export function comparableFields(mappings: readonly FieldMapping[]): string[] {
  return mappings.filter((m) => m.action === 'kept' || (m.action === 'transformed' && m.remoteType === 'user')).map((m) => m.name);
}
