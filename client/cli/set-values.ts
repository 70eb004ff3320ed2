/** `--set FIELD=VALUE`: the text of a value parsed by the field's type, so a shell user can type it plainly. */
import { BadInput } from '../../shared/errors.js';
import type { FieldDef } from '../../shared/model/fields.js';
import { parseFieldText } from '../../shared/model/parse.js';
import type { FieldValue } from '../../shared/model/values.js';

/**
 * One value, read by the shared parser (the same reading as `resolve --value` and the TUI
 * editor); the empty text clears the field (null), the store then checks options, formats and
 * `required`. Text that is not of the field's type is refused here, naming the field.
 */
export function parseFieldValue(field: FieldDef, text: string): FieldValue {
  const parsed = parseFieldText(field, text);
  if (!parsed.ok) throw new BadInput(`--set ${field.name}: ${parsed.reason}, got "${text}"`, [{ field: field.name, reason: parsed.reason }]);
  return parsed.value;
}

/** Every `--set` of a command as one values object; an unknown field is refused with the known ones listed. */
export function parseSets(fields: readonly FieldDef[], sets: readonly string[]): Record<string, FieldValue> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const values: Record<string, FieldValue> = {};
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new BadInput(`--set ${set}: expected FIELD=VALUE`, [{ field: '--set', reason: 'expected FIELD=VALUE' }]);
    const name = set.slice(0, eq);
    const field = byName.get(name);
    if (!field) throw new BadInput(`--set ${name}: unknown field (fields: ${fields.map((f) => f.name).join(', ')})`, [{ field: name, reason: 'unknown field' }]);
    values[name] = parseFieldValue(field, set.slice(eq + 1));
  }
  return values;
}
