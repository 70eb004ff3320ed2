/** `s15n push TRACKER [ITEM...|--all-clean] [--overwrite] [--dry-run] [--stop-on-error]`: send local changes back; prints the run's report. */
import type { Command } from 'commander';
import { push } from '../../sync/push.js';
import { parseId, withStore } from '../context.js';
import { runReported } from '../run-report.js';

interface PushOpts {
  allClean?: boolean;
  overwrite?: boolean;
  dryRun?: boolean;
  batchSize?: string;
  stopOnError?: boolean;
}

export function registerPush(program: Command): void {
  program
    .command('push <tracker> [items...]')
    .description('push new, modified and deleted items of a cloned tracker (all clean ones unless items are named); exit 3 when conflicts remain')
    .option('--all-clean', 'every changed item without an open conflict (the default when no item is named)')
    .option('--overwrite', 'push the named items over remote changes (needs the admin right on the remote)')
    .option('--dry-run', 'send no change and change nothing; report what would be pushed (the remote\'s feed is read to tell which items would conflict)')
    .option('--batch-size <n>', 'changes per request (default 500)')
    .option('--stop-on-error', 'end the run at the first item error (outcome error; what was answered is applied, later batches are not sent); by default the run goes on and counts errors')
    .action(async (ref: string, items: string[], opts: PushOpts, command: Command) => {
      const ids = items.map((id) => parseId(id));
      const batchSize = opts.batchSize === undefined ? undefined : parseId(opts.batchSize, '--batch-size');
      await withStore(command, async (store) => {
        const tracker = store.getTracker(ref);
        await runReported(command, store, tracker, 'push', (hooks) =>
          push(store, tracker.id, {
            items: ids,
            allClean: opts.allClean === true,
            overwrite: opts.overwrite === true,
            dryRun: opts.dryRun === true,
            stopOnError: opts.stopOnError === true,
            ...hooks,
            ...(batchSize ? { batchSize } : {}),
          }),
        );
      });
    });
}
