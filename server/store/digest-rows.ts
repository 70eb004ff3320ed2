/**
 * Digest pages hashed from stored rows, for every engine (the `digest` route's fast path): when the
 * fields asked for are the tracker's own, in order, a row whose stored JSON holds no other key (the
 * engine lists the keys, in order) is hashed as it is stored; any other row is read and hashed by
 * the one rule of shared/digest.ts.
 */
import type { DigestEntry } from '../../shared/api/schemas.js';
import { digestHash, digestOfJson } from '../../shared/digest.js';
import type { Values } from '../../shared/model/values.js';
import type { Tracker } from './types.js';

/** A live item as an engine reads it for a digest: `keys` are its stored JSON's keys, comma-separated, in order. */
export interface DigestRow {
  id: number;
  version: number;
  status: string;
  values_json: string;
  keys: string | null;
}

/** Whether `keys` are some of the fields, in the fields' order: then the stored JSON is the JSON of the named fields. */
function inFieldOrder(keys: string | null, position: ReadonlyMap<string, number>): boolean {
  if (keys === null || keys === '') return true;
  let last = -1;
  for (const key of keys.split(',')) {
    const at = position.get(key);
    if (at === undefined || at <= last) return false;
    last = at;
  }
  return true;
}

/** Whether stored rows can answer a digest of `names`: they are the tracker's fields, in order. */
export function digestsFromRows(tracker: Tracker, names: readonly string[]): boolean {
  return names.length === tracker.fields.length && tracker.fields.every((f, i) => f.name === names[i]);
}

/** The digest entries of rows read for `names` (which digestsFromRows accepted). */
export function digestRows(rows: readonly DigestRow[], names: readonly string[]): DigestEntry[] {
  const position = new Map(names.map((name, i) => [name, i]));
  return rows.map((row) => ({
    id: row.id,
    version: row.version,
    hash: inFieldOrder(row.keys, position) ? digestOfJson(row.status, row.values_json) : digestHash(names, { status: row.status, values: JSON.parse(row.values_json) as Values }),
  }));
}
