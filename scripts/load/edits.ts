/**
 * Random edits of the load, on the master (a user of the master at work) and on the clones (the
 * edits a push sends): a few fields of a few items, most of them among a small set of hot items
 * every client edits, so pushes and reloads meet on the same items and fields.
 */
import type { ItemChange } from '../../server/store/index.js';
import { FIELDS } from '../bench/items.js';
import { type Random, seededRandom } from '../../shared/random.js';

export type Rng = Random;

/** The load's seeded generator. */
export const rng = seededRandom;

export const int = (next: Rng, from: number, to: number): number => from + Math.floor(next() * (to - from + 1));
export const pick = <T>(next: Rng, from: readonly T[]): T => from[Math.floor(next() * from.length)]!;

const options = (name: string): string[] => FIELDS.find((f) => f.name === name)?.options ?? [];
const STATUSES = ['open', 'pending', 'closed'];
const WORDS = 'load push reload merge conflict race clone token batch field value retry stream socket'.split(' ');
/** The fields an edit may touch (status is the pseudo-field of the item's status). */
const EDITABLE = ['title', 'description', 'estimate', 'confirmed', 'severity', 'platforms', 'tags', 'status'] as const;

/** The hot items: every client picks most of its items among these, so edits overlap. */
export function hotCount(items: number): number {
  return Math.min(items, Math.max(10, Math.round(items / 20)));
}

/** `count` distinct item numbers from 1 to `items` (the master's ids), 80% of them hot. */
export function pickItems(next: Rng, items: number, count: number): number[] {
  const hot = hotCount(items);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, items)) chosen.add(next() < 0.8 ? int(next, 1, hot) : int(next, 1, items));
  return [...chosen];
}

/** A change of 1 to 3 random fields of `item`, marked with `mark` where the type allows text. */
export function randomChange(next: Rng, item: { status: string; values: Record<string, unknown> }, mark: string): ItemChange {
  const values: Record<string, unknown> = {};
  let status: string | undefined;
  const count = int(next, 1, 3);
  for (let i = 0; i < count; i += 1) {
    const field = pick(next, EDITABLE);
    switch (field) {
      case 'title':
        values.title = `${String(item.values.title ?? '').replace(/ \[[^\]]*\]$/, '')} [${mark}]`;
        break;
      case 'description': {
        // One line of the textarea rewritten: edits of different lines merge (diff3), of the same line conflict.
        const lines = String(item.values.description ?? '').split('\n');
        lines[int(next, 0, Math.max(0, lines.length - 1))] = `${pick(next, WORDS)} ${pick(next, WORDS)} ${mark}`;
        values.description = lines.join('\n');
        break;
      }
      case 'estimate':
        values.estimate = Math.round(next() * 4000) / 100;
        break;
      case 'confirmed':
        values.confirmed = item.values.confirmed !== true;
        break;
      case 'severity':
        values.severity = pick(next, options('severity'));
        break;
      case 'platforms': {
        const chosen = options('platforms').filter(() => next() < 0.4);
        values.platforms = chosen.length > 0 ? chosen : [options('platforms')[0]!];
        break;
      }
      case 'tags':
        values.tags = [...new Set([pick(next, WORDS), pick(next, WORDS)])].sort();
        break;
      case 'status':
        status = pick(next, STATUSES.filter((s) => s !== item.status));
        break;
    }
  }
  return status ? { values, status } : { values };
}
