/**
 * `s15n item attach|detach|file TRACKER ID ...`: attachments of a local item (DESIGN §14), their
 * contents kept as blobs in the data dir. Registered with the other item commands; what reads and
 * writes files is loaded only when one of these runs.
 */
import type { Command } from 'commander';
import { type HubStore, type Item, type Tracker, itemToWire } from '../../../server/store/index.js';
import { BadInput, NotFound } from '../../../shared/errors.js';
import { type FieldDef, clipText } from '../../../shared/model/fields.js';
import { DEFAULT_MAX_FILE, type FileRef, attachFiles, detachFile, findFiles, formatSize, isFileList } from '../../../shared/model/files.js';
import { output, parseId, withHub } from '../context.js';
import { parseSize } from '../size.js';

/** The files field named by --field, or the tracker's only one. */
function filesField(tracker: Tracker, name: string | undefined): FieldDef {
  const files = tracker.fields.filter((f) => f.type === 'files');
  if (name === undefined) {
    if (files.length === 1) return files[0]!;
    const reason = files.length === 0 ? `tracker "${tracker.name}" has no files field` : `tracker "${tracker.name}" has several files fields (${files.map((f) => f.name).join(', ')}); name one`;
    throw new BadInput(`--field: ${reason}`, [{ field: '--field', reason }]);
  }
  const field = tracker.fields.find((f) => f.name === name);
  if (!field) throw new BadInput(`--field ${clipText(name)}: unknown field (fields: ${tracker.fields.map((f) => f.name).join(', ')})`, [{ field: '--field', reason: 'unknown field' }]);
  if (field.type !== 'files') throw new BadInput(`--field ${name}: a ${field.type} field holds no attachments`, [{ field: '--field', reason: 'not a files field' }]);
  return field;
}

function filesOfItem(item: Item, field: FieldDef): FileRef[] {
  const value = item.values[field.name];
  return Array.isArray(value) && isFileList(value) ? value : [];
}

async function requireItem(hub: HubStore, ref: string, id: string): Promise<{ tracker: Tracker; item: Item }> {
  const tracker = await hub.getTracker(ref);
  const itemId = parseId(id);
  const item = await hub.getItem(tracker.id, itemId);
  if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
  return { tracker, item };
}

export const describeFile = (f: FileRef): string => `${f.name} (${formatSize(f.size)}, ${f.type})`;

interface AttachOpts {
  field?: string;
  name?: string;
  type?: string;
  maxFile: string;
}

async function attach(ref: string, id: string, paths: string[], opts: AttachOpts, command: Command): Promise<void> {
  if (paths.length > 1 && (opts.name || opts.type)) throw new BadInput('--name and --type go with one file only', [{ field: '--name', reason: 'with several files' }]);
  const maxSize = parseSize(opts.maxFile, '--max-file');
  await withHub(command, async (hub) => {
    const { tracker, item } = await requireItem(hub, ref, id);
    const field = filesField(tracker, opts.field);
    const { attachFromPath } = await import('../../local-files.js');
    const put = (body: AsyncIterable<Uint8Array>, max: number) => hub.putBlob(null, body, { limits: { maxSize: max, quota: Number.POSITIVE_INFINITY } });
    // Every content stored first, then the one change naming them all: a failure leaves the item as it was.
    const added: FileRef[] = [];
    for (const path of paths) added.push(await attachFromPath(put, path, { maxSize, ...(opts.name ? { name: opts.name } : {}), ...(opts.type ? { type: opts.type } : {}) }));
    const { value, replaced } = attachFiles(filesOfItem(item, field), added);
    const [updated] = await hub.updateItems(tracker.id, [item.id], { values: { [field.name]: value } }, null);
    const lines = added.map((f) => `attached ${describeFile(f)} to item ${item.id} of ${tracker.name}`).concat(replaced.map((f) => `  (replaces ${describeFile(f)})`));
    output(command, { item: itemToWire(updated!), attached: added, replaced }, lines.join('\n'));
  });
}

async function detach(ref: string, id: string, names: string[], opts: { field?: string }, command: Command): Promise<void> {
  await withHub(command, async (hub) => {
    const { tracker, item } = await requireItem(hub, ref, id);
    const field = filesField(tracker, opts.field);
    let value: FileRef[] | null = filesOfItem(item, field);
    const removed: FileRef[] = [];
    for (const name of names) {
      const result = detachFile(value, name);
      if (!result.ok) throw new BadInput(`item ${item.id}: ${result.reason}`, [{ field: field.name, reason: result.reason }]);
      value = result.value;
      removed.push(result.removed);
    }
    const [updated] = await hub.updateItems(tracker.id, [item.id], { values: { [field.name]: value } }, null);
    output(command, { item: itemToWire(updated!), detached: removed }, removed.map((f) => `detached ${describeFile(f)} from item ${item.id} of ${tracker.name}`).join('\n'));
  });
}

interface FileOpts {
  field?: string;
  output?: string;
  force?: boolean;
}

async function fileOf(ref: string, id: string, name: string, opts: FileOpts, command: Command): Promise<void> {
  const toStdout = opts.output === '-';
  if (toStdout && command.optsWithGlobals<{ json?: boolean }>().json) throw new BadInput('-o - writes the bytes on stdout, where --json would write its document', [{ field: '-o', reason: 'not with --json' }]);
  await withHub(command, async (hub) => {
    const { tracker, item } = await requireItem(hub, ref, id);
    const fields = opts.field === undefined ? tracker.fields.filter((f) => f.type === 'files') : [filesField(tracker, opts.field)];
    const matches = fields.flatMap((f) => findFiles(filesOfItem(item, f), name));
    if (matches.length !== 1) {
      const reason = matches.length === 0 ? `item ${item.id} has no attachment "${clipText(name)}"` : `${matches.length} attachments match "${clipText(name)}" (sha256 ${matches.map((f) => f.sha256.slice(0, 12)).join(', ')}); name one by its sha256`;
      throw (matches.length === 0 ? new NotFound(reason) : new BadInput(reason, [{ field: 'name', reason: 'ambiguous' }]));
    }
    const file = matches[0]!;
    const { streamAttachment, targetPath, writeAttachment } = await import('../../local-files.js');
    const blob = await hub.readBlob(tracker.id, file.sha256);
    if (!blob) throw new NotFound(`the content of "${file.name}" (sha256 ${file.sha256.slice(0, 12)}…) is not in this instance`);
    if (toStdout) {
      await streamAttachment(blob.stream, file, process.stdout);
      return;
    }
    const target = targetPath(file, opts.output, opts.force === true);
    await writeAttachment(blob.stream, file, target);
    output(command, { ...file, path: target }, `wrote ${describeFile(file)} to ${target}`);
  });
}

/** The three commands, under `s15n item`. */
export function registerItemFiles(item: Command): void {
  item
    .command('attach <tracker> <id> <paths...>')
    .description("attach files to an item: their contents are stored in this instance (once, by sha256); a file of the same name is replaced")
    .option('--field <field>', 'the files field (default: the tracker has only one)')
    .option('--name <name>', "the attachment's name (default: the file's own; one file only)")
    .option('--type <type>', 'its media type (default: by the extension; one file only)')
    .option('--max-file <size>', 'largest file accepted', `${DEFAULT_MAX_FILE / 1024 / 1024}mb`)
    .action(attach);
  item
    .command('detach <tracker> <id> <names...>')
    .description('detach attachments from an item, by name (or by sha256, 8 digits or more, when two share a name)')
    .option('--field <field>', 'the files field (default: the tracker has only one)')
    .action(detach);
  item
    .command('file <tracker> <id> <name>')
    .description("write an attachment's content to a file (its name in the current directory by default), checked against its sha256")
    .option('-o, --output <path>', 'where to write it (a directory takes the attachment name; - is stdout)')
    .option('--field <field>', 'look in this files field only')
    .option('--force', 'replace an existing file')
    .action(fileOf);
}
