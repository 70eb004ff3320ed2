/** The HubStore interface over an SQLite store: what routes and hub-side commands call, whatever the engine. */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { DigestEntry, PushChange, PushResult } from '../../../shared/api/schemas.js';
import type { FieldDef } from '../../../shared/model/fields.js';
import type { FieldEdit } from '../../../shared/model/schema-edit.js';
import type { UpsertOptions, UpsertResult, UpsertRow } from '../../../shared/model/upsert.js';
import type { BlobRead, ByteRange, GcOptions, GcReport, PutBlobOptions, StoredBlob } from '../blob-types.js';
import type { ChangeListener, HubStore } from '../hub.js';
import type { Actor, FeedPage, Item, ItemChange, ItemListOptions, NewItem, NewTracker, Right, Tracker, User } from '../types.js';
import { putBlob } from './blob-put.js';
import { SqliteStore } from './store.js';

/**
 * SQLite answers synchronously; these methods only make it fit the interface. `close` closes the
 * store only when this hub opened it (the clone side may share the connection).
 */
export class SqliteHub implements HubStore {
  readonly engine = 'sqlite' as const;

  constructor(
    readonly store: SqliteStore,
    private readonly owned = false,
  ) {}

  /** Opens (or with `create` makes) the instance in `dataDir` as a hub. */
  static open(dataDir: string, opts: { create?: boolean } = {}): SqliteHub {
    return new SqliteHub(SqliteStore.open(dataDir, opts), true);
  }

  get location(): string {
    return this.store.dataDir;
  }

  async close(): Promise<void> {
    if (this.owned) this.store.close();
  }

  async createTracker(input: NewTracker): Promise<Tracker> {
    return this.store.createTracker(input);
  }

  async importTracker(input: NewTracker, items: readonly NewItem[], by: string | null): Promise<{ tracker: Tracker; items: number }> {
    return this.store.importTracker(input, items, by);
  }

  async listTrackers(): Promise<Tracker[]> {
    return this.store.listTrackers();
  }

  async findTracker(ref: string | number): Promise<Tracker | undefined> {
    return this.store.findTracker(ref);
  }

  async getTracker(ref: string | number): Promise<Tracker> {
    return this.store.getTracker(ref);
  }

  async setTrackerFields(trackerId: number, fields: FieldDef[]): Promise<Tracker> {
    return this.store.setTrackerFields(trackerId, fields);
  }

  async editFields(trackerId: number, edit: FieldEdit): Promise<{ tracker: Tracker; changed: boolean }> {
    return this.store.editFields(trackerId, edit);
  }

  async listItems(trackerId: number, opts?: ItemListOptions): Promise<Item[]> {
    return this.store.listItems(trackerId, opts);
  }

  async countItems(trackerId: number): Promise<number> {
    return this.store.countItems(trackerId);
  }

  async getItem(trackerId: number, itemId: number, opts?: { includeDeleted?: boolean }): Promise<Item | undefined> {
    return this.store.getItem(trackerId, itemId, opts);
  }

  async createItems(trackerId: number, inputs: readonly NewItem[], by: string | null, opts?: { indexed?: boolean }): Promise<Item[]> {
    return this.store.createItems(trackerId, inputs, by, opts);
  }

  async updateItems(trackerId: number, ids: readonly number[], change: ItemChange, by: string | null): Promise<Item[]> {
    return this.store.updateItems(trackerId, ids, change, by);
  }

  async upsertItems(trackerId: number, rows: readonly UpsertRow[], options: UpsertOptions, by: string | null): Promise<UpsertResult> {
    return this.store.upsertItems(trackerId, rows, options, by);
  }

  async deleteItems(trackerId: number, ids: readonly number[], by: string | null): Promise<void> {
    this.store.deleteItems(trackerId, ids, by);
  }

  async changesSince(trackerId: number, since: number, limit: number): Promise<FeedPage> {
    return this.store.changesSince(trackerId, since, limit);
  }

  async countChangesSince(trackerId: number, since: number): Promise<number> {
    return this.store.countChangesSince(trackerId, since);
  }

  async digestPage(trackerId: number, page: { after: number; limit: number; names: readonly string[] }): Promise<DigestEntry[] | null> {
    return this.store.digestPage(trackerId, page.after, page.limit, page.names);
  }

  async applyPush(trackerId: number, changes: readonly PushChange[], actor: Actor): Promise<PushResult[]> {
    return this.store.applyPush(trackerId, changes, actor);
  }

  async blobSize(trackerId: number, sha256: string): Promise<number | undefined> {
    const size = this.store.blobs.scopedSize(trackerId, sha256);
    return size !== undefined && this.store.blobs.files.exists(sha256) ? size : undefined;
  }

  putBlob(trackerId: number | null, body: AsyncIterable<Uint8Array>, opts: PutBlobOptions): Promise<StoredBlob> {
    return putBlob(this.store.blobs, trackerId, body, opts);
  }

  async readBlob(trackerId: number, sha256: string, range?: ByteRange): Promise<BlobRead | undefined> {
    const size = this.store.blobs.scopedSize(trackerId, sha256);
    if (size === undefined || !this.store.blobs.files.exists(sha256)) return undefined;
    // Exactly the bytes the row says, whatever the file holds; an open file reads on even if a collection removes its name meanwhile.
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const stream = end < start ? Readable.from([]) : createReadStream(this.store.blobs.files.pathOf(sha256), { start, end });
    return { size, stream };
  }

  async collectGarbage(opts: GcOptions = {}): Promise<GcReport> {
    return this.store.blobs.collect(opts.graceMs, { sweep: opts.sweep === true });
  }

  addUser(name: string, password: string, opts?: { admin?: boolean }): Promise<User> {
    return this.store.addUser(name, password, opts);
  }

  setPassword(name: string, password: string): Promise<void> {
    return this.store.setPassword(name, password);
  }

  verifyUser(name: string, password: string): Promise<User | null> {
    return this.store.verifyUser(name, password);
  }

  async getUser(name: string): Promise<User | undefined> {
    return this.store.getUser(name);
  }

  async listUsers(): Promise<User[]> {
    return this.store.listUsers();
  }

  async grant(userName: string, trackerRef: string | number, right: string): Promise<void> {
    this.store.grant(userName, trackerRef, right);
  }

  async rightOf(userName: string, trackerId: number): Promise<Right | null> {
    return this.store.rightOf(userName, trackerId);
  }

  async canListUsers(userName: string): Promise<boolean> {
    return this.store.canListUsers(userName);
  }

  onChange(listener: ChangeListener): () => void {
    return this.store.onChange(listener);
  }
}
