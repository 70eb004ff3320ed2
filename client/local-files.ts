/**
 * Attachments and the local disk, for `s15n item attach|file` and the TUI editor: a file read
 * by path into a blob (streamed, hashed, never whole in memory) with its name and media type, and
 * a blob written out to a path, verified while written and renamed into place, so a reader never
 * sees half a file nor one that is not the content named.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { BadInput, NotFound } from '../shared/errors.js';
import { diskNameOf, fileTypeOf } from '../shared/model/file-types.js';
import { DEFAULT_MAX_FILE, type FileRef, fileNameProblem, formatSize } from '../shared/model/files.js';
import type { SqliteStore, StoredBlob } from '../server/store/index.js';
import { receiveInto } from '../server/store/blob-intake.js';
import { putBlob } from '../server/store/sqlite/blob-put.js';

/** Stores a blob from a stream: the hub's putBlob, or the SQLite store's directly (the TUI). */
export type PutBytes = (body: AsyncIterable<Uint8Array>, maxSize: number) => Promise<StoredBlob>;

export interface AttachOptions {
  /** The attachment's name (default: the file's own name). */
  name?: string;
  /** Its media type (default: by the name's extension). */
  type?: string;
  maxSize: number;
}

/** Reads the regular file at `path` into a blob and answers the file reference that names it. */
export async function attachFromPath(put: PutBytes, path: string, opts: AttachOptions): Promise<FileRef> {
  const full = resolve(path);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) throw new BadInput(`${path}: no such file`, [{ field: path, reason: 'no such file' }]);
  if (!stat.isFile()) throw new BadInput(`${path}: not a regular file`, [{ field: path, reason: 'not a regular file' }]);
  if (stat.size > opts.maxSize) {
    throw new BadInput(`${path}: ${formatSize(stat.size)} is more than the largest attachment (${formatSize(opts.maxSize)}; --max-file changes it)`, [{ field: path, reason: 'too large' }]);
  }
  const name = opts.name ?? basename(full);
  const bad = fileNameProblem(name);
  if (bad) throw new BadInput(`${path}: ${bad}`, [{ field: '--name', reason: bad }]);
  let stored: StoredBlob;
  try {
    stored = await put(createReadStream(full), opts.maxSize);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') throw new BadInput(`${path}: permission denied`, [{ field: path, reason: 'not readable' }]);
    throw error;
  }
  return { name, size: stored.size, type: opts.type ?? fileTypeOf(name), sha256: stored.sha256 };
}

/** Attaches the file at `path` to an SQLite store directly (the TUI, which holds the store open), within the default size limit. */
export function attachToStore(store: SqliteStore, path: string): Promise<FileRef> {
  return attachFromPath((body, maxSize) => putBlob(store.blobs, null, body, { limits: { maxSize, quota: Number.POSITIVE_INFINITY } }), path, { maxSize: DEFAULT_MAX_FILE });
}

/**
 * Where `item file` writes an attachment: `out` as given (a directory takes the attachment's
 * name inside it), else the attachment's name in the current directory. A name from a remote is
 * untrusted: only its last part is used (diskNameOf), so it lands where it was asked to.
 */
export function targetPath(ref: FileRef, out: string | undefined, force: boolean): string {
  const inDir = (dir: string) => {
    const name = diskNameOf(ref.name);
    if (name === null) throw new BadInput(`attachment "${ref.name}" has no name a file can take; give one with -o`, [{ field: '-o', reason: 'required for this name' }]);
    return join(dir, name);
  };
  const given = out === undefined ? undefined : resolve(out);
  const target = given === undefined ? inDir(process.cwd()) : statSync(given, { throwIfNoEntry: false })?.isDirectory() ? inDir(given) : given;
  if (existsSync(target) && !force) throw new BadInput(`${target} exists; give another -o or --force to replace it`, [{ field: '-o', reason: 'exists' }]);
  return target;
}

/** Writes `bytes` (the blob of `ref`) to `target`: a temp file beside it, checked against the sha256, then renamed over. */
export async function writeAttachment(bytes: Readable, ref: FileRef, target: string): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.s15n-${process.pid}`);
  try {
    const intake = await receiveInto(bytes, temp, { maxSize: ref.size, tooLarge: () => new NotFound(`the content of "${ref.name}" in this instance is damaged (longer than ${ref.size} bytes)`) });
    const sha256 = intake.hash.digest('hex');
    if (sha256 !== ref.sha256 || intake.size !== ref.size) throw new NotFound(`the content of "${ref.name}" in this instance is damaged (it hashes to ${sha256}); nothing was written`);
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Copies `bytes` to stdout, checking the sha256 at the end (a damaged content is an error, after the fact). */
export async function streamAttachment(bytes: Readable, ref: FileRef, out: NodeJS.WritableStream): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of bytes) {
    hash.update(chunk as Buffer);
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
  if (hash.digest('hex') !== ref.sha256) throw new NotFound(`the content of "${ref.name}" in this instance is damaged`);
}

