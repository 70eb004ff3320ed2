/** Set merge for attachments (DESIGN §14): a files value is a set keyed by sha256; the adds and removes of both sides all apply, so it never conflicts. */
import { type FileRef, canonicalFiles, sameFileRef } from '../model/files.js';

function byHash(files: readonly FileRef[] | null | undefined): Map<string, FileRef> {
  return new Map((files ?? []).map((f) => [f.sha256, f]));
}

/**
 * Which contents stay is the set rule of mergeSets over the sha256s: an attachment either side
 * added is kept (two sides attaching different files keep both), one either side removed goes.
 * What a kept attachment says (its name, its type) is local's where local changed it since the
 * base, else remote's. The result is canonical, null when empty.
 */
export function mergeFiles(
  base: readonly FileRef[] | null | undefined,
  local: readonly FileRef[] | null | undefined,
  remote: readonly FileRef[] | null | undefined,
): FileRef[] | null {
  const b = byHash(base);
  const l = byHash(local);
  const r = byHash(remote);
  const out: FileRef[] = [];
  for (const [hash, entry] of l) {
    const theirs = r.get(hash);
    const ours = b.get(hash);
    if (theirs) out.push(ours && sameFileRef(ours, entry) ? theirs : entry);
    else if (!ours) out.push(entry);
  }
  for (const [hash, entry] of r) if (!l.has(hash) && !b.has(hash)) out.push(entry);
  return out.length === 0 ? null : canonicalFiles(out);
}
