/**
 * The conflict review's state (pure): every conflicting field of the reviewed items as one
 * list, the user's decisions so far, and the push of what was resolved.
 */
import type { TextHunk } from '../../../shared/merge/index.js';
import { CONFLICT_KIND_LABEL, type ConflictKind } from '../../../shared/merge/labels.js';
import { type FieldDef, STATUSES, STATUS_FIELD, STATUS_FIELD_DEF } from '../../../shared/model/fields.js';
import type { FieldValue } from '../../../shared/model/values.js';
import type { Report } from '../../sync/report.js';
import type { StatusConflict } from '../../sync/status.js';
import type { ResolveResult, Take } from '../../sync/resolve.js';

export type { ConflictKind };

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
  /** The remote removed this field; `local` is the unpushed value this clone holds. */
  removed?: boolean;
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

/** The review of `entries`, the cursor on the first conflict of item `start` when given. */
export function initialConflictReview(entries: ConflictEntry[] = [], start?: number): ConflictReviewState {
  const cursor = start === undefined ? 0 : Math.max(0, entries.findIndex((e) => e.itemId === start));
  return { entries, cursor, resolved: [], editing: false, pushing: null, report: null, message: null, error: null };
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

/** What l and t mean for a conflict decided for the whole item: a deletion against an edit, or an edited item that left the filter. */
const ITEM_CHOICES: Record<Exclude<ConflictKind, 'fields' | 'field-removed'>, { local: string; remote: string }> = {
  'remote-deleted': { local: 'keep the item (push creates it again)', remote: 'delete it here too' },
  'local-deleted': { local: 'keep it deleted (push deletes it remotely)', remote: "restore it with the remote's values" },
  left: { local: 'keep your change to push (the item leaves later if it still does not match)', remote: 'drop the copy here (nothing is deleted on the remote)' },
};

/** What l and t mean for a field the remote removed. */
const REMOVED_CHOICES = { local: 'keep your value here (a field of this clone only, never pushed)', remote: 'drop it, as the remote did' };

/** The choices of an item-level conflict or of a removed field; the other field conflicts have none (they show three sides). */
export function itemChoices(entry: ConflictEntry): { local: string; remote: string } | null {
  if (entry.removed) return REMOVED_CHOICES;
  return entry.kind === 'fields' || entry.kind === 'field-removed' ? null : ITEM_CHOICES[entry.kind];
}

/** What a decision did, in the words shown under the fields. */
export function decisionMessage(entry: ConflictEntry, take: Take, result: Pick<ResolveResult, 'action' | 'remaining'>): string {
  if (entry.field === null) return `Item ${entry.itemId}: ${result.action}`;
  const what = entry.removed ? (take === 'local' ? 'your value kept here' : 'dropped, as on the remote') : take === 'local' ? 'local value kept' : take === 'remote' ? 'remote value taken' : 'your value set';
  const more = result.remaining.length > 0 ? ` (${result.remaining.length} more in conflict)` : '';
  return `Item ${entry.itemId}, ${entry.label}: ${what}${more}`;
}

/** The options a value of one's own is picked from: the statuses, or the field's options. */
export function fieldOptions(fields: readonly { name: string; options?: string[] }[], entry: ConflictEntry): string[] | undefined {
  if (entry.field === STATUS_FIELD) return [...STATUSES];
  return fields.find((f) => f.name === entry.field)?.options;
}

/** The review's entries of one item's conflict: one per conflicting field, or one for the whole item (a deletion against an edit). */
export function conflictEntries(fields: readonly FieldDef[], conflict: StatusConflict, title: string): ConflictEntry[] {
  const labelOf = (name: string) => (name === STATUS_FIELD ? STATUS_FIELD_DEF.label : (fields.find((f) => f.name === name)?.label ?? name));
  const typeOf = (name: string) => (name === STATUS_FIELD ? 'dropdown' : (fields.find((f) => f.name === name)?.type ?? 'text'));
  if (conflict.kind !== 'fields' && conflict.kind !== 'field-removed') {
    return [
      {
        itemId: conflict.id,
        title,
        kind: conflict.kind,
        field: null,
        label: CONFLICT_KIND_LABEL[conflict.kind],
        type: 'item',
        base: null,
        local: null,
        remote: null,
        edited: conflict.fields.map((f) => ({ name: f.name, label: labelOf(f.name), base: f.base, local: f.local, remote: f.remote })),
      },
    ];
  }
  return conflict.fields.map((f) => ({
    itemId: conflict.id,
    title,
    kind: conflict.kind,
    field: f.name,
    label: labelOf(f.name),
    type: typeOf(f.name),
    base: f.base,
    local: f.local,
    remote: f.remote,
    ...(f.hunks ? { hunks: f.hunks } : {}),
    ...(f.removed ? { removed: true } : {}),
  }));
}
