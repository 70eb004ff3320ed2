/**
 * The selectors of partial clones (DESIGN §12): the CouchDB/Mango subset `$eq $ne $in $nin $gt
 * $gte $lt $lte $exists $and $or` on field names and `status`, checked against a tracker's fields
 * into a form that matches items by each field's type (numbers as numbers, dates in their
 * canonical form, sets by membership). The remote filters its feed and its digest with it; the
 * clone checks a selector before it creates anything, and tells what a pushed item will do.
 */
import { type FieldDef, type FieldType, MAX_PROBLEMS, type Problem, SET_TYPES, STATUS_FIELD, STATUS_FIELD_DEF, clipText } from './fields.js';
import { type FieldValue, type Values, isEmptyValue, validateValue, valuesEqual } from './values.js';

export const SELECTOR_OPERATORS = ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];
/** The longest selector accepted, as JSON text: a filter is a few conditions, never a payload. */
export const MAX_SELECTOR_LENGTH = 8192;
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 200;
const MAX_LIST = 1000;
const RANGES: ReadonlySet<string> = new Set(['$gt', '$gte', '$lt', '$lte']);
/** Types whose values have an order a range can use: numbers, dates (canonical, so text order is time order) and text. */
const ORDERED: ReadonlySet<FieldType> = new Set(['number', 'autoincrement', 'itemlink', 'date', 'datetime', 'text', 'textarea', 'email', 'url', 'user', 'page']);

type Operand = FieldValue | FieldValue[] | boolean;

/** A checked condition: all of / any of, or one operator on one field (type null: a field the tracker does not have). */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { field: string; type: FieldType | null; op: SelectorOperator; operand: Operand };

export interface Selector {
  /** The selector as given (JSON), what a clone stores and sends. */
  readonly source: Readonly<Record<string, unknown>>;
  readonly condition: Condition;
}

export type SelectorCheck = { ok: true; selector: Selector } | { ok: false; problems: Problem[] };

export interface SelectorOptions {
  /**
   * Also refuse fields the tracker does not have and values that are not among a field's options.
   * The clone checks so before it creates anything (a typo is caught); the remote does not, so a
   * field or an option removed later leaves a clone's filter working (the field then has no value).
   */
  strict?: boolean;
  /** What the problems are named under (default `where`). */
  name?: string;
}

interface Context {
  fields: ReadonlyMap<string, FieldDef>;
  strict: boolean;
  problems: Problem[];
  conditions: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(ctx: Context, field: string, reason: string): void {
  if (ctx.problems.length < MAX_PROBLEMS) ctx.problems.push({ field, reason });
}

const EXAMPLE = '{"status": "open", "priority": {"$gte": 3}}';

/** Reads a selector from its JSON text (a query parameter, `--where`), then checks it. */
export function parseSelectorText(text: string, fields: readonly FieldDef[], options: SelectorOptions = {}): SelectorCheck {
  const name = options.name ?? 'where';
  if (text.length > MAX_SELECTOR_LENGTH) return { ok: false, problems: [{ field: name, reason: `at most ${MAX_SELECTOR_LENGTH} characters of JSON, got ${text.length}` }] };
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ field: name, reason: `not valid JSON (${(error as Error).message}); a selector looks like ${EXAMPLE}` }] };
  }
  return checkSelector(input, fields, options);
}

/** Checks a selector (parsed JSON) against a tracker's fields: the checked form, or every problem with the part it concerns. */
export function checkSelector(input: unknown, fields: readonly FieldDef[], options: SelectorOptions = {}): SelectorCheck {
  const name = options.name ?? 'where';
  const ctx: Context = { fields: new Map(fields.map((f) => [f.name, f])), strict: options.strict === true, problems: [], conditions: 0 };
  if (!isPlainObject(input)) return { ok: false, problems: [{ field: name, reason: `expected a JSON object such as ${EXAMPLE}` }] };
  const condition: Condition = { all: conditionsOf(ctx, input, name, 0) };
  return ctx.problems.length > 0 ? { ok: false, problems: ctx.problems } : { ok: true, selector: { source: input, condition } };
}

/** The conditions of one selector object: every key must hold (a field, `$and` or `$or`). */
function conditionsOf(ctx: Context, object: Record<string, unknown>, path: string, depth: number): Condition[] {
  if (depth > MAX_DEPTH) {
    problem(ctx, path, `nested more than ${MAX_DEPTH} levels deep`);
    return [];
  }
  const out: Condition[] = [];
  for (const [key, value] of Object.entries(object)) {
    const at = `${path}.${clipText(key)}`;
    if (key === '$and' || key === '$or') {
      const parts = listOf(ctx, value, at, depth);
      out.push(key === '$and' ? { all: parts } : { any: parts });
    } else if (key.startsWith('$')) {
      problem(ctx, at, `not a field and not $and or $or (operators go inside a field: {"priority": {"${clipText(key)}": …}})`);
    } else {
      out.push(...fieldConditions(ctx, key, value, at));
    }
  }
  return out;
}

/** The selectors of `$and` / `$or`: a non-empty list of objects, each its own conjunction. */
function listOf(ctx: Context, value: unknown, path: string, depth: number): Condition[] {
  if (!Array.isArray(value) || value.length === 0) {
    problem(ctx, path, `expected a non-empty list of selectors, got ${describeJson(value)}`);
    return [];
  }
  return value.map((entry, i) => {
    if (isPlainObject(entry)) return { all: conditionsOf(ctx, entry, `${path}[${i}]`, depth + 1) };
    problem(ctx, `${path}[${i}]`, `expected a selector object, got ${describeJson(entry)}`);
    return { all: [] };
  });
}

/** The field a selector names: `status`, one of the tracker's, or (not strict) an unknown one, which has no value. */
function fieldOf(ctx: Context, name: string, path: string): FieldDef | null | undefined {
  if (name === STATUS_FIELD) return STATUS_FIELD_DEF;
  const field = ctx.fields.get(name);
  if (field || !ctx.strict) return field ?? null;
  const known = [...ctx.fields.keys()];
  problem(ctx, path, `no such field in the tracker (fields: ${[STATUS_FIELD, ...known].slice(0, 20).join(', ')}${known.length > 19 ? ', …' : ''})`);
  return undefined;
}

/** `"field": value` (equality) or `"field": {"$op": operand, …}`. */
function fieldConditions(ctx: Context, name: string, value: unknown, path: string): Condition[] {
  const field = fieldOf(ctx, name, path);
  if (field === undefined) return [];
  const type = field?.type ?? null;
  if (!isPlainObject(value)) return counted(ctx, path, [{ field: name, type, op: '$eq', operand: operandOf(ctx, field, value, path, true) }]);
  const ops = Object.entries(value);
  if (ops.length === 0 || ops.some(([op]) => !op.startsWith('$'))) {
    problem(ctx, path, `expected a value or an object of operators (${SELECTOR_OPERATORS.join(' ')}), got ${ops.length === 0 ? 'an empty object' : 'an object'}`);
    return [];
  }
  const out: Condition[] = [];
  for (const [op, operand] of ops) {
    const checked = operatorOf(ctx, field, op, operand, `${path}.${clipText(op)}`);
    if (checked) out.push({ field: name, type, ...checked });
  }
  return counted(ctx, path, out);
}

function counted(ctx: Context, path: string, conditions: Condition[]): Condition[] {
  ctx.conditions += conditions.length;
  if (ctx.conditions > MAX_CONDITIONS && ctx.conditions - conditions.length <= MAX_CONDITIONS) problem(ctx, path, `more than ${MAX_CONDITIONS} conditions`);
  return conditions;
}

/** One operator and its operand, checked by the field's type. */
function operatorOf(ctx: Context, field: FieldDef | null, op: string, operand: unknown, path: string): { op: SelectorOperator; operand: Operand } | null {
  if (!(SELECTOR_OPERATORS as readonly string[]).includes(op)) {
    problem(ctx, path, `unknown operator; one of ${SELECTOR_OPERATORS.join(' ')} (and $and, $or around fields)`);
    return null;
  }
  const operator = op as SelectorOperator;
  if (operator === '$exists') {
    if (typeof operand === 'boolean') return { op: operator, operand };
    problem(ctx, path, `expected true or false, got ${describeJson(operand)}`);
    return null;
  }
  if (operator === '$in' || operator === '$nin') {
    if (!Array.isArray(operand) || operand.length > MAX_LIST) {
      problem(ctx, path, Array.isArray(operand) ? `at most ${MAX_LIST} values` : `expected a list of values, got ${describeJson(operand)}`);
      return null;
    }
    return { op: operator, operand: operand.map((entry, i) => operandOf(ctx, field, entry, `${path}[${i}]`, false) as FieldValue) };
  }
  if (RANGES.has(operator)) return rangeOf(ctx, field, operator, operand, path);
  return { op: operator, operand: operandOf(ctx, field, operand, path, true) };
}

function rangeOf(ctx: Context, field: FieldDef | null, op: SelectorOperator, operand: unknown, path: string): { op: SelectorOperator; operand: Operand } | null {
  if (field && !ORDERED.has(field.type)) {
    const why = field === STATUS_FIELD_DEF ? 'the status has no order' : `a ${field.type} field has no order`;
    problem(ctx, path, `${why}; use $eq, $ne, $in, $nin or $exists`);
    return null;
  }
  const known = ctx.problems.length;
  const value = operandOf(ctx, field, operand, path, false);
  if (value === null) {
    // A refused operand is named once; an empty one (null, "") has nothing to compare with.
    if (ctx.problems.length === known) problem(ctx, path, `expected a value to compare with, got ${describeJson(operand)}`);
    return null;
  }
  return { op, operand: value };
}

/**
 * An operand in the canonical form of the field's type, as validateValue makes it. On a set
 * field a string is one member and (where `whole`) a list is the whole set. Not strict, a
 * dropdown or multiselect takes any string: the options are the tracker's, and may change.
 */
function operandOf(ctx: Context, field: FieldDef | null, raw: unknown, path: string, whole: boolean): FieldValue {
  if (raw === null) return null;
  if (!field) {
    if (isJsonScalar(raw) || (whole && Array.isArray(raw) && raw.every((v) => typeof v === 'string'))) return raw as FieldValue;
    problem(ctx, path, `expected a value, got ${describeJson(raw)}`);
    return null;
  }
  const isSet = SET_TYPES.has(field.type);
  if (isSet && Array.isArray(raw) && !whole) {
    problem(ctx, path, `expected one value of the ${field.type}, got a list`);
    return null;
  }
  const asMember = isSet && typeof raw === 'string';
  const check = validateValue(checkedAs(field, ctx.strict), asMember ? [raw] : raw);
  if (!check.ok) {
    problem(ctx, path, check.reason);
    return null;
  }
  return asMember && Array.isArray(check.value) ? ((check.value as string[])[0] ?? null) : check.value;
}

/** The field definition an operand is validated against: the field itself, or (not strict) one without options. */
function checkedAs(field: FieldDef, strict: boolean): FieldDef {
  // The server assigns an autoincrement (no value can be set), but a filter may compare with it.
  if (field.type === 'autoincrement') return { ...field, type: 'number' };
  if (strict || field === STATUS_FIELD_DEF) return field;
  if (field.type === 'dropdown') return { ...field, type: 'text' };
  // Any string as a member (as tags take them): the options are the tracker's, and may change.
  if (field.type === 'multiselect') return { ...field, type: 'tags' };
  return field;
}

function isJsonScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(clipText(value, 40))}`;
  return `${typeof value} ${String(value)}`;
}

/** What an item holds under a name: its status, or a field's value (own keys only), null for none. */
function valueOf(state: { status: string; values: Readonly<Values> }, name: string): FieldValue {
  if (name === STATUS_FIELD) return state.status;
  return Object.hasOwn(state.values, name) ? (state.values[name] ?? null) : null;
}

/** Equality by type; on a set field a single value means membership. */
function equals(type: FieldType | null, value: FieldValue, operand: FieldValue): boolean {
  if (operand === null) return isEmptyValue(value);
  if (type !== null && SET_TYPES.has(type) && typeof operand === 'string') return Array.isArray(value) && (value as readonly unknown[]).includes(operand);
  return valuesEqual(type ?? 'text', value, operand);
}

/** The order of two values of one type, or null when either has none (no value, another type). */
function compare(value: FieldValue, operand: FieldValue): number | null {
  if (typeof value === 'number' && typeof operand === 'number') return value - operand;
  if (typeof value === 'string' && typeof operand === 'string') return value < operand ? -1 : value > operand ? 1 : 0;
  return null;
}

function holds(condition: Condition, state: { status: string; values: Readonly<Values> }): boolean {
  if ('all' in condition) return condition.all.every((c) => holds(c, state));
  if ('any' in condition) return condition.any.some((c) => holds(c, state));
  const value = valueOf(state, condition.field);
  const { op, operand, type } = condition;
  switch (op) {
    case '$exists':
      return !isEmptyValue(value) === operand;
    case '$eq':
      return equals(type, value, operand as FieldValue);
    case '$ne':
      return !equals(type, value, operand as FieldValue);
    case '$in':
      return (operand as FieldValue[]).some((o) => equals(type, value, o));
    case '$nin':
      return !(operand as FieldValue[]).some((o) => equals(type, value, o));
    default: {
      const order = compare(value, operand as FieldValue);
      if (order === null) return false;
      return op === '$gt' ? order > 0 : op === '$gte' ? order >= 0 : op === '$lt' ? order < 0 : order <= 0;
    }
  }
}

/** Whether an item (its status and canonical values) matches the selector. */
export function matches(selector: Selector, state: { status: string; values: Readonly<Values> }): boolean {
  return holds(selector.condition, state);
}
