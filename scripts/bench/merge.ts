/**
 * The three-way merge engine alone: mergeItem over items whose base, local and remote are
 * separate parses of the same values (as a reload sees them) except for one field both sides
 * changed, so every item ends in one conflict after comparing all its fields.
 */
import { performance } from 'node:perf_hooks';
import type { FieldDef } from '../../shared/model/fields.js';
import type { Values } from '../../shared/model/values.js';
import { type ItemState, mergeItem } from '../../shared/merge/index.js';
import { FIELDS, benchItem } from './items.js';

const SAMPLE = 10_000;
const MIN_MS = 1500;

const fields: FieldDef[] = FIELDS.map((f) => ({ label: f.name, required: false, ...f }) as FieldDef);

function side(values: Values, status: ItemState['status'], change: Record<string, string>): ItemState {
  return { status, values: { ...(JSON.parse(JSON.stringify(values)) as Values), ...change } };
}

/** Items per second of mergeItem with one conflicting field of type `field` ('title': text, 'description': textarea). */
export function mergeRate(field: 'title' | 'description'): { itemsPerSecond: number; conflicts: number } {
  const triples = Array.from({ length: SAMPLE }, (_, i) => {
    const { status, values } = benchItem(i);
    const text = String(values[field]);
    const lines = text.split('\n');
    // The same line changed differently on both sides: a real conflict even for diff3.
    const edit = (mark: string) => (field === 'title' ? `${text} ${mark}` : [mark, ...lines.slice(1)].join('\n'));
    return [side(values as Values, status, {}), side(values as Values, status, { [field]: edit('local') }), side(values as Values, status, { [field]: edit('remote') })] as const;
  });
  let merged = 0;
  let conflicts = 0;
  const started = performance.now();
  while (performance.now() - started < MIN_MS) {
    for (const [base, local, remote] of triples) conflicts += mergeItem(fields, base, local, remote).conflicts.length;
    merged += triples.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return { itemsPerSecond: Math.round(merged / seconds), conflicts: conflicts / merged };
}
