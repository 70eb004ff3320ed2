/**
 * Key fields (DESIGN §13): which fields identify an item, the text a key value is indexed by,
 * the uniqueness a write must keep and the live item a new one matches. Pure: a store answers
 * "who holds this key value" from its own index (KeyHolders); the rules are here, once.
 */
import { type FieldDef, type Problem, clipText } from './fields.js';
import type { FieldValue, Values } from './values.js';

/** The live items holding `text` as their value of key field `field` (at most a few ids). */
export type KeyHolders = (field: string, text: string) => readonly number[];

/** A key field's value as its index holds it. */
export interface KeyEntry {
  field: string;
  text: string;
}

const keyed = new WeakMap<readonly FieldDef[], FieldDef[]>();

/** The key fields of a schema, in schema order (computed once per fields array: every write asks). */
export function keyFields(fields: readonly FieldDef[]): FieldDef[] {
  let found = keyed.get(fields);
  if (!found) keyed.set(fields, (found = fields.filter((f) => f.key === true)));
  return found;
}

/** The indexed text of a canonical key value; null for no value (an item without one is not compared). */
export function keyText(value: FieldValue | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The key entries of canonical values: one per key field that has a value. */
export function keyEntries(fields: readonly FieldDef[], values: Readonly<Values>, only?: ReadonlySet<string>): KeyEntry[] {
  const entries: KeyEntry[] = [];
  for (const field of keyFields(fields)) {
    if (only && !only.has(field.name)) continue;
    const text = keyText(Object.hasOwn(values, field.name) ? values[field.name] : undefined);
    if (text !== null) entries.push({ field: field.name, text });
  }
  return entries;
}

/**
 * The problems of values that would take a key value another live item holds: each names the
 * field (under `at`) and the other item's id. `self` is the item being written (null for a new
 * one); `only` limits the check to the fields a change sets.
 */
export function duplicateKeys(
  fields: readonly FieldDef[],
  values: Readonly<Values>,
  self: number | null,
  holders: KeyHolders,
  at = 'values',
  only?: ReadonlySet<string>,
  itemName: (id: number) => string = (id) => `item ${id}`,
): Problem[] {
  const problems: Problem[] = [];
  for (const { field, text } of keyEntries(fields, values, only)) {
    const other = holders(field, text).find((id) => id !== self);
    if (other !== undefined) problems.push({ field: `${at}.${field}`, reason: `"${clipText(text)}" is already the key of ${itemName(other)} (a key field is unique among live items)` });
  }
  return problems;
}

/** What a new item's key values find among the live items: nothing, one item (by which fields), or several. */
export type KeyMatch = { kind: 'none' } | { kind: 'one'; id: number; fields: string[] } | { kind: 'several'; holders: { id: number; field: string }[] };

/** The live item a new item's key values point to (DESIGN §13: a pushed create whose key values equal a live item is that item). */
export function matchByKeys(fields: readonly FieldDef[], values: Readonly<Values>, holders: KeyHolders): KeyMatch {
  const found: { id: number; field: string }[] = [];
  for (const { field, text } of keyEntries(fields, values)) for (const id of holders(field, text)) found.push({ id, field });
  if (found.length === 0) return { kind: 'none' };
  const ids = new Set(found.map((f) => f.id));
  if (ids.size > 1) return { kind: 'several', holders: found };
  return { kind: 'one', id: found[0]!.id, fields: found.map((f) => f.field) };
}

/** The words of a match that points to several items, for a refusal. */
export function describeSeveral(holders: readonly { id: number; field: string }[]): string {
  return `its key values belong to different items (${holders.map((h) => `${h.field}: item ${h.id}`).join(', ')}); make them agree first`;
}
