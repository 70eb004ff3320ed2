/** Set merge for multiselect, tags and files: the adds and removes of both sides all apply, so it never conflicts. */

/**
 * (base ∩ local ∩ remote) ∪ (added by local) ∪ (added by remote), minus what either side
 * removed. An entry can only be removed if it was in the base and only added if it was not,
 * so the two sides' edits never contradict each other. Inputs may be in any order and hold
 * duplicates; the result is canonical: sorted, unique, null when empty.
 */
export function mergeSets(
  base: readonly string[] | null | undefined,
  local: readonly string[] | null | undefined,
  remote: readonly string[] | null | undefined,
): string[] | null {
  const b = new Set(base ?? []);
  const l = new Set(local ?? []);
  const r = new Set(remote ?? []);
  const out: string[] = [];
  // In local: kept unless remote removed it (it was in base and remote dropped it).
  for (const entry of l) if (r.has(entry) || !b.has(entry)) out.push(entry);
  // Only in remote: kept if remote added it; if it was in base, local removed it.
  for (const entry of r) if (!l.has(entry) && !b.has(entry)) out.push(entry);
  return out.length === 0 ? null : out.sort();
}
