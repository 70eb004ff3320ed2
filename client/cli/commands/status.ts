/** `s15n status TRACKER`: new, modified, deleted and conflicting items of a clone (Tiki's synchronization lists). */
import type { Command } from 'commander';
import type { FieldValue } from '../../../shared/model/values.js';
import { type StatusItem, type TrackerStatus, status } from '../../sync/status.js';
import { output, withStore } from '../context.js';

function show(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return '(empty)';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  const text = String(value);
  return text.includes('\n') ? `${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}` : text;
}

function items(title: string, list: StatusItem[]): string[] {
  const head = `${title} (${list.length})`;
  const titleOf = (item: StatusItem) => Object.values(item.values).find((v) => typeof v === 'string') ?? '';
  return [head, ...list.map((i) => `  ${String(i.id).padStart(6)}  ${i.status.padEnd(7)}  v${i.version}  ${String(titleOf(i))}`)];
}

export function formatStatus(result: TrackerStatus): string {
  const t = result.tracker;
  const lines = [`${t.name} <- ${t.remote} (remote tracker ${t.remoteTrackerId}), token ${t.token}, last sync ${t.lastSyncAt ?? 'never'}`];
  lines.push(...items('new local items', result.new), ...items('modified locally', result.modified), ...items('deleted locally', result.deleted));
  lines.push(`conflicts (${result.conflicts.length})`);
  for (const conflict of result.conflicts) {
    const kind = conflict.kind === 'fields' ? 'fields edited on both sides' : conflict.kind === 'remote-deleted' ? 'deleted on the remote, edited here' : 'deleted here, edited on the remote';
    lines.push(`  item ${conflict.id}: ${kind}`);
    for (const f of conflict.fields) lines.push(`    ${f.name}: base ${show(f.base)} | local ${show(f.local)} | remote ${show(f.remote)}`);
  }
  return lines.join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status <tracker>')
    .description('what a cloned tracker holds that the remote does not: new, modified and deleted items, and conflicts')
    .action(async (ref: string, _opts, command: Command) => {
      await withStore(command, (store) => {
        const result = status(store, ref);
        output(command, result, () => formatStatus(result));
      });
    });
}
