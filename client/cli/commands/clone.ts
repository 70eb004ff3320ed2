/** `s15n clone REMOTE TRACKER [--as NAME] [--where SELECTOR]`: a local copy of a remote tracker (or of its matching items), with the clone report. */
import type { Command } from 'commander';
import { type CloneResult, clone } from '../../sync/clone.js';
import { output, parseId, withStore } from '../context.js';
import { cancelOnInterrupt, exitCodeOf, formatReport, progressPrinter, remoteHooks } from '../run-report.js';

/** One line per remote field: kept, transformed (from -> to, why) or skipped (why). */
export function formatFields(fields: CloneResult['fields']): string {
  const width = Math.max(0, ...fields.map((f) => f.name.length));
  return fields
    .map((f) => {
      const name = f.name.padEnd(width);
      if (f.action === 'kept') return `  ${name}  kept (${f.remoteType})`;
      if (f.action === 'transformed') return `  ${name}  transformed ${f.remoteType} -> ${f.localType ?? '?'}: ${f.reason ?? ''}`;
      return `  ${name}  skipped (${f.remoteType}): ${f.reason ?? ''}`;
    })
    .join('\n');
}

export function registerClone(program: Command): void {
  program
    .command('clone <remote> <tracker>')
    .description("clone a remote tracker (its id or name on the remote) and load its items; prints what became of each field")
    .option('--as <name>', "the local tracker's name (default: the remote's)")
    .option('--where <selector>', 'a partial clone: only the items matching this selector (JSON, e.g. \'{"status": "open", "priority": {"$in": ["high"]}}\'), kept so on every reload')
    .option('--batch-size <n>', 'changes applied per transaction (default 500)')
    .action(async (remote: string, ref: string, opts: { as?: string; where?: string; batchSize?: string }, command: Command) => {
      const batchSize = opts.batchSize === undefined ? undefined : parseId(opts.batchSize, '--batch-size');
      await withStore(command, async (store) => {
        const progress = progressPrinter(`clone ${ref}`);
        const cancel = cancelOnInterrupt();
        let result: CloneResult;
        try {
          result = await clone(store, remote, ref, {
            signal: cancel.signal,
            remote: remoteHooks(cancel.signal),
            ...(opts.as ? { as: opts.as } : {}),
            ...(opts.where !== undefined ? { where: opts.where } : {}),
            ...(batchSize ? { batchSize } : {}),
            ...(progress ? { onProgress: progress, onBlobs: progress.onBlobs } : {}),
          });
        } finally {
          cancel.dispose();
          if (progress) process.stderr.write('\n');
        }
        output(command, result, () =>
          [
            `cloned ${remote}:${ref} as tracker ${result.tracker.id} "${result.tracker.name}"${result.where ? `, only the items matching ${JSON.stringify(result.where)}` : ''}`,
            'fields:',
            formatFields(result.fields),
            formatReport('initial load', result.report),
          ].join('\n'),
        );
        process.exitCode = exitCodeOf(store, result.tracker.id, result.report);
      });
    });
}
