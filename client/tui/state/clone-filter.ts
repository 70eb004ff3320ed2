/**
 * The filter step of the clone wizard (pure): a selector typed as JSON, or one condition built
 * from a field and its values, checked against the remote's fields by the one selector module
 * (shared/model/selector.ts), strictly, as `clone --where` checks it.
 */
import { type FieldDef, type Problem, STATUSES, STATUS_FIELD, STATUS_FIELD_DEF } from '../../../shared/model/fields.js';
import { parseFieldText } from '../../../shared/model/parse.js';
import { parseSelectorText } from '../../../shared/model/selector.js';
import type { FieldValue } from '../../../shared/model/values.js';

export type FilterCheck = { ok: true; where: string | null } | { ok: false; problems: Problem[] };

/** The fields a condition can be built on: the status first, then the remote's fields. */
export function filterFields(remoteFields: readonly FieldDef[]): FieldDef[] {
  return [STATUS_FIELD_DEF, ...remoteFields];
}

/** The values a field is picked from (a pick list), or null when they are typed. */
export function filterOptions(field: FieldDef): string[] | null {
  if (field.name === STATUS_FIELD) return [...STATUSES];
  return field.options && field.options.length > 0 ? [...field.options] : null;
}

/** A typed selector: blank is no filter; anything else is checked as `clone --where` checks it. */
export function checkFilter(remoteFields: readonly FieldDef[], text: string): FilterCheck {
  if (text.trim() === '') return { ok: true, where: null };
  const checked = parseSelectorText(text.trim(), remoteFields, { strict: true });
  return checked.ok ? { ok: true, where: JSON.stringify(checked.selector.source) } : { ok: false, problems: checked.problems };
}

/** The values typed for a field, comma-separated, each read by the field type's one parser. */
function typedValues(field: FieldDef, text: string): { values: FieldValue[] } | { problem: Problem } {
  if (field.type === 'files') return { problem: { field: field.name, reason: 'attachments are not compared by value; type a selector with $exists instead' } };
  const values: FieldValue[] = [];
  for (const piece of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const parsed = parseFieldText(field, piece);
    if (!parsed.ok) return { problem: { field: field.name, reason: `"${piece}": ${parsed.reason}` } };
    values.push(...(Array.isArray(parsed.value) ? (parsed.value as string[]) : [parsed.value]));
  }
  return { values };
}

/**
 * Adds "field is one of these values" to the selector so far (it replaces what the selector said
 * of that field): one value is an equality, several an `$in` (on a set field: any of them).
 */
export function buildFilter(remoteFields: readonly FieldDef[], where: string | null, field: FieldDef, picked: readonly string[] | string): FilterCheck {
  const typed = typeof picked === 'string' ? typedValues(field, picked) : { values: [...picked] };
  if ('problem' in typed) return { ok: false, problems: [typed.problem] };
  if (typed.values.length === 0) return { ok: false, problems: [{ field: field.name, reason: 'pick or type at least one value' }] };
  const selector = where === null ? {} : (JSON.parse(where) as Record<string, unknown>);
  selector[field.name] = typed.values.length === 1 ? typed.values[0] : { $in: typed.values };
  return checkFilter(remoteFields, JSON.stringify(selector));
}
