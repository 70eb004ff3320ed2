/** `s15n resolve TRACKER ITEM --field F --take local|remote|base|value [--value V]`: decide a stored conflict. */
import type { Command } from 'commander';
import { BadInput } from '../../../shared/errors.js';
import { TAKE, type Take, resolve } from '../../sync/resolve.js';
import { EXIT, output, parseId, withStore } from '../context.js';

export function registerResolve(program: Command): void {
  program
    .command('resolve <tracker> <item>')
    .description('resolve a conflict: the chosen value becomes local, the remote value the new base; exit 3 while the item keeps other conflicting fields')
    .option('--field <name>', 'the conflicting field (omit for a delete/edit conflict, or to resolve every field the same way)')
    .requiredOption('--take <side>', `which value to keep: ${TAKE.join(', ')}`)
    .option('--value <v>', 'with --take value: the value, as for --set')
    .action(async (ref: string, id: string, opts: { field?: string; take: string; value?: string }, command: Command) => {
      const itemId = parseId(id);
      if (!(TAKE as readonly string[]).includes(opts.take)) throw new BadInput(`--take: expected one of ${TAKE.join(', ')}, got "${opts.take}"`, [{ field: '--take', reason: 'unknown side' }]);
      await withStore(command, (store) => {
        const result = resolve(store, ref, itemId, {
          take: opts.take as Take,
          ...(opts.field !== undefined ? { field: opts.field } : {}),
          ...(opts.value !== undefined ? { value: opts.value } : {}),
        });
        const done =
          result.action === 'fields'
            ? `item ${result.id}: resolved ${result.resolved.join(', ')} (took ${opts.take})${result.remaining.length > 0 ? `; still in conflict: ${result.remaining.join(', ')}` : '; no conflict left'}`
            : result.action === 'deleted'
              ? `item ${result.id}: deleted, as on the remote`
              : result.action === 'restored'
                ? `item ${result.id}: restored with the remote's values`
                : result.action === 'kept-deleted'
                  ? `item ${result.id}: stays deleted; push deletes it on the remote`
                  : result.action === 'dropped'
                    ? `item ${result.id}: dropped from this partial clone (it no longer matches the filter; the remote keeps it)`
                    : result.action === 'kept-local'
                      ? `item ${result.id}: your change stays to push; if the item still does not match the filter, it leaves on a reload after the push`
                      : `item ${result.id}: kept as a new local item; push creates it on the remote again`;
        output(command, result, done);
        process.exitCode = result.remaining.length > 0 ? EXIT.conflicts : EXIT.ok;
      });
    });
}
