/**
 * Plain-code checks of the answers a sync reads by the thousand: the changes of the feed (one
 * per item of a clone), the results of a push and the pages of a digest. zod's union of value types cost about 8% of
 * a 100k clone's CPU, and parsing a push answer of 1,000 items took 50 ms. A check only ever
 * accepts what its zod schema accepts (property tests hold them to that); whatever it does not
 * accept goes through the schema, which stays the one judge of a bad answer and the one author
 * of its error.
 */
import { isStatus } from '../model/fields.js';
import { isFileList } from '../model/files.js';
import type { FieldValue } from '../model/values.js';
import { Change, type DigestEntry, DigestPage, FeedEntry, type LeftMarker, PUSH_RESULT_STATUSES, PushResponse } from './schemas.js';

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
      if (value.length > 0 && typeof value[0] === 'object') return isFileList(value);
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

function isOptionalInteger(value: unknown): boolean {
  return value === undefined || Number.isSafeInteger(value);
}

/** An item as the API sends it; the feed's changes carry a `seq`, a push answer's item may not. */
function isWellFormedItem(value: unknown, withSeq: boolean): boolean {
  if (!isPlainRecord(value)) return false;
  const { id, seq, version, status, values, deleted, updatedAt, updatedBy } = value;
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(version) || !(withSeq ? Number.isSafeInteger(seq) : isOptionalInteger(seq))) return false;
  if (!isStatus(status) || !isPlainRecord(values)) return false;
  if (deleted !== undefined && deleted !== true) return false;
  if (updatedAt !== undefined && typeof updatedAt !== 'string') return false;
  if (updatedBy !== undefined && updatedBy !== null && typeof updatedBy !== 'string') return false;
  for (const key in values) {
    if (!Object.hasOwn(values, key) || key === '__proto__' || !isFieldValue(values[key])) return false;
  }
  return true;
}

/** Whether `value` is a well-formed change (what JSON.parse of a feed line gives), without zod. */
export function isWellFormedChange(value: unknown): value is Change {
  return isWellFormedItem(value, true);
}

/** A change of the feed: the plain check for the usual case, zod for anything else (and its error). */
export function parseChange(value: unknown): Change {
  return isWellFormedChange(value) ? value : Change.parse(value);
}

/** Whether `value` is the marker of an item that left a filtered feed: `{"id", "seq", "left": true}`. */
export function isWellFormedLeftMarker(value: unknown): value is LeftMarker {
  return isPlainRecord(value) && value.left === true && Number.isSafeInteger(value.id) && Number.isSafeInteger(value.seq);
}

/** An entry of a (possibly filtered) feed: a change or a left marker, checked in plain code first, zod for anything else. */
export function parseFeedEntry(value: unknown): FeedEntry {
  if (isWellFormedLeftMarker(value)) return value;
  return isWellFormedChange(value) ? value : FeedEntry.parse(value);
}

function isWellFormedPushResult(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  const { status, id, version, item, conflicts, error } = value;
  if (typeof status !== 'string' || !(PUSH_RESULT_STATUSES as readonly string[]).includes(status)) return false;
  if (!isOptionalInteger(id) || !isOptionalInteger(version)) return false;
  if (item !== undefined && !isWellFormedItem(item, false)) return false;
  if (error !== undefined && typeof error !== 'string') return false;
  if (conflicts === undefined) return true;
  return Array.isArray(conflicts) && conflicts.every((name) => typeof name === 'string');
}

/** Whether `value` is a well-formed push answer (what JSON.parse of the body gives), without zod. */
export function isWellFormedPushResponse(value: unknown): value is PushResponse {
  return isPlainRecord(value) && Array.isArray(value.results) && value.results.every(isWellFormedPushResult);
}

/** A push answer: the plain check for the usual case, zod for anything else (and its error). */
export function parsePushResponse(value: unknown): PushResponse {
  return isWellFormedPushResponse(value) ? value : PushResponse.parse(value);
}

function isWellFormedDigestEntry(value: unknown): value is DigestEntry {
  return isPlainRecord(value) && Number.isSafeInteger(value.id) && Number.isSafeInteger(value.version) && typeof value.hash === 'string';
}

/** Whether `value` is a well-formed digest page (what JSON.parse of the body gives), without zod. */
export function isWellFormedDigestPage(value: unknown): value is DigestEntry[] {
  return Array.isArray(value) && value.every(isWellFormedDigestEntry);
}

/** A digest page (10,000 entries at a time on a verify): the plain check for the usual case, zod for anything else (and its error). */
export function parseDigestPage(value: unknown): DigestEntry[] {
  return isWellFormedDigestPage(value) ? value : DigestPage.parse(value);
}
