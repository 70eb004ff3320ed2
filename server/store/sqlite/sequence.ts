/**
 * The instance-wide change sequence: every write takes the next value, so a tracker's feed is
 * its rows in seq order. A batch can reserve a block of values with one counter update.
 */
import type Database from 'better-sqlite3';

export class Sequence {
  /** Seqs reserved for the running transaction by withReserved, handed out by next. */
  private block: { next: number; last: number } | null = null;
  private readonly stmts;

  constructor(
    db: Database.Database,
    private readonly transaction: <T>(fn: () => T) => T,
  ) {
    this.stmts = {
      next: db.prepare<[], { value: number }>("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value"),
      reserve: db.prepare<[number], { value: number }>("UPDATE counters SET value = value + ? WHERE name = 'seq' RETURNING value"),
      last: db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'seq'"),
    };
  }

  /** The next value; must run inside a transaction (the write it numbers commits with it). */
  next(): number {
    const block = this.block;
    if (block && block.next <= block.last) return block.next++;
    return this.stmts.next.get()!.value;
  }

  /** The last value taken by a committed write (or by this transaction). */
  last(): number {
    return this.stmts.last.get()!.value;
  }

  /**
   * Runs `fn` in a transaction with `count` seqs taken from the counter by one update; the
   * writes of `fn` use them before asking the counter again. The block lives and dies with the
   * transaction (a rollback takes back the counter and the rows alike); seqs it leaves unused
   * are gaps, which a change token does not mind (it means "after this seq").
   */
  withReserved<T>(count: number, fn: () => T): T {
    // Inside another reservation: use that block (then the counter), so seqs keep rising.
    if (this.block) return this.transaction(fn);
    return this.transaction(() => {
      const reserved = Math.max(0, count);
      const last = this.stmts.reserve.get(reserved)!.value;
      this.block = { next: last - reserved + 1, last };
      try {
        return fn();
      } finally {
        this.block = null;
      }
    });
  }
}
