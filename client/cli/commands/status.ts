/** `s15n status TRACKER`: new, modified, deleted and conflicting items of a clone (Tiki's synchronization lists). */
import type { Command } from 'commander';
import { CONFLICT_KIND_LABEL } from '../../../shared/merge/labels.js';
import type { FieldDef } from '../../../shared/model/fields.js';
import { itemTitle } from '../../../shared/model/title.js';
import type { FieldValue } from '../../../shared/model/values.js';
import { type StatusItem, type TrackerStatus, status } from '../../sync/status.js';
import { output, withStore } from '../context.js';

function show(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return '(empty)';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  const text = String(value);
  return text.includes('\n') ? `${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}` : text;
}

function items(title: string, list: StatusItem[], fields: readonly FieldDef[]): string[] {
  const head = `${title} (${list.length})`;
  return [head, ...list.map((i) => `  ${String(i.id).padStart(6)}  ${i.status.padEnd(7)}  v${i.version}  ${itemTitle(fields, i.values)}`)];
}

/** The status for people; `fields` are the local tracker's, which name each item by the one title rule. */
export function formatStatus(result: TrackerStatus, fields: readonly FieldDef[]): string {
  const t = result.tracker;
  const lines = [`${t.name} <- ${t.remote} (remote tracker ${t.remoteTrackerId}), token ${t.token}, last sync ${t.lastSyncAt ?? 'never'}`];
  if (t.where) lines.push(`partial clone: only items matching ${JSON.stringify(t.where)}`);
  lines.push(...items('new local items', result.new, fields), ...items('modified locally', result.modified, fields), ...items('deleted locally', result.deleted, fields));
  lines.push(`conflicts (${result.conflicts.length})`);
  for (const conflict of result.conflicts) {
    lines.push(`  item ${conflict.id}: ${CONFLICT_KIND_LABEL[conflict.kind]}`);
    for (const f of conflict.fields) lines.push(`    ${f.name}: base ${show(f.base)} | local ${show(f.local)} | remote ${f.removed ? '(field removed)' : show(f.remote)}`);
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
        output(command, result, () => formatStatus(result, store.getTracker(result.tracker.id).fields));
      });
    });
}
