/** The TUI's pure state: screen stack, cursors, the item list window, sync selection, editor, wizard, text buffer, keys. */
import { describe, expect, it } from 'vitest';
import { findBinding, keyName } from '../../client/tui/keys.js';
import type { TrackerRow } from '../../client/tui/engine.js';
import { choiceCount, cloneWizardReducer, initialCloneWizard, leavesWizard } from '../../client/tui/state/clone-wizard.js';
import { type ConflictEntry, conflictReviewReducer, decisionMessage, fieldOptions, initialConflictReview, itemChoices } from '../../client/tui/state/conflict-review.js';
import { draftChange, draftItem, editorReducer, initialEditor, parseInput, problemField, refusal } from '../../client/tui/state/editor.js';
import { initialItemView, itemViewReducer, viewLines } from '../../client/tui/state/item-view.js';
import { type ItemListState, type ItemRow, type WindowNeed, initialItemList, itemListReducer, rowAtCursor, visibleRows, windowNeed } from '../../client/tui/state/item-list.js';
import { moveCursor } from '../../client/tui/state/list-cursor.js';
import { currentRoute, initialNavigation, navigationReducer } from '../../client/tui/state/navigation.js';
import { initialRemotes, remotesReducer } from '../../client/tui/state/remotes.js';
import { initialSyncLog, logHeight, syncLogReducer } from '../../client/tui/state/sync-log.js';
import { NOTHING_SELECTED, initialSync, openRoute, selectedIds, syncLines, syncReducer, type SyncRow } from '../../client/tui/state/sync.js';
import { bufferText, textBuffer, textBufferReducer } from '../../client/tui/state/text-buffer.js';
import { initialTrackers, nothingToSync, trackersReducer } from '../../client/tui/state/trackers.js';
import type { FieldDef } from '../../shared/model/fields.js';
import type { Item, Tracker } from '../../server/store/index.js';
import type { SyncRun } from '../../client/replica/index.js';
import type { RemoteListing } from '../../client/sync/remotes.js';
import type { Report } from '../../client/sync/report.js';

const noKey = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

describe('keys', () => {
  it('names keys the way bindings list them', () => {
    expect(keyName('', { ...noKey, upArrow: true })).toBe('up');
    expect(keyName('', { ...noKey, return: true })).toBe('enter');
    expect(keyName('', { ...noKey, escape: true })).toBe('esc');
    expect(keyName(' ', noKey)).toBe('space');
    expect(keyName('s', { ...noKey, ctrl: true })).toBe('ctrl-s');
    expect(keyName('/', noKey)).toBe('/');
  });

  it('finds the first binding of a key and ignores display-only bindings', () => {
    let ran = '';
    const bindings = [
      { keys: ['p'], label: 'shown only' },
      { keys: ['p', 'x'], label: 'push', run: () => (ran = 'push') },
    ];
    findBinding(bindings, 'p')?.run?.();
    expect(ran).toBe('push');
    expect(findBinding(bindings, 'z')).toBeUndefined();
  });
});

describe('navigation', () => {
  it('pushes, pops, and quits when the first screen is popped', () => {
    let state = initialNavigation();
    state = navigationReducer(state, { type: 'push', route: { screen: 'items', trackerId: 1 } });
    expect(currentRoute(state)).toEqual({ screen: 'items', trackerId: 1 });
    state = navigationReducer(state, { type: 'replace', route: { screen: 'sync', trackerId: 1 } });
    expect(state.stack.map((r) => r.screen)).toEqual(['trackers', 'sync']);
    state = navigationReducer(state, { type: 'pop' });
    expect(state.quit).toBe(false);
    state = navigationReducer(state, { type: 'pop' });
    expect(state.quit).toBe(true);
  });
});

describe('list cursor', () => {
  it('keeps the cursor visible and inside the list', () => {
    let c = { cursor: 0, top: 0 };
    c = moveCursor(c, 12, 100, 10);
    expect(c).toEqual({ cursor: 12, top: 3 });
    c = moveCursor(c, Infinity, 100, 10);
    expect(c).toEqual({ cursor: 99, top: 90 });
    c = moveCursor(c, -Infinity, 100, 10);
    expect(c).toEqual({ cursor: 0, top: 0 });
    expect(moveCursor(c, 5, 0, 10)).toEqual({ cursor: 0, top: 0 });
  });
});

describe('item list window', () => {
  // A list of ids 2, 4, 6, ... standing for the store; the window is filled the way the hook does.
  const ids = Array.from({ length: 5000 }, (_, i) => (i + 1) * 2);
  const row = (id: number): ItemRow => ({ id, title: `item ${id}`, status: 'open' });
  const answer = (need: WindowNeed, list: number[]): { rows: ItemRow[]; offset?: number } => {
    switch (need.kind) {
      case 'first':
        return { rows: list.slice(0, need.limit).map(row) };
      case 'last':
        return { rows: list.slice(-need.limit).map(row) };
      case 'after':
        return { rows: list.filter((id) => id > need.id).slice(0, need.limit).map(row) };
      case 'before':
        return { rows: list.filter((id) => id < need.id).slice(-need.limit).map(row) };
      case 'from': {
        const offset = list.filter((id) => id < need.id).length;
        return { rows: list.slice(offset, offset + need.limit).map(row), offset };
      }
    }
  };
  const fill = (state: ItemListState, list = ids): ItemListState => {
    let s = state;
    for (let need = windowNeed(s); need; need = windowNeed(s)) {
      const page = answer(need, list);
      s = itemListReducer(s, { type: 'loaded', need, ...page });
    }
    return s;
  };
  const step = (state: ItemListState, delta: number) => fill(itemListReducer(state, { type: 'move', delta }));

  it('loads only the rows around the cursor and shows the right ones after any move', () => {
    let s = fill(initialItemList(ids.length, 20));
    expect(visibleRows(s).map((r) => r.id)).toEqual(ids.slice(0, 20));
    for (const delta of [1, 25, 300, -7, Infinity, -1, -400, -Infinity, 2500, 19, -20]) {
      s = step(s, delta);
      const rows = visibleRows(s);
      expect(rows.map((r) => r.id)).toEqual(ids.slice(s.top, s.top + 20));
      expect(rowAtCursor(s)?.id).toBe(ids[s.cursor]);
      expect(s.window.length).toBeLessThanOrEqual(1000 + 20 + 100);
    }
  });

  it('reloads from the row on top after a recount, following rows added before it', () => {
    let s = fill(initialItemList(ids.length, 20));
    s = step(s, 1000);
    const onCursor = rowAtCursor(s)?.id;
    const more = [1, 3, 5, ...ids];
    s = fill(itemListReducer(s, { type: 'recount', total: more.length }), more);
    expect(rowAtCursor(s)?.id).toBe(onCursor);
    expect(visibleRows(s).map((r) => r.id)).toEqual(more.slice(s.top, s.top + 20));
  });

  it('starts again from the top when the filter changes', () => {
    let s = step(fill(initialItemList(ids.length, 20)), 500);
    s = fill(itemListReducer(s, { type: 'reset', filter: 'x', total: 3 }), [10, 20, 30]);
    expect(s.cursor).toBe(0);
    expect(visibleRows(s).map((r) => r.id)).toEqual([10, 20, 30]);
  });
});

describe('sync screen state', () => {
  const rows: SyncRow[] = [
    { id: 10, title: 'new one', list: 'new' },
    { id: 3, title: 'edited', list: 'modified' },
    { id: 4, title: 'gone', list: 'modified', deleted: true },
    { id: 7, title: 'clash', list: 'conflicts', detail: 'title' },
  ];
  const report = { outcome: 'success', dryRun: false, startedAt: '', endedAt: '', counts: { seen: 2, created: 2, updated: 0, deleted: 0, merged: 0, unchanged: 0, conflicts: 0, errors: 0 }, errors: [] } as Report;

  it('selects all clean items, never a conflict, and toggles one', () => {
    let s = syncReducer(initialSync(20), { type: 'rows', rows });
    s = syncReducer(s, { type: 'select-all-clean' });
    expect([...s.selected].sort()).toEqual([10, 3, 4].sort());
    s = syncReducer(s, { type: 'move', delta: Infinity });
    s = syncReducer(s, { type: 'toggle' });
    expect(s.selected.has(7)).toBe(false);
    s = syncReducer(s, { type: 'move', delta: -Infinity });
    s = syncReducer(s, { type: 'toggle' });
    expect(s.selected.has(10)).toBe(false);
    s = syncReducer(s, { type: 'select-all-clean' });
    s = syncReducer(s, { type: 'select-all-clean' });
    expect(s.selected.size).toBe(0);
  });

  it('lists the three lists with their headers, and clears the selection after a push', () => {
    expect(syncLines(rows).map((l) => (l.kind === 'header' ? `#${l.list}:${l.count}` : l.row.id))).toEqual(['#new:1', 10, '#modified:2', 3, 4, '#conflicts:1', 7]);
    let s = syncReducer(syncReducer(initialSync(20), { type: 'rows', rows }), { type: 'select-all-clean' });
    s = syncReducer(s, { type: 'start', kind: 'push' });
    s = syncReducer(s, { type: 'progress', done: 1, total: 3 });
    expect(s.running).toEqual({ kind: 'push', done: 1, total: 3 });
    s = syncReducer(s, { type: 'finished', kind: 'push', report });
    expect(s.selected.size).toBe(0);
    expect(s.last?.kind).toBe('push');
  });

  it('shows the last retry of a running reload until progress resumes, and none when nothing runs', () => {
    let s = syncReducer(syncReducer(initialSync(20), { type: 'rows', rows }), { type: 'start', kind: 'reload' });
    s = syncReducer(s, { type: 'retry', message: 'origin: GET /x failed: HTTP 503; attempt 1 of 5, retrying in 250 ms' });
    expect(s.running).toEqual({ kind: 'reload', done: 0, total: undefined, retry: 'origin: GET /x failed: HTTP 503; attempt 1 of 5, retrying in 250 ms' });
    s = syncReducer(s, { type: 'progress', done: 5, total: 9 });
    expect(s.running).toEqual({ kind: 'reload', done: 5, total: 9 });
    s = syncReducer(s, { type: 'finished', kind: 'reload', report });
    expect(syncReducer(s, { type: 'retry', message: 'late' }).running).toBeNull();
  });

  it('keeps the cursor on its item when the lists change', () => {
    let s = syncReducer(initialSync(20), { type: 'rows', rows });
    s = syncReducer(s, { type: 'move', delta: 2 });
    expect(s.rows[s.cursor]?.id).toBe(4);
    s = syncReducer(s, { type: 'rows', rows: rows.filter((r) => r.id !== 10) });
    expect(s.rows[s.cursor]?.id).toBe(4);
  });
});

describe('conflict review state', () => {
  const entry = (itemId: number, field: string) => ({ itemId, title: 't', kind: 'fields' as const, field, label: field, type: 'text', base: 'b', local: 'l', remote: 'r' });
  it('remembers items whose conflicts were all decided, and forgets them once pushed', () => {
    let s = conflictReviewReducer(initialConflictReview(), { type: 'entries', entries: [entry(1, 'a'), entry(1, 'b'), entry(2, 'a')] });
    s = conflictReviewReducer(s, { type: 'decided', itemId: 1, message: 'a', itemDone: false });
    expect(s.resolved).toEqual([]);
    s = conflictReviewReducer(s, { type: 'decided', itemId: 1, message: 'b', itemDone: true });
    expect(s.resolved).toEqual([1]);
    s = conflictReviewReducer(s, { type: 'move', delta: 1 });
    s = conflictReviewReducer(s, { type: 'entries', entries: [entry(2, 'a')] });
    expect(s.cursor).toBe(0);
    s = conflictReviewReducer(s, { type: 'push-start' });
    s = conflictReviewReducer(s, { type: 'push-done', report: {} as Report });
    expect(s.resolved).toEqual([]);
  });
});

describe('item editor state', () => {
  const fields: FieldDef[] = [
    { name: 'title', label: 'Title', type: 'text', required: true },
    { name: 'done', label: 'Done', type: 'checkbox', required: false },
    { name: 'estimate', label: 'Estimate', type: 'number', required: false },
    { name: 'ref', label: 'Ref', type: 'autoincrement', required: false },
  ];

  it('toggles a checkbox, checks values as they are entered, and sends only what changed', () => {
    let s = initialEditor(fields, 'open', { title: 'Hello', estimate: 3, ref: 7 });
    expect(s.fields[s.cursor]?.name).toBe('title');
    s = editorReducer(s, { type: 'move', delta: 1 });
    s = editorReducer(s, { type: 'open' });
    expect(s.draft.done).toBe(true);
    s = editorReducer(s, { type: 'set', name: 'estimate', value: parseInput('number', 'lots') });
    expect(s.problems.estimate).toMatch(/number/);
    s = editorReducer(s, { type: 'set', name: 'estimate', value: parseInput('number', '') });
    expect(s.problems.estimate).toBeUndefined();
    s = editorReducer(s, { type: 'set', name: 'title', value: '' });
    expect(s.problems.title).toMatch(/required/);
    expect(draftChange(s, { status: 'open', values: { title: 'Hello', estimate: 3, ref: 7 } })).toEqual({ values: { done: true, estimate: null, title: null } });
    s = editorReducer(s, { type: 'move', delta: Infinity });
    s = editorReducer(s, { type: 'open' });
    expect(s.editing).toBeNull();
    expect(s.message).toMatch(/cannot be edited/);
  });

  it('builds a new item from the filled fields and maps store problems to fields', () => {
    let s = initialEditor(fields, 'open', {});
    s = editorReducer(s, { type: 'set', name: 'title', value: 'New' });
    expect(draftItem(s)).toEqual({ status: 'open', values: { title: 'New' } });
    expect(problemField('items[0].values.title')).toBe('title');
    expect(problemField('values.estimate')).toBe('estimate');
    expect(problemField('items[0].status')).toBe('status');
    s = editorReducer(s, { type: 'problems', problems: { estimate: 'expected a finite number' }, message: null });
    expect(s.fields[s.cursor]?.name).toBe('estimate');
  });
});

describe('clone wizard state', () => {
  const preview = { remote: 'origin', tracker: { id: 1, name: 'bugs', description: '' }, fields: [], nameTaken: true };
  it('skips the remote step with one remote, needs a free name, and steps back', () => {
    let s = initialCloneWizard(['origin']);
    expect(s.step).toBe('tracker');
    expect(leavesWizard(s)).toBe(true);
    s = cloneWizardReducer(s, { type: 'trackers', trackers: [{ id: 1, name: 'bugs', description: '', schemaHash: 'x' }] });
    s = cloneWizardReducer(s, { type: 'pick-tracker' });
    s = cloneWizardReducer(s, { type: 'preview', preview });
    expect(cloneWizardReducer(s, { type: 'start' }).step).toBe('preview');
    s = cloneWizardReducer(s, { type: 'rename' });
    s = cloneWizardReducer(s, { type: 'name', name: 'bugs2', taken: false });
    expect(s.name).toBe('bugs2');
    s = cloneWizardReducer(s, { type: 'start' });
    expect(s.step).toBe('cloning');
    s = cloneWizardReducer(s, { type: 'failed', error: new Error('down') });
    expect(s.step).toBe('preview');
    s = cloneWizardReducer(s, { type: 'back' });
    expect(s.step).toBe('tracker');
  });

  it('asks for the remote when there are several', () => {
    const s = initialCloneWizard(['a', 'b']);
    expect(s.step).toBe('remote');
    expect(cloneWizardReducer(cloneWizardReducer(s, { type: 'pick-remote', remote: 'b' }), { type: 'back' }).step).toBe('remote');
    const given = initialCloneWizard(['a', 'b'], 'b');
    expect(given.step).toBe('tracker');
    expect(leavesWizard(given)).toBe(true);
  });
});

describe('text buffer', () => {
  it('edits lines: insert, paste with breaks, newline, backspace across lines', () => {
    let b = textBuffer('one\ntwo');
    b = textBufferReducer(b, { type: 'insert', text: '!' });
    b = textBufferReducer(b, { type: 'newline' });
    b = textBufferReducer(b, { type: 'insert', text: 'a\nb' });
    expect(bufferText(b)).toBe('one\ntwo!\na\nb');
    b = textBufferReducer(b, { type: 'home' });
    b = textBufferReducer(b, { type: 'backspace' });
    expect(bufferText(b)).toBe('one\ntwo!\nab');
    b = textBufferReducer(b, { type: 'up' });
    b = textBufferReducer(b, { type: 'up' });
    b = textBufferReducer(b, { type: 'end' });
    expect(b).toMatchObject({ row: 0, col: 3 });
  });
});

describe('trackers screen state', () => {
  const local: TrackerRow = { id: 1, name: 'notes', description: '', items: 0, remote: null };
  const cloned: TrackerRow = { id: 2, name: 'bugs', description: '', items: 3, remote: { name: 'origin', trackerName: 'bugs', lastSyncAt: null, conflicts: 0 } };

  it('says why sync does nothing on a local tracker, and clears the error once the trackers load', () => {
    expect(nothingToSync(local)).toMatch(/"notes" is a local tracker: there is nothing to sync/);
    expect(nothingToSync(cloned)).toBeNull();
    let s = trackersReducer(initialTrackers([local]), { type: 'failed', error: new Error('unreadable') });
    s = trackersReducer(s, { type: 'notice', notice: 'n' });
    s = trackersReducer(s, { type: 'loaded', trackers: [local, cloned] });
    expect(s).toMatchObject({ trackers: [local, cloned], notice: 'n', error: null });
    const cleared = trackersReducer(s, { type: 'notice', notice: null });
    expect(trackersReducer(cleared, { type: 'notice', notice: null })).toBe(cleared);
  });
});

describe('remotes screen state', () => {
  const remote = (name: string): RemoteListing => ({ name, url: `http://${name}`, user: 'alice', createdAt: '', password: 'file', clones: [] });

  it('marks every remote as checking, then keeps each answer as it comes', () => {
    let s = initialRemotes([remote('a'), remote('b')]);
    s = remotesReducer(s, { type: 'answered', name: 'gone', trackers: 9 });
    s = remotesReducer(s, { type: 'checking', names: ['a', 'b'] });
    expect(s.reach).toEqual({ a: { state: 'checking' }, b: { state: 'checking' } });
    s = remotesReducer(s, { type: 'answered', name: 'b', trackers: 2 });
    s = remotesReducer(s, { type: 'unreachable', name: 'a', title: 'Remote unreachable', message: 'cannot reach' });
    expect(s.reach).toEqual({ a: { state: 'failed', title: 'Remote unreachable', message: 'cannot reach' }, b: { state: 'ok', trackers: 2 } });
    s = remotesReducer(s, { type: 'listed', remotes: [remote('a')], local: { trackers: 3, cloned: 1 } });
    expect(s.remotes.map((r) => r.name)).toEqual(['a']);
    expect(s.local).toEqual({ trackers: 3, cloned: 1 });
  });
});

describe('sync log state', () => {
  it('toggles the report of a run, leaving fewer rows to the list while it shows', () => {
    const run = { id: 1, kind: 'reload', outcome: 'success', report: null } as unknown as SyncRun;
    let s = initialSyncLog([]);
    expect(logHeight(s, 24)).toBe(18);
    s = syncLogReducer(s, { type: 'toggle-details' });
    expect(logHeight(s, 24)).toBe(10);
    expect(logHeight(s, 10)).toBe(3);
    s = syncLogReducer(s, { type: 'runs', runs: [run] });
    expect(s).toEqual({ runs: [run], details: true });
  });
});

describe('item view state', () => {
  const tracker = {
    id: 1,
    name: 'bugs',
    fields: [
      { name: 'title', label: 'Title', type: 'text', required: true },
      { name: 'body', label: 'Description', type: 'textarea', required: false },
      { name: 'estimate', label: 'Estimate', type: 'number', required: false },
    ],
  } as unknown as Tracker;
  const item = { id: 7, status: 'open', values: { title: 'Bug', body: 'one\ntwo\nthree' } } as unknown as Item;

  it('shows a line per field, a textarea a line per line, an empty value as a dash', () => {
    expect(viewLines({ tracker, item })).toEqual([
      { label: 'Status', text: 'open' },
      { label: 'Title', text: 'Bug' },
      { label: 'Description', text: 'one' },
      { label: '', text: 'two' },
      { label: '', text: 'three' },
      { label: 'Estimate', text: '—', dim: true },
    ]);
    expect(viewLines({ tracker, item: undefined })).toEqual([]);
  });

  it('scrolls down to the last screenful and up to the first line', () => {
    let s = initialItemView(tracker, item);
    for (let i = 0; i < 5; i++) s = itemViewReducer(s, { type: 'scroll', delta: 1, height: 4 });
    expect(s.scroll).toBe(2);
    s = itemViewReducer(s, { type: 'scroll', delta: -1, height: 4 });
    s = itemViewReducer(s, { type: 'scroll', delta: -1, height: 4 });
    s = itemViewReducer(s, { type: 'scroll', delta: -1, height: 4 });
    expect(s.scroll).toBe(0);
    expect(itemViewReducer(s, { type: 'scroll', delta: 1, height: 10 }).scroll).toBe(0);
    expect(itemViewReducer(s, { type: 'loaded', tracker, item: undefined }).item).toBeUndefined();
  });
});

describe('sync screen keys', () => {
  const rows: SyncRow[] = [
    { id: 10, title: 'new one', list: 'new' },
    { id: 4, title: 'gone', list: 'modified', deleted: true },
    { id: 7, title: 'clash', list: 'conflicts', detail: 'title' },
  ];

  it('refuses to select a conflict with a notice, which the next run clears', () => {
    let s = syncReducer(syncReducer(initialSync(20), { type: 'rows', rows }), { type: 'move', delta: Infinity });
    s = syncReducer(s, { type: 'toggle' });
    expect(s.selected.size).toBe(0);
    expect(s.notice).toBe('Item 7 is in conflict: Enter reviews it; once resolved it can be pushed.');
    s = syncReducer(s, { type: 'start', kind: 'reload' });
    expect(s.notice).toBeNull();
    expect(NOTHING_SELECTED).toMatch(/^Nothing selected/);
  });

  it('pushes the selection in list order, and opens a conflict as a review, an item as its view, a deleted item not at all', () => {
    let s = syncReducer(initialSync(20), { type: 'rows', rows });
    expect(selectedIds(s)).toEqual([]);
    s = syncReducer(s, { type: 'select-all-clean' });
    expect(selectedIds(s)).toEqual([10, 4]);
    expect(openRoute(s, 3)).toEqual({ screen: 'item', trackerId: 3, itemId: 10 });
    s = syncReducer(s, { type: 'move', delta: 1 });
    expect(openRoute(s, 3)).toBeNull();
    s = syncReducer(s, { type: 'move', delta: 1 });
    expect(openRoute(s, 3)).toEqual({ screen: 'conflicts', trackerId: 3, start: 7 });
    expect(openRoute(initialSync(20), 3)).toBeNull();
  });
});

describe('conflict review decisions', () => {
  const field = (itemId: number, name: string): ConflictEntry => ({ itemId, title: 't', kind: 'fields', field: name, label: name, type: 'text', base: 'b', local: 'l', remote: 'r' });
  const deleted: ConflictEntry = { itemId: 5, title: 't', kind: 'remote-deleted', field: null, label: 'deleted on the remote, edited here', type: 'item', base: null, local: null, remote: null };

  it('opens on the first conflict of the item asked for', () => {
    const entries = [field(1, 'a'), field(2, 'a'), field(2, 'b')];
    expect(initialConflictReview(entries, 2).cursor).toBe(1);
    expect(initialConflictReview(entries, 99).cursor).toBe(0);
    expect(initialConflictReview(entries).cursor).toBe(0);
  });

  it('says what a decision did, and what l and t mean for a deletion', () => {
    expect(decisionMessage(field(1, 'Title'), 'local', { action: 'fields', remaining: ['body', 'priority'] })).toBe('Item 1, Title: local value kept (2 more in conflict)');
    expect(decisionMessage(field(1, 'Title'), 'remote', { action: 'fields', remaining: [] })).toBe('Item 1, Title: remote value taken');
    expect(decisionMessage(field(1, 'Title'), 'value', { action: 'fields', remaining: [] })).toBe('Item 1, Title: your value set');
    expect(decisionMessage(deleted, 'remote', { action: 'deleted', remaining: [] })).toBe('Item 5: deleted');
    expect(itemChoices(deleted)).toEqual({ local: 'keep the item (push creates it again)', remote: 'delete it here too' });
    expect(itemChoices(field(1, 'a'))).toBeNull();
  });

  it('picks a value of one\'s own from the statuses or the field\'s options', () => {
    const fields = [{ name: 'priority', options: ['low', 'high'] }];
    expect(fieldOptions(fields, field(1, 'priority'))).toEqual(['low', 'high']);
    expect(fieldOptions(fields, field(1, 'status'))).toContain('open');
    expect(fieldOptions(fields, field(1, 'title'))).toBeUndefined();
  });
});

describe('clone wizard choices and editor refusals', () => {
  it('moves over the remotes, then the remote\'s trackers, then nothing', () => {
    let s = initialCloneWizard(['a', 'b', 'c']);
    expect(choiceCount(s)).toBe(3);
    s = cloneWizardReducer(s, { type: 'pick-remote', remote: 'a' });
    expect(choiceCount(s)).toBe(0);
    s = cloneWizardReducer(s, { type: 'trackers', trackers: [{ id: 1, name: 'bugs', description: '', schemaHash: 'x' }] });
    expect(choiceCount(s)).toBe(1);
    s = cloneWizardReducer(s, { type: 'preview', preview: { remote: 'a', tracker: { id: 1, name: 'bugs', description: '' }, fields: [], nameTaken: false } });
    expect(choiceCount(s)).toBe(0);
  });

  it('shows each store problem beside its field, the first one per field, and the others in one message', () => {
    const fields: FieldDef[] = [{ name: 'title', label: 'Title', type: 'text', required: true }];
    const s = initialEditor(fields, 'open', {});
    expect(refusal(s, [{ field: 'values.title', reason: 'required' }, { field: 'items[0].values.title', reason: 'later' }])).toEqual({
      type: 'problems',
      problems: { title: 'required' },
      message: 'Not saved: fix the fields marked in red.',
    });
    expect(refusal(s, [{ field: 'values.nope', reason: 'unknown field' }, { field: 'items', reason: 'too many' }]).message).toBe('values.nope: unknown field; items: too many');
  });
});
