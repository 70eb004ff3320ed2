/** What an item accepts: the checks of a new item and of a change, one copy for every store and the push judgement. */
import type { ItemState } from '../merge/index.js';
import { type FieldDef, type ItemStatus, type Problem } from './fields.js';
import { type Values, checkStatus, validateValues } from './values.js';

/** A new item as given by a user or a pusher: validated by checkNewItem. */
export interface NewItem {
  status?: unknown;
  values: unknown;
}

/** A change to an item: absent (or undefined) = leave alone, null = clear. */
export interface ItemChange {
  status?: unknown;
  values?: unknown;
}

export interface NewItemCheck {
  /** The canonical state to insert (meaningful only without problems); autoincrement fields are the store's to fill. */
  state: ItemState;
  problems: Problem[];
}

export interface ChangeCheck {
  status?: ItemStatus;
  /** The canonical values given, null for a field to clear. */
  values: Values;
  problems: Problem[];
}

/** One line for a list of problems, as a push answer's `error` gives them: `field: reason; field: reason`. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
}

/**
 * Validates a new item: status (default open) and the full values object, every required
 * field present. Each problem's field is prefixed by `at` (`items[3].` for the fourth of a batch).
 */
export function checkNewItem(fields: readonly FieldDef[], input: NewItem, at = ''): NewItemCheck {
  // Typed, but it comes from JSON or a CLI: a caller may still hand over null.
  if ((input as unknown) === null || typeof input !== 'object') {
    return { state: { status: 'open', values: {} }, problems: [{ field: at || 'item', reason: 'must be an object' }] };
  }
  const problems: Problem[] = [];
  const status = input.status ?? 'open';
  const statusProblem = checkStatus(status, `${at}status`);
  if (statusProblem) problems.push(statusProblem);
  const check = validateValues(fields, input.values ?? {}, { partial: false, prefix: `${at}values` });
  problems.push(...check.problems);
  return { state: { status: status as ItemStatus, values: check.values }, problems };
}

/** Validates a change: the status when one is given, and the given values only (null clears, which a required field refuses). */
export function checkChange(fields: readonly FieldDef[], change: ItemChange): ChangeCheck {
  const problems: Problem[] = [];
  if (change.status !== undefined) {
    const p = checkStatus(change.status);
    if (p) problems.push(p);
  }
  const check = change.values === undefined ? { values: {}, problems: [] } : validateValues(fields, change.values, { partial: true });
  problems.push(...check.problems);
  return { ...(change.status !== undefined ? { status: change.status as ItemStatus } : {}), values: check.values, problems };
}
