/** The JSON shapes of `tracker import` / `tracker export` and `--field` specs: checked, with unknown keys named, never silently dropped. */
import { readFileSync } from 'node:fs';
import type { HubStore, NewTracker, Tracker } from '../../server/store/index.js';
import { BadInput } from '../../shared/errors.js';
import { MAX_PROBLEMS, type Problem, clipText } from '../../shared/model/fields.js';
import { note } from './context.js';

export interface ImportFile {
  name: string;
  description?: string;
  fields: { name: string; label?: string; type: string; options?: string[]; required?: boolean; linkedTracker?: number; key?: boolean }[];
  items?: { status?: unknown; values: unknown }[];
}

/**
 * `name[!][*]:type[:opt1,opt2,...]`; a `!` after the name makes the field required, a `*` makes
 * it a key (`email*:email`), in either order; options may hold ':'.
 */
export function parseFieldSpec(spec: string): ImportFile['fields'][number] {
  const [rawName = '', type = '', ...rest] = spec.split(':');
  const marks = /[!*]{0,2}$/.exec(rawName)![0];
  const name = rawName.slice(0, rawName.length - marks.length);
  if (name === '' || type === '' || new Set(marks).size !== marks.length) {
    throw new BadInput(`--field ${spec}: expected name[!][*]:type[:opt1,opt2]`, [{ field: '--field', reason: 'expected name[!][*]:type[:options] (! required, * key)' }]);
  }
  const options = rest.length > 0 ? rest.join(':').split(',').map((o) => o.trim()).filter((o) => o.length > 0) : undefined;
  return { name, type, required: marks.includes('!'), ...(marks.includes('*') ? { key: true } : {}), ...(options !== undefined ? { options } : {}) };
}

/** In a spec, an itemlink's one "option" names the tracker it links to: `owner:itemlink:People`. */
export async function linkSpec(hub: HubStore, field: ImportFile['fields'][number]): Promise<ImportFile['fields'][number]> {
  if (field.type !== 'itemlink' || field.options?.length !== 1 || field.linkedTracker !== undefined) return field;
  const { options, ...rest } = field;
  const linked = await hub.findTracker(options[0]!);
  if (!linked) throw new BadInput(`--field ${field.name}: unknown tracker "${options[0]}" to link to`, [{ field: field.name, reason: 'unknown linked tracker' }]);
  return { ...rest, linkedTracker: linked.id };
}

export function describeTracker(tracker: Tracker, items?: number): string {
  const lines = [`tracker ${tracker.id} "${tracker.name}"${items !== undefined ? `, ${items} item${items === 1 ? '' : 's'} imported` : ''}`];
  if (tracker.description) lines.push(`  ${tracker.description}`);
  for (const f of tracker.fields) lines.push(`  ${f.name}${f.required ? '!' : ''}${f.key ? '*' : ''}: ${f.type}${f.options ? ` (${f.options.join(', ')})` : ''}${f.linkedTracker !== undefined ? ` (links to tracker ${f.linkedTracker})` : ''}`);
  lines.push(`  statuses: ${tracker.statuses.join(', ')}`, `  schema hash: ${tracker.schemaHash}`);
  return lines.join('\n');
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const FILE_KEYS = ['name', 'description', 'fields', 'items'];
const FIELD_KEYS = ['name', 'label', 'type', 'options', 'required', 'linkedTracker', 'key'];
const ITEM_KEYS = ['status', 'values'];

/**
 * Keys of `value` that are not in `known`, named by their path. They are ignored, not refused
 * (DESIGN §6: more keys are welcome, so a file from a newer version imports), and the command
 * names them on stderr, so a typo like "requried" does not pass unseen.
 */
function unknownKeys(value: object, known: readonly string[], at: string): string[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => `${at}${clipText(key)}`);
}

interface Shapes {
  problems: Problem[];
  ignored: string[];
}

/**
 * The shape of field definitions (import file, --fields): objects with a string label; unknown
 * keys are collected. Names, types, options and the rest are checked by the store, which names
 * each problem.
 */
export function checkFieldShapes(fields: unknown): Shapes {
  const shapes: Shapes = { problems: [], ignored: [] };
  if (!Array.isArray(fields)) return shapes;
  fields.forEach((field: unknown, i) => {
    if (!isObject(field)) return;
    const at = `fields[${i}].`;
    shapes.ignored.push(...unknownKeys(field as object, FIELD_KEYS, at));
    const label = (field as { label?: unknown }).label;
    if (label !== undefined && typeof label !== 'string') shapes.problems.push({ field: `${at}label`, reason: 'must be a string' });
  });
  return shapes;
}

/** Says on stderr which keys were ignored (stdout stays the result's alone). */
export function noteIgnored(ignored: readonly string[], where: string): void {
  if (ignored.length === 0) return;
  const shown = ignored.slice(0, MAX_PROBLEMS).join(', ');
  const more = ignored.length > MAX_PROBLEMS ? ` and ${ignored.length - MAX_PROBLEMS} more` : '';
  note(`s15n: warning: ${where}: ignored unknown key${ignored.length === 1 ? '' : 's'} ${shown}${more} (known: ${FILE_KEYS.join(', ')}; a field: ${FIELD_KEYS.join(', ')}; an item: ${ITEM_KEYS.join(', ')})`);
}

export function refuseProblems(problems: Problem[], what: string): void {
  if (problems.length > 0) throw BadInput.from(problems.slice(0, MAX_PROBLEMS), what);
}

/** Checks an import file's shape; the tracker, its fields and items are then checked by the store, in one transaction. */
export async function importTracker(hub: HubStore, file: ImportFile): Promise<{ tracker: Tracker; items: number; ignored: string[] }> {
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new BadInput('import file: expected a JSON object {"name", "fields", "items"?}', [{ field: 'file', reason: 'expected an object' }]);
  if (file.items !== undefined && !Array.isArray(file.items)) throw new BadInput('items: expected an array', [{ field: 'items', reason: 'expected an array' }]);
  const fields = checkFieldShapes(file.fields);
  refuseProblems(fields.problems, 'invalid import file');
  const ignored = [...unknownKeys(file, FILE_KEYS, ''), ...fields.ignored];
  // An item without its "values" wrapper would otherwise import as an empty item.
  const unwrapped: Problem[] = [];
  (file.items ?? []).forEach((item, i) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && isObject(item.values)) ignored.push(...unknownKeys(item, ITEM_KEYS, `items[${i}].`));
    else unwrapped.push({ field: `items[${i}]`, reason: 'expected {"status"?, "values": {...}}' });
  });
  refuseProblems(unwrapped, 'invalid import file');
  const input: NewTracker = { name: file.name, description: file.description, fields: file.fields };
  const items = (file.items ?? []).map((item) => ({ status: item.status, values: item.values }));
  return { ...(await hub.importTracker(input, items, null)), ignored };
}

/** The import shape of a tracker with its items; server-assigned values are left out so it imports again. */
export async function exportTracker(hub: HubStore, tracker: Tracker): Promise<ImportFile> {
  const assigned = new Set(tracker.fields.filter((f) => f.type === 'autoincrement').map((f) => f.name));
  return {
    name: tracker.name,
    description: tracker.description,
    fields: tracker.fields.map((f) => ({ name: f.name, label: f.label, type: f.type, ...(f.options ? { options: f.options } : {}), required: f.required, ...(f.linkedTracker !== undefined ? { linkedTracker: f.linkedTracker } : {}), ...(f.key ? { key: true } : {}) })),
    items: (await hub.listItems(tracker.id)).map((item) => ({
      status: item.status,
      values: Object.fromEntries(Object.entries(item.values).filter(([name]) => !assigned.has(name))),
    })),
  };
}

export function readText(file: string): string {
  return readBytes(file).toString('utf8');
}

/** A file's bytes, or a usage error naming it. */
export function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new BadInput(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, [{ field: 'file', reason: 'unreadable' }]);
  }
}
