/**
 * Following the remote schema: what a reload does when the remote tracker's fields changed
 * (new fields and new options are adopted; removed and retyped fields stop being applied and
 * keep their local values), and the user-derived dropdown options refreshed on every reload.
 */
import type { TrackerSchemaBody } from '../../shared/api/schemas.js';
import { Forbidden, Unauthorized } from '../../shared/errors.js';
import type { FieldDef } from '../../shared/model/fields.js';
import { type FieldMapping, type SchemaDiff, diffSchema, planClone } from '../../shared/model/transform.js';
import type { RemoteClient } from '../remote/client.js';

/** The remote's fields with only the keys s15n knows (a newer peer may send more). */
export function toFieldDefs(fields: TrackerSchemaBody['fields']): FieldDef[] {
  return fields.map((f) => ({
    name: f.name,
    label: f.label,
    type: f.type,
    ...(f.options ? { options: [...f.options] } : {}),
    required: f.required,
    ...(f.linkedTracker !== undefined ? { linkedTracker: f.linkedTracker } : {}),
    ...(f.key ? { key: true } : {}),
  }));
}

/**
 * The remote's user names, fetched only when a user field needs them; null when the remote
 * refuses the list (the caller lacks the right), which turns user fields into text at a clone.
 */
export async function remoteUsers(client: RemoteClient, remoteFields: readonly FieldDef[]): Promise<string[] | null> {
  if (!remoteFields.some((f) => f.type === 'user')) return null;
  try {
    return await client.listUsers();
  } catch (error) {
    if (error instanceof Forbidden || error instanceof Unauthorized) return null;
    throw error;
  }
}

function isUserDropdown(mapping: FieldMapping): boolean {
  return mapping.remoteType === 'user' && mapping.action === 'transformed' && mapping.localType === 'dropdown';
}

/** Local fields with the options of user-derived dropdowns set to the remote's current users. */
export function refreshUserOptions(localFields: readonly FieldDef[], mappings: readonly FieldMapping[], users: readonly string[] | null): FieldDef[] {
  const userFields = new Set(mappings.filter(isUserDropdown).map((m) => m.name));
  // An empty list would make the dropdown invalid; keep the old options rather than refuse every value.
  if (!users || users.length === 0 || userFields.size === 0) return localFields.map((f) => ({ ...f }));
  const options = [...new Set(users)].sort();
  return localFields.map((f) => (userFields.has(f.name) && f.type === 'dropdown' ? { ...f, options } : { ...f }));
}

export interface SchemaAdoption {
  diff: SchemaDiff;
  localFields: FieldDef[];
  mappings: FieldMapping[];
}

function adoptAttributes(local: FieldDef, planned: FieldDef): void {
  local.label = planned.label;
  local.required = planned.required;
  if (planned.key) local.key = true;
  else delete local.key;
  if (planned.type === local.type && planned.options) local.options = [...planned.options];
}

function stopped(field: { name: string; type: FieldDef['type'] }, reason: string): FieldMapping {
  return { name: field.name, remoteType: field.type, action: 'skipped', reason };
}

/**
 * Plans the local side of a remote schema change. Fields are matched by permanent name. A
 * local field is never dropped or retyped (that would lose local values): a field the remote
 * removed or retyped to something the local type cannot hold is only no longer applied.
 */
export function adoptRemoteSchema(
  localFields: readonly FieldDef[],
  before: { remoteFields: readonly FieldDef[]; mappings: readonly FieldMapping[] },
  remoteFields: readonly FieldDef[],
  users: string[] | null,
): SchemaAdoption {
  const diff = diffSchema(before.remoteFields, remoteFields);
  const plan = planClone(remoteFields, { users });
  const plannedLocal = new Map(plan.localFields.map((f) => [f.name, f]));
  const oldMappings = new Map(before.mappings.map((m) => [m.name, m]));
  const local = localFields.map((f) => ({ ...f }));
  const added = new Set(diff.added);
  const retyped = new Map(diff.retyped.map((r) => [r.name, r]));
  const changed = new Set(diff.changed);
  const mappings: FieldMapping[] = [];

  remoteFields.forEach((field, index) => {
    const planned = plan.mappings[index] as FieldMapping;
    const old = oldMappings.get(field.name);
    const existing = local.find((f) => f.name === field.name);
    const wanted = plannedLocal.get(field.name);
    const retype = retyped.get(field.name);
    if (added.has(field.name) || retype) {
      if (planned.action === 'skipped' || !wanted) {
        mappings.push(retype ? stopped(field, `the remote changed its type from ${retype.from} to ${retype.to} (${planned.reason ?? 'not replicated'}); no longer applied`) : planned);
      } else if (!existing) {
        local.push({ ...wanted });
        mappings.push(planned);
      } else if (existing.type === wanted.type) {
        adoptAttributes(existing, wanted);
        mappings.push(planned);
      } else {
        const why = retype ? `the remote changed its type from ${retype.from} to ${retype.to}` : 'the remote added it';
        mappings.push(stopped(field, `${why}, but the local field is a ${existing.type}; no longer applied`));
      }
      return;
    }
    if (!old) {
      mappings.push(planned);
      return;
    }
    if (changed.has(field.name) && old.action !== 'skipped' && existing && wanted) adoptAttributes(existing, wanted);
    mappings.push(old);
  });
  // Fields gone from the remote stay listed while a local field holds their values.
  const removed = new Set(diff.removed);
  const remoteNames = new Set(remoteFields.map((f) => f.name));
  for (const old of before.mappings) {
    if (remoteNames.has(old.name) || !local.some((f) => f.name === old.name)) continue;
    mappings.push(removed.has(old.name) ? stopped({ name: old.name, type: old.remoteType }, 'removed on the remote; the local field keeps its values') : old);
  }
  return { diff, localFields: local, mappings };
}

/** One line for the report's warnings. */
export function describeDiff(diff: SchemaDiff): string {
  const parts: string[] = [];
  if (diff.added.length > 0) parts.push(`added ${diff.added.join(', ')}`);
  if (diff.removed.length > 0) parts.push(`removed ${diff.removed.join(', ')}`);
  if (diff.retyped.length > 0) parts.push(`retyped ${diff.retyped.map((r) => `${r.name} (${r.from} -> ${r.to})`).join(', ')}`);
  if (diff.changed.length > 0) parts.push(`changed ${diff.changed.join(', ')}`);
  return `the remote schema changed: ${parts.join('; ')}`;
}
