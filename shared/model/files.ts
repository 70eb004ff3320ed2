/**
 * Attachments (DESIGN §14): a `files` value is a set of file references `{name, size, type,
 * sha256}` keyed by sha256; the contents are blobs stored apart, once per instance. Pure: the
 * shape, the one canonical form, what a value accepts, and which blobs a values object needs.
 */
import { type FieldDef, MAX_SET_SIZE, type Problem, clipText } from './fields.js';
import type { Values } from './normalise.js';

// A type, not an interface: it fits the wire schema's open object (newer peers may add keys).
export type FileRef = {
  /** What the file was called when attached; metadata only, never a path on any disk. */
  name: string;
  size: number;
  /** A media type (`image/png`), guessed from the name when attached. */
  type: string;
  /** The blob holding the content: 64 lowercase hex digits. */
  sha256: string;
};

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** The largest attachment by default, on `serve` and `item attach` alike (`--max-file`). */
export const DEFAULT_MAX_FILE = 64 * 1024 * 1024;
export const MAX_FILE_NAME = 255;
const MAX_FILE_TYPE = 127;
/** RFC 6838 restricted names: `type/subtype`, each starting with a letter or digit. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256_PATTERN.test(value);
}

/** The shape of a file reference, as the wire may carry it (more keys are welcome and dropped). */
export function isFileRefShape(value: unknown): value is FileRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { name, size, type, sha256 } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof type === 'string' && Number.isSafeInteger(size) && (size as number) >= 0 && isSha256(sha256);
}

/** Whether every entry has the shape of a file reference (the JS type of a files value). */
export function isFileList(value: readonly unknown[]): value is FileRef[] {
  for (const entry of value) if (!isFileRefShape(entry)) return false;
  return true;
}

function byHashThenName(a: FileRef, b: FileRef): number {
  if (a.sha256 !== b.sha256) return a.sha256 < b.sha256 ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The canonical form: each entry with exactly its four keys, sorted by sha256, one entry per
 * sha256 (the same content attached twice is one attachment; the first name in order stays).
 * Names may repeat across different contents: two sides attaching different `log.txt` keep both.
 */
export function canonicalFiles(entries: readonly FileRef[]): FileRef[] {
  const sorted = entries.map(({ name, size, type, sha256 }) => ({ name, size, type, sha256 })).sort(byHashThenName);
  return sorted.filter((entry, i) => i === 0 || sorted[i - 1]!.sha256 !== entry.sha256);
}

/** Whether a files value already is in canonical form (what the store holds), checked without copying. */
export function isCanonicalFiles(value: readonly unknown[]): value is FileRef[] {
  if (value.length === 0) return false;
  let previous = '';
  for (const entry of value) {
    if (!isFileRefShape(entry) || !(previous < entry.sha256)) return false;
    let keys = 0;
    for (const key in entry) if (Object.hasOwn(entry, key)) keys++;
    if (keys !== 4) return false;
    previous = entry.sha256;
  }
  return true;
}

/** Whether two file references say the same thing (same content under the same name and type). */
export function sameFileRef(a: FileRef, b: FileRef): boolean {
  return a.sha256 === b.sha256 && a.name === b.name && a.size === b.size && a.type === b.type;
}

/** Why a name cannot be an attachment's name, or null: names stay plain, so no reader can take one for a path. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'a file name cannot be empty';
  if (name.length > MAX_FILE_NAME) return `a file name has at most ${MAX_FILE_NAME} characters`;
  if (CONTROL.test(name)) return 'a file name has no control characters';
  if (/[/\\]/.test(name)) return 'a file name has no / or \\ (it is a name, not a path)';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  return null;
}

function entryProblem(entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'expected an array of {"name", "size", "type", "sha256"}';
  const { name, size, type, sha256 } = entry as Record<string, unknown>;
  if (typeof name !== 'string') return 'each file needs a "name" string';
  const bad = fileNameProblem(name);
  if (bad) return `"${clipText(name)}": ${bad}`;
  if (!Number.isSafeInteger(size) || (size as number) < 0) return `"${clipText(name)}": "size" must be a whole number of bytes`;
  if (typeof type !== 'string' || type.length > MAX_FILE_TYPE || !MEDIA_TYPE.test(type)) return `"${clipText(name)}": "type" must be a media type such as image/png`;
  if (!isSha256(sha256)) return `"${clipText(name)}": "sha256" must be 64 lowercase hex digits`;
  return null;
}

/** What a files field accepts: an array of well-formed file references; the answer is canonical (null when empty). */
export function checkFiles(value: unknown): { ok: true; value: FileRef[] | null } | { ok: false; reason: string } {
  if (!Array.isArray(value)) return { ok: false, reason: 'expected an array of {"name", "size", "type", "sha256"}' };
  if (value.length > MAX_SET_SIZE) return { ok: false, reason: `at most ${MAX_SET_SIZE} files` };
  for (const entry of value) {
    const reason = entryProblem(entry);
    if (reason) return { ok: false, reason };
  }
  const files = canonicalFiles(value as FileRef[]);
  return { ok: true, value: files.length === 0 ? null : files };
}

/** The file references of a values object, over the tracker's files fields. */
export function filesOf(fields: readonly Pick<FieldDef, 'name' | 'type'>[], values: Readonly<Values>): FileRef[] {
  const out: FileRef[] = [];
  for (const field of fields) {
    if (field.type !== 'files') continue;
    const value = values[field.name];
    if (Array.isArray(value)) for (const entry of value) if (isFileRefShape(entry)) out.push(entry);
  }
  return out;
}

/**
 * The one rule of an item's attachments in a store: every file it names has its content there,
 * of the size it says. `sizeOf` answers the size of a blob the writer may use (none: undefined);
 * `hint` says what to do about a missing one.
 */
export function blobProblems(
  fields: readonly FieldDef[],
  values: Readonly<Values>,
  sizeOf: (sha256: string) => number | undefined,
  opts: { prefix: string; hint: string },
): Problem[] {
  const problems: Problem[] = [];
  for (const field of fields) {
    if (field.type !== 'files') continue;
    const value = values[field.name];
    if (!Array.isArray(value)) continue;
    for (const entry of value) {
      if (!isFileRefShape(entry)) continue;
      const size = sizeOf(entry.sha256);
      const at = `${opts.prefix}.${field.name}`;
      if (size === undefined) problems.push({ field: at, reason: `no content for "${clipText(entry.name)}" (sha256 ${entry.sha256.slice(0, 12)}…): ${opts.hint}` });
      else if (size !== entry.size) problems.push({ field: at, reason: `"${clipText(entry.name)}" says ${entry.size} bytes, its content has ${size}` });
    }
  }
  return problems;
}

/**
 * Why a pushed item cannot be written for its attachments, or null: each file it names must have
 * been uploaded to the tracker first (or be named by another of its items). `sizeOf` answers for
 * the blobs the tracker may use. One wording for every engine.
 */
export function pushedBlobProblem(fields: readonly FieldDef[], values: Readonly<Values>, sizeOf: (sha256: string) => number | undefined): string | null {
  const problems = blobProblems(fields, values, sizeOf, { prefix: 'values', hint: 'upload its content first (PUT /api/v1/trackers/{id}/blobs/{sha256})' });
  return problems.length === 0 ? null : problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
}

/** The files of a value that `ref` names: by exact name, else by sha256 or a prefix of it (8 digits at least). */
export function findFiles(value: readonly FileRef[], ref: string): FileRef[] {
  const byName = value.filter((f) => f.name === ref);
  if (byName.length > 0) return byName;
  const prefix = ref.toLowerCase();
  return /^[0-9a-f]{8,64}$/.test(prefix) ? value.filter((f) => f.sha256.startsWith(prefix)) : [];
}

/**
 * A files value with `added` attached: a file of the same name is replaced (attaching `log.txt`
 * again attaches its new content), the same content under another name is renamed. Canonical,
 * null when empty; `replaced` lists the entries that went.
 */
export function attachFiles(value: readonly FileRef[] | null | undefined, added: readonly FileRef[]): { value: FileRef[] | null; replaced: FileRef[] } {
  const names = new Set(added.map((f) => f.name));
  const hashes = new Set(added.map((f) => f.sha256));
  const current = value ?? [];
  const replaced = current.filter((f) => (names.has(f.name) || hashes.has(f.sha256)) && !added.some((a) => sameFileRef(a, f)));
  const kept = current.filter((f) => !names.has(f.name) && !hashes.has(f.sha256));
  const next = canonicalFiles([...kept, ...added]);
  return { value: next.length === 0 ? null : next, replaced };
}

/** A files value without the file `ref` names (findFiles): exactly one must match, else why not. */
export function detachFile(value: readonly FileRef[] | null | undefined, ref: string): { ok: true; value: FileRef[] | null; removed: FileRef } | { ok: false; reason: string } {
  const current = value ?? [];
  const matches = findFiles(current, ref);
  if (matches.length === 0) {
    const known = current.map((f) => `"${clipText(f.name)}"`).join(', ');
    return { ok: false, reason: `no attachment "${clipText(ref)}" (${current.length === 0 ? 'it has none' : `it has ${known}`})` };
  }
  if (matches.length > 1) {
    const which = matches.map((f) => f.sha256.slice(0, 12)).join(', ');
    return { ok: false, reason: `${matches.length} attachments are named "${clipText(ref)}" (sha256 ${which}); name one by its sha256 (8 digits or more)` };
  }
  const removed = matches[0]!;
  const rest = current.filter((f) => f.sha256 !== removed.sha256);
  return { ok: true, value: rest.length === 0 ? null : rest, removed };
}

/** A size as people read it: 0 B, 12.3 KB, 4.0 MB (powers of 1024, one decimal above bytes). */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
