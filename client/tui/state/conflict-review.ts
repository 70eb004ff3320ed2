/**
 * The conflict review's state (pure): every conflicting field of the reviewed items as one
 * list, the user's decisions so far, and the push of what was resolved.
 */
import type { TextHunk } from '../../../shared/merge/index.js';
import type { FieldValue } from '../../../shared/model/values.js';
import type { Report } from '../../sync/report.js';

export type ConflictKind = 'fields' | 'remote-deleted' | 'local-deleted';

/** A field as the three sides have it. */
export interface FieldSides {
  name: string;
  label: string;
  base: FieldValue;
  local: FieldValue;
  remote: FieldValue;
}

export interface ConflictEntry {
  itemId: number;
  title: string;
  kind: ConflictKind;
  /** The field in conflict; null for a deletion against an edit, decided for the whole item. */
  field: string | null;
  label: string;
  type: string;
  base: FieldValue;
  local: FieldValue;
  remote: FieldValue;
  hunks?: TextHunk[];
  /** A deletion against an edit: the fields the editing side changed. */
  edited?: FieldSides[];
}

export interface ConflictReviewState {
  entries: ConflictEntry[];
  cursor: number;
  /** Items whose every conflict was decided in this review: what `p` pushes. */
  resolved: number[];
  editing: boolean;
  pushing: { done: number; total: number | undefined } | null;
  report: Report | null;
  /** What the last decision did, shown under the fields. */
  message: string | null;
  error: unknown;
}

export type ConflictReviewAction =
  | { type: 'entries'; entries: ConflictEntry[] }
  | { type: 'move'; delta: number }
  | { type: 'decided'; itemId: number; message: string; itemDone: boolean }
  | { type: 'edit'; on: boolean }
  | { type: 'push-start' }
  | { type: 'push-progress'; done: number; total: number | undefined }
  | { type: 'push-done'; report: Report }
  | { type: 'failed'; error: unknown };

export function initialConflictReview(): ConflictReviewState {
  return { entries: [], cursor: 0, resolved: [], editing: false, pushing: null, report: null, message: null, error: null };
}

export function currentEntry(state: ConflictReviewState): ConflictEntry | undefined {
  return state.entries[state.cursor];
}

export function conflictReviewReducer(state: ConflictReviewState, action: ConflictReviewAction): ConflictReviewState {
  switch (action.type) {
    case 'entries': {
      const current = currentEntry(state);
      const same = current ? action.entries.findIndex((e) => e.itemId === current.itemId && e.field === current.field) : -1;
      const cursor = Math.max(0, Math.min(action.entries.length - 1, same >= 0 ? same : state.cursor));
      return { ...state, entries: action.entries, cursor };
    }
    case 'move': {
      const last = state.entries.length - 1;
      const target = action.delta === Infinity ? last : action.delta === -Infinity ? 0 : state.cursor + action.delta;
      return { ...state, cursor: Math.max(0, Math.min(last, target)) };
    }
    case 'decided': {
      const resolved = action.itemDone && !state.resolved.includes(action.itemId) ? [...state.resolved, action.itemId] : state.resolved;
      return { ...state, resolved, message: action.message, editing: false, error: null };
    }
    case 'edit':
      return { ...state, editing: action.on };
    case 'push-start':
      return { ...state, pushing: { done: 0, total: undefined }, error: null };
    case 'push-progress':
      return state.pushing ? { ...state, pushing: { done: action.done, total: action.total } } : state;
    case 'push-done':
      return { ...state, pushing: null, report: action.report, resolved: [], message: null };
    case 'failed':
      return { ...state, pushing: null, editing: false, error: action.error };
  }
}
