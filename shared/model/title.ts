/** The one title rule (DESIGN §9): an item is named by the first line of its tracker's first text field, wherever it is listed. */
import type { FieldDef } from './fields.js';

/** The field that names an item: the first of type text; undefined when the tracker has none. */
export function titleField<F extends Pick<FieldDef, 'name' | 'type'>>(fields: readonly F[]): F | undefined {
  return fields.find((f) => f.type === 'text');
}

/** The title a given title field gives: the first line of its value ('' when it has none), so a list row stays one row. */
export function titleFromField(field: Pick<FieldDef, 'name'> | undefined, values: Readonly<Record<string, unknown>>): string {
  const value = field && Object.hasOwn(values, field.name) ? values[field.name] : undefined;
  return typeof value === 'string' ? (value.split(/\r?\n/, 1)[0] ?? '') : '';
}

/** An item's title under the rule; '' when the tracker has no text field or the item no value there. */
export function itemTitle(fields: readonly Pick<FieldDef, 'name' | 'type'>[], values: Readonly<Record<string, unknown>>): string {
  return titleFromField(titleField(fields), values);
}
