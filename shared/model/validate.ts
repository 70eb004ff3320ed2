/**
 * What a field accepts: each value checked against its field's type and limits, and given its
 * canonical form (normalise.ts), so a refused value is refused the same way everywhere.
 */
import {
  type FieldDef,
  type Problem,
  MAX_PROBLEMS,
  MAX_SET_SIZE,
  MAX_TEXTAREA_LENGTH,
  MAX_TEXT_LENGTH,
  SERVER_ASSIGNED_TYPES,
  STATUS_FIELD,
  clipText,
  isStatus,
} from './fields.js';
import { checkFiles } from './files.js';
import { type FieldValue, type Values, canonicalDatetime, canonicalLocation, canonicalSet, canonicalValues, isEmptyValue, normalizeValue } from './normalise.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_PROTOCOLS = new Set(['http:', 'https:', 'ftp:', 'ftps:', 'mailto:']);
const MAX_NAME_LENGTH = 200;

function isValidDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
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
      return checkFiles(value);
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
