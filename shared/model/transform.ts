/**
 * Clone transforms: which remote field types a clone keeps, turns into another type, or skips
 * (DESIGN §2), how remote values map to local ones and back, and what changed in a remote schema.
 */
import { type FieldDef, type FieldType, STATUS_FIELD } from './fields.js';
import { type FieldValue, type Values, normalizeValue } from './values.js';

export type FieldAction = 'kept' | 'transformed' | 'skipped';

/** One remote field and what the clone made of it; the clone report is a list of these. */
export interface FieldMapping {
  name: string;
  remoteType: FieldType;
  action: FieldAction;
  localType?: FieldType;
  reason?: string;
}

/** What a clone knows of the remote besides the schema. */
export interface CloneContext {
  /** The remote's user names, or null when the remote refused the list (401/403). */
  users: string[] | null;
}

const SKIPPED: Partial<Record<FieldType, string>> = {
  autoincrement: 'the server assigns it; a clone cannot',
  page: 'refers to wiki content outside the tracker',
};

/** Maps each remote field per the transform table; local fields keep the remote's permanent names and order. */
export function planClone(remoteFields: readonly FieldDef[], context: CloneContext): { mappings: FieldMapping[]; localFields: FieldDef[] } {
  const mappings: FieldMapping[] = [];
  const localFields: FieldDef[] = [];
  for (const field of remoteFields) {
    const { mapping, local } = mapField(field, context);
    mappings.push(mapping);
    if (local) localFields.push(local);
  }
  return { mappings, localFields };
}

function mapField(field: FieldDef, context: CloneContext): { mapping: FieldMapping; local?: FieldDef } {
  const base = { name: field.name, remoteType: field.type };
  const skipped = SKIPPED[field.type];
  if (skipped) return { mapping: { ...base, action: 'skipped', reason: skipped } };
  const copy: FieldDef = { name: field.name, label: field.label, type: field.type, required: field.required };
  if (field.type === 'user') {
    if (context.users && context.users.length > 0) {
      const options = [...new Set(context.users)].sort();
      return {
        mapping: { ...base, action: 'transformed', localType: 'dropdown', reason: "user -> dropdown of the remote's user names" },
        local: { ...copy, type: 'dropdown', options },
      };
    }
    return {
      mapping: { ...base, action: 'transformed', localType: 'text', reason: 'user -> text: the remote refused the user list' },
      local: { ...copy, type: 'text' },
    };
  }
  if (field.type === 'itemlink') {
    return {
      mapping: { ...base, action: 'transformed', localType: 'text', reason: "itemlink -> text holding the linked item's title" },
      local: { ...copy, type: 'text', required: false },
    };
  }
  if (field.options) copy.options = [...field.options];
  // A key stays a key only where the values stay what they are: a transformed field's values are the clone's own.
  if (field.key) copy.key = true;
  return { mapping: { ...base, action: 'kept', localType: field.type }, local: copy };
}

/** Resolves a linked item's title for an itemlink -> text field. */
export type TitleOf = (linkedTracker: number | undefined, itemId: number) => string | undefined;

/** The local value of a remote field value, by its mapping. */
export function remoteValueToLocal(mapping: FieldMapping, remoteField: FieldDef | undefined, value: FieldValue, titleOf: TitleOf): FieldValue {
  if (value === null || mapping.action === 'skipped') return null;
  if (mapping.remoteType === 'itemlink' && mapping.action === 'transformed') {
    return typeof value === 'number' ? (titleOf(remoteField?.linkedTracker, value) ?? `#${value}`) : null;
  }
  return normalizeValue(mapping.localType ?? mapping.remoteType, value);
}

const fieldsByName = new WeakMap<readonly FieldDef[], Map<string, FieldDef>>();

/** Maps a whole remote values object to local values (skipped fields dropped), each value canonical for its local type. */
export function remoteValuesToLocal(mappings: readonly FieldMapping[], remoteFields: readonly FieldDef[], values: Readonly<Values>, titleOf: TitleOf): Values {
  // A feed maps thousands of items with one schema: index it once.
  let byName = fieldsByName.get(remoteFields);
  if (!byName) fieldsByName.set(remoteFields, (byName = new Map(remoteFields.map((f) => [f.name, f]))));
  const out: Values = {};
  for (const mapping of mappings) {
    if (mapping.action === 'skipped') continue;
    const value = remoteValueToLocal(mapping, byName.get(mapping.name), values[mapping.name] ?? null, titleOf);
    if (value !== null) out[mapping.name] = value;
  }
  return out;
}

/** Whether a local edit of this field can be sent back: transformed itemlinks hold a title, not an id. */
export function isPushable(mapping: FieldMapping | undefined): boolean {
  if (!mapping || mapping.action === 'skipped') return false;
  return !(mapping.remoteType === 'itemlink' && mapping.action === 'transformed');
}

/** The names of the local fields that travel back to the remote (plus the status pseudo-field). */
export function pushableFieldNames(mappings: readonly FieldMapping[]): Set<string> {
  return new Set([STATUS_FIELD, ...mappings.filter(isPushable).map((m) => m.name)]);
}

export interface SchemaDiff {
  added: string[];
  removed: string[];
  retyped: { name: string; from: FieldType; to: FieldType }[];
  /** Fields whose options, label, required or key flag changed. */
  changed: string[];
}

/** What changed between the remote schema seen at the clone (or last reload) and now. */
export function diffSchema(before: readonly FieldDef[], after: readonly FieldDef[]): SchemaDiff {
  const old = new Map(before.map((f) => [f.name, f]));
  const now = new Map(after.map((f) => [f.name, f]));
  const diff: SchemaDiff = { added: [], removed: [], retyped: [], changed: [] };
  for (const field of after) {
    const prior = old.get(field.name);
    if (!prior) diff.added.push(field.name);
    else if (prior.type !== field.type) diff.retyped.push({ name: field.name, from: prior.type, to: field.type });
    else if (
      prior.label !== field.label ||
      prior.required !== field.required ||
      JSON.stringify(prior.options ?? null) !== JSON.stringify(field.options ?? null) ||
      prior.linkedTracker !== field.linkedTracker ||
      (prior.key === true) !== (field.key === true)
    ) {
      diff.changed.push(field.name);
    }
  }
  for (const field of before) if (!now.has(field.name)) diff.removed.push(field.name);
  return diff;
}

export function isEmptyDiff(diff: SchemaDiff): boolean {
  return diff.added.length + diff.removed.length + diff.retyped.length + diff.changed.length === 0;
}
