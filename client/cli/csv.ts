/** `tracker import FILE.csv --into TRACKER [--match F,…] [--dry-run]` and `tracker export TRACKER --csv` on the command line (DESIGN §13). */
import type { Command } from 'commander';
import { type CsvImportOptions, csvChunks, describeImport, importCsv } from '../../server/csv.js';
import type { HubStore, Tracker } from '../../server/store/index.js';
import { output } from './context.js';

export async function printImport(command: Command, hub: HubStore, tracker: Tracker, text: string | Buffer, opts: CsvImportOptions): Promise<void> {
  // Progress for a person at a terminal: a large file takes seconds to judge and write.
  const onRead = process.stderr.isTTY ? (rows: number) => void process.stderr.write(`read ${rows} row${rows === 1 ? '' : 's'}; judging them against ${tracker.name} and ${opts.dryRun ? 'counting' : 'writing them in one transaction'}…\n`) : undefined;
  const report = await importCsv(hub, tracker, text, { ...opts, ...(onRead ? { onRead } : {}) });
  output(command, report, describeImport(report));
}

/** Streams a tracker's items to stdout as CSV, waiting whenever the pipe is full: memory stays flat at any size. */
export async function exportCsv(hub: HubStore, tracker: Tracker): Promise<void> {
  for await (const chunk of csvChunks(hub, tracker)) {
    if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
