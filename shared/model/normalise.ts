/**
 * Field values in their canonical form: one form per type, so a difference of representation
 * is never a change and never a conflict.
 *
 * Canonical values objects hold only non-empty values: null, "" and [] all mean "no value"
 * and are left out, which is why an absent key and an explicit null compare equal.
 */
import { type FieldDef, type FieldType, SET_TYPES } from './fields.js';
import { type FileRef, canonicalFiles, isCanonicalFiles, isFileList, sameFileRef } from './files.js';

export type FieldValue = string | number | boolean | string[] | FileRef[] | null;
export type Values = Record<string, FieldValue>;

const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const LOCATION = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(\d{1,2}))?\s*$/;

/**
 * Whether every key of `values` names one of `fields`, in their order, with a value other than
 * null: the shape a store row keeps. Checked without allocating, so a writer can skip copying values that
 * are already in that shape.
 */
export function inFieldOrder(fields: readonly FieldDef[], values: Readonly<Values>): boolean {
  let i = 0;
  for (const key in values) {
    if (!Object.hasOwn(values, key)) return false;
    while (i < fields.length && fields[i]!.name !== key) i++;
    if (i === fields.length || values[key] === undefined || values[key] === null) return false;
    i++;
  }
  return true;
}

export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

export function canonicalDatetime(text: string): string | null {
  if (!DATETIME.test(text)) return null;
  let iso = text.replace(' ', 'T');
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  const time = Date.parse(iso);
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

export function canonicalLocation(text: string): string | null {
  const m = LOCATION.exec(text);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
  const zoom = m[3] === undefined ? '' : `,${Number(m[3])}`;
  return `${lat === 0 ? 0 : lat},${lon === 0 ? 0 : lon}${zoom}`;
}

/**
 * Whether a location is already what canonicalLocation makes of it: `lat,lon[,zoom]`, each number
 * as JavaScript writes it and in range. Checked without a pattern, as most values a clone reads are.
 */
function isCanonicalLocation(text: string): boolean {
  const first = text.indexOf(',');
  if (first <= 0) return false;
  const second = text.indexOf(',', first + 1);
  const latText = text.slice(0, first);
  const lonText = second < 0 ? text.slice(first + 1) : text.slice(first + 1, second);
  const lat = Number(latText);
  const lon = Number(lonText);
  if (String(lat) !== latText || String(lon) !== lonText || !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return false;
  if (second < 0) return true;
  const zoom = text.slice(second + 1);
  return zoom.length > 0 && zoom.length <= 2 && String(Number(zoom)) === zoom;
}

export function canonicalSet(values: readonly string[], trim: boolean): string[] {
  const items = trim ? values.map((v) => v.trim()).filter((v) => v.length > 0) : values;
  return [...new Set(items)].sort();
}

// The form canonicalDatetime gives (Date#toISOString, years 0000-9999).
const ISO_DATETIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Whether a set value is sorted, unique and (for tags) trimmed, as normalizeValue would make it. */
export function isCanonicalSet(type: FieldType, value: readonly unknown[]): value is string[] {
  if (value.length === 0) return false;
  let previous: string | undefined;
  for (const entry of value) {
    if (typeof entry !== 'string') return false;
    if (previous !== undefined && !(previous < entry)) return false;
    if (type === 'tags' && (entry.length === 0 || entry.trim() !== entry)) return false;
    previous = entry;
  }
  return true;
}

function dayOfMonth(iso: string): number {
  return (iso.charCodeAt(8) - 48) * 10 + (iso.charCodeAt(9) - 48);
}

/**
 * The canonical form of a value for its type, or null for "no value". Values that do not fit
 * the type are returned unchanged (validation, not normalisation, refuses them), so comparing
 * two malformed values still compares them exactly.
 *
 * A value already canonical (what the store holds, what a remote sends) is returned as it is,
 * without parsing or copying it: a datetime costs a pattern check instead of a Date.parse, a set
 * a scan instead of a sort. Days 29 to 31 take the full path, because Date.parse rolls an
 * impossible day over.
 */
export function normalizeValue(type: FieldType, value: unknown): FieldValue {
  if (typeof value === 'string') {
    if (type === 'datetime' && ISO_DATETIME.test(value) && dayOfMonth(value) <= 28) return value;
    if (type === 'location' && isCanonicalLocation(value)) return value;
  } else if (Array.isArray(value) && (SET_TYPES.has(type) ? isCanonicalSet(type, value) : type === 'files' && isCanonicalFiles(value))) {
    return value;
  }
  return normalizeValueFully(type, value);
}

/** normalizeValue without its shortcuts: the reference its tests compare it with. */
export function normalizeValueFully(type: FieldType, value: unknown): FieldValue {
  if (isEmptyValue(value)) return null;
  switch (type) {
    case 'number':
    case 'autoincrement':
    case 'itemlink':
      if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
      break;
    case 'date':
      // Blank is no value: "" would become null on the next pass, and normalising must be idempotent.
      if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
      break;
    case 'datetime':
      if (typeof value === 'string') return value.trim() === '' ? null : (canonicalDatetime(value.trim()) ?? value);
      break;
    case 'location':
      if (typeof value === 'string') return canonicalLocation(value) ?? value;
      break;
    case 'multiselect':
    case 'tags':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        const set = canonicalSet(value, type === 'tags');
        return set.length === 0 ? null : set;
      }
      break;
    case 'files':
      if (Array.isArray(value) && isFileList(value)) return canonicalFiles(value);
      break;
    default:
      break;
  }
  return value as FieldValue;
}

/** Whether two values of one type are the same after normalisation. */
export function valuesEqual(type: FieldType, a: unknown, b: unknown): boolean {
  // Most compared values are the same value on both sides: no need to normalise them.
  if (a === b) return true;
  const x = normalizeValue(type, a);
  const y = normalizeValue(type, b);
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => sameEntry(v, y[i]));
  return false;
}

/** Entries of two canonical lists: strings by value, file references by what they say. */
function sameEntry(a: string | FileRef, b: string | FileRef | undefined): boolean {
  if (a === b) return true;
  return typeof a === 'object' && typeof b === 'object' && sameFileRef(a, b);
}

/**
 * The canonical values object: fields in schema order, each value normalised, empties left
 * out, keys that are not fields of the schema dropped.
 */
export function canonicalValues(fields: readonly FieldDef[], values: Readonly<Record<string, unknown>>): Values {
  const out: Values = {};
  for (const field of fields) {
    const value = normalizeValue(field.type, values[field.name]);
    if (value !== null) out[field.name] = value;
  }
  return out;
}

/** Applies a partial change (null clears) to canonical values; returns new canonical values. */
export function applyChange(fields: readonly FieldDef[], values: Readonly<Values>, change: Readonly<Values>): Values {
  return canonicalValues(fields, { ...values, ...change });
}

/** Names of the fields whose values differ between two values objects (schema order). */
export function changedFields(fields: readonly FieldDef[], a: Readonly<Values>, b: Readonly<Values>): string[] {
  return fields.filter((f) => !valuesEqual(f.type, a[f.name], b[f.name])).map((f) => f.name);
}
