/** `s15n log TRACKER`: the past sync runs of a tracker (clone, reload, push) with their counters. */
import type { Command } from 'commander';
import { type SyncRun, ReplicaState } from '../../replica/index.js';
import { output, parseId, withStore } from '../context.js';
import { formatCounts, formatRunError } from '../run-report.js';

/** A run in the --json shape: the REPORT fields plus the run's id and kind (counts null for a run that never finished). */
function toJson(run: SyncRun): Record<string, unknown> {
  return {
    ...(run.report ?? {}),
    id: run.id,
    kind: run.kind,
    outcome: run.outcome,
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    counts: run.counts,
    errors: run.errors,
  };
}

function line(run: SyncRun): string {
  const counts = run.counts ? formatCounts(run.counts) : 'no counters';
  const lines = [`#${run.id}  ${run.startedAt}  ${run.kind}${run.dryRun ? ' (dry run)' : ''}  ${run.outcome}  ${counts}`];
  for (const error of run.errors) lines.push(`      ${formatRunError(error)}`);
  return lines.join('\n');
}

export function registerLog(program: Command): void {
  program
    .command('log <tracker>')
    .description('past sync runs of a tracker, newest first, with their counters')
    .option('--limit <n>', 'at most N runs (default 100)')
    .action(async (ref: string, opts: { limit?: string }, command: Command) => {
      const limit = opts.limit === undefined ? 100 : parseId(opts.limit, '--limit');
      await withStore(command, (store) => {
        const tracker = store.getTracker(ref);
        const runs = new ReplicaState(store).log.list(tracker.id, limit);
        output(command, runs.map(toJson), () => (runs.length === 0 ? `no sync runs for ${tracker.name}` : runs.map(line).join('\n')));
      });
    });
}
