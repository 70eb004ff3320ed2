/**
 * The report every reload, push and sync ends with (DESIGN §6): counters that partition the items
 * seen, the run's start, end and outcome, and the errors per item. A sync run's counters are the
 * sums of its reload part's and its push part's, so they partition what the two parts saw.
 */
import type { ApplyOutcome } from './apply.js';

export const COUNTERS = ['seen', 'created', 'updated', 'deleted', 'merged', 'unchanged', 'conflicts', 'errors'] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;
export type Outcome = 'success' | 'warning' | 'error';

export interface ItemError {
  /** The local item id, or null for a failure of the run itself. */
  id: number | null;
  message: string;
}

export interface Report {
  outcome: Outcome;
  dryRun: boolean;
  startedAt: string;
  endedAt: string;
  counts: Counts;
  errors: ItemError[];
  /** Anything else the run wants to say (schema changes seen, the remote, the token). */
  [extra: string]: unknown;
}

/** The counter each outcome lands in; a left marker of an item the clone never had is no item it saw. */
const OUTCOME_COUNTER: Record<ApplyOutcome, Counter | null> = {
  created: 'created',
  updated: 'updated',
  deleted: 'deleted',
  merged: 'merged',
  unchanged: 'unchanged',
  conflict: 'conflicts',
  left: 'deleted',
  ignored: null,
};

/** How a run treats item errors (DESIGN §12): by default it goes on and counts them; `stopOnError` ends it at the first. */
export interface RunControls {
  stopOnError?: boolean;
}

/** Accumulates a run's counters; every item seen lands in exactly one other counter. */
export class ReportBuilder {
  readonly startedAt = new Date().toISOString();
  readonly counts: Counts = { seen: 0, created: 0, updated: 0, deleted: 0, merged: 0, unchanged: 0, conflicts: 0, errors: 0 };
  readonly errors: ItemError[] = [];
  readonly warnings: string[] = [];
  /** New local items the remote matched by their key values to items it had (counted as merged or conflicts). */
  readonly matched: { id: number; remoteId: number }[] = [];
  /** Copies dropped because their item left the clone's filter (also counted as deleted). */
  left = 0;
  private failure: string | null = null;

  constructor(
    readonly dryRun: boolean,
    private readonly controls: RunControls = {},
  ) {}

  count(outcome: ApplyOutcome): void {
    const counter = OUTCOME_COUNTER[outcome];
    if (counter === null) return;
    this.counts.seen += 1;
    this.counts[counter] += 1;
    if (outcome === 'left') this.left += 1;
  }

  /** Whether the first item error ends the run (`--stop-on-error`). */
  get stopsOnError(): boolean {
    return this.controls.stopOnError === true;
  }

  /** An item failed; with stopOnError the first one also fails the run, naming it, and the run stops at its next check of `failed`. */
  itemError(id: number | null, message: string): void {
    this.counts.seen += 1;
    this.counts.errors += 1;
    this.errors.push({ id, message });
    if (this.controls.stopOnError && !this.failed) this.fail(`stopped at the first item error (--stop-on-error): ${id === null ? '' : `item ${id}: `}${message}`);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** The run itself failed (remote unreachable, refused, interrupted): outcome error. */
  fail(message: string): void {
    this.failure = message;
    this.errors.push({ id: null, message });
  }

  /** Adds what a part of this run counted (a sync run is a reload part and a push part): its counters, errors, warnings and failure. */
  absorb(part: ReportBuilder): void {
    for (const counter of COUNTERS) this.counts[counter] += part.counts[counter];
    this.errors.push(...part.errors);
    this.warnings.push(...part.warnings);
    if (part.failure !== null && this.failure === null) this.failure = part.failure;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  finish(extra: Record<string, unknown> = {}): Report {
    const outcome: Outcome = this.failure
      ? 'error'
      : this.counts.errors > 0 || this.counts.conflicts > 0 || this.warnings.length > 0
        ? 'warning'
        : 'success';
    return {
      outcome,
      dryRun: this.dryRun,
      startedAt: this.startedAt,
      endedAt: new Date().toISOString(),
      counts: { ...this.counts },
      errors: [...this.errors],
      ...(this.warnings.length > 0 ? { warnings: [...this.warnings] } : {}),
      ...(this.matched.length > 0 ? { matched: [...this.matched] } : {}),
      ...(this.left > 0 ? { left: this.left } : {}),
      ...extra,
    };
  }
}
