/**
 * `s15n sync TRACKER...|--all [--watch] [--interval SEC] [--pull-only] [--dry-run] [--stop-on-error]` (DESIGN §11):
 * per tracker a reload, then a push of every clean local change, one report each (kind `sync`,
 * in `s15n log`). Without --watch, `--json` prints one document `{"reports": [...]}`; with it the
 * trackers are kept in sync until SIGINT or SIGTERM, one report per run (one NDJSON line each).
 */
import type { Command } from 'commander';
import { BadInput } from '../../../shared/errors.js';
import type { SqliteStore } from '../../../server/store/index.js';
import { ReplicaState } from '../../replica/index.js';
import type { Report } from '../../sync/report.js';
import { RemoteClients, sync, trackersToSync } from '../../sync/sync.js';
import { watch } from '../../sync/watch.js';
import { EXIT, globals, note, output, withStore } from '../context.js';
import { cancelOnInterrupt, exitCodeOf, formatCounts, formatReport, formatRunError, progressPrinter } from '../run-report.js';

interface SyncOpts {
  all?: boolean;
  watch?: boolean;
  interval?: string;
  heartbeat?: string;
  pullOnly?: boolean;
  dryRun?: boolean;
  stopOnError?: boolean;
}

interface Plan {
  watch: boolean;
  intervalMs: number | null;
  heartbeatMs: number | undefined;
}

/** Seconds as the flags take them (`2`, `0.5`), in ms; bad usage names the flag. */
function seconds(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) {
    throw new BadInput(`${flag}: expected seconds from ${min} to ${max}, got "${text}"`, [{ field: flag, reason: `seconds from ${min} to ${max}` }]);
  }
  return Math.round(value * 1000);
}

/** Refuses what does not go together before anything runs (exit 2, nothing changed). */
function planOf(refs: readonly string[], opts: SyncOpts): Plan {
  if (refs.length === 0 && !opts.all) throw new BadInput('name the trackers to sync, or --all for every cloned tracker', [{ field: 'trackers', reason: 'missing' }]);
  if (refs.length > 0 && opts.all) throw new BadInput('name trackers or use --all, not both', [{ field: '--all', reason: 'with named trackers' }]);
  // An interval is a way of watching: it implies --watch.
  const watching = opts.watch === true || opts.interval !== undefined;
  if (watching && opts.stopOnError) {
    throw new BadInput('--stop-on-error ends one run at its first item error; a watch would retry that item forever: drop --watch or --stop-on-error', [{ field: '--stop-on-error', reason: 'with --watch' }]);
  }
  if (watching && opts.dryRun) throw new BadInput('--dry-run changes nothing, so watching it would repeat the same run: drop --watch or --dry-run', [{ field: '--dry-run', reason: 'with --watch' }]);
  if (opts.heartbeat !== undefined && (!watching || opts.interval !== undefined)) {
    throw new BadInput('--heartbeat goes with --watch, without --interval (a poll holds no feed open)', [{ field: '--heartbeat', reason: 'without a feed' }]);
  }
  return {
    watch: watching,
    intervalMs: opts.interval === undefined ? null : seconds(opts.interval, '--interval', 0.1, 86_400),
    heartbeatMs: opts.heartbeat === undefined ? undefined : seconds(opts.heartbeat, '--heartbeat', 0.1, 120),
  };
}

/** A sync report as people read it: the totals, then what each part counted. */
export function formatSync(report: Report): string {
  const parts = ['reload', 'push'].flatMap((name) => {
    const part = report[name] as Report | null | undefined;
    return part ? [`  ${name}: ${formatCounts(part.counts)}`] : [];
  });
  return [formatReport(`sync of ${String(report.tracker)}`, report), ...parts].join('\n');
}

/** The counters that are not 0 (`seen` always): `seen 3: updated 2, conflicts 1`. */
function compact(counts: Report['counts']): string {
  const rest = Object.entries(counts).filter(([name, n]) => name !== 'seen' && n > 0);
  return `seen ${counts.seen}${rest.length > 0 ? `: ${rest.map(([name, n]) => `${name} ${n}`).join(', ')}` : ''}`;
}

/** A watch's run on one line (a watch runs for hours), its errors and warnings below it. */
export function formatWatchRun(report: Report): string {
  const part = (name: string) => (report[name] ? `${name} ${compact((report[name] as Report).counts)}` : null);
  const parts = [part('reload'), part('push')].filter((text) => text !== null).join('; ');
  const lines = [`${report.endedAt.slice(11, 19)} sync of ${String(report.tracker)}: ${report.outcome} (${parts})`];
  for (const warning of (report.warnings as string[] | undefined) ?? []) lines.push(`  warning: ${warning}`);
  for (const error of report.errors) lines.push(`  ${formatRunError(error)}`);
  return lines.join('\n');
}

/** The worst over the trackers: a failed run (1) before conflicts remaining (3). */
function exitOf(store: SqliteStore, trackerIds: readonly number[], reports: readonly Report[]): number {
  const codes = trackerIds.map((id, i) => (reports[i] ? exitCodeOf(store, id, reports[i]) : EXIT.ok));
  return codes.includes(EXIT.failed) ? EXIT.failed : codes.includes(EXIT.conflicts) ? EXIT.conflicts : EXIT.ok;
}

/** One run per tracker, one after the other, the trackers of a remote sharing its client. */
async function syncOnce(command: Command, store: SqliteStore, trackerIds: readonly number[], opts: SyncOpts): Promise<void> {
  const replicas = new ReplicaState(store);
  const clients = new RemoteClients(store);
  const cancel = cancelOnInterrupt();
  const reports: Report[] = [];
  try {
    for (const id of trackerIds) {
      if (cancel.signal.aborted) break;
      const replica = replicas.requireReplica(id);
      const progress = progressPrinter(`sync ${store.getTracker(id).name}`);
      const report = await sync(store, id, {
        client: clients.of(replica.remoteName),
        dryRun: opts.dryRun === true,
        pullOnly: opts.pullOnly === true,
        stopOnError: opts.stopOnError === true,
        signal: cancel.signal,
        ...(progress ? { onProgress: progress } : {}),
      });
      if (progress) process.stderr.write('\n');
      reports.push(report);
    }
  } finally {
    cancel.dispose();
    clients.closeAll();
  }
  output(command, { reports }, () => (reports.length === 0 ? 'no cloned trackers to sync' : reports.map(formatSync).join('\n')));
  process.exitCode = exitOf(store, trackerIds, reports);
}

/** The first SIGINT or SIGTERM stops after the current batch; a second one quits at once. */
function stopOnSignal(stop: () => void): () => void {
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) process.exit(EXIT.failed);
    note('stopping after the current batch (again to quit now)');
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Keeps the trackers in sync until a signal; one line per run (NDJSON with --json). */
async function syncWatching(command: Command, store: SqliteStore, trackerIds: readonly number[], opts: SyncOpts, plan: Plan): Promise<void> {
  if (trackerIds.length === 0) throw new BadInput('nothing to watch: this instance has no cloned tracker', [{ field: '--all', reason: 'no cloned tracker' }]);
  const json = globals(command).json === true;
  const watching = watch(store, trackerIds, {
    pullOnly: opts.pullOnly === true,
    intervalMs: plan.intervalMs,
    ...(plan.heartbeatMs !== undefined ? { heartbeatMs: plan.heartbeatMs } : {}),
    onReport: (report) => process.stdout.write(`${json ? JSON.stringify(report) : formatWatchRun(report)}\n`),
    onNote: (message) => note(`s15n: ${message}`),
  });
  const names = trackerIds.map((id) => store.getTracker(id).name).join(', ');
  note(`watching ${names}${plan.intervalMs !== null ? `, every ${plan.intervalMs / 1000} s` : ''}${opts.pullOnly ? ' (pull only)' : ''}; Ctrl-C stops`);
  const unlisten = stopOnSignal(() => void watching.stop());
  const end = await watching.done.finally(unlisten);
  if (end.failed) {
    note(`s15n: ${end.failed.message}`);
    process.exitCode = EXIT.failed;
    return;
  }
  const conflicted = trackerIds.some((id) => new ReplicaState(store).conflictedItems(id).length > 0);
  process.exitCode = conflicted ? EXIT.conflicts : EXIT.ok;
}

export function registerSync(program: Command): void {
  program
    .command('sync [trackers...]')
    .description('reload, then push every clean local change, per cloned tracker; --watch keeps them in sync; exit 3 when conflicts remain')
    .option('--all', 'every cloned tracker')
    .option('--watch', "keep going: follow the remote's continuous feed, push local changes within about a second, until SIGINT or SIGTERM")
    .option('--interval <sec>', 'with --watch (implied): poll every SEC seconds instead of holding a feed open (proxies that buffer streams)')
    .option('--heartbeat <sec>', "with --watch: how often the remote's idle feed sends a heartbeat (default 10; shorter than a proxy's idle cut)")
    .option('--pull-only', 'never push: reload only')
    .option('--dry-run', 'run everything in a transaction that is rolled back; report what would happen (not with --watch)')
    .option('--stop-on-error', "end a tracker's run at its first item error (outcome error; a failed reload is not followed by a push); by default runs go on and count errors (not with --watch)")
    .action(async (refs: string[], opts: SyncOpts, command: Command) => {
      const plan = planOf(refs, opts);
      await withStore(command, async (store) => {
        const trackerIds = trackersToSync(store, refs, opts.all === true);
        if (plan.watch) await syncWatching(command, store, trackerIds, opts, plan);
        else await syncOnce(command, store, trackerIds, opts);
      });
    });
}
