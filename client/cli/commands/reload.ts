/** `s15n reload TRACKER [--dry-run]`: bring the remote's changes in; prints the run's report. */
import type { Command } from 'commander';
import type { SqliteStore } from '../../../server/store/index.js';
import { reload } from '../../sync/reload.js';
import { ReplicaState } from '../../replica/index.js';
import type { Report } from '../../sync/report.js';
import { EXIT, output, parseId, withStore } from '../context.js';

/** The report as people read it; the same lines serve clone, reload, push and log. */
export function formatReport(what: string, report: Report): string {
  const c = report.counts;
  const seconds = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
  const lines = [
    `${what}: ${report.outcome}${report.dryRun ? ' (dry run: nothing was changed)' : ''}`,
    `  seen ${c.seen}: created ${c.created}, updated ${c.updated}, deleted ${c.deleted}, merged ${c.merged}, unchanged ${c.unchanged}, conflicts ${c.conflicts}, errors ${c.errors}`,
    `  started ${report.startedAt}, ended ${report.endedAt} (${seconds.toFixed(1)} s)`,
  ];
  for (const warning of (report.warnings as string[] | undefined) ?? []) lines.push(`  warning: ${warning}`);
  for (const error of report.errors) lines.push(`  error: ${error.id === null ? '' : `item ${error.id}: `}${error.message}`);
  return lines.join('\n');
}

/**
 * 1 when the run failed, 3 when conflicts remain (found now, or still open from before), else 0.
 * A failed run also says why on stderr, where scripts look for errors (the report on stdout has it too).
 */
export function exitCodeOf(store: SqliteStore, trackerId: number, report: Report): number {
  if (report.outcome === 'error') {
    for (const error of report.errors.filter((e) => e.id === null)) process.stderr.write(`s15n: ${error.message}\n`);
    return EXIT.failed;
  }
  if (report.counts.conflicts > 0 || new ReplicaState(store).conflictedItems(trackerId).length > 0) return EXIT.conflicts;
  return EXIT.ok;
}

/** Progress on stderr, only for a person watching a terminal. */
export function progressPrinter(label: string): ((done: number, total: number | undefined) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => process.stderr.write(`\r${label}: ${done}${total !== undefined ? ` / ${total}` : ''} changes applied`);
}

/** Ctrl-C stops the run between batches (what was applied stays); a second Ctrl-C quits at once. */
export function cancelOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInterrupt = () => {
    process.stderr.write('\nstopping after the current batch (Ctrl-C again to quit now)\n');
    controller.abort();
    process.off('SIGINT', onInterrupt);
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

/** Runs a reload or push with progress on a terminal and Ctrl-C to stop, then prints its report and sets the exit code. */
export async function runReported(
  command: Command,
  store: SqliteStore,
  tracker: { id: number; name: string },
  what: 'reload' | 'push',
  run: (hooks: { signal: AbortSignal; onProgress?: (done: number, total: number | undefined) => void }) => Promise<Report>,
): Promise<void> {
  const progress = progressPrinter(`${what} ${tracker.name}`);
  const cancel = cancelOnInterrupt();
  let report: Report;
  try {
    report = await run({ signal: cancel.signal, ...(progress ? { onProgress: progress } : {}) });
  } finally {
    cancel.dispose();
    if (progress) process.stderr.write('\n');
  }
  output(command, report, () => formatReport(`${what} of ${tracker.name}`, report));
  process.exitCode = exitCodeOf(store, tracker.id, report);
}

export function registerReload(program: Command): void {
  program
    .command('reload <tracker>')
    .description("apply the remote's changes to a cloned tracker (three-way: local edits are kept, conflicts stored); exit 3 when conflicts remain")
    .option('--dry-run', 'run everything in a transaction that is rolled back; report what would happen')
    .option('--batch-size <n>', 'changes applied per transaction (default 500)')
    .action(async (ref: string, opts: { dryRun?: boolean; batchSize?: string }, command: Command) => {
      const batchSize = opts.batchSize === undefined ? undefined : parseId(opts.batchSize, '--batch-size');
      await withStore(command, async (store) => {
        const tracker = store.getTracker(ref);
        await runReported(command, store, tracker, 'reload', (hooks) =>
          reload(store, tracker.id, { dryRun: opts.dryRun === true, ...hooks, ...(batchSize ? { batchSize } : {}) }),
        );
      });
    });
}
