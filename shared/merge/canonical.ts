/** Set comparison without allocation, for values already in canonical form (what the store holds). */
import type { FieldType } from '../model/fields.js';
import { isCanonicalSet } from '../model/values.js';

/** Whether two sets are the same canonical set, without allocating; false means "not known equal". */
export function sameCanonicalSet(type: FieldType, a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || !isCanonicalSet(type, a)) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
