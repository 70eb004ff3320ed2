/**
 * The clone wizard's steps (pure): pick a remote, pick one of its trackers, preview the clone
 * report (each field kept, transformed or skipped), optionally a filter (a selector typed, or
 * built from a field and values, with how many items match), confirm (or rename first), then
 * the clone runs with a progress bar and ends with its report.
 */
import type { TrackerSummary } from '../../../shared/api/schemas.js';
import type { FieldDef, Problem } from '../../../shared/model/fields.js';
import type { FieldMapping } from '../../../shared/model/transform.js';
import type { Report } from '../../sync/report.js';
import { filterFields } from './clone-filter.js';

/** filter: a selector typed; filter-field: the field of a condition picked; filter-values: its values. */
export type CloneStep = 'remote' | 'tracker' | 'preview' | 'name' | 'filter' | 'filter-field' | 'filter-values' | 'cloning' | 'done';

export interface ClonePreview {
  remote: string;
  tracker: { id: number; name: string; description: string };
  fields: FieldMapping[];
  /** The remote's fields, which a filter names. */
  remoteFields?: FieldDef[];
  /** A local tracker already has this name: the clone needs another one. */
  nameTaken: boolean;
}

/** How many remote items the filter matches: being counted, counted, or the remote's refusal. */
export type Matching = { where: string; count: number | null; error?: unknown };

export interface CloneWizardState {
  step: CloneStep;
  remotes: string[];
  remote: string | null;
  /** The remote was given (or the only one): Esc on the tracker step leaves the wizard. */
  fixedRemote: boolean;
  trackers: TrackerSummary[] | null;
  preview: ClonePreview | null;
  /** Local name of the clone. */
  name: string;
  cursor: number;
  loading: boolean;
  progress: { done: number; total: number | undefined } | null;
  result: { trackerId: number; name: string; report: Report } | null;
  error: unknown;
  /** The selector of a partial clone (JSON), null to clone every item. */
  where: string | null;
  matching: Matching | null;
  /** The field a condition is being built on. */
  filterField: FieldDef | null;
  /** Why the filter typed or built was refused, part by part. */
  filterProblems: Problem[] | null;
}

export type CloneWizardAction =
  | { type: 'remotes'; remotes: string[] }
  | { type: 'pick-remote'; remote: string }
  | { type: 'trackers'; trackers: TrackerSummary[] }
  | { type: 'pick-tracker' }
  | { type: 'preview'; preview: ClonePreview }
  | { type: 'rename' }
  | { type: 'name'; name: string; taken: boolean }
  | { type: 'start' }
  | { type: 'progress'; done: number; total: number | undefined }
  | { type: 'done'; trackerId: number; name: string; report: Report }
  | { type: 'failed'; error: unknown }
  | { type: 'move'; delta: number; count: number }
  | { type: 'back' }
  | { type: 'filter-open'; build: boolean }
  | { type: 'filter-field' }
  | { type: 'filter-set'; where: string | null }
  | { type: 'filter-refused'; problems: Problem[] }
  | { type: 'matching'; where: string; count: number | null; error?: unknown };

export function initialCloneWizard(remotes: string[], remote?: string): CloneWizardState {
  const base: CloneWizardState = {
    step: 'remote',
    remotes,
    remote: null,
    fixedRemote: false,
    trackers: null,
    preview: null,
    name: '',
    cursor: 0,
    loading: false,
    progress: null,
    result: null,
    error: null,
    where: null,
    matching: null,
    filterField: null,
    filterProblems: null,
  };
  // With one remote (or one given) there is nothing to pick.
  const only = remote ?? (remotes.length === 1 ? remotes[0] : undefined);
  return only ? cloneWizardReducer({ ...base, fixedRemote: true }, { type: 'pick-remote', remote: only }) : base;
}

export function cloneWizardReducer(state: CloneWizardState, action: CloneWizardAction): CloneWizardState {
  switch (action.type) {
    case 'remotes':
      return { ...state, remotes: action.remotes };
    case 'pick-remote':
      return { ...state, step: 'tracker', remote: action.remote, trackers: null, cursor: 0, loading: true, error: null };
    case 'trackers':
      return { ...state, trackers: action.trackers, cursor: 0, loading: false };
    case 'pick-tracker':
      return state.trackers?.[state.cursor] ? { ...state, loading: true, error: null } : state;
    case 'preview':
      return { ...state, step: 'preview', preview: action.preview, name: action.preview.tracker.name, loading: false };
    case 'rename':
      return state.step === 'preview' ? { ...state, step: 'name' } : state;
    case 'name':
      return state.preview ? { ...state, step: 'preview', name: action.name, preview: { ...state.preview, nameTaken: action.taken } } : state;
    case 'start':
      return state.preview && !state.preview.nameTaken ? { ...state, step: 'cloning', progress: { done: 0, total: undefined }, error: null } : state;
    case 'progress':
      return { ...state, progress: { done: action.done, total: action.total } };
    case 'done':
      return { ...state, step: 'done', progress: null, result: { trackerId: action.trackerId, name: action.name, report: action.report } };
    case 'failed':
      return { ...state, loading: false, progress: null, error: action.error, step: state.step === 'cloning' ? 'preview' : state.step };
    case 'move': {
      const target = action.delta === Infinity ? action.count - 1 : action.delta === -Infinity ? 0 : state.cursor + action.delta;
      return { ...state, cursor: Math.max(0, Math.min(action.count - 1, target)) };
    }
    case 'back':
      return back(state);
    default:
      return filterReducer(state, action);
  }
}

/** The filter steps: open one, pick a field, set (or refuse) the selector, and the count of what it matches. */
function filterReducer(state: CloneWizardState, action: CloneWizardAction): CloneWizardState {
  switch (action.type) {
    case 'filter-open':
      if (state.step !== 'preview') return state;
      return { ...state, step: action.build ? 'filter-field' : 'filter', cursor: 0, filterProblems: null, filterField: null };
    case 'filter-field': {
      const field = filterFields(state.preview?.remoteFields ?? [])[state.cursor];
      return field ? { ...state, step: 'filter-values', filterField: field, filterProblems: null } : state;
    }
    case 'filter-set':
      return { ...state, step: 'preview', where: action.where, matching: action.where === null ? null : { where: action.where, count: null }, filterProblems: null, filterField: null };
    case 'filter-refused':
      return { ...state, filterProblems: action.problems };
    case 'matching':
      // An answer for a filter changed meanwhile is dropped.
      return state.where === action.where ? { ...state, matching: { where: action.where, count: action.count, ...(action.error ? { error: action.error } : {}) } } : state;
    default:
      return state;
  }
}

/** One step back; to 'remote' only when the user picked the remote in the wizard. */
function back(state: CloneWizardState): CloneWizardState {
  switch (state.step) {
    case 'name':
    case 'filter':
    case 'filter-field':
      return { ...state, step: 'preview', filterProblems: null, filterField: null };
    case 'filter-values':
      return { ...state, step: 'filter-field', filterProblems: null, filterField: null };
    case 'preview':
      return { ...state, step: 'tracker', preview: null, error: null, where: null, matching: null };
    case 'tracker':
      return !state.fixedRemote ? { ...state, step: 'remote', remote: null, trackers: null, cursor: 0, error: null, loading: false } : state;
    default:
      return state;
  }
}

/** How many choices the cursor moves over: the remotes, the remote's trackers, or none. */
export function choiceCount(state: CloneWizardState): number {
  if (state.step === 'remote') return state.remotes.length;
  if (state.step === 'filter-field') return filterFields(state.preview?.remoteFields ?? []).length;
  return state.step === 'tracker' ? (state.trackers?.length ?? 0) : 0;
}

/** Whether Esc leaves the wizard (nothing left to step back to). */
export function leavesWizard(state: CloneWizardState): boolean {
  return state.step === 'remote' || state.step === 'done' || (state.step === 'tracker' && state.fixedRemote);
}
