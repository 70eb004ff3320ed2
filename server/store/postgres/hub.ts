/**
 * `PostgresHub`: the HubStore interface on a PostgreSQL database, for a hub served by several
 * `s15n serve` processes at once (DESIGN §10). They share nothing but the database: every rule
 * that must hold across them (one item per push key, no lost update, a precise feed, one
 * migration) is held by the database's locks, never by memory of a process.
 */
import type { DigestEntry, PushChange, PushResult } from '../../../shared/api/schemas.js';
import { BadInput } from '../../../shared/errors.js';
import type { FieldDef } from '../../../shared/model/fields.js';
import { checkNewItem } from '../../../shared/model/items.js';
import type { FieldEdit } from '../../../shared/model/schema-edit.js';
import type { UpsertOptions, UpsertResult, UpsertRow } from '../../../shared/model/upsert.js';
import type { BlobRead, ByteRange, GcOptions, GcReport, PutBlobOptions, StoredBlob } from '../blob-types.js';
import type { ChangeListener, HubStore } from '../hub.js';
import type { Actor, FeedPage, Item, ItemChange, ItemListOptions, NewItem, NewTracker, Right, Tracker, User } from '../types.js';
import { type FeedClock, serializedClock } from './clock.js';
import { PgBlobs } from './blobs.js';
import { PgDatabase } from './database.js';
import { PgDigests } from './digest.js';
import { PgFeed } from './feed.js';
import { PgItems } from './items.js';
import { KeyBook, claimKeys, indexWrites, onFreshSchema } from './keys.js';
import { migrate } from './migrate.js';
import { PgPush } from './push.js';
import { PgSchemaEditor } from './schema-edit.js';
import { parseTarget } from './target.js';
import { PgTrackers } from './trackers.js';
import { PgUpserter } from './upsert.js';
import { PgUsers } from './users.js';
import { PgWatch } from './watch.js';
import { commitWrites } from './writes.js';

export interface PostgresOpenOptions {
  /** Create s15n's tables in a database that has none (init, store copy); without it such a database is refused. */
  create?: boolean;
  /** Connections in the pool (default 10). */
  connections?: number;
  /** Where writes get their seqs; only the feed tests give another (the naive sequence, to show the trap). */
  clock?: FeedClock;
}

export class PostgresHub implements HubStore {
  readonly engine = 'postgres' as const;
  readonly trackers: PgTrackers;
  readonly items: PgItems;
  readonly blobs: PgBlobs;
  private readonly feed: PgFeed;
  private readonly digests: PgDigests;
  private readonly pushes: PgPush;
  private readonly users: PgUsers;
  private readonly schemas: PgSchemaEditor;
  private readonly upserter: PgUpserter;
  private readonly watch: PgWatch;

  private constructor(
    readonly db: PgDatabase,
    clock: FeedClock,
    /** Whether opening created s15n's tables (a new instance). */
    readonly created: boolean,
  ) {
    this.trackers = new PgTrackers(db);
    this.blobs = new PgBlobs(db);
    this.items = new PgItems(db, this.trackers, clock, this.blobs);
    this.feed = new PgFeed(db);
    this.digests = new PgDigests(db);
    this.pushes = new PgPush(db, this.items);
    this.users = new PgUsers(db);
    this.schemas = new PgSchemaEditor(db, this.trackers);
    this.upserter = new PgUpserter(this.items);
    this.watch = new PgWatch(db.clientConfig(), () => this.feed.lastSeq());
  }

  /** Connects to the database of `url` and brings its tables to this version (refusing a database with none unless `create`). */
  static async open(url: string, opts: PostgresOpenOptions = {}): Promise<PostgresHub> {
    const db = new PgDatabase(parseTarget(url), { max: opts.connections });
    let created: boolean;
    try {
      created = await migrate(db, { create: opts.create });
    } catch (error) {
      await db.close();
      throw error;
    }
    db.opened = true;
    return new PostgresHub(db, opts.clock ?? serializedClock, created);
  }

  get location(): string {
    return this.db.target.location;
  }

  async close(): Promise<void> {
    this.watch.stop();
    await this.db.close();
  }

  createTracker(input: NewTracker): Promise<Tracker> {
    return this.trackers.create(input);
  }

  /** A tracker and its items in one transaction: one bad item refuses the whole import. */
  importTracker(input: NewTracker, items: readonly NewItem[], by: string | null): Promise<{ tracker: Tracker; items: number }> {
    return this.db.transaction(async (client) => {
      const tracker = await this.trackers.create(input, client);
      const checked = items.map((item, i) => checkNewItem(tracker.fields, item, `items[${i}].`));
      const problems = checked.flatMap((c) => c.problems);
      if (problems.length > 0) throw BadInput.from(problems, 'invalid item');
      const missing = await this.items.missingBlobs(client, tracker, checked.map((c) => c.state), (i) => `items[${i}].values`);
      if (missing.length > 0) throw BadInput.from(missing, 'invalid item');
      const writes = await this.items.planInserts(client, tracker, checked.map((c) => c.state), by);
      // A new tracker: its items' key values can only meet each other's.
      const taken = await claimKeys(client, new KeyBook(tracker), writes.map((w) => ({ before: null, after: w.item })), (i) => `items[${i}].values`);
      if (taken.length > 0) throw BadInput.from(taken, 'invalid item');
      await indexWrites(client, tracker, writes);
      await this.blobs.syncRefs(client, tracker.fields, writes);
      await commitWrites(client, this.items.clock, tracker.id, writes);
      return { tracker, items: items.length };
    });
  }

  listTrackers(): Promise<Tracker[]> {
    return this.trackers.list();
  }

  findTracker(ref: string | number): Promise<Tracker | undefined> {
    return this.trackers.find(ref);
  }

  getTracker(ref: string | number): Promise<Tracker> {
    return this.trackers.get(ref);
  }

  setTrackerFields(trackerId: number, fields: FieldDef[]): Promise<Tracker> {
    return this.trackers.setFields(trackerId, fields);
  }

  /** Adds, edits or removes a field, judged against the live items under the tracker's lock (./schema-edit.ts). */
  async editFields(trackerId: number, edit: FieldEdit): Promise<{ tracker: Tracker; changed: boolean }> {
    return onFreshSchema(() => this.schemas.edit(trackerId, edit));
  }

  listItems(trackerId: number, opts?: ItemListOptions): Promise<Item[]> {
    return this.items.list(trackerId, opts);
  }

  countItems(trackerId: number): Promise<number> {
    return this.items.count(trackerId);
  }

  getItem(trackerId: number, itemId: number, opts?: { includeDeleted?: boolean }): Promise<Item | undefined> {
    return this.items.get(trackerId, itemId, opts);
  }

  createItems(trackerId: number, inputs: readonly NewItem[], by: string | null, opts?: { indexed?: boolean }): Promise<Item[]> {
    return onFreshSchema(() => this.items.createMany(trackerId, inputs, by, opts));
  }

  updateItems(trackerId: number, ids: readonly number[], change: ItemChange, by: string | null): Promise<Item[]> {
    return onFreshSchema(() => this.items.updateMany(trackerId, ids, change, by));
  }

  /** Rows matched or created in one transaction (a CSV import, ./upsert.ts). */
  async upsertItems(trackerId: number, rows: readonly UpsertRow[], options: UpsertOptions, by: string | null): Promise<UpsertResult> {
    return onFreshSchema(async () => this.upserter.upsert(await this.trackers.get(trackerId), rows, options, by));
  }

  deleteItems(trackerId: number, ids: readonly number[], by: string | null): Promise<void> {
    return onFreshSchema(() => this.items.deleteMany(trackerId, ids, by));
  }

  changesSince(trackerId: number, since: number, limit: number): Promise<FeedPage> {
    return this.feed.since(trackerId, since, limit);
  }

  countChangesSince(trackerId: number, since: number): Promise<number> {
    return this.feed.count(trackerId, since);
  }

  async digestPage(trackerId: number, page: { after: number; limit: number; names: readonly string[] }): Promise<DigestEntry[] | null> {
    return this.digests.digests(await this.trackers.get(trackerId), page.after, page.limit, page.names);
  }

  async applyPush(trackerId: number, changes: readonly PushChange[], actor: Actor): Promise<PushResult[]> {
    return onFreshSchema(async () => this.pushes.apply(await this.trackers.get(trackerId), changes, actor));
  }

  blobSize(trackerId: number, sha256: string): Promise<number | undefined> {
    return this.blobs.scopedSize(trackerId, sha256);
  }

  putBlob(trackerId: number | null, body: AsyncIterable<Uint8Array>, opts: PutBlobOptions): Promise<StoredBlob> {
    return this.blobs.put(trackerId, body, opts);
  }

  readBlob(trackerId: number, sha256: string, range?: ByteRange): Promise<BlobRead | undefined> {
    return this.blobs.read(trackerId, sha256, range);
  }

  /** Collection on PostgreSQL; `sweep` also removes this machine's temp files of uploads whose process died. */
  collectGarbage(opts: GcOptions = {}): Promise<GcReport> {
    return this.blobs.collect(opts.graceMs, { sweep: opts.sweep === true });
  }

  addUser(name: string, password: string, opts?: { admin?: boolean }): Promise<User> {
    return this.users.add(name, password, opts);
  }

  setPassword(name: string, password: string): Promise<void> {
    return this.users.setPassword(name, password);
  }

  verifyUser(name: string, password: string): Promise<User | null> {
    return this.users.verify(name, password);
  }

  getUser(name: string): Promise<User | undefined> {
    return this.users.get(name);
  }

  listUsers(): Promise<User[]> {
    return this.users.list();
  }

  async grant(userName: string, trackerRef: string | number, right: string): Promise<void> {
    await this.users.grant(userName, (await this.trackers.get(trackerRef)).id, right);
  }

  rightOf(userName: string, trackerId: number): Promise<Right | null> {
    return this.users.rightOf(userName, trackerId);
  }

  canListUsers(userName: string): Promise<boolean> {
    return this.users.canListUsers(userName);
  }

  onChange(listener: ChangeListener): () => void {
    return this.watch.subscribe(listener);
  }
}
