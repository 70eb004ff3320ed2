/** The sync screen's live mode as pure state: on and off, runs that land something or nothing, notes, conflicts flagged as they arrive, the age shown. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../client/sync/report.js';
import { showAge } from '../../client/tui/format.js';
import { type SyncRow, type SyncState, arrivedConflicts, initialSync, syncReducer } from '../../client/tui/state/sync.js';

function report(seen: number, outcome: Report['outcome'] = 'success', endedAt = '2026-12-01T10:00:05.000Z'): Report {
  return { outcome, dryRun: false, startedAt: '2026-12-01T10:00:04.000Z', endedAt, counts: { seen, created: 0, updated: seen, deleted: 0, merged: 0, unchanged: 0, conflicts: 0, errors: 0 }, errors: [] };
}

const rows: SyncRow[] = [
  { id: 1, title: 'one', list: 'modified' },
  { id: 2, title: 'two', list: 'new' },
];

function live(): SyncState {
  return syncReducer(syncReducer(initialSync(10), { type: 'rows', rows }), { type: 'live', on: true, at: '2026-12-01T10:00:00.000Z' });
}

describe('live mode state', () => {
  it('remembers when it began; a run that lands something sets the last change and shows its report, one that lands nothing does not', () => {
    let s = live();
    expect(s.live).toEqual({ since: '2026-12-01T10:00:00.000Z', lastChangeAt: null, note: null });
    s = syncReducer(s, { type: 'live-run', report: report(0) });
    expect([s.live?.lastChangeAt, s.last]).toEqual([null, null]);
    s = syncReducer(s, { type: 'live-run', report: report(2) });
    expect(s.live?.lastChangeAt).toBe('2026-12-01T10:00:05.000Z');
    expect(s.last).toEqual({ kind: 'sync', report: report(2) });
    s = syncReducer(s, { type: 'live', on: false, at: '2026-12-01T10:01:00.000Z' });
    expect(s.live).toBeNull();
    expect(syncReducer(s, { type: 'live-run', report: report(3) })).toBe(s);
  });

  it('shows the watch notes until a run goes through; a failed run keeps the note and shows its report', () => {
    let s = syncReducer(live(), { type: 'live-note', note: 'cannot reach remote origin; trying again in 0.3 s' });
    s = syncReducer(s, { type: 'live-run', report: report(0, 'error') });
    expect(s.live?.note).toMatch(/trying again/);
    expect(s.last?.report.outcome).toBe('error');
    s = syncReducer(s, { type: 'live-run', report: report(0) });
    expect(s.live?.note).toBeNull();
  });

  it('flags each conflict that arrives while live, and only while live', () => {
    const conflicted: SyncRow[] = [{ id: 1, title: 'one', list: 'conflicts', detail: 'title' }, rows[1]!];
    expect(syncReducer(live(), { type: 'rows', rows: conflicted }).notice).toBe('Conflict arrived: item 1 one (title) — Enter on it reviews it.');
    const off = syncReducer(syncReducer(initialSync(10), { type: 'rows', rows }), { type: 'rows', rows: conflicted });
    expect(off.notice).toBeNull();
    // One already there is not news.
    const again = syncReducer(syncReducer(live(), { type: 'rows', rows: conflicted }), { type: 'notice', notice: null });
    expect(syncReducer(again, { type: 'rows', rows: conflicted }).notice).toBeNull();
  });

  it('arrivedConflicts: exactly the conflicts of after that before did not have', () => {
    const row = fc.record({ id: fc.integer({ min: 1, max: 8 }), title: fc.string({ maxLength: 3 }), list: fc.constantFrom('new', 'modified', 'conflicts' as const) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), fc.array(row, { maxLength: 8 }), (before, after) => {
        const was = new Set(before.filter((r) => r.list === 'conflicts').map((r) => r.id));
        expect(arrivedConflicts(before, after)).toEqual(after.filter((r) => r.list === 'conflicts' && !was.has(r.id)));
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });
});

describe('showAge', () => {
  it('says how long ago, in the largest whole unit', () => {
    const at = Date.parse('2026-12-01T10:00:00.000Z');
    const age = (ms: number) => showAge('2026-12-01T10:00:00.000Z', at + ms);
    expect([age(-5), age(400), age(12_000), age(185_000), age(7_300_000), age(3 * 86_400_000)]).toEqual(['just now', 'just now', '12 s ago', '3 min ago', '2 h ago', '3 d ago']);
  });
});
