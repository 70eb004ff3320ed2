/**
 * The frame of a sync run: the sync log row written before and completed after, the dry-run
 * transaction around the whole flow, and run-level failures turned into an error report
 * (what was committed before the failure stays).
 */
import type { Store } from '../../server/store/index.js';
import { type RunKind, SyncLog } from './log.js';
import { type Report, ReportBuilder } from './report.js';

export interface RunOptions {
  trackerId: number;
  kind: RunKind;
  dryRun: boolean;
  /** Appended to a run-level failure message: what the user can do about it. */
  failureHint?: string;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `body` as one logged sync run. A dry run opens a transaction first, so every batch
 * transaction inside nests as a savepoint, and rolls it all back at the end; the log row is
 * written outside it, so the dry run itself is remembered.
 */
export async function loggedRun(
  store: Store,
  options: RunOptions,
  body: (report: ReportBuilder) => Promise<Record<string, unknown> | void>,
): Promise<Report> {
  const report = new ReportBuilder(options.dryRun);
  const log = new SyncLog(store);
  const runId = log.start(options.trackerId, options.kind, options.dryRun, report.startedAt);
  let extra: Record<string, unknown> = {};
  if (options.dryRun) store.db.exec('BEGIN IMMEDIATE');
  try {
    extra = (await body(report)) ?? {};
  } catch (error) {
    report.fail(options.failureHint ? `${messageOf(error)}; ${options.failureHint}` : messageOf(error));
  } finally {
    if (options.dryRun && store.db.inTransaction) store.db.exec('ROLLBACK');
  }
  const finished = report.finish(extra);
  log.finish(runId, finished);
  return finished;
}
