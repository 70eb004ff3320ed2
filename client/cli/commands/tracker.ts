/** `s15n tracker create|import|export|list`: trackers of this instance and their schema. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Store, Tracker } from '../../../server/store/index.js';
import { trackerToWire } from '../../../server/store/index.js';
import { BadInput } from '../../../shared/errors.js';
import { ReplicaState } from '../../sync/replica-state.js';
import { collect, output, parseJson, readStdin, withStore } from '../context.js';

interface ImportFile {
  name: string;
  description?: string;
  fields: { name: string; label?: string; type: string; options?: string[]; required?: boolean; linkedTracker?: number }[];
  items?: { status?: unknown; values: unknown }[];
}

/** `name[!]:type[:opt1,opt2,...]`; a `!` after the name makes the field required. */
export function parseFieldSpec(spec: string): ImportFile['fields'][number] {
  const [rawName = '', type = '', options] = spec.split(':');
  if (rawName === '' || type === '') throw new BadInput(`--field ${spec}: expected name[!]:type[:opt1,opt2]`, [{ field: '--field', reason: 'expected name[!]:type[:options]' }]);
  const required = rawName.endsWith('!');
  const name = required ? rawName.slice(0, -1) : rawName;
  return { name, type, required, ...(options !== undefined ? { options: options.split(',').map((o) => o.trim()).filter((o) => o.length > 0) } : {}) };
}

function describeTracker(tracker: Tracker, items?: number): string {
  const lines = [`tracker ${tracker.id} "${tracker.name}"${items !== undefined ? `, ${items} items` : ''}`];
  for (const f of tracker.fields) lines.push(`  ${f.name}${f.required ? '!' : ''}: ${f.type}${f.options ? ` (${f.options.join(', ')})` : ''}`);
  return lines.join('\n');
}

function importTracker(store: Store, file: ImportFile): { tracker: Tracker; items: number } {
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new BadInput('import file: expected a JSON object {"name", "fields", "items"?}', [{ field: 'file', reason: 'expected an object' }]);
  if (file.items !== undefined && !Array.isArray(file.items)) throw new BadInput('items: expected an array', [{ field: 'items', reason: 'expected an array' }]);
  return store.transaction(() => {
    const tracker = store.createTracker({ name: file.name, description: file.description, fields: file.fields });
    const items = file.items ?? [];
    if (items.length > 0) store.createItems(tracker.id, items, null, { indexed: true });
    return { tracker, items: items.length };
  });
}

/** The import shape of a tracker with its items; server-assigned values are left out so it imports again. */
export function exportTracker(store: Store, tracker: Tracker): ImportFile {
  const assigned = new Set(tracker.fields.filter((f) => f.type === 'autoincrement').map((f) => f.name));
  return {
    name: tracker.name,
    description: tracker.description,
    fields: tracker.fields.map((f) => ({ name: f.name, label: f.label, type: f.type, ...(f.options ? { options: f.options } : {}), required: f.required, ...(f.linkedTracker !== undefined ? { linkedTracker: f.linkedTracker } : {}) })),
    items: store.listItems(tracker.id).map((item) => ({
      status: item.status,
      values: Object.fromEntries(Object.entries(item.values).filter(([name]) => !assigned.has(name))),
    })),
  };
}

export function registerTracker(program: Command): void {
  const tracker = program.command('tracker').description('create, import, export and list trackers');
  tracker
    .command('create <name>')
    .description('create a tracker; fields as --field name[!]:type[:opt1,opt2] (! = required), e.g. --field title!:text --field prio:dropdown:low,high')
    .option('--description <text>', 'what the tracker is for')
    .option('--field <spec>', 'a field (repeatable)', collect, [])
    .option('--fields <json>', 'the fields as a JSON array [{"name","label"?,"type","options"?,"required"?}]')
    .action(async (name: string, opts: { description?: string; field: string[]; fields?: string }, command: Command) => {
      const fields = [...(opts.fields ? (parseJson(opts.fields, '--fields') as ImportFile['fields']) : []), ...opts.field.map(parseFieldSpec)];
      if (!Array.isArray(fields)) throw new BadInput('--fields: expected a JSON array', [{ field: '--fields', reason: 'expected an array' }]);
      await withStore(command, (store) => {
        const created = store.createTracker({ name, description: opts.description, fields });
        output(command, { ...trackerToWire(created), items: 0 }, describeTracker(created));
      });
    });
  tracker
    .command('import <file>')
    .description('create a tracker and its items from a JSON file (- for stdin), all in one transaction')
    .action(async (file: string, _opts, command: Command) => {
      const text = file === '-' ? await readStdin() : readText(file);
      const parsed = parseJson(text, file) as ImportFile;
      await withStore(command, (store) => {
        const { tracker: created, items } = importTracker(store, parsed);
        output(command, { ...trackerToWire(created), items }, describeTracker(created, items));
      });
    });
  tracker
    .command('export <tracker>')
    .description('print a tracker with its items as JSON, in the shape `tracker import` reads')
    .action(async (ref: string, _opts, command: Command) => {
      await withStore(command, (store) => {
        process.stdout.write(`${JSON.stringify(exportTracker(store, store.getTracker(ref)), null, 2)}\n`);
      });
    });
  tracker
    .command('list')
    .description('list the trackers (cloned ones with their remote)')
    .action(async (_opts, command: Command) => {
      await withStore(command, (store) => {
        const replicas = new ReplicaState(store);
        const rows = store.listTrackers().map((t) => {
          const replica = replicas.getReplica(t.id);
          return {
            id: t.id,
            name: t.name,
            description: t.description,
            schemaHash: t.schemaHash,
            items: store.countItems(t.id),
            ...(replica ? { remote: { name: replica.remoteName, trackerId: replica.remoteTrackerId, trackerName: replica.remoteTrackerName, lastSyncAt: replica.lastSyncAt } } : {}),
          };
        });
        output(command, rows, () =>
          rows.length === 0
            ? 'no trackers'
            : rows.map((r) => `${String(r.id).padStart(4)}  ${r.name}  (${r.items} items)${r.remote ? `  <- ${r.remote.name}:${r.remote.trackerName}, last sync ${r.remote.lastSyncAt ?? 'never'}` : ''}`).join('\n'),
        );
      });
    });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BadInput(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, [{ field: 'file', reason: 'unreadable' }]);
  }
}
