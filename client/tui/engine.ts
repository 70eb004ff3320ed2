/**
 * The one interface the TUI screens call. It wraps the real store and the sync modules (clone,
 * reload, status, resolve, push, log), so screens hold no SQL and no sync rule, and tests drive
 * it on real temporary instances. Item lists are read page by page, never whole.
 */
import type { TrackerSummary } from '../../shared/api/schemas.js';
import { BadInput } from '../../shared/errors.js';
import { itemTitle } from '../../shared/model/title.js';
import { planClone } from '../../shared/model/transform.js';
import type { Values } from '../../shared/model/values.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import { attachToStore } from '../local-files.js';
import type { RemoteClientOptions } from '../remote/client.js';
import type { RetryNotice } from '../remote/retry.js';
import { type CloneResult, clone } from '../sync/clone.js';
import { type SyncRun, ReplicaState, type LocalChangeKind, localChangeOf } from '../replica/index.js';
import { push } from '../sync/push.js';
import { reload } from '../sync/reload.js';
import { type Watch, watch } from '../sync/watch.js';
import { withRemote } from '../sync/connect.js';
import { type RemoteListing, listRemotes } from '../sync/remotes.js';
import type { Report } from '../sync/report.js';
import { type ResolveChoice, type ResolveResult, resolve } from '../sync/resolve.js';
import { remoteUsers, toFieldDefs } from '../sync/schema.js';
import { status } from '../sync/status.js';
import { conflictEntries, valuesOf } from './conflict-entries.js';
import type { ClonePreview } from './state/clone-wizard.js';
import type { ConflictEntry } from './state/conflict-review.js';
import type { ItemRow, WindowNeed } from './state/item-list.js';
import type { SyncRow } from './state/sync.js';
import { TrackerTools } from './tracker-tools.js';

export interface TrackerRow {
  id: number;
  name: string;
  description: string;
  items: number;
  /** Where a cloned tracker comes from, and whether it is partial (cloned with a filter); null for a local tracker. */
  remote: { name: string; trackerName: string; lastSyncAt: string | null; conflicts: number; partial?: boolean } | null;
}

export type Progress = (done: number, total: number | undefined) => void;

export interface RunOptions {
  onProgress?: Progress;
  /** Ends the run between batches, and any wait between retries at once. */
  signal?: AbortSignal;
  /** Told of every retry of a call to the remote, to show it. */
  onRetry?: (notice: RetryNotice) => void;
}

/** The sync state of one item of a cloned tracker, for the item view. */
export interface ItemSync {
  remoteId: number | null;
  baseVersion: number | null;
  state: 'in sync' | LocalChangeKind;
}

export interface EngineOptions {
  /** Settings of the HTTP client (timeouts, retries, TLS) for every remote call. */
  remote?: RemoteClientOptions;
  /** Recorded as the writer of items edited in the TUI. */
  user?: string | null;
}

export interface LiveHandlers {
  onReport(report: Report): void;
  onNote(message: string): void;
  onEnd(error: Error): void;
}

export class TuiEngine {
  private readonly replicas: ReplicaState;
  /** A tracker's schema edited, its items in and out as CSV. */
  readonly trackerTools: TrackerTools;
  private readonly watches = new Set<Watch>();

  constructor(
    readonly store: SqliteStore,
    private readonly options: EngineOptions = {},
  ) {
    this.replicas = new ReplicaState(store);
    this.trackerTools = new TrackerTools(store);
  }

  get dataDir(): string {
    return this.store.dataDir;
  }

  // --- trackers and remotes

  trackers(): TrackerRow[] {
    return this.store.listTrackers().map((t) => {
      const replica = this.replicas.getReplica(t.id);
      return {
        id: t.id,
        name: t.name,
        description: t.description,
        items: this.store.countItems(t.id),
        remote: replica
          ? { name: replica.remoteName, trackerName: replica.remoteTrackerName, lastSyncAt: replica.lastSyncAt, conflicts: this.replicas.conflictedItems(t.id).length, ...(replica.where !== null ? { partial: true } : {}) }
          : null,
      };
    });
  }

  tracker(trackerId: number): Tracker {
    return this.store.getTracker(trackerId);
  }

  isClone(trackerId: number): boolean {
    return this.replicas.getReplica(trackerId) !== undefined;
  }

  remotes(): RemoteListing[] {
    return listRemotes(this.store);
  }

  /** Asks the remote for its trackers (which checks the URL and the credentials). */
  async checkRemote(name: string): Promise<{ trackers: number }> {
    return { trackers: (await this.remoteTrackers(name)).length };
  }

  async remoteTrackers(remote: string): Promise<TrackerSummary[]> {
    return withRemote(this.store, remote, this.options.remote, (client) => client.listTrackers());
  }


  /** The clone report before cloning: what each remote field would become. */
  async previewClone(remote: string, trackerId: number): Promise<ClonePreview> {
    return withRemote(this.store, remote, this.options.remote, async (client) => {
      const schema = await client.getTracker(trackerId);
      const remoteFields = toFieldDefs(schema.fields);
      const { mappings } = planClone(remoteFields, { users: await remoteUsers(client, remoteFields) });
      return {
        remote,
        tracker: { id: schema.id, name: schema.name, description: schema.description ?? '' },
        fields: mappings,
        remoteFields,
        nameTaken: this.nameTaken(schema.name),
      };
    });
  }

  /** How many of the remote tracker's items a selector (JSON) matches: the remote counts them. */
  async countMatching(remote: string, trackerId: number, where: string): Promise<number> {
    return withRemote(this.store, remote, this.options.remote, (client) => client.countChanges(trackerId, 0, where));
  }

  nameTaken(name: string): boolean {
    return this.store.findTracker(name) !== undefined;
  }

  /** Clones a remote tracker; with `where` (a selector, JSON) only its matching items, a partial clone. */
  async clone(remote: string, trackerId: number, options: RunOptions & { as?: string; where?: string } = {}): Promise<CloneResult> {
    return clone(this.store, remote, trackerId, { ...this.runOptions(options), ...(options.as ? { as: options.as } : {}), ...(options.where ? { where: options.where } : {}) });
  }

  // --- items

  countItems(trackerId: number, filter: string): number {
    return this.store.countMatching(trackerId, filter);
  }

  /** One page of the item list, as the list's window asks for it. */
  itemPage(trackerId: number, filter: string, need: WindowNeed): { rows: ItemRow[]; offset?: number } {
    const tracker = this.store.getTracker(trackerId);
    const page = this.store.pageItems(tracker, filter, need);
    const clone = this.isClone(trackerId);
    return { ...page, rows: page.items.map((item) => this.row(tracker, item, clone)) };
  }

  private row(tracker: Tracker, item: Item, clone: boolean): ItemRow {
    const row: ItemRow = { id: item.id, title: itemTitle(tracker.fields, item.values), status: item.status };
    if (!clone) return row;
    const sync = this.itemSync(tracker, item);
    return sync && sync.state !== 'in sync' ? { ...row, mark: sync.state } : row;
  }

  item(trackerId: number, itemId: number): Item | undefined {
    return this.store.getItem(trackerId, itemId);
  }

  /** Where a clone's item stands against its base; null for an item of a local tracker. */
  itemSync(tracker: Tracker, item: Item): ItemSync | null {
    if (!this.isClone(tracker.id)) return null;
    const sync = this.replicas.itemState(item.id);
    const state = localChangeOf(tracker.fields, item, sync)?.kind ?? 'in sync';
    return { remoteId: sync?.remoteId ?? null, baseVersion: sync?.baseVersion ?? null, state };
  }

  /** Saves an edit (only the fields that changed); BadInput names each refused field. */
  saveItem(trackerId: number, itemId: number, change: { status?: string; values: Record<string, unknown> }): Item {
    const [item] = this.store.updateItems(trackerId, [itemId], change, this.options.user ?? null);
    if (!item) throw new BadInput(`item ${itemId} was not saved`);
    return item;
  }

  /** Stores the file at `path` as a blob of this instance and answers the reference an item can name it by (the editor's attach). */
  readonly attachFile = (path: string) => attachToStore(this.store, path);

  newItem(trackerId: number, draft: { status: string; values: Record<string, unknown> }): Item {
    const [item] = this.store.createItems(trackerId, [draft], this.options.user ?? null);
    if (!item) throw new BadInput('the item was not created');
    return item;
  }

  // --- sync

  /** Brings the remote's changes in; Ctrl-C (the signal) stops between batches and keeps what was applied. */
  async reload(trackerId: number, options: RunOptions = {}): Promise<Report> {
    return reload(this.store, trackerId, this.runOptions(options));
  }

  /** Pushes the chosen items (new, modified, deleted locally). */
  async push(trackerId: number, itemIds: readonly number[], options: RunOptions = {}): Promise<Report> {
    return push(this.store, trackerId, { items: [...itemIds], ...this.runOptions(options) });
  }

  /**
   * Live mode of a cloned tracker (DESIGN §11): the watch of `s15n sync --watch` on this one
   * tracker, its reports and notes handed to the screen; `onEnd` says why it ended by itself.
   */
  live(trackerId: number, handlers: LiveHandlers): { stop(): Promise<void> } {
    const watching = watch(this.store, [trackerId], {
      ...(this.options.remote ? { remote: this.options.remote } : {}),
      onReport: handlers.onReport,
      onNote: handlers.onNote,
    });
    this.watches.add(watching);
    void watching.done.then((end) => {
      this.watches.delete(watching);
      if (end.failed) handlers.onEnd(end.failed);
    });
    return { stop: async () => void (await watching.stop()) };
  }

  /** Calls `listener` after commits to this instance, by this process or any other (a CLI beside the TUI). */
  onChange(listener: () => void): () => void {
    return this.store.onChange(() => listener());
  }

  /** Stops every live mode (after its current batch): the store may then close. */
  async close(): Promise<void> {
    await Promise.all([...this.watches].map((watching) => watching.stop()));
  }

  /** Where a clone syncs from, for the sync screen's header. */
  replicaInfo(trackerId: number): { remote: string; url: string; remoteTracker: string; token: number; lastSyncAt: string | null } {
    const replica = this.replicas.requireReplica(trackerId);
    const url = listRemotes(this.store).find((r) => r.name === replica.remoteName)?.url ?? '?';
    return { remote: replica.remoteName, url, remoteTracker: replica.remoteTrackerName, token: replica.token, lastSyncAt: replica.lastSyncAt };
  }

  /** The three lists of the sync screen: new local items, modified without conflicts, modified with conflicts. */
  syncRows(trackerId: number): SyncRow[] {
    const tracker = this.store.getTracker(trackerId);
    const state = status(this.store, trackerId);
    const titled = (id: number, values: Values) => ({ id, title: itemTitle(tracker.fields, values) });
    return [
      ...state.new.map((item) => ({ ...titled(item.id, item.values), list: 'new' as const })),
      ...[...state.modified.map((item) => ({ item, deleted: false })), ...state.deleted.map((item) => ({ item, deleted: true }))]
        .sort((a, b) => a.item.id - b.item.id)
        .map(({ item, deleted }) => ({ ...titled(item.id, item.values), list: 'modified' as const, ...(deleted ? { deleted: true } : {}) })),
      ...state.conflicts.map((conflict) => ({
        ...titled(conflict.id, valuesOf(this.store, trackerId, conflict.id)),
        list: 'conflicts' as const,
        detail: conflict.kind === 'fields' || conflict.kind === 'field-removed' ? conflict.fields.map((f) => f.name).join(', ') : conflict.kind,
      })),
    ];
  }

  /** Every conflicting field of the tracker's conflicts (or of the given items), for review. */
  conflicts(trackerId: number, itemIds?: readonly number[]): ConflictEntry[] {
    return conflictEntries(this.store, trackerId, itemIds);
  }

  /** The user's decision on a conflict: take local, take theirs (remote), or a value of their own. */
  resolve(trackerId: number, itemId: number, choice: ResolveChoice): ResolveResult {
    return resolve(this.store, trackerId, itemId, choice);
  }

  /** Past sync runs of the tracker, newest first. */
  log(trackerId: number): SyncRun[] {
    return new ReplicaState(this.store).log.list(trackerId);
  }

  private runOptions(options: RunOptions): { onProgress?: Progress; signal?: AbortSignal; remote?: RemoteClientOptions } {
    return {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      remote: { ...this.options.remote, ...(options.signal ? { signal: options.signal } : {}), ...(options.onRetry ? { onRetry: options.onRetry } : {}) },
    };
  }
}
