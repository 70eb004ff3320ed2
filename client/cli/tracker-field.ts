/** `s15n tracker field add|edit|remove TRACKER ...`: a tracker's schema evolves on the instance that owns it (DESIGN §13). */
import type { Command } from 'commander';
import { type HubStore, SqliteHub, type Tracker, trackerToWire } from '../../server/store/index.js';
import { BadInput } from '../../shared/errors.js';
import { parseFieldText } from '../../shared/model/parse.js';
import type { FieldEdit, FieldPatch } from '../../shared/model/schema-edit.js';
import { ReplicaState } from '../replica/index.js';
import { output, parseJson, withHub } from './context.js';
import { describeTracker, linkSpec, parseFieldSpec } from './tracker-file.js';

/** The tracker to edit: a clone follows its remote's schema and is never edited here. */
async function ownedTracker(hub: HubStore, ref: string): Promise<Tracker> {
  const tracker = await hub.getTracker(ref);
  const replica = hub instanceof SqliteHub ? new ReplicaState(hub.store).getReplica(tracker.id) : undefined;
  if (replica) {
    throw new BadInput(`tracker "${tracker.name}" is a clone of ${replica.remoteName}/${replica.remoteTrackerName}: edit its schema there; the next reload brings the change here`, [
      { field: 'tracker', reason: 'a clone follows its remote schema' },
    ]);
  }
  return tracker;
}

/** `--options a,b,c`, or a JSON array when an option holds a comma: read as a multiselect value is, by the one list parser. */
function parseOptions(text: string): string[] {
  const list = parseFieldText({ type: 'multiselect' }, text);
  if (!list.ok) throw new BadInput(`--options: ${list.reason}`, [{ field: '--options', reason: list.reason }]);
  return (list.value as string[] | null) ?? [];
}

async function run(ref: string, command: Command, edit: (tracker: Tracker, hub: HubStore) => Promise<FieldEdit>, done: (edit: FieldEdit) => string): Promise<void> {
  await withHub(command, async (hub) => {
    const tracker = await ownedTracker(hub, ref);
    const wanted = await edit(tracker, hub);
    const { tracker: after, changed } = await hub.editFields(tracker.id, wanted);
    const what = changed ? done(wanted) : `nothing to change: the field already is as asked`;
    output(command, { ...trackerToWire(after), changed }, () => `${what}\n${describeTracker(after)}`);
  });
}

async function addField(ref: string, spec: string, opts: { label?: string }, command: Command): Promise<void> {
  const field = spec.trim().startsWith('{') ? (parseJson(spec, 'field') as ReturnType<typeof parseFieldSpec>) : parseFieldSpec(spec);
  await run(
    ref,
    command,
    async (_tracker, hub) => ({ op: 'add', field: { ...(await linkSpec(hub, field)), ...(opts.label !== undefined ? { label: opts.label } : {}) } }),
    () => `added field ${field.name}`,
  );
}

interface EditOptions {
  label?: string;
  options?: string;
  required?: boolean;
  optional?: boolean;
  key?: boolean;
}

function patchOf(opts: EditOptions): FieldPatch {
  if (opts.required && opts.optional) throw new BadInput('--required and --optional: give one', [{ field: '--required', reason: 'with --optional' }]);
  const patch: FieldPatch = {
    ...(opts.label !== undefined ? { label: opts.label } : {}),
    ...(opts.options !== undefined ? { options: parseOptions(opts.options) } : {}),
    ...(opts.required ? { required: true } : opts.optional ? { required: false } : {}),
    ...(opts.key !== undefined ? { key: opts.key } : {}),
  };
  if (Object.keys(patch).length === 0) throw new BadInput('nothing to edit: give --label, --options, --required, --optional, --key or --no-key', [{ field: 'options', reason: 'none given' }]);
  return patch;
}

async function editField(ref: string, name: string, opts: EditOptions, command: Command): Promise<void> {
  const patch = patchOf(opts);
  await run(ref, command, async () => ({ op: 'edit', name, patch }), () => `edited field ${name}`);
}

async function removeField(ref: string, name: string, _opts: unknown, command: Command): Promise<void> {
  await run(ref, command, async () => ({ op: 'remove', name }), () => `removed field ${name} (and its values)`);
}

export function registerTrackerField(tracker: Command): void {
  const field = tracker.command('field').description("change a tracker's fields (on the instance that owns it; clones follow on reload)");
  field
    .command('add <tracker> <spec>')
    .description('add a field: SPEC as for tracker create --field (name[!][*]:type[:options]) or a JSON field object')
    .option('--label <text>', 'the label shown for the field')
    .action(addField);
  field
    .command('edit <tracker> <name>')
    .description('change a field: its label, options, required or key flag (the name and type never change: remove and add to retype)')
    .option('--label <text>', 'a new label')
    .option('--options <list>', 'the options of a dropdown or multiselect, a,b,c (or a JSON array); an option in use cannot go')
    .option('--required', 'every item must have a value (refused while some have none)')
    .option('--optional', 'a value may be empty')
    .option('--key', 'values unique among live items; a pushed create with an item\'s key values is matched to it')
    .option('--no-key', 'no longer a key')
    .action(editField);
  field.command('remove <tracker> <name>').description('remove a field and its values from every item').action(removeField);
}
