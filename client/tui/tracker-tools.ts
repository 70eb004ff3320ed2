/**
 * What the TUI does to a tracker itself: its schema edited (on a tracker this instance owns,
 * DESIGN §13) and its items in and out as CSV, by the same code as `s15n tracker field` and
 * `s15n tracker import --into` / `export --csv`. Reached as `engine.trackerTools`.
 */
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { type CsvImportReport, csvChunks, importCsv } from '../../server/csv.js';
import { SqliteHub, type SqliteStore, type Tracker } from '../../server/store/index.js';
import { BadInput } from '../../shared/errors.js';
import type { FieldEdit } from '../../shared/model/schema-edit.js';
import { ReplicaState } from '../replica/index.js';
import { linkSpec, parseFieldSpec } from '../cli/tracker-file.js';

export class TrackerTools {
  /** The store as the hub-side code sees it; the TUI owns the store, so closing this hub closes nothing. */
  private readonly hub: SqliteHub;

  constructor(private readonly store: SqliteStore) {
    this.hub = new SqliteHub(store);
  }

  /** Where a clone's schema comes from, or null for a tracker this instance owns. */
  cloneOf(trackerId: number): string | null {
    const replica = new ReplicaState(this.store).getReplica(trackerId);
    return replica ? `${replica.remoteName}/${replica.remoteTrackerName}` : null;
  }

  /** One schema edit; refused on a clone (its remote's schema is its own) and wherever the items do not allow it. */
  editSchema(trackerId: number, edit: FieldEdit): { tracker: Tracker; changed: boolean } {
    const origin = this.cloneOf(trackerId);
    if (origin) throw new BadInput(`a clone of ${origin} follows its remote's schema: edit the schema there`, [{ field: 'tracker', reason: 'a clone' }]);
    return this.store.editFields(trackerId, edit);
  }

  /** A field from a spec as `--field` reads it (`email*:email`, `prio!:dropdown:low,high`). */
  async addField(trackerId: number, spec: string): Promise<{ tracker: Tracker; changed: boolean }> {
    const field = await linkSpec(this.hub, parseFieldSpec(spec.trim()));
    return this.editSchema(trackerId, { op: 'add', field });
  }

  /** Writes the tracker's items as CSV to `path`, a page at a time; returns how many. */
  async exportCsv(trackerId: number, path: string): Promise<number> {
    const tracker = this.store.getTracker(trackerId);
    const out = createWriteStream(path, { flags: 'wx' });
    const failed = once(out, 'error').then(([error]) => Promise.reject(error as Error));
    failed.catch(() => undefined);
    try {
      for await (const chunk of csvChunks(this.hub, tracker)) if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      out.end();
      await Promise.race([once(out, 'finish'), failed]);
    } catch (error) {
      out.destroy();
      const code = (error as NodeJS.ErrnoException).code;
      throw new BadInput(`${path}: cannot write it${code === 'EEXIST' ? ' (it exists already; choose another name)' : code ? ` (${code})` : ''}`, [{ field: 'path', reason: code ?? 'unwritable' }]);
    }
    return this.store.countItems(trackerId);
  }

  /** Reads a CSV file into the tracker: a dry run says what would happen, the real run does it in one transaction. */
  async importCsv(trackerId: number, path: string, dryRun: boolean): Promise<CsvImportReport> {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new BadInput(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, [{ field: 'path', reason: 'unreadable' }]);
    }
    return importCsv(this.hub, this.store.getTracker(trackerId), text, { dryRun });
  }
}
