/** Garbage collection of blobs on a serving instance: after writes that may release some, at most once a minute, never in the way of a request. */
import type { Logger } from './logger.js';
import type { HubStore } from './store/index.js';

const EVERY_MS = 60_000;

export class GarbageSchedule {
  private last = 0;
  private running = false;

  constructor(
    private readonly store: HubStore,
    private readonly logger: Logger,
  ) {}

  /** A write that may have released blobs happened: collect, unless a collection ran less than a minute ago. */
  poke(now = Date.now()): void {
    if (this.running || now - this.last < EVERY_MS) return;
    this.last = now;
    this.running = true;
    // After the answer: a collection is the store's own work, not the caller's wait.
    setImmediate(() => {
      this.store
        .collectGarbage()
        .then((report) => {
          if (report.removed > 0) this.logger.info({ removed: report.removed, bytes: report.bytes }, 'blobs collected');
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'blob collection failed'))
        .finally(() => {
          this.running = false;
        });
    });
  }
}
