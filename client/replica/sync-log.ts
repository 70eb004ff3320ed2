/**
 * The sync log: one row per clone, reload, push or sync run, written when the run starts (so a run
 * killed midway still shows, as interrupted) and completed with its report when it ends.
 */
import type Database from 'better-sqlite3';
import type { Report } from '../sync/report.js';

export type RunKind = 'clone' | 'reload' | 'push' | 'sync';

export interface SyncRun {
  id: number;
  trackerId: number;
  kind: RunKind;
  dryRun: boolean;
  /** 'running' only while the run is alive; a run that never finished reads as an error. */
  outcome: Report['outcome'];
  startedAt: string;
  endedAt: string | null;
  counts: Report['counts'] | null;
  errors: Report['errors'];
  report: Report | null;
}

interface RunRow {
  id: number;
  tracker_id: number;
  kind: RunKind;
  dry_run: number;
  outcome: string;
  started_at: string;
  ended_at: string | null;
  report: string | null;
  pid: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SyncLog {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      start: db.prepare('INSERT INTO sync_runs (tracker_id, kind, dry_run, outcome, started_at, pid) VALUES (?, ?, ?, ?, ?, ?)'),
      finish: db.prepare('UPDATE sync_runs SET outcome = ?, ended_at = ?, report = ? WHERE id = ?'),
      list: db.prepare<[number, number], RunRow>('SELECT * FROM sync_runs WHERE tracker_id = ? ORDER BY id DESC LIMIT ?'),
      prunable: db.prepare<[{ tracker: number; keep: number; before: string }], Pick<RunRow, 'id' | 'outcome' | 'pid'>>(
        `SELECT id, outcome, pid FROM sync_runs WHERE tracker_id = @tracker AND started_at < @before
           AND id NOT IN (SELECT id FROM sync_runs WHERE tracker_id = @tracker ORDER BY id DESC LIMIT @keep)`,
      ),
      remove: db.prepare<[number]>('DELETE FROM sync_runs WHERE id = ?'),
      count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM sync_runs WHERE tracker_id = ?'),
    };
    this.transaction = (fn) => db.transaction(fn).immediate();
  }

  private readonly transaction: <T>(fn: () => T) => T;

  /**
   * Retention (DESIGN §12): deletes a tracker's runs older than the newest `keep` and (when given)
   * started before `before` (an ISO time); a run still going is never deleted. Returns what went and what stays.
   */
  prune(trackerId: number, policy: { keep?: number; before?: string }): { pruned: number; kept: number } {
    return this.transaction(() => {
      // No `before`: any start time (ISO times sort before U+FFFF).
      const rows = this.stmts.prunable.all({ tracker: trackerId, keep: policy.keep ?? 0, before: policy.before ?? '\uffff' });
      let pruned = 0;
      for (const row of rows) {
        if (row.outcome === 'running' && isAlive(row.pid)) continue;
        pruned += this.stmts.remove.run(row.id).changes;
      }
      return { pruned, kept: this.stmts.count.get(trackerId)!.n };
    });
  }

  start(trackerId: number, kind: RunKind, dryRun: boolean, startedAt: string): number {
    const info = this.stmts.start.run(trackerId, kind, dryRun ? 1 : 0, 'running', startedAt, process.pid);
    return Number(info.lastInsertRowid);
  }

  finish(runId: number, report: Report): void {
    this.stmts.finish.run(report.outcome, report.endedAt, JSON.stringify(report), runId);
  }

  /** The runs of a tracker, newest first. */
  list(trackerId: number, limit = 100): SyncRun[] {
    const rows = this.stmts.list.all(trackerId, limit);
    return rows.map((row) => {
      const report = row.report ? (JSON.parse(row.report) as Report) : null;
      const interrupted = row.outcome === 'running' && !isAlive(row.pid);
      return {
        id: row.id,
        trackerId: row.tracker_id,
        kind: row.kind,
        dryRun: row.dry_run === 1,
        outcome: interrupted ? 'error' : (row.outcome as Report['outcome']),
        startedAt: row.started_at,
        endedAt: row.ended_at,
        counts: report?.counts ?? null,
        errors: report?.errors ?? (interrupted ? [{ id: null, message: 'interrupted before it finished (process killed or crashed)' }] : []),
        report,
      };
    });
  }
}
