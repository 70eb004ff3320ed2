/**
 * The frame of a sync run: the sync log row written before and completed after, the dry-run
 * transaction around the whole flow, and run-level failures turned into an error report
 * (what was committed before the failure stays).
 */
import type { SqliteStore } from '../../server/store/index.js';
import { type RunKind, ReplicaState } from '../replica/index.js';
import { type Report, ReportBuilder, type RunControls } from './report.js';

export interface RunOptions extends RunControls {
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
 * Runs `body` as one logged sync run. A dry run runs inside the replica state's dryRun, where
 * every batch transaction nests as a savepoint and all of it is rolled back at the end; the log
 * row is written outside it, so the dry run itself is remembered.
 */
export async function loggedRun(
  store: SqliteStore,
  options: RunOptions,
  body: (report: ReportBuilder) => Promise<Record<string, unknown> | void>,
): Promise<Report> {
  const report = new ReportBuilder(options.dryRun, { stopOnError: options.stopOnError === true });
  const replicas = new ReplicaState(store);
  const runId = replicas.log.start(options.trackerId, options.kind, options.dryRun, report.startedAt);
  const run = async (): Promise<Record<string, unknown>> => {
    try {
      return (await body(report)) ?? {};
    } catch (error) {
      report.fail(options.failureHint ? `${messageOf(error)}; ${options.failureHint}` : messageOf(error));
      return {};
    }
  };
  const extra = options.dryRun ? await replicas.dryRun(run) : await run();
  const finished = report.finish(extra);
  replicas.log.finish(runId, finished);
  return finished;
}
