/** `s15n tracker create|import|export|list|field`: trackers of this instance and their schema. */
import type { Command } from 'commander';
import { SqliteHub, trackerToWire } from '../../../server/store/index.js';
import { BadInput } from '../../../shared/errors.js';
import { FIELD_TYPES } from '../../../shared/model/fields.js';
import { ReplicaState } from '../../replica/index.js';
import { collect, output, parseJson, printJson, readStdin, withHub } from '../context.js';
import { table } from '../table.js';
import { registerTrackerField } from '../tracker-field.js';
import { type ImportFile, checkFieldShapes, describeTracker, exportTracker, importTracker, linkSpec, noteIgnored, parseFieldSpec, readBytes, readText, refuseProblems } from '../tracker-file.js';

const FIELD_SPEC_HELP = `
Field spec: name[!]:type[:opt1,opt2,...]
  a trailing ! on the name makes the field required; a trailing * (name*, name!*) makes it a
  key: unique among live items, and a pushed create with an item's key values is matched to
  it; options are for dropdown and multiselect;
  an itemlink names the tracker it links to (id or name): owner:itemlink:People.
  types: ${FIELD_TYPES.join(', ')}

Example:
  s15n tracker create Bugs --field 'title!:text' --field 'prio:dropdown:low,medium,high' --field 'tags:tags'
  s15n tracker create People --field 'email!*:email' --field 'name:text'`;

async function createTracker(name: string, opts: { description?: string; field?: string[]; fields?: string }, command: Command): Promise<void> {
  const fromJson = opts.fields === undefined ? [] : parseJson(opts.fields, '--fields');
  if (!Array.isArray(fromJson)) throw new BadInput('--fields: expected a JSON array', [{ field: '--fields', reason: 'expected an array' }]);
  const shapes = checkFieldShapes(fromJson);
  refuseProblems(shapes.problems, 'invalid --fields');
  const fields = [...(fromJson as ImportFile['fields']), ...(opts.field ?? []).map(parseFieldSpec)];
  await withHub(command, async (hub) => {
    const linked = await Promise.all(fields.map((f) => linkSpec(hub, f)));
    const created = await hub.createTracker({ name, description: opts.description, fields: linked });
    noteIgnored(shapes.ignored, '--fields');
    output(command, { ...trackerToWire(created), items: 0, ...(shapes.ignored.length > 0 ? { ignored: shapes.ignored } : {}) }, describeTracker(created));
  });
}

interface ImportOptions {
  into?: string;
  match?: string;
  dryRun?: boolean;
}

async function importFile(file: string, opts: ImportOptions, command: Command): Promise<void> {
  if (file.toLowerCase().endsWith('.csv') && opts.into === undefined) {
    throw new BadInput(`${file}: a CSV file brings items into a tracker that exists: give --into TRACKER`, [{ field: '--into', reason: 'required for a CSV file' }]);
  }
  if (opts.into === undefined && (opts.match !== undefined || opts.dryRun)) {
    throw new BadInput('--match and --dry-run go with --into (a CSV import)', [{ field: '--into', reason: 'missing' }]);
  }
  if (opts.into !== undefined) {
    const bytes = file === '-' ? await readStdin() : readBytes(file);
    const into = opts.into;
    const { printImport } = await import('../csv.js');
    await withHub(command, async (hub) => printImport(command, hub, await hub.getTracker(into), bytes, opts));
    return;
  }
  const text = file === '-' ? await readStdin() : readText(file);
  const parsed = parseJson(text, file) as ImportFile;
  await withHub(command, async (hub) => {
    const { tracker: created, items, ignored } = await importTracker(hub, parsed);
    noteIgnored(ignored, file);
    output(command, { ...trackerToWire(created), items, ...(ignored.length > 0 ? { ignored } : {}) }, describeTracker(created, items));
  });
}

async function exportFile(ref: string, opts: { csv?: boolean }, command: Command): Promise<void> {
  const { exportCsv } = opts.csv ? await import('../csv.js') : { exportCsv: null };
  await withHub(command, async (hub) => {
    const tracker = await hub.getTracker(ref);
    if (exportCsv) await exportCsv(hub, tracker);
    else printJson(await exportTracker(hub, tracker));
  });
}

interface TrackerRow {
  id: number;
  name: string;
  description: string;
  schemaHash: string;
  items: number;
  /** `where`: a partial clone's selector (only the matching items are cloned), null for a full clone. */
  remote?: { name: string; trackerId: number; trackerName: string; lastSyncAt: string | null; where: Record<string, unknown> | null };
}

async function listTrackers(_opts: unknown, command: Command): Promise<void> {
  await withHub(command, async (hub) => {
    // Where a tracker was cloned from is the clone side's to say, and it lives on SQLite only.
    const replicas = hub instanceof SqliteHub ? new ReplicaState(hub.store) : null;
    const rows: TrackerRow[] = [];
    for (const t of await hub.listTrackers()) {
      const replica = replicas?.getReplica(t.id);
      rows.push({
        id: t.id,
        name: t.name,
        description: t.description,
        schemaHash: t.schemaHash,
        items: await hub.countItems(t.id),
        ...(replica
          ? {
              remote: {
                name: replica.remoteName,
                trackerId: replica.remoteTrackerId,
                trackerName: replica.remoteTrackerName,
                lastSyncAt: replica.lastSyncAt,
                where: replica.where === null ? null : (JSON.parse(replica.where) as Record<string, unknown>),
              },
            }
          : {}),
      });
    }
    output(command, rows, () =>
      rows.length === 0
        ? 'no trackers; create one with `s15n tracker create` or `s15n tracker import`'
        : table(
            ['ID', 'NAME', 'ITEMS', 'REMOTE', 'DESCRIPTION'],
            rows.map((r) => [String(r.id), r.name, String(r.items), r.remote ? `${r.remote.name}:${r.remote.trackerName}${r.remote.where ? ' (partial)' : ''}` : '-', r.description]),
          ),
    );
  });
}

export function registerTracker(program: Command): void {
  const tracker = program.command('tracker').description('create, import, export and list trackers, and change their fields');
  tracker
    .command('create <name>')
    .description('create a tracker with its fields')
    .option('--description <text>', 'what the tracker is for')
    .option('--field <spec>', 'a field, repeatable: name[!][*]:type[:opt1,opt2,...]; ! makes it required, * a key', collect)
    .option('--fields <json>', 'the fields as a JSON array [{"name","label"?,"type","options"?,"required"?,"key"?}]')
    .addHelpText('after', FIELD_SPEC_HELP)
    .action(createTracker);
  tracker
    .command('import <file>')
    .description('create a tracker and its items from a JSON file, or with --into bring a CSV file\'s rows into a tracker (- for stdin); one transaction')
    .option('--into <tracker>', 'CSV: the tracker the rows go into (a header row of field names and status)')
    .option('--match <fields>', 'CSV: F,G: a row whose values of these fields equal an item\'s updates it (default: the key fields)')
    .option('--dry-run', 'CSV: judge every row and say what would happen; write nothing')
    .action(importFile);
  tracker
    .command('export <tracker>')
    .description('print a tracker with its items as JSON, in the shape `tracker import` reads; with --csv its items as CSV')
    .option('--csv', 'the items as RFC 4180 CSV (a header row of field names and status), streamed')
    .action(exportFile);
  tracker.command('list').description('list the trackers (cloned ones with their remote)').action(listTrackers);
  registerTrackerField(tracker);
}
