/** `s15n item list|show|add|edit|delete TRACKER ...`: local items, with --set FIELD=VALUE or --values JSON. */
import type { Command } from 'commander';
import type { Item, Tracker } from '../../../server/store/index.js';
import { itemToWire } from '../../../server/store/index.js';
import { BadInput, NotFound } from '../../../shared/errors.js';
import { isStatus } from '../../../shared/model/fields.js';
import { formatSize, isFileList } from '../../../shared/model/files.js';
import { itemTitle } from '../../../shared/model/title.js';
import { collect, output, parseId, parseJson, withHub } from '../context.js';
import { parseSets } from '../set-values.js';
import { table } from '../table.js';
import { registerItemFiles } from './item-files.js';

/** The item's title, by the one title rule (the first line of the first text field). */
export function titleOf(tracker: Tracker, item: Item): string {
  return itemTitle(tracker.fields, item.values);
}

function line(tracker: Tracker, item: Item): string {
  return `${item.id}  ${item.status}  v${item.version}  ${titleOf(tracker, item)}`.trimEnd();
}

function itemTable(tracker: Tracker, items: Item[]): string {
  return table(['ID', 'STATUS', 'VERSION', 'TITLE'], items.map((i) => [String(i.id), i.status, String(i.version), titleOf(tracker, i)]));
}

function detail(tracker: Tracker, item: Item): string {
  const lines = [`item ${item.id} in ${tracker.name}: ${item.status}, version ${item.version}, updated ${item.updatedAt}${item.updatedBy ? ` by ${item.updatedBy}` : ''}`];
  for (const f of tracker.fields) {
    const v = item.values[f.name];
    if (v === undefined) continue;
    if (f.type === 'files' && Array.isArray(v) && isFileList(v)) {
      // One line per attachment: its name, size, type and the start of its sha256 (what `item file` also takes).
      lines.push(`  ${f.label || f.name}: ${v.length} file${v.length === 1 ? '' : 's'}`);
      for (const file of v) lines.push(`    ${file.name}  ${formatSize(file.size)}  ${file.type}  sha256 ${file.sha256.slice(0, 12)}`);
    } else lines.push(`  ${f.label || f.name}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  }
  return lines.join('\n');
}

interface ValueOptions {
  set?: string[];
  values?: string;
  status?: string;
}

function checkStatusOption(status: string | undefined): void {
  if (status !== undefined && !isStatus(status)) throw new BadInput(`--status: "${status}" is not one of open, pending, closed`, [{ field: 'status', reason: 'one of open, pending, closed' }]);
}

function single<T>(list: T[]): T | T[] {
  return list.length === 1 ? list[0]! : list;
}

/** `--values` of `item add`: one values object, or an array of them or of {"status","values"}, with the `--set`s applied to each. */
function newItemsOf(tracker: Tracker, opts: ValueOptions): { inputs: { status: unknown; values: unknown }[]; many: boolean } {
  const sets = parseSets(tracker.fields, opts.set ?? []);
  const parsed = opts.values === undefined ? {} : parseJson(opts.values, '--values');
  const inputs = (Array.isArray(parsed) ? parsed : [parsed]).map((entry: unknown) => {
    const isItem = entry !== null && typeof entry === 'object' && !Array.isArray(entry) && 'values' in entry && Object.keys(entry).every((k) => k === 'values' || k === 'status');
    const { status, values } = isItem ? (entry as { status?: unknown; values: unknown }) : { status: undefined, values: entry };
    const merged = values !== null && typeof values === 'object' && !Array.isArray(values) ? { ...(values as object), ...sets } : values;
    return { status: status ?? opts.status, values: merged };
  });
  if (inputs.length === 0) throw new BadInput('--values: an empty array adds nothing', [{ field: '--values', reason: 'empty array' }]);
  return { inputs, many: Array.isArray(parsed) };
}

/** The one change of `item edit`: `--values` (an object; null clears) with the `--set`s over it. */
function changeOf(tracker: Tracker, opts: ValueOptions): Record<string, unknown> {
  const parsed = opts.values === undefined ? {} : parseJson(opts.values, '--values');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BadInput('--values: expected a JSON object', [{ field: '--values', reason: 'expected an object' }]);
  const values = { ...(parsed as object), ...parseSets(tracker.fields, opts.set ?? []) };
  if (Object.keys(values).length === 0 && opts.status === undefined) throw new BadInput('nothing to change: give --set, --values or --status', [{ field: '--set', reason: 'missing' }]);
  return values;
}

async function listItems(ref: string, opts: { status?: string; limit?: string }, command: Command): Promise<void> {
  checkStatusOption(opts.status);
  const limit = opts.limit === undefined ? undefined : parseId(opts.limit, '--limit');
  await withHub(command, async (hub) => {
    const tracker = await hub.getTracker(ref);
    // Without a status filter the store stops at the limit instead of reading every item.
    let items = await hub.listItems(tracker.id, opts.status === undefined && limit !== undefined ? { limit } : {});
    if (opts.status) items = items.filter((i) => i.status === opts.status);
    if (limit !== undefined) items = items.slice(0, limit);
    output(command, items.map(itemToWire), () => (items.length === 0 ? 'no items' : itemTable(tracker, items)));
  });
}

async function showItem(ref: string, id: string, _opts: unknown, command: Command): Promise<void> {
  const itemId = parseId(id);
  await withHub(command, async (hub) => {
    const tracker = await hub.getTracker(ref);
    const found = await hub.getItem(tracker.id, itemId);
    if (!found) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    output(command, itemToWire(found), () => detail(tracker, found));
  });
}

async function addItems(ref: string, opts: ValueOptions, command: Command): Promise<void> {
  checkStatusOption(opts.status);
  await withHub(command, async (hub) => {
    const tracker = await hub.getTracker(ref);
    const { inputs, many } = newItemsOf(tracker, opts);
    const created = await hub.createItems(tracker.id, inputs, null, { indexed: many });
    output(command, many ? created.map(itemToWire) : itemToWire(created[0]!), () => created.map((i) => `added ${line(tracker, i)}`).join('\n'));
  });
}

async function editItems(ref: string, ids: string[], opts: ValueOptions, command: Command): Promise<void> {
  checkStatusOption(opts.status);
  const itemIds = ids.map((id) => parseId(id));
  await withHub(command, async (hub) => {
    const tracker = await hub.getTracker(ref);
    const values = changeOf(tracker, opts);
    const updated = await hub.updateItems(tracker.id, itemIds, { status: opts.status, values }, null);
    output(command, single(updated.map(itemToWire)), () => updated.map((i) => `edited ${line(tracker, i)}`).join('\n'));
  });
}

async function deleteItems(ref: string, ids: string[], _opts: unknown, command: Command): Promise<void> {
  const itemIds = ids.map((id) => parseId(id));
  await withHub(command, async (hub) => {
    const tracker = await hub.getTracker(ref);
    await hub.deleteItems(tracker.id, itemIds, null);
    output(command, { deleted: itemIds }, `deleted ${itemIds.length} item${itemIds.length === 1 ? '' : 's'} from ${tracker.name}`);
  });
}

const SET_HELP = 'a field value, repeatable; the value is parsed by the field type; empty clears';

export function registerItem(program: Command): void {
  const item = program.command('item').description('list, show, add, edit and delete local items');
  item.command('list <tracker>').description('list the items of a tracker').option('--status <status>', 'only items with this status').option('--limit <n>', 'at most N items').action(listItems);
  item.command('show <tracker> <id>').description('show one item').action(showItem);
  item
    .command('add <tracker>')
    .description('add an item (--set FIELD=VALUE, --values JSON object), or many in one transaction (--values JSON array)')
    .option('--set <field=value>', SET_HELP, collect)
    .option('--values <json>', 'a JSON object of values, or an array of them (or of {"status","values"}) for many items')
    .option('--status <status>', 'open (default), pending or closed')
    .action(addItems);
  item
    .command('edit <tracker> <ids...>')
    .description('apply one change to one or more items in one transaction (--set FIELD=VALUE, --values JSON, --status)')
    .option('--set <field=value>', SET_HELP, collect)
    .option('--values <json>', 'a JSON object of values (null clears a field)')
    .option('--status <status>', 'open, pending or closed')
    .action(editItems);
  item.command('delete <tracker> <ids...>').description('delete items (they stay as tombstones in the change feed)').action(deleteItems);
  registerItemFiles(item);
}
