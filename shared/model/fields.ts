/** The tracker model: field types, item statuses, field definitions and their validation. */

export const FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'checkbox',
  'dropdown',
  'multiselect',
  'date',
  'datetime',
  'email',
  'url',
  'tags',
  'location',
  'user',
  'autoincrement',
  'page',
  'itemlink',
  'files',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const STATUSES = ['open', 'pending', 'closed'] as const;
export type ItemStatus = (typeof STATUSES)[number];

/** The pseudo-field under which `status` travels in an update's `fields`. */
export const STATUS_FIELD = 'status';

/** A field of a tracker; `name` is the permanent name that matches fields across instances. */
export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** dropdown and multiselect: the allowed values, in display order. */
  options?: string[];
  required: boolean;
  /** itemlink: the id of the tracker whose items the field links to (on the same instance). */
  linkedTracker?: number;
  /** A key field: its values are unique among the tracker's live items, and a pushed create that holds one is matched (DESIGN §13). Absent means false. */
  key?: boolean;
}

/**
 * The item status as a field: merged like a scalar under STATUS_FIELD, checked, resolved and
 * edited like a required dropdown. Defined once so the merge, `resolve` and the TUI agree on it.
 */
export const STATUS_FIELD_DEF: Readonly<FieldDef> = Object.freeze({
  name: STATUS_FIELD,
  label: 'Status',
  type: 'dropdown',
  options: [...STATUSES],
  required: true,
});

/** Types whose value is a set of strings: compared as sorted sets, merged as sets (files, a set of file references, has its own: files.ts). */
export const SET_TYPES: ReadonlySet<FieldType> = new Set(['multiselect', 'tags']);
/** Types the server assigns; a client never sends a value for them. */
export const SERVER_ASSIGNED_TYPES: ReadonlySet<FieldType> = new Set(['autoincrement']);

/**
 * Types a key may have: single values compared exactly after normalising. Sets, long text and
 * booleans make poor identities; autoincrement is unique already, and a create cannot carry it.
 */
export const KEY_TYPES: ReadonlySet<FieldType> = new Set(['text', 'number', 'date', 'datetime', 'email', 'url', 'location', 'user', 'page', 'itemlink', 'dropdown']);

export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const MAX_TEXT_LENGTH = 65_535;
export const MAX_TEXTAREA_LENGTH = 1_048_576;
export const MAX_OPTION_COUNT = 1_000;
export const MAX_SET_SIZE = 1_000;

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

export function isStatus(value: unknown): value is ItemStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** Input echoed in a problem is cut short, so an answer never grows with a hostile name or value. */
export const MAX_ECHO = 100;
export function clipText(text: string, max = MAX_ECHO): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** At most this many problems are listed for one object: enough to fix it, bounded for a hostile one. */
export const MAX_PROBLEMS = 50;

/** One reason a piece of input was refused, named by the field (or path) it concerns. */
export interface Problem {
  field: string;
  reason: string;
}

/**
 * Checks a tracker's field list: names unique and well-formed, types known, options present
 * where the type needs them. Returns the problems; an empty list means the schema is usable.
 */
export function checkFieldDefs(fields: readonly FieldDef[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    const at = `fields[${index}]`;
    if (!FIELD_NAME_PATTERN.test(field.name)) {
      problems.push({
        field: `${at}.name`,
        reason: `"${clipText(String(field.name))}" is not a valid field name (letters, digits and _, starting with a letter or _, at most 64)`,
      });
    } else if (field.name in Object.prototype || field.name === '__proto__') {
      problems.push({ field: `${at}.name`, reason: `"${field.name}" is reserved (a name every JavaScript object has)` });
    } else if (field.name === STATUS_FIELD) {
      problems.push({ field: `${at}.name`, reason: '"status" is reserved for the item status' });
    } else if (seen.has(field.name)) {
      problems.push({ field: `${at}.name`, reason: `duplicate field name "${field.name}"` });
    }
    seen.add(field.name);
    if (!isFieldType(field.type)) {
      problems.push({ field: `${at}.type`, reason: `unknown field type "${clipText(String(field.type))}"; one of ${FIELD_TYPES.join(', ')}` });
      return;
    }
    if (field.type === 'dropdown' || field.type === 'multiselect') {
      const options = field.options ?? [];
      if (options.length === 0) problems.push({ field: `${at}.options`, reason: `a ${field.type} field needs at least one option` });
      if (options.length > MAX_OPTION_COUNT) problems.push({ field: `${at}.options`, reason: `at most ${MAX_OPTION_COUNT} options` });
      if (new Set(options).size !== options.length) problems.push({ field: `${at}.options`, reason: 'options must be unique' });
      if (options.some((o) => typeof o !== 'string' || o.length === 0)) {
        problems.push({ field: `${at}.options`, reason: 'options must be non-empty strings' });
      }
    }
    if (field.required && SERVER_ASSIGNED_TYPES.has(field.type)) {
      problems.push({ field: `${at}.required`, reason: `a ${field.type} field is assigned by the server and cannot be required` });
    }
    if (field.key !== undefined && typeof field.key !== 'boolean') problems.push({ field: `${at}.key`, reason: 'must be true or false' });
    else if (field.key && !KEY_TYPES.has(field.type)) {
      problems.push({ field: `${at}.key`, reason: `a ${field.type} field cannot be a key (key types: ${[...KEY_TYPES].join(', ')})` });
    }
  });
  return problems;
}
