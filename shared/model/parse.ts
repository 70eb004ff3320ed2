/** Typed text → field value and back: the one reading of what a user types, shared by `--set`, `resolve --value` and the TUI editor (DESIGN §9). */
import type { FieldDef, FieldType } from './fields.js';
import { type FieldValue, isEmptyValue } from './values.js';

/** The parser's answer: a value of the field type's JS type (null clears), or why the text is not one. */
export type ParsedText = { ok: true; value: FieldValue } | { ok: false; reason: string };

const TRUE = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);

/**
 * Decimal numbers only: optional sign, digits with an optional fraction, optional exponent.
 * Number() alone would also take '0x1f', '0b11', 'Infinity' and blank text, which nobody types
 * as a quantity; everything String(number) prints for a finite number matches.
 */
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
/** 16 digits reach Number.MAX_SAFE_INTEGER, the largest id validateValue accepts. */
const ID = /^\d{1,16}$/;

/** Types whose text is taken exactly: a title or a description may start or end with spaces on purpose. */
const EXACT_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea']);
/** Types whose value is a string read trimmed: one that starts or ends with spaces is written, and read, as a JSON string. */
const TRIMMED_STRING_TYPES: ReadonlySet<FieldType> = new Set(['dropdown', 'date', 'datetime', 'email', 'url', 'location', 'user', 'page']);

/** A JSON string literal (`"  x"`), for the rare value that plain text cannot carry through trimming. */
function quotedString(text: string): string | null {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

function ok(value: FieldValue): ParsedText {
  return { ok: true, value };
}

function fail(reason: string): ParsedText {
  return { ok: false, reason };
}

/** A list: a JSON array of strings (entries kept exactly) or comma-separated words (trimmed, blanks dropped). */
function parseList(text: string): ParsedText {
  let entries: unknown;
  if (text.startsWith('[')) {
    try {
      entries = JSON.parse(text);
    } catch {
      return fail('expected a JSON array of strings or comma-separated values');
    }
    if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string')) return fail('expected a JSON array of strings');
  } else {
    entries = text.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  }
  const list = entries as string[];
  return ok(list.length === 0 ? null : list);
}

/** Attachments as text: only their JSON form reads back (contents are attached by path: `s15n item attach`, the TUI editor). */
function parseFileList(text: string): ParsedText {
  const hint = 'expected a JSON array of {"name", "size", "type", "sha256"} (attach files with `s15n item attach`)';
  if (!text.startsWith('[')) return fail(hint);
  try {
    const entries: unknown = JSON.parse(text);
    if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) return fail(hint);
    return ok(entries.length === 0 ? null : (entries as FieldValue));
  } catch {
    return fail(hint);
  }
}

function parseId(text: string, what: string): ParsedText {
  const n = Number(text);
  return ID.test(text) && n > 0 && Number.isSafeInteger(n) ? ok(n) : fail(`expected ${what} (a positive integer)`);
}

/**
 * Reads typed text as a value of the field's type; empty text clears the field (null). Text and
 * textarea keep the text exactly, every other type reads it trimmed (so blank text clears it too).
 * Only the JS type is decided here: options, formats, lengths and `required` stay
 * validateValue's job, so a dropdown value that is not an option parses and is refused there.
 */
export function parseFieldText(field: Pick<FieldDef, 'type'>, text: string): ParsedText {
  const t = EXACT_TYPES.has(field.type) ? text : text.trim();
  if (t === '') return ok(null);
  switch (field.type) {
    case 'number': {
      const n = Number(t);
      return DECIMAL.test(t) && Number.isFinite(n) ? ok(Object.is(n, -0) ? 0 : n) : fail('expected a finite number');
    }
    case 'itemlink':
      return parseId(t, 'an item id');
    case 'autoincrement':
      // The server assigns it; reading the number it shows lets validation give the real refusal.
      return parseId(t, 'a number');
    case 'checkbox': {
      const word = t.toLowerCase();
      if (TRUE.has(word)) return ok(true);
      if (FALSE.has(word)) return ok(false);
      return fail('expected true or false (yes/no, y/n, 1/0, on/off)');
    }
    case 'multiselect':
    case 'tags':
      return parseList(t);
    case 'files':
      return parseFileList(t);
    default:
      if (TRIMMED_STRING_TYPES.has(field.type)) return ok(quotedString(t) ?? t);
      return ok(t);
  }
}

/** Whether a list can be written as comma-separated words and read back unchanged. */
function plainList(entries: readonly string[]): boolean {
  return entries.every((e) => e !== '' && e.trim() === e && !e.includes(',')) && !(entries[0] ?? '').startsWith('[');
}

/**
 * The text a user would type for a value, which parseFieldText reads back to an equal value:
 * lists as `a, b` (JSON when an entry holds a comma, a bracket first or surrounding spaces),
 * booleans as true/false, numbers via String, strings as they are (for a trimmed type, JSON when
 * the value starts or ends with spaces or starts with a quote), no value as ''.
 */
export function fieldText(field: Pick<FieldDef, 'type'>, value: unknown): string {
  if (isEmptyValue(value)) return '';
  if (Array.isArray(value)) {
    const words = value.every((e) => typeof e === 'string') && plainList(value);
    return words ? value.join(', ') : JSON.stringify(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return TRIMMED_STRING_TYPES.has(field.type) && (value.trim() !== value || value.startsWith('"')) ? JSON.stringify(value) : value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value) ?? '';
}
