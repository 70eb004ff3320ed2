/** `s15n log TRACKER [--prune --keep N | --older-than DURATION]`: the past sync runs of a tracker (clone, reload, push) with their counters, and their retention. */
import type { Command } from 'commander';
import { type SyncRun, ReplicaState } from '../../replica/index.js';
import { BadInput } from '../../../shared/errors.js';
import { output, parseId, withStore } from '../context.js';
import { parseDuration } from '../duration.js';
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

interface LogOpts {
  limit?: string;
  prune?: boolean;
  keep?: string;
  olderThan?: string;
}

/** The retention asked for, checked before the store is opened: --keep and --older-than go with --prune, and --prune needs one. */
function prunePolicy(opts: LogOpts): { keep?: number; olderThanMs?: number } | null {
  const given = opts.keep !== undefined || opts.olderThan !== undefined;
  if (!opts.prune) {
    if (given) throw new BadInput('--keep and --older-than go with --prune', [{ field: opts.keep !== undefined ? '--keep' : '--older-than', reason: 'without --prune' }]);
    return null;
  }
  if (!given) throw new BadInput('--prune needs --keep N (the newest runs to keep) or --older-than DURATION (e.g. 30d)', [{ field: '--prune', reason: 'needs --keep or --older-than' }]);
  if (opts.limit !== undefined) throw new BadInput('--limit lists runs; it does not go with --prune', [{ field: '--limit', reason: 'with --prune' }]);
  if (opts.keep !== undefined && !/^\d{1,9}$/.test(opts.keep)) {
    throw new BadInput(`--keep: expected a number of runs (0 or more), got "${opts.keep.slice(0, 40)}"`, [{ field: '--keep', reason: 'a whole number' }]);
  }
  const keep = opts.keep === undefined ? undefined : Number(opts.keep);
  return { ...(keep !== undefined ? { keep } : {}), ...(opts.olderThan !== undefined ? { olderThanMs: parseDuration(opts.olderThan) } : {}) };
}

export function registerLog(program: Command): void {
  program
    .command('log <tracker>')
    .description('past sync runs of a tracker, newest first, with their counters; with --prune, delete old ones')
    .option('--limit <n>', 'at most N runs (default 100)')
    .option('--prune', 'delete runs: those beyond the newest --keep N, and (with --older-than) started longer ago than DURATION; both given, a run goes only when both say so')
    .option('--keep <n>', 'with --prune: keep the newest N runs')
    .option('--older-than <duration>', 'with --prune: delete runs started more than DURATION ago (30d, 12h, 90m, 1w, 1d12h)')
    .action(async (ref: string, opts: LogOpts, command: Command) => {
      const policy = prunePolicy(opts);
      const limit = opts.limit === undefined ? 100 : parseId(opts.limit, '--limit');
      await withStore(command, (store) => {
        const tracker = store.getTracker(ref);
        const log = new ReplicaState(store).log;
        if (policy) {
          const before = policy.olderThanMs === undefined ? undefined : new Date(Date.now() - policy.olderThanMs).toISOString();
          const result = log.prune(tracker.id, { ...(policy.keep !== undefined ? { keep: policy.keep } : {}), ...(before ? { before } : {}) });
          output(command, { tracker: tracker.name, ...result }, `pruned ${result.pruned} sync run${result.pruned === 1 ? '' : 's'} of ${tracker.name}; ${result.kept} kept`);
          return;
        }
        const runs = log.list(tracker.id, limit);
        output(command, runs.map(toJson), () => (runs.length === 0 ? `no sync runs for ${tracker.name}` : runs.map(line).join('\n')));
      });
    });
}
