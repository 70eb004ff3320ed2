/**
 * The sync screen's state (pure), after Tiki's synchronization tab: three lists (new local
 * items, modified without conflicts, modified with conflicts) with checkboxes, a selection of
 * clean items to push, the reload or push that is running or last ran, and live mode (DESIGN
 * §11): when it was turned on, when the last change landed, and every conflict that arrives
 * flagged at once.
 */
import type { Report } from '../../sync/report.js';
import type { Route } from './navigation.js';

export type SyncList = 'new' | 'modified' | 'conflicts';
export const SYNC_LISTS: readonly SyncList[] = ['new', 'modified', 'conflicts'];
export const LIST_TITLES: Record<SyncList, string> = {
  new: 'New local items',
  modified: 'Modified without conflicts',
  conflicts: 'Modified with conflicts',
};

export interface SyncRow {
  id: number;
  title: string;
  list: SyncList;
  /** Deleted locally: pushing it deletes the remote item. */
  deleted?: boolean;
  /** Conflicting field names, or the item-level conflict kind. */
  detail?: string;
}

/** A line of the screen: a list's header or one of its rows. */
export type SyncLine = { kind: 'header'; list: SyncList; count: number } | { kind: 'row'; row: SyncRow; index: number };

export type RunKind = 'reload' | 'push';

/** Live mode: the tracker syncs by itself (the watch of `s15n sync --watch`). */
export interface LiveState {
  /** When it was turned on. */
  since: string;
  /** When the last change landed (a live run that saw something), null before the first. */
  lastChangeAt: string | null;
  /** What the watch last said (a lost connection, a retry); a run that goes through clears it. */
  note: string | null;
}

export interface SyncState {
  /** Rows of the three lists, in list order. */
  rows: SyncRow[];
  selected: ReadonlySet<number>;
  /** Index in `rows`. */
  cursor: number;
  /** First visible line. */
  top: number;
  height: number;
  running: { kind: RunKind; done: number; total: number | undefined } | null;
  last: { kind: RunKind | 'sync'; report: Report } | null;
  live: LiveState | null;
  error: unknown;
  /** Why the last key did nothing (nothing selected, a conflict toggled); cleared when a run starts. */
  notice: string | null;
}

export type SyncAction =
  | { type: 'rows'; rows: SyncRow[] }
  | { type: 'move'; delta: number }
  | { type: 'resize'; height: number }
  | { type: 'toggle' }
  | { type: 'select-all-clean' }
  | { type: 'start'; kind: RunKind }
  | { type: 'progress'; done: number; total: number | undefined }
  | { type: 'finished'; kind: RunKind; report: Report }
  | { type: 'failed'; error: unknown }
  | { type: 'notice'; notice: string | null }
  | LiveAction;

export type LiveAction = { type: 'live'; on: boolean; at: string } | { type: 'live-run'; report: Report } | { type: 'live-note'; note: string };

export const NOTHING_SELECTED = 'Nothing selected: Space selects the item under the cursor, a selects all clean items.';

export function initialSync(height: number): SyncState {
  return { rows: [], selected: new Set(), cursor: 0, top: 0, height, running: null, last: null, live: null, error: null, notice: null };
}

export function isClean(row: SyncRow): boolean {
  return row.list !== 'conflicts';
}

export function syncLines(rows: readonly SyncRow[]): SyncLine[] {
  const lines: SyncLine[] = [];
  for (const list of SYNC_LISTS) {
    const count = rows.filter((r) => r.list === list).length;
    lines.push({ kind: 'header', list, count });
    rows.forEach((row, index) => {
      if (row.list === list) lines.push({ kind: 'row', row, index });
    });
  }
  return lines;
}

/** The line index of each row. */
function lineOf(rows: readonly SyncRow[], index: number): number {
  let headers = 0;
  for (const list of SYNC_LISTS) {
    headers += 1;
    const row = rows[index];
    if (row && row.list === list) break;
  }
  return index + headers;
}

/** Scrolls so the cursor row (and, for a list's first row, its header) is visible. */
function scroll(state: SyncState): SyncState {
  const total = state.rows.length + SYNC_LISTS.length;
  const height = Math.max(1, state.height);
  if (state.rows.length === 0) return { ...state, cursor: 0, top: 0 };
  const cursor = Math.max(0, Math.min(state.rows.length - 1, state.cursor));
  const line = lineOf(state.rows, cursor);
  const firstOfList = cursor === 0 || state.rows[cursor - 1]?.list !== state.rows[cursor]?.list;
  let top = state.top;
  const want = firstOfList ? line - 1 : line;
  if (want < top) top = want;
  if (line >= top + height) top = line - height + 1;
  top = Math.max(0, Math.min(top, Math.max(0, total - height)));
  return { ...state, cursor, top };
}

/** The conflicts in `after` that were not conflicts in `before`: in live mode, each is flagged as it arrives. */
export function arrivedConflicts(before: readonly SyncRow[], after: readonly SyncRow[]): SyncRow[] {
  const known = new Set(before.filter((r) => r.list === 'conflicts').map((r) => r.id));
  return after.filter((r) => r.list === 'conflicts' && !known.has(r.id));
}

function conflictNotice(arrived: readonly SyncRow[]): string {
  const [first] = arrived;
  const more = arrived.length > 1 ? ` (and ${arrived.length - 1} more)` : '';
  return `Conflict arrived: item ${first!.id} ${first!.title || '(no title)'}${first!.detail ? ` (${first!.detail})` : ''}${more} — Enter on it reviews it.`;
}

/** Live mode on and off, its runs and its notes. */
function liveReducer(state: SyncState, action: LiveAction): SyncState {
  switch (action.type) {
    case 'live':
      return { ...state, live: action.on ? { since: action.at, lastChangeAt: null, note: null } : null, notice: null };
    case 'live-run': {
      if (!state.live) return state;
      const landed = action.report.counts.seen > 0;
      const live = { ...state.live, note: action.report.outcome === 'error' ? state.live.note : null, ...(landed ? { lastChangeAt: action.report.endedAt } : {}) };
      // A run that saw nothing keeps the last report that did on screen.
      return { ...state, live, ...(landed || action.report.outcome === 'error' ? { last: { kind: 'sync' as const, report: action.report } } : {}) };
    }
    case 'live-note':
      return state.live ? { ...state, live: { ...state.live, note: action.note } } : state;
  }
}

export function syncReducer(state: SyncState, action: SyncAction): SyncState {
  switch (action.type) {
    case 'live':
    case 'live-run':
    case 'live-note':
      return liveReducer(state, action);
    case 'rows': {
      const clean = new Set(action.rows.filter(isClean).map((r) => r.id));
      const selected = new Set([...state.selected].filter((id) => clean.has(id)));
      // The cursor stays on its item when it is still listed.
      const current = state.rows[state.cursor];
      const moved = current ? action.rows.findIndex((r) => r.id === current.id) : -1;
      const arrived = state.live ? arrivedConflicts(state.rows, action.rows) : [];
      const notice = arrived.length > 0 ? conflictNotice(arrived) : state.notice;
      return scroll({ ...state, rows: action.rows, selected, notice, cursor: moved >= 0 ? moved : state.cursor });
    }
    case 'move': {
      const target = action.delta === Infinity ? state.rows.length - 1 : action.delta === -Infinity ? 0 : state.cursor + action.delta;
      return scroll({ ...state, cursor: target });
    }
    case 'resize':
      return scroll({ ...state, height: action.height });
    case 'toggle': {
      const row = state.rows[state.cursor];
      if (!row) return state;
      // A conflict is never pushed as it is: the user reviews it first.
      if (!isClean(row)) return { ...state, notice: `Item ${row.id} is in conflict: Enter reviews it; once resolved it can be pushed.` };
      const selected = new Set(state.selected);
      if (selected.has(row.id)) selected.delete(row.id);
      else selected.add(row.id);
      return { ...state, selected };
    }
    case 'select-all-clean': {
      const clean = state.rows.filter(isClean).map((r) => r.id);
      const all = clean.length > 0 && clean.every((id) => state.selected.has(id));
      // Pressed again with everything selected, it clears the selection.
      return { ...state, selected: all ? new Set() : new Set(clean) };
    }
    case 'start':
      return { ...state, running: { kind: action.kind, done: 0, total: undefined }, error: null, notice: null };
    case 'progress':
      return state.running ? { ...state, running: { ...state.running, done: action.done, total: action.total } } : state;
    case 'finished': {
      const selected = action.kind === 'push' ? new Set<number>() : state.selected;
      return { ...state, running: null, last: { kind: action.kind, report: action.report }, selected };
    }
    case 'failed':
      return { ...state, running: null, error: action.error };
    case 'notice':
      return { ...state, notice: action.notice };
  }
}

/** The ids `p` pushes, in list order. */
export function selectedIds(state: SyncState): number[] {
  return state.rows.filter((r) => state.selected.has(r.id)).map((r) => r.id);
}

/** What Enter opens on the row under the cursor: a conflict's review, an item's view; nothing for an item deleted here. */
export function openRoute(state: SyncState, trackerId: number): Route | null {
  const row = state.rows[state.cursor];
  if (!row) return null;
  if (row.list === 'conflicts') return { screen: 'conflicts', trackerId, start: row.id };
  return row.deleted ? null : { screen: 'item', trackerId, itemId: row.id };
}
