/** `s15n reload TRACKER [--dry-run] [--limit N] [--verify] [--stop-on-error]`: bring the remote's changes in; prints the run's report. */
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
    .option('--limit <n>', 'apply at most N changes this run; the token stops at the last applied and the report says "more": true')
    .option('--verify', "then compare every item with the remote by hash and repair missing, extra and drifted copies (local edits are kept); the report says how many were repaired")
    .option('--stop-on-error', 'end the run at the first item error (outcome error, the token at the last change applied); by default the run goes on and counts errors')
    .action(async (ref: string, opts: { dryRun?: boolean; batchSize?: string; limit?: string; verify?: boolean; stopOnError?: boolean }, command: Command) => {
      const batchSize = opts.batchSize === undefined ? undefined : parseId(opts.batchSize, '--batch-size');
      const limit = opts.limit === undefined ? undefined : parseId(opts.limit, '--limit');
      await withStore(command, async (store) => {
        const tracker = store.getTracker(ref);
        await runReported(command, store, tracker, 'reload', (hooks) =>
          reload(store, tracker.id, {
            dryRun: opts.dryRun === true,
            verify: opts.verify === true,
            stopOnError: opts.stopOnError === true,
            ...hooks,
            ...(batchSize ? { batchSize } : {}),
            ...(limit !== undefined ? { limit } : {}),
          }),
        );
      });
    });
}
