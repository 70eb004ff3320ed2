/** A new tracker as given by a user (import file, --field, the API of a future version), checked into its definition. */
import { type FieldDef, type Problem, STATUSES, type ItemStatus, checkFieldDefs, isFieldType } from './fields.js';

export const MAX_TRACKER_NAME = 100;
/** PostgreSQL text cannot hold U+0000, so no engine takes it in a name or description (values are JSON, where it is escaped). */
const NO_NUL = 'must not contain the character U+0000';

export interface FieldInput {
  name: string;
  label?: string;
  type: string;
  options?: string[];
  required?: boolean;
  linkedTracker?: number;
}

export interface NewTracker {
  name: string;
  description?: string;
  fields: FieldInput[];
}

/** A tracker ready to store: trimmed name, fields checked, the statuses every tracker has. */
export interface TrackerDefinition {
  name: string;
  description: string;
  fields: FieldDef[];
  statuses: ItemStatus[];
}

function fieldFromInput(input: FieldInput, at: string, trackerExists: (id: number) => boolean, problems: Problem[]): FieldDef {
  if (input === null || typeof input !== 'object') {
    problems.push({ field: at, reason: 'must be an object' });
    return { name: '', label: '', type: 'text', required: false };
  }
  const type = isFieldType(input.type) ? input.type : (String(input.type) as FieldDef['type']);
  const field: FieldDef = {
    name: String(input.name ?? ''),
    label: typeof input.label === 'string' && input.label.length > 0 ? input.label : String(input.name ?? ''),
    type,
    required: input.required === true,
  };
  if (input.required !== undefined && typeof input.required !== 'boolean') problems.push({ field: `${at}.required`, reason: 'must be true or false' });
  if (type === 'dropdown' || type === 'multiselect') {
    if (input.options !== undefined && !Array.isArray(input.options)) problems.push({ field: `${at}.options`, reason: 'must be an array of strings' });
    field.options = Array.isArray(input.options) ? input.options : [];
  }
  if (type === 'itemlink') {
    if (input.linkedTracker === undefined) {
      problems.push({ field: `${at}.linkedTracker`, reason: 'an itemlink field names the tracker it links to' });
    } else if (!Number.isSafeInteger(input.linkedTracker) || !trackerExists(input.linkedTracker)) {
      problems.push({ field: `${at}.linkedTracker`, reason: `no tracker with id ${String(input.linkedTracker)}` });
    } else {
      field.linkedTracker = input.linkedTracker;
    }
  }
  return field;
}

/**
 * Checks a new tracker; `trackerExists` answers whether an itemlink's linked tracker is there.
 * Every problem is named by its field; an empty list means the definition can be stored.
 */
export function checkNewTracker(input: NewTracker, trackerExists: (id: number) => boolean): { definition: TrackerDefinition; problems: Problem[] } {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  const problems: Problem[] = [];
  if (name.length === 0 || name.length > MAX_TRACKER_NAME) problems.push({ field: 'name', reason: `1 to ${MAX_TRACKER_NAME} characters` });
  else if (/^\d+$/.test(name)) problems.push({ field: 'name', reason: 'must not be all digits (digits name a tracker by id)' });
  else if (name.includes('\u0000')) problems.push({ field: 'name', reason: NO_NUL });
  if (input.description !== undefined && typeof input.description !== 'string') problems.push({ field: 'description', reason: 'must be a string' });
  else if (input.description?.includes('\u0000')) problems.push({ field: 'description', reason: NO_NUL });
  if (!Array.isArray(input.fields)) problems.push({ field: 'fields', reason: 'must be an array of fields' });
  const fields = Array.isArray(input.fields) ? input.fields.map((f, i) => fieldFromInput(f, `fields[${i}]`, trackerExists, problems)) : [];
  problems.push(...checkFieldDefs(fields));
  return { definition: { name, description: input.description ?? '', fields, statuses: [...STATUSES] }, problems };
}

/** A tracker reference as users write it: an id (a number or an all-digits string) or an exact name. */
export function trackerRefIsId(ref: string | number): boolean {
  return typeof ref === 'number' || /^\d{1,15}$/.test(ref);
}
