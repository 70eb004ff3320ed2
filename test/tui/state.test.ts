/** The TUI's pure state: screen stack, cursors, the item list window, sync selection, editor, wizard, text buffer, keys. */
import { describe, expect, it } from 'vitest';
import { findBinding, keyName } from '../../client/tui/keys.js';
import { cloneWizardReducer, initialCloneWizard, leavesWizard } from '../../client/tui/state/clone-wizard.js';
import { conflictReviewReducer, initialConflictReview } from '../../client/tui/state/conflict-review.js';
import { draftChange, draftItem, editorReducer, initialEditor, parseInput, problemField } from '../../client/tui/state/editor.js';
import { type ItemListState, type ItemRow, type WindowNeed, initialItemList, itemListReducer, rowAtCursor, visibleRows, windowNeed } from '../../client/tui/state/item-list.js';
import { moveCursor } from '../../client/tui/state/list-cursor.js';
import { currentRoute, initialNavigation, navigationReducer } from '../../client/tui/state/navigation.js';
import { initialSync, syncLines, syncReducer, type SyncRow } from '../../client/tui/state/sync.js';
import { bufferText, textBuffer, textBufferReducer } from '../../client/tui/state/text-buffer.js';
import type { FieldDef } from '../../shared/model/fields.js';
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
