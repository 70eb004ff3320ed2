/** `--set FIELD=VALUE`: the text of a value parsed by the field's type, so a shell user can type it plainly. */
import { BadInput } from '../../shared/errors.js';
import type { FieldDef } from '../../shared/model/fields.js';
import type { FieldValue } from '../../shared/model/values.js';

const TRUE = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);

function refuse(field: FieldDef, text: string, reason: string): never {
  throw new BadInput(`--set ${field.name}: ${reason}, got "${text}"`, [{ field: field.name, reason }]);
}

/** A list: a JSON array (`["a","b"]`) or comma-separated words (`a,b`). */
function parseList(field: FieldDef, text: string): FieldValue {
  if (!text.trim().startsWith('[')) return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    refuse(field, text, 'expected a JSON array of strings or comma-separated values');
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) refuse(field, text, 'expected a JSON array of strings');
  return parsed as string[];
}

/** One value; the empty text clears the field (null), the store then checks options, formats and `required`. */
export function parseFieldValue(field: FieldDef, text: string): FieldValue {
  if (text === '') return null;
  const t = text.trim();
  switch (field.type) {
    case 'number': {
      const n = Number(t);
      if (t === '' || !Number.isFinite(n)) refuse(field, text, 'expected a number');
      return n;
    }
    case 'itemlink': {
      if (!/^\d{1,15}$/.test(t)) refuse(field, text, 'expected an item id (an integer)');
      return Number(t);
    }
    case 'checkbox': {
      const word = t.toLowerCase();
      if (TRUE.has(word)) return true;
      if (FALSE.has(word)) return false;
      return refuse(field, text, 'expected true or false (yes/no, 1/0, on/off)');
    }
    case 'multiselect':
    case 'tags':
    case 'files':
      return parseList(field, text);
    default:
      return text;
  }
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
