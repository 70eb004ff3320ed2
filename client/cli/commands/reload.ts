/** `s15n reload TRACKER [--dry-run]`: bring the remote's changes in; prints the run's report. */
import type { Command } from 'commander';
import { reload } from '../../sync/reload.js';
import { parseId, withStore } from '../context.js';
import { runReported } from '../run-report.js';

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
