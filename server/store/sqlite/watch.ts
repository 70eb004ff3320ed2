/**
 * Change notification for an SQLite instance. Commits of this connection are announced by the
 * store itself; commits of other processes on the same file (the server while `s15n item edit`
 * runs, a TUI beside `s15n sync --watch`) are noticed by PRAGMA data_version, which changes
 * when another connection commits: one cheap query per tick for the whole process, and none
 * at all while nobody listens.
 */
import type Database from 'better-sqlite3';
import type { ChangeEvent, ChangeListener } from '../hub.js';

export const WATCH_INTERVAL_MS = 50;

export class ChangeNotifier {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | null = null;
  private dataVersion = 0;
  private readonly version;

  constructor(
    db: Database.Database,
    private readonly lastSeq: () => number,
  ) {
    this.version = db.prepare<[], { data_version: number }>('PRAGMA data_version');
  }

  /** Announces a commit of this connection (the store calls it after its outermost transactions). */
  committed(): void {
    if (this.listeners.size > 0) this.emit({ trackerId: null, seq: this.lastSeq() });
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.dataVersion = this.version.get()!.data_version;
      // unref: an open watch never keeps a finished process alive.
      this.timer = setInterval(() => this.poll(), WATCH_INTERVAL_MS).unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private poll(): void {
    let now: number;
    try {
      now = this.version.get()!.data_version;
    } catch {
      // The database was closed under the watcher: nothing more to notice.
      this.stop();
      return;
    }
    if (now === this.dataVersion) return;
    this.dataVersion = now;
    this.emit({ trackerId: null, seq: this.lastSeq() });
  }

  private emit(event: ChangeEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
