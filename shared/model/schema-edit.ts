/**
 * Editing a tracker's schema on the instance that owns it (DESIGN §13): what adding, editing and
 * removing a field may do, checked against the live items, pure. The permanent name never
 * changes and a type change is a remove and an add, so an edit never reinterprets a stored value.
 */
import { type FieldDef, type Problem, checkFieldDefs, clipText } from './fields.js';
import { keyText } from './keys.js';
import { type FieldInput, fieldFromInput } from './tracker-input.js';
import { type Values, isEmptyValue } from './values.js';

export interface FieldPatch {
  label?: string;
  options?: string[];
  required?: boolean;
  key?: boolean;
}

export type FieldEdit = { op: 'add'; field: FieldInput } | { op: 'edit'; name: string; patch: FieldPatch } | { op: 'remove'; name: string };

/** A live item as the checks read it. */
export interface LiveItem {
  id: number;
  values: Readonly<Values>;
}

export interface EditContext {
  /** The tracker's live items, read again for each check that needs them. */
  items: () => Iterable<LiveItem>;
  trackerExists: (id: number) => boolean;
}

export interface SchemaEditPlan {
  fields: FieldDef[];
  /** False when the schema already is what the edit asks for (nothing to write, the hash stays). */
  changed: boolean;
  /** A removed field: its values leave every item with it. */
  removed?: string;
  /** Fields to index afresh as keys (`key` true) or to forget in the key index. */
  reindex: { field: string; key: boolean }[];
}

/** At most this many item ids are named in a refusal. */
const NAMED = 5;

/** `item 3`, `items 3, 5`, `items 1, 2, 3, 4, 5 (and 7 more)`. */
function someIds(ids: readonly number[]): string {
  const shown = ids.slice(0, NAMED).join(', ');
  return `item${ids.length === 1 ? '' : 's'} ${ids.length > NAMED ? `${shown} (and ${ids.length - NAMED} more)` : shown}`;
}

function itemsWhere(ctx: EditContext, test: (values: Readonly<Values>) => boolean): number[] {
  const ids: number[] = [];
  for (const item of ctx.items()) if (test(item.values)) ids.push(item.id);
  return ids;
}

/** The checks of one field's definition as the whole schema would hold it, named `field.x` instead of `fields[i].x`. */
function definitionProblems(fields: readonly FieldDef[], index: number): Problem[] {
  const at = `fields[${index}]`;
  return checkFieldDefs(fields)
    .filter((p) => p.field === at || p.field.startsWith(`${at}.`))
    .map((p) => ({ field: `field${p.field.slice(at.length)}`, reason: p.reason }));
}

function missingValues(ctx: EditContext, name: string, what: string): Problem[] {
  const ids = itemsWhere(ctx, (values) => isEmptyValue(values[name]));
  if (ids.length === 0) return [];
  return [{ field: 'required', reason: `${someIds(ids)} ${ids.length === 1 ? 'has' : 'have'} no value for "${name}": ${what}` }];
}

function duplicateValues(ctx: EditContext, name: string): Problem[] {
  const seen = new Map<string, number[]>();
  for (const item of ctx.items()) {
    const text = keyText(item.values[name]);
    if (text !== null) seen.set(text, [...(seen.get(text) ?? []), item.id]);
  }
  const shared = [...seen].filter(([, ids]) => ids.length > 1);
  return shared.slice(0, NAMED).map(([text, ids]) => ({ field: 'key', reason: `"${clipText(text)}" is the value of ${someIds(ids)}; a key is unique: make them differ first` }));
}

function optionsInUse(ctx: EditContext, field: FieldDef, options: readonly string[]): Problem[] {
  const gone = (field.options ?? []).filter((o) => !options.includes(o));
  const problems: Problem[] = [];
  for (const option of gone) {
    const ids = itemsWhere(ctx, (values) => {
      const value = values[field.name];
      return Array.isArray(value) ? (value as readonly unknown[]).includes(option) : value === option;
    });
    if (ids.length > 0) problems.push({ field: 'options', reason: `"${clipText(option)}" is still used by ${someIds(ids)}: give ${ids.length === 1 ? 'it' : 'them'} another value first` });
  }
  return problems;
}

function addField(fields: readonly FieldDef[], input: FieldInput, ctx: EditContext): { plan: SchemaEditPlan; problems: Problem[] } {
  const problems: Problem[] = [];
  const field = fieldFromInput(input, 'field', ctx.trackerExists, problems);
  const next = [...fields, field];
  if (fields.some((f) => f.name === field.name)) problems.push({ field: 'field.name', reason: `the tracker has a field "${clipText(field.name)}" already` });
  else problems.push(...definitionProblems(next, fields.length));
  if (problems.length === 0 && field.required) {
    problems.push(...missingValues(ctx, field.name, 'add the field without ! (not required), give them values, then make it required (tracker field edit --required)'));
  }
  return { plan: { fields: next, changed: true, reindex: field.key ? [{ field: field.name, key: true }] : [] }, problems };
}

function patched(field: FieldDef, patch: FieldPatch, problems: Problem[]): FieldDef {
  const next: FieldDef = { ...field };
  if (patch.label !== undefined) {
    if (patch.label.trim() === '') problems.push({ field: 'label', reason: 'must not be empty' });
    next.label = patch.label;
  }
  if (patch.options !== undefined) {
    if (field.type !== 'dropdown' && field.type !== 'multiselect') problems.push({ field: 'options', reason: `a ${field.type} field has no options (dropdown and multiselect do)` });
    else next.options = [...patch.options];
  }
  if (patch.required !== undefined) next.required = patch.required;
  if (patch.key === true) next.key = true;
  else if (patch.key === false) delete next.key;
  return next;
}

function editField(fields: readonly FieldDef[], name: string, patch: FieldPatch, ctx: EditContext): { plan: SchemaEditPlan; problems: Problem[] } {
  const index = fields.findIndex((f) => f.name === name);
  const field = fields[index]!;
  const problems: Problem[] = [];
  const next = patched(field, patch, problems);
  const all = fields.map((f, i) => (i === index ? next : f));
  problems.push(...definitionProblems(all, index));
  const changed = JSON.stringify(next) !== JSON.stringify(field);
  if (problems.length === 0 && changed) {
    if (next.options) problems.push(...optionsInUse(ctx, field, next.options));
    if (next.required && !field.required) problems.push(...missingValues(ctx, name, 'give them values first'));
    if (next.key && !field.key) problems.push(...duplicateValues(ctx, name));
  }
  const reindex = (next.key === true) !== (field.key === true) ? [{ field: name, key: next.key === true }] : [];
  return { plan: { fields: all, changed, reindex }, problems };
}

/** The schema after `edit`, what the store must do to the items and the key index, or why not. */
export function planFieldEdit(fields: readonly FieldDef[], edit: FieldEdit, ctx: EditContext): { plan: SchemaEditPlan; problems: Problem[] } {
  if (edit.op === 'add') return addField(fields, edit.field, ctx);
  const field = fields.find((f) => f.name === edit.name);
  if (!field) {
    const known = fields.map((f) => f.name).join(', ') || 'none';
    return { plan: { fields: [...fields], changed: false, reindex: [] }, problems: [{ field: 'name', reason: `no field "${clipText(edit.name)}" (fields: ${known})` }] };
  }
  if (edit.op === 'edit') return editField(fields, edit.name, edit.patch, ctx);
  return { plan: { fields: fields.filter((f) => f !== field), changed: true, removed: field.name, reindex: field.key ? [{ field: field.name, key: false }] : [] }, problems: [] };
}
