/**
 * Rows into a tracker, matched or created (DESIGN §13: iTop's synchro_import, Tiki's CSV import):
 * a row whose match fields equal one live item updates it, the others create items, and every
 * row is judged before anything is written. Pure: the store answers what it holds and carries out
 * the writes of the plan in one transaction, so every engine imports by this one rule.
 */
import { type FieldDef, type ItemStatus, type Problem, SERVER_ASSIGNED_TYPES, clipText } from './fields.js';
import { checkChange, checkNewItem } from './items.js';
import { type KeyHolders, duplicateKeys, keyFields, keyText } from './keys.js';
import { type Values, applyChange, changedFields } from './values.js';

/** One row: the status when given, and the values of the columns it has (null clears; a column it lacks leaves the field alone). */
export interface UpsertRow {
  status?: ItemStatus;
  values: Values;
}

export interface LiveState {
  id: number;
  status: ItemStatus;
  values: Values;
}

export interface UpsertContext {
  fields: readonly FieldDef[];
  /** The fields a row is matched by; none: every row creates an item. */
  match: readonly string[];
  /** The store's key index, as it was before the import. */
  holders: KeyHolders;
  /** A live item by id. */
  item(id: number): LiveState | undefined;
  /** Every live item: read once, and only when a match field is not a key (keys are looked up one by one). */
  live(): Iterable<LiveState>;
}

export type UpsertWrite = { op: 'create'; row: number; state: { status: ItemStatus; values: Values } } | { op: 'update'; row: number; id: number; state: { status: ItemStatus; values: Values } };

export interface UpsertPlan {
  writes: UpsertWrite[];
  created: number;
  updated: number;
  unchanged: number;
  problems: Problem[];
}

/** How a store is asked to import rows. */
export interface UpsertOptions {
  /** The fields a row is matched by (none: every row creates). */
  match: readonly string[];
  dryRun?: boolean;
}

export interface UpsertResult {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

/** The text a row's match values are found by; null without match fields or when one value is empty (such a row creates). */
export function matchText(match: readonly string[], values: Readonly<Values>): string | null {
  if (match.length === 0) return null;
  const parts: string[] = [];
  for (const name of match) {
    const text = keyText(values[name]);
    if (text === null) return null;
    parts.push(text);
  }
  return JSON.stringify(parts);
}

/** Where the plan's items stand as rows are judged: matches, key holders and states include the rows before. */
class Ledger {
  /** Match values → items, when a match field is not a key (then every live item is read once). */
  private readonly byMatch: Map<string, number[]> | null = null;
  private readonly states = new Map<number, LiveState>();
  private readonly keyed = new Map<string, Set<number>>();
  private nextNew = -1;
  /** The row that creates each provisional item, to name it in a refusal. */
  readonly createdBy = new Map<number, number>();
  /** Without match or key fields no row can meet another: nothing needs remembering (a plain load of many rows). */
  readonly tracks: boolean;

  constructor(private readonly ctx: UpsertContext) {
    const keys = new Set(keyFields(ctx.fields).map((f) => f.name));
    this.tracks = keys.size > 0 || ctx.match.length > 0;
    if (ctx.match.some((name) => !keys.has(name))) {
      this.byMatch = new Map();
      for (const item of ctx.live()) this.index(item.id, item.values);
    }
  }

  private index(id: number, values: Readonly<Values>): void {
    const text = matchText(this.ctx.match, values);
    if (text !== null && this.byMatch) this.byMatch.set(text, [...(this.byMatch.get(text) ?? []), id]);
  }

  /** The items a row's match values point to (negative ids: items rows before it create). */
  matches(values: Readonly<Values>): number[] {
    const text = matchText(this.ctx.match, values);
    if (text === null) return [];
    if (this.byMatch) return this.byMatch.get(text) ?? [];
    // Matched by keys alone: the key index answers, with what this plan wrote.
    const sets = this.ctx.match.map((name) => new Set(this.holders(name, keyText(values[name])!)));
    return [...sets[0]!].filter((id) => sets.every((set) => set.has(id)));
  }

  state(id: number): LiveState | undefined {
    return this.states.get(id) ?? this.ctx.item(id);
  }

  /** Key holders now: the store's, minus items this plan moved off the value, plus those it moved onto it. */
  holders: KeyHolders = (field, text) => {
    const holds = (id: number) => !this.states.has(id) || keyText(this.states.get(id)!.values[field]) === text;
    const ids = new Set(this.ctx.holders(field, text).filter(holds));
    for (const id of this.keyed.get(`${field}\0${text}`) ?? []) if (holds(id)) ids.add(id);
    return [...ids];
  };

  /** Remembers an item's planned state; a new item (id null) gets the next provisional id. */
  record(id: number | null, state: { status: ItemStatus; values: Values }, row: number): number {
    const key = id ?? this.nextNew--;
    if (id === null) this.createdBy.set(key, row);
    this.states.set(key, { id: key, ...state });
    for (const field of keyFields(this.ctx.fields)) {
      const text = keyText(state.values[field.name]);
      if (text !== null) this.keyed.set(`${field.name}\0${text}`, (this.keyed.get(`${field.name}\0${text}`) ?? new Set()).add(key));
    }
    if (id === null) this.index(key, state.values);
    return key;
  }
}

/** A row's values without server-assigned fields (matched by, never written); `set` also drops the nulls (nothing to clear in a new item). */
function writable(assigned: ReadonlySet<string>, values: Readonly<Values>, set: boolean): Values {
  const out: Values = {};
  for (const name in values) if (!assigned.has(name) && !(set && values[name] === null)) out[name] = values[name]!;
  return out;
}

/** Judges every row in order; a later row may update an item an earlier one created. */
export function planUpsert(rows: readonly UpsertRow[], ctx: UpsertContext): UpsertPlan {
  const ledger = new Ledger(ctx);
  const assigned = new Set(ctx.fields.filter((f) => SERVER_ASSIGNED_TYPES.has(f.type)).map((f) => f.name));
  const plan: UpsertPlan = { writes: [], created: 0, updated: 0, unchanged: 0, problems: [] };
  const writeOf = new Map<number, UpsertWrite>();
  const itemName = (id: number) => (id < 0 ? `the new item of rows[${ledger.createdBy.get(id)}]` : `item ${id}`);
  rows.forEach((row, i) => {
    // Named `rows[i]`: a CSV import words it as the file's row and column (shared/model/csv.ts).
    const at = `rows[${i}]`;
    const found = ledger.matches(row.values);
    if (found.length > 1) {
      plan.problems.push({ field: at, reason: `its ${ctx.match.join(', ')} match${ctx.match.length === 1 ? 'es' : ''} several items (${found.slice(0, 5).join(', ')}); match by fields that tell them apart` });
      return;
    }
    const current = found.length === 1 ? ledger.state(found[0]!) : undefined;
    if (!current) {
      const checked = checkNewItem(ctx.fields, { status: row.status, values: writable(assigned, row.values, true) }, `${at}.`);
      checked.problems.push(...duplicateKeys(ctx.fields, checked.state.values, null, ledger.holders, `${at}.values`, undefined, itemName));
      if (checked.problems.length > 0) return void plan.problems.push(...checked.problems);
      const write: UpsertWrite = { op: 'create', row: i, state: checked.state };
      if (ledger.tracks) writeOf.set(ledger.record(null, checked.state, i), write);
      plan.writes.push(write);
      plan.created += 1;
      return;
    }
    const checked = checkChange(ctx.fields, { status: row.status, values: writable(assigned, row.values, false) });
    const state = { status: checked.status ?? current.status, values: applyChange(ctx.fields, current.values, checked.values) };
    const setting = new Set(Object.keys(checked.values));
    checked.problems.push(...duplicateKeys(ctx.fields, state.values, current.id, ledger.holders, `${at}.values`, setting, itemName));
    if (checked.problems.length > 0) return void plan.problems.push(...checked.problems.map((p) => (p.field.startsWith(at) ? p : { ...p, field: `${at}.${p.field}` })));
    if (state.status === current.status && changedFields(ctx.fields, current.values, state.values).length === 0) {
      plan.unchanged += 1;
      return;
    }
    ledger.record(current.id, state, i);
    plan.updated += 1;
    // A second row for one item folds into the write of the first (a create stays a create).
    const earlier = writeOf.get(current.id);
    if (earlier) earlier.state = state;
    else {
      const write: UpsertWrite = { op: 'update', row: i, id: current.id, state };
      writeOf.set(current.id, write);
      plan.writes.push(write);
    }
  });
  return plan;
}

/** The match fields a user names, checked against the schema and the file's columns. */
export function checkMatch(fields: readonly FieldDef[], match: readonly string[], columns: ReadonlySet<string>): Problem[] {
  const known = new Set(fields.map((f) => f.name));
  return match.flatMap((name) => {
    if (!known.has(name)) return [{ field: '--match', reason: `no field "${clipText(name)}" in the tracker` }];
    if (!columns.has(name)) return [{ field: '--match', reason: `the file has no column "${name}" to match by` }];
    return [];
  });
}
