/** The run and report plumbing of the sync commands: the report as text, its exit code, progress, Ctrl-C, and one reported run. */
import type { Command } from 'commander';
import type { SqliteStore } from '../../server/store/index.js';
import type { RemoteClientOptions } from '../remote/client.js';
import { type RetryNotice, formatRetry } from '../remote/retry.js';
import { ReplicaState } from '../replica/index.js';
import { formatSize } from '../../shared/model/files.js';
import type { BlobTally } from '../sync/blob-fetch.js';
import type { Counts, ItemError, Report } from '../sync/report.js';
import { output } from './context.js';
import { EXIT } from './exit.js';

/** The counters of a run on one line, as the report and `s15n log` show them. */
export function formatCounts(c: Counts): string {
  return `seen ${c.seen}: created ${c.created}, updated ${c.updated}, deleted ${c.deleted}, merged ${c.merged}, unchanged ${c.unchanged}, conflicts ${c.conflicts}, errors ${c.errors}`;
}

/** One error of a run: `error: item 12: why`, or `error: why` for the run as a whole. */
export function formatRunError(error: ItemError): string {
  return `error: ${error.id === null ? '' : `item ${error.id}: `}${error.message}`;
}

/** What the run controls of a report say (DESIGN §12): a partial clone's departures, a limited run, a verify. */
function controlLines(report: Report): string[] {
  const lines: string[] = [];
  if (typeof report.left === 'number') lines.push(`  left the clone (no longer matching its filter): ${report.left}`);
  const verify = report.verify as { checked: number; missing: number; extra: number; drifted: number; repaired: number } | undefined;
  if (verify) lines.push(`  verify: ${verify.checked} compared, ${verify.missing} missing, ${verify.extra} extra, ${verify.drifted} drifted; ${verify.repaired} repaired`);
  if (report.more === true) lines.push('  more changes remain: reload again to continue from the token');
  return lines;
}

/** The report as people read it; the same lines serve clone, reload and push. */
export function formatReport(what: string, report: Report): string {
  const seconds = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
  const lines = [
    `${what}: ${report.outcome}${report.dryRun ? ' (dry run: nothing was changed)' : ''}`,
    `  ${formatCounts(report.counts)}`,
    `  started ${report.startedAt}, ended ${report.endedAt} (${seconds.toFixed(1)} s)`,
  ];
  const attachments = report.attachments as BlobTally | undefined;
  if (attachments && attachments.files > 0) lines.push(`  attachments ${what.startsWith('push') ? 'sent' : 'fetched'}: ${attachments.files} (${formatSize(attachments.bytes)})`);
  lines.push(...controlLines(report));
  for (const warning of (report.warnings as string[] | undefined) ?? []) lines.push(`  warning: ${warning}`);
  for (const { id, remoteId } of (report.matched as { id: number; remoteId: number }[] | undefined) ?? []) {
    lines.push(`  matched: new item ${id} holds the key values of remote item ${remoteId}; it is that item now, merged with it (no second item was created)`);
  }
  for (const error of report.errors) lines.push(`  ${formatRunError(error)}`);
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

/** Progress on stderr, only for a person watching a terminal; `onBlobs` adds the attachments fetched to the same line. */
export function progressPrinter(label: string): (((done: number, total: number | undefined) => void) & { onBlobs: (fetched: BlobTally) => void }) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let changes = '0 changes applied';
  let blobs = '';
  const draw = () => process.stderr.write(`\r${label}: ${changes}${blobs}\u001b[K`);
  return Object.assign(
    (done: number, total: number | undefined) => {
      changes = `${done}${total !== undefined ? ` / ${total}` : ''} changes applied`;
      draw();
    },
    {
      onBlobs: (fetched: BlobTally) => {
        blobs = `, ${fetched.files} attachment${fetched.files === 1 ? '' : 's'} fetched (${formatSize(fetched.bytes)})`;
        draw();
      },
    },
  );
}

/**
 * Every retry of a call to the remote on stderr, as it happens (DESIGN §15: what failed, the
 * attempt, the wait), so a slow or failing network is never a silent pause; stdout keeps its one
 * JSON document.
 */
export function printRetry(notice: RetryNotice): void {
  // On a terminal the progress line is being redrawn: start a line of our own.
  process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}s15n: ${formatRetry(notice)}\n`);
}

/** What the HTTP client of a run needs from the command: the run's signal (Ctrl-C ends a wait at once) and the retry printer. */
export function remoteHooks(signal: AbortSignal): RemoteClientOptions {
  return { signal, onRetry: printRetry };
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
  run: (hooks: {
    signal: AbortSignal;
    onProgress?: (done: number, total: number | undefined) => void;
    onBlobs?: (fetched: BlobTally) => void;
    remote: RemoteClientOptions;
  }) => Promise<Report>,
): Promise<void> {
  const progress = progressPrinter(`${what} ${tracker.name}`);
  const cancel = cancelOnInterrupt();
  let report: Report;
  try {
    report = await run({ signal: cancel.signal, remote: remoteHooks(cancel.signal), ...(progress ? { onProgress: progress, onBlobs: progress.onBlobs } : {}) });
  } finally {
    cancel.dispose();
    if (progress) process.stderr.write('\n');
  }
  output(command, report, () => formatReport(`${what} of ${tracker.name}`, report));
  process.exitCode = exitCodeOf(store, tracker.id, report);
}
