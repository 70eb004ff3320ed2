/** The conflict policy: the one place that decides what happens when both sides changed a field differently. */
import { type FieldDef, SET_TYPES } from '../model/fields.js';
import { type FileRef, isFileList } from '../model/files.js';
import { type FieldValue, valuesEqual } from '../model/values.js';
import { sameCanonicalSet } from './canonical.js';
import { mergeFiles } from './files.js';
import { mergeSets } from './sets.js';
import { type TextHunk, mergeText } from './text.js';

/** What the policy makes of a field both sides changed differently. */
export type Resolution = { outcome: 'merged'; value: FieldValue } | { outcome: 'conflict'; hunks?: TextHunk[] };

/**
 * A small swappable object in the spirit of RxDB's conflict handler: `isEqual` says whether a
 * side changed a value (so it must ignore differences of representation), `resolve` is asked
 * only when base, local and remote all differ. The engine detects; a conflict returned here is
 * data for the user to decide, never an exception.
 */
export interface ConflictPolicy {
  isEqual(field: FieldDef, a: unknown, b: unknown): boolean;
  /** Receives canonical values (normalised for the field's type, null for no value). */
  resolve(field: FieldDef, base: FieldValue, local: FieldValue, remote: FieldValue): Resolution;
}

function isText(value: FieldValue): value is string | null {
  return value === null || typeof value === 'string';
}

function isStringSet(value: FieldValue): value is string[] | null {
  return value === null || (Array.isArray(value) && value.every((entry) => typeof entry === 'string'));
}

function isFiles(value: FieldValue): value is FileRef[] | null {
  return value === null || (Array.isArray(value) && isFileList(value));
}

/** DESIGN §4: textarea merges by lines (diff3), set types by adds and removes (files by sha256), anything else is a conflict. */
export const defaultConflictPolicy: ConflictPolicy = {
  // valuesEqual decides; equal canonical sets (two parses of one stored value) answer without allocating.
  isEqual: (field, a, b) => a === b || sameCanonicalSet(field.type, a, b) || valuesEqual(field.type, a, b),
  resolve(field, base, local, remote) {
    if (field.type === 'textarea' && isText(base) && isText(local) && isText(remote)) {
      const text = mergeText(base, local, remote);
      if (!text.clean) return { outcome: 'conflict', hunks: text.hunks };
      return { outcome: 'merged', value: text.text === '' ? null : text.text };
    }
    if (SET_TYPES.has(field.type) && isStringSet(base) && isStringSet(local) && isStringSet(remote)) {
      return { outcome: 'merged', value: mergeSets(base, local, remote) };
    }
    if (field.type === 'files' && isFiles(base) && isFiles(local) && isFiles(remote)) {
      return { outcome: 'merged', value: mergeFiles(base, local, remote) };
    }
    return { outcome: 'conflict' };
  },
};
