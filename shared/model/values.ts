/**
 * Field values: validation (what a field accepts) and normalisation (one canonical form per
 * type, so a difference of representation is never a change and never a conflict).
 *
 * Canonical values objects hold only non-empty values: null, "" and [] all mean "no value"
 * and are left out, which is why an absent key and an explicit null compare equal.
 */
import {
  type FieldDef,
  type FieldType,
  type Problem,
  MAX_PROBLEMS,
  MAX_SET_SIZE,
  MAX_TEXTAREA_LENGTH,
  MAX_TEXT_LENGTH,
  SERVER_ASSIGNED_TYPES,
  SET_TYPES,
  STATUS_FIELD,
  clipText,
  isStatus,
} from './fields.js';

export type FieldValue = string | number | boolean | string[] | null;
export type Values = Record<string, FieldValue>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOCATION = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:,\s*(\d{1,2}))?\s*$/;
const URL_PROTOCOLS = new Set(['http:', 'https:', 'ftp:', 'ftps:', 'mailto:']);
const MAX_NAME_LENGTH = 200;

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

function isValidDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function canonicalDatetime(text: string): string | null {
  if (!DATETIME.test(text)) return null;
  let iso = text.replace(' ', 'T');
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  const time = Date.parse(iso);
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}

function canonicalLocation(text: string): string | null {
  const m = LOCATION.exec(text);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
  const zoom = m[3] === undefined ? '' : `,${Number(m[3])}`;
  return `${lat === 0 ? 0 : lat},${lon === 0 ? 0 : lon}${zoom}`;
}

function canonicalSet(values: readonly string[], trim: boolean): string[] {
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
  } else if (Array.isArray(value) && SET_TYPES.has(type) && isCanonicalSet(type, value)) {
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
    case 'files':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        const set = canonicalSet(value, type === 'tags');
        return set.length === 0 ? null : set;
      }
      break;
    default:
      break;
  }
  return value as FieldValue;
}

/** Whether two values of one type are the same after normalisation. */
export function valuesEqual(type: FieldType, a: unknown, b: unknown): boolean {
  const x = normalizeValue(type, a);
  const y = normalizeValue(type, b);
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => v === y[i]);
  return false;
}

export type ValueCheck = { ok: true; value: FieldValue } | { ok: false; reason: string };

function fail(reason: string): ValueCheck {
  return { ok: false, reason };
}

function checkString(value: unknown, max: number, what: string): ValueCheck {
  if (typeof value !== 'string') return fail(`expected ${what}, got ${describe(value)}`);
  if (value.length > max) return fail(`at most ${max} characters, got ${value.length}`);
  return { ok: true, value };
}

function checkStringSet(value: unknown, options: readonly string[] | undefined, trim: boolean): ValueCheck {
  if (!Array.isArray(value)) return fail(`expected an array of strings, got ${describe(value)}`);
  if (value.length > MAX_SET_SIZE) return fail(`at most ${MAX_SET_SIZE} entries`);
  for (const entry of value) {
    if (typeof entry !== 'string') return fail(`expected an array of strings, found ${describe(entry)}`);
    if (entry.length > MAX_NAME_LENGTH) return fail(`each entry at most ${MAX_NAME_LENGTH} characters`);
    if (options && !options.includes(entry)) return fail(`"${clipText(entry)}" is not one of the options (${options.join(', ')})`);
  }
  const set = canonicalSet(value as string[], trim);
  return { ok: true, value: set.length === 0 ? null : set };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Validates one value for a field and returns its canonical form. `null` (clear the field) is
 * accepted here; whether a required field may be cleared is decided by `validateValues`.
 */
export function validateValue(field: FieldDef, value: unknown): ValueCheck {
  if (isEmptyValue(value)) return { ok: true, value: null };
  switch (field.type) {
    case 'text':
      return checkString(value, MAX_TEXT_LENGTH, 'a string');
    case 'textarea':
      return checkString(value, MAX_TEXTAREA_LENGTH, 'a string');
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`expected a finite number, got ${describe(value)}`);
      return { ok: true, value: normalizeValue('number', value) };
    case 'checkbox':
      if (typeof value !== 'boolean') return fail(`expected true or false, got ${describe(value)}`);
      return { ok: true, value };
    case 'dropdown':
      if (typeof value !== 'string') return fail(`expected one of the options, got ${describe(value)}`);
      if (!(field.options ?? []).includes(value)) return fail(`"${clipText(value)}" is not one of the options (${(field.options ?? []).join(', ')})`);
      return { ok: true, value };
    case 'multiselect':
      return checkStringSet(value, field.options ?? [], false);
    case 'tags':
      return checkStringSet(value, undefined, true);
    case 'files':
      return checkStringSet(value, undefined, false);
    case 'date':
      if (typeof value !== 'string' || !isValidDate(value.trim())) return fail(`expected a date as YYYY-MM-DD, got ${describe(value)}`);
      return { ok: true, value: value.trim() };
    case 'datetime': {
      const canonical = typeof value === 'string' ? canonicalDatetime(value.trim()) : null;
      if (canonical === null) return fail(`expected an ISO-8601 date and time, got ${describe(value)}`);
      return { ok: true, value: canonical };
    }
    case 'email':
      if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value)) return fail(`expected an email address, got ${describe(value)}`);
      return { ok: true, value };
    case 'url': {
      if (typeof value !== 'string' || value.length > 2048) return fail(`expected a URL, got ${describe(value)}`);
      const url = URL.canParse(value) ? new URL(value) : null;
      if (!url || !URL_PROTOCOLS.has(url.protocol)) return fail(`expected an absolute http(s), ftp or mailto URL, got ${describe(value)}`);
      return { ok: true, value };
    }
    case 'location': {
      const canonical = typeof value === 'string' ? canonicalLocation(value) : null;
      if (canonical === null) return fail(`expected "lat,lon[,zoom]" with lat in -90..90 and lon in -180..180, got ${describe(value)}`);
      return { ok: true, value: canonical };
    }
    case 'user':
    case 'page': {
      const check = checkString(value, MAX_NAME_LENGTH, `a ${field.type} name`);
      if (check.ok && /[\r\n]/.test(value as string)) return fail(`a ${field.type} name has no line breaks`);
      return check;
    }
    case 'itemlink':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) return fail(`expected an item id (a positive integer), got ${describe(value)}`);
      return { ok: true, value };
    case 'autoincrement':
      return fail('assigned by the server; it cannot be set');
  }
}

export interface ValuesCheck {
  /** The canonical values that passed (empty values appear as null when `partial`). */
  values: Values;
  problems: Problem[];
}

/**
 * Validates a values object against a tracker's fields.
 * - `partial: false` (a new item): the result is the full canonical values object and every
 *   required field must have a value.
 * - `partial: true` (a change): only the given keys are checked; null clears a field, which a
 *   required field refuses.
 */
export function validateValues(fields: readonly FieldDef[], input: unknown, options: { partial: boolean; prefix?: string }): ValuesCheck {
  const prefix = options.prefix ?? 'values';
  const problems: Problem[] = [];
  const values: Values = {};
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { values, problems: [{ field: prefix, reason: `expected an object of field values, got ${describe(input)}` }] };
  }
  const byName = new Map(fields.map((f) => [f.name, f]));
  const entries = Object.entries(input as Record<string, unknown>);
  for (const [name, raw] of entries) {
    if (problems.length >= MAX_PROBLEMS) {
      // A hostile object with thousands of bad keys gets a bounded answer.
      problems.push({ field: prefix, reason: `more problems not listed (${entries.length} keys in all)` });
      break;
    }
    const field = byName.get(name);
    if (!field) {
      problems.push({ field: `${prefix}.${clipText(name)}`, reason: `unknown field "${clipText(name)}"${name === STATUS_FIELD ? ' (status is set apart from the values)' : ''}` });
      continue;
    }
    if (SERVER_ASSIGNED_TYPES.has(field.type) && !isEmptyValue(raw)) {
      problems.push({ field: `${prefix}.${name}`, reason: 'assigned by the server; it cannot be set' });
      continue;
    }
    const check = validateValue(field, raw);
    if (!check.ok) {
      problems.push({ field: `${prefix}.${name}`, reason: check.reason });
      continue;
    }
    if (check.value === null && field.required) {
      problems.push({ field: `${prefix}.${name}`, reason: 'required; it cannot be empty' });
      continue;
    }
    if (check.value !== null || options.partial) values[name] = check.value;
  }
  if (!options.partial) {
    for (const field of fields) {
      if (field.required && !(field.name in values) && !problems.some((p) => p.field === `${prefix}.${field.name}`)) {
        problems.push({ field: `${prefix}.${field.name}`, reason: 'required' });
      }
    }
  }
  return { values: options.partial ? values : canonicalValues(fields, values), problems };
}

/** Validates an item status. */
export function checkStatus(value: unknown, field = 'status'): Problem | null {
  return isStatus(value) ? null : { field, reason: `expected one of open, pending, closed, got ${describe(value)}` };
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
