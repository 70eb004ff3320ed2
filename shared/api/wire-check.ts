/**
 * A plain-code check of a change of the feed, for the clone's hot path: a clone parses one
 * change per item, and zod's union of value types cost about 8% of a 100k clone's CPU. The
 * check only ever accepts what `Change` accepts (a property test holds it to that); whatever
 * it does not accept goes through `Change.parse`, which stays the one judge of a bad change
 * and the one author of its error.
 */
import { isStatus } from '../model/fields.js';
import type { FieldValue } from '../model/values.js';
import { Change } from './schemas.js';

function isFieldValue(value: unknown): value is FieldValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (!Array.isArray(value)) return false;
      for (const entry of value) if (typeof entry !== 'string') return false;
      return true;
    default:
      return false;
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Whether `value` is a well-formed change (what JSON.parse of a feed line gives), without zod. */
export function isWellFormedChange(value: unknown): value is Change {
  if (!isPlainRecord(value)) return false;
  const { id, seq, version, status, values, deleted, updatedAt, updatedBy } = value;
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(seq) || !Number.isSafeInteger(version)) return false;
  if (!isStatus(status) || !isPlainRecord(values)) return false;
  if (deleted !== undefined && deleted !== true) return false;
  if (updatedAt !== undefined && typeof updatedAt !== 'string') return false;
  if (updatedBy !== undefined && updatedBy !== null && typeof updatedBy !== 'string') return false;
  for (const key in values) {
    if (!Object.hasOwn(values, key) || key === '__proto__' || !isFieldValue(values[key])) return false;
  }
  return true;
}

/** A change of the feed: the plain check for the usual case, zod for anything else (and its error). */
export function parseChange(value: unknown): Change {
  return isWellFormedChange(value) ? value : Change.parse(value);
}
