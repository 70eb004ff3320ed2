/**
 * An instance's SQLite store, synchronous: the tables of the hub (trackers, items, the feed,
 * push, users) over one better-sqlite3 connection. The server reaches it through the async
 * HubStore interface (./hub.ts); the clone side, which only runs on SQLite, calls it directly
 * inside its own transactions (a feed batch, its items and its token commit together).
 */
import type Database from 'better-sqlite3';
import type { DigestEntry, PushChange, PushResult } from '../../../shared/api/schemas.js';
import type { ItemState } from '../../../shared/merge/index.js';
import type { FieldDef } from '../../../shared/model/fields.js';
import type { KeyHolders } from '../../../shared/model/keys.js';
import type { FieldEdit } from '../../../shared/model/schema-edit.js';
import type { UpsertOptions, UpsertResult, UpsertRow } from '../../../shared/model/upsert.js';
import type { ChangeListener } from '../hub.js';
import type { Actor, FeedPage, Item, ItemChange, ItemListOptions, NewItem, NewTracker, Right, Tracker, User } from '../types.js';
import { BLOBS_MODULE } from './blob-migrations.js';
import { BlobTable } from './blobs.js';
import { openDatabase } from './database.js';
import { ItemDigests } from './digest.js';
import { Feed } from './feed.js';
import { ItemTable } from './items.js';
import { KeyIndex } from './keys.js';
import { type MigratedModule, migrateModule } from './migrate.js';
import { HUB_MODULE } from './migrations.js';
import { ItemPages, type PageRequest } from './pages.js';
import { PushApplier } from './push.js';
import { SchemaEditor } from './schema-edit.js';
import { Sequence } from './sequence.js';
import { TrackerTable } from './trackers.js';
import { Upserter } from './upsert.js';
import { UserTable } from './users.js';
import { ChangeNotifier } from './watch.js';

export class SqliteStore {
  readonly users: UserTable;
  /** Attachments: blob rows, references, uploads, files (DESIGN §14). */
  readonly blobs: BlobTable;
  private readonly trackers: TrackerTable;
  private readonly items: ItemTable;
  private readonly feed: Feed;
  private readonly seq: Sequence;
  private readonly pushes: PushApplier;
  private readonly pages: ItemPages;
  private readonly schemas: SchemaEditor;
  private readonly upserter: Upserter;
  private readonly digests: ItemDigests;
  private readonly notifier: ChangeNotifier;
  /** The seq when the outermost transaction began: a commit that moved it is announced. */
  private seqAtBegin = 0;

  private constructor(
    readonly dataDir: string,
    readonly db: Database.Database,
  ) {
    const transaction = <T>(fn: () => T): T => this.transaction(fn);
    this.seq = new Sequence(db, transaction);
    this.trackers = new TrackerTable(db);
    const keys = new KeyIndex(db);
    this.blobs = new BlobTable(db, dataDir, transaction);
    this.items = new ItemTable(db, this.trackers, this.seq, transaction, keys, this.blobs);
    this.schemas = new SchemaEditor(db, this.trackers, keys, transaction);
    this.upserter = new Upserter(db, this.items, this.seq);
    this.feed = new Feed(db);
    this.pushes = new PushApplier(db, this.items, transaction, this.blobs);
    this.users = new UserTable(db);
    this.pages = new ItemPages(db, this.items);
    this.digests = new ItemDigests(db);
    this.notifier = new ChangeNotifier(db, () => this.seq.last());
  }

  /**
   * Opens the instance in `dataDir`; with `create`, makes the directory (0700) and the file (0600)
   * first. The hub's tables are migrated, and those of the other `modules` that share the file
   * (the clone side's, for an instance that clones).
   */
  static open(dataDir: string, opts: { create?: boolean; modules?: readonly MigratedModule[] } = {}): SqliteStore {
    const { dir, db } = openDatabase(dataDir, opts);
    try {
      for (const module of [HUB_MODULE, BLOBS_MODULE, ...(opts.modules ?? [])]) migrateModule(db, module);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(dir, db);
  }

  close(): void {
    this.notifier.stop();
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `fn` in one transaction (a savepoint when already inside one). IMMEDIATE: the write lock
   * is taken at BEGIN, where busy_timeout waits for it. A deferred transaction that reads, then
   * writes after another process committed, fails at once with SQLITE_BUSY, whatever the timeout
   * (the server pushing while `s15n item edit` runs on the same data dir).
   */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn).immediate();
    const result = this.db
      .transaction(() => {
        this.seqAtBegin = this.seq.last();
        return fn();
      })
      .immediate();
    if (this.seq.last() !== this.seqAtBegin) this.notifier.committed();
    return result;
  }

  /** Calls `listener` after commits that changed items, of this connection or of another process. */
  onChange(listener: ChangeListener): () => void {
    return this.notifier.subscribe(listener);
  }

  // --- the change sequence

  nextSeq(): number {
    return this.seq.next();
  }

  lastSeq(): number {
    return this.seq.last();
  }

  withReservedSeqs<T>(count: number, fn: () => T): T {
    return this.seq.withReserved(count, fn);
  }

  // --- trackers

  createTracker(input: NewTracker): Tracker {
    return this.trackers.create(input);
  }

  /** A tracker and its items in one transaction: one bad item refuses the whole import. */
  importTracker(input: NewTracker, items: readonly NewItem[], by: string | null): { tracker: Tracker; items: number } {
    return this.transaction(() => {
      const tracker = this.trackers.create(input);
      if (items.length > 0) this.items.createMany(tracker.id, items, by, { indexed: true });
      return { tracker, items: items.length };
    });
  }

  listTrackers(): Tracker[] {
    return this.trackers.list();
  }

  findTracker(ref: string | number): Tracker | undefined {
    return this.trackers.find(ref);
  }

  getTracker(ref: string | number): Tracker {
    return this.trackers.get(ref);
  }

  /** Adds, edits or removes a field of a tracker this instance owns, checked against its items (DESIGN §13). */
  editFields(trackerId: number, edit: FieldEdit): { tracker: Tracker; changed: boolean } {
    return this.schemas.edit(trackerId, edit);
  }

  /** Replaces a tracker's fields as a clone follows its remote (trusted: no usage checks); a field that became or stopped being a key is indexed afresh. */
  setTrackerFields(trackerId: number, fields: FieldDef[]): Tracker {
    return this.transaction(() => {
      const before = new Map(this.trackers.get(trackerId).fields.map((f) => [f.name, f.key === true]));
      const after = this.trackers.setFields(trackerId, fields);
      const now = new Map(fields.map((f) => [f.name, f.key === true]));
      for (const name of new Set([...before.keys(), ...now.keys()])) {
        if ((before.get(name) ?? false) !== (now.get(name) ?? false)) this.items.keys.reindex(trackerId, name, now.get(name) ?? false);
      }
      return after;
    });
  }

  // --- items

  listItems(trackerId: number, opts: ItemListOptions = {}): Item[] {
    return this.items.list(trackerId, opts);
  }

  countItems(trackerId: number): number {
    return this.items.count(trackerId);
  }

  getItem(trackerId: number, itemId: number, opts: { includeDeleted?: boolean } = {}): Item | undefined {
    return this.items.get(trackerId, itemId, opts);
  }

  requireItem(trackerId: number, itemId: number): Item {
    return this.items.require(trackerId, itemId);
  }

  createItems(trackerId: number, inputs: readonly NewItem[], by: string | null, opts: { indexed?: boolean } = {}): Item[] {
    return this.items.createMany(trackerId, inputs, by, opts);
  }

  createItem(trackerId: number, input: NewItem, by: string | null): Item {
    return this.createItems(trackerId, [input], by)[0]!;
  }

  updateItems(trackerId: number, ids: readonly number[], change: ItemChange, by: string | null): Item[] {
    return this.items.updateMany(trackerId, ids, change, by);
  }

  updateItem(trackerId: number, id: number, change: ItemChange, by: string | null): Item {
    return this.updateItems(trackerId, [id], change, by)[0]!;
  }

  deleteItems(trackerId: number, ids: readonly number[], by: string | null): void {
    this.items.deleteMany(trackerId, ids, by);
  }

  /** Rows matched to live items (updated) or created, judged first and written in one transaction (a CSV import). */
  upsertItems(trackerId: number, rows: readonly UpsertRow[], options: UpsertOptions, by: string | null): UpsertResult {
    return this.upserter.upsert(this.getTracker(trackerId), rows, options, by);
  }

  /** Trusted write for the sync engine (values already canonical): a new item when `itemId` is null. */
  saveItem(tracker: Tracker | number, itemId: number | null, state: ItemState, by: string | null): Item {
    return this.items.save(tracker, itemId, state, by);
  }

  tombstoneItem(trackerId: number, itemId: number, by: string | null): Item {
    return this.items.tombstone(trackerId, itemId, by);
  }

  /** Who holds a key value among the tracker's live items (the key index). */
  keyHolders(trackerId: number): KeyHolders {
    return this.items.keys.holders(trackerId);
  }

  /** Live items matching a text filter, counted and paged by id for a virtualised list. */
  countMatching(trackerId: number, filter: string): number {
    return this.pages.count(trackerId, filter);
  }

  pageItems(tracker: Tracker, filter: string, request: PageRequest): { items: Item[]; offset?: number } {
    return this.pages.page(tracker, filter, request);
  }

  // --- the change feed

  changesSince(trackerId: number, since: number, limit: number): FeedPage {
    return this.feed.since(trackerId, since, limit);
  }

  countChangesSince(trackerId: number, since: number): number {
    return this.feed.count(trackerId, since);
  }

  iterateChanges(trackerId: number, since: number, pageSize = 1000): IterableIterator<Item> {
    return this.feed.iterate(trackerId, since, pageSize);
  }

  /** A digest page of live items by id, hashed as stored; null when `names` are not the tracker's fields in order. */
  digestPage(trackerId: number, after: number, limit: number, names: readonly string[]): DigestEntry[] | null {
    return this.digests.digests(this.getTracker(trackerId), after, limit, names);
  }

  // --- push

  applyPush(trackerId: number, changes: readonly PushChange[], actor: Actor): PushResult[] {
    return this.pushes.apply(this.getTracker(trackerId), changes, actor);
  }

  // --- users and rights

  addUser(name: string, password: string, opts: { admin?: boolean } = {}): Promise<User> {
    return this.users.add(name, password, opts);
  }

  setPassword(name: string, password: string): Promise<void> {
    return this.users.setPassword(name, password);
  }

  verifyUser(name: string, password: string): Promise<User | null> {
    return this.users.verify(name, password);
  }

  getUser(name: string): User | undefined {
    return this.users.get(name);
  }

  listUsers(): User[] {
    return this.users.list();
  }

  grant(userName: string, trackerRef: string | number, right: string): void {
    this.users.grant(userName, this.getTracker(trackerRef).id, right);
  }

  rightOf(userName: string, trackerId: number): Right | null {
    return this.users.rightOf(userName, trackerId);
  }

  canListUsers(userName: string): boolean {
    return this.users.canListUsers(userName);
  }
}
