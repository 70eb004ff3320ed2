/**
 * The store as routes and hub-side commands see it (DESIGN §9): one async interface, one
 * implementation per engine (server/store/sqlite/, and PostgreSQL for a hub served by many
 * processes). Nothing above this line knows which engine holds the data.
 */
import type { DigestEntry, PushChange, PushResult } from '../../shared/api/schemas.js';
import type { FieldDef } from '../../shared/model/fields.js';
import type { FieldEdit } from '../../shared/model/schema-edit.js';
import type { UpsertOptions, UpsertResult, UpsertRow } from '../../shared/model/upsert.js';
import type { BlobRead, ByteRange, GcOptions, GcReport, PutBlobOptions, StoredBlob } from './blob-types.js';
import type { Actor, FeedPage, Item, ItemChange, ItemListOptions, NewItem, NewTracker, Right, Tracker, User } from './types.js';

export type StoreEngine = 'sqlite' | 'postgres';

/** A committed change somewhere in the instance: the tracker it touched and the seq the feed reached. */
export interface ChangeEvent {
  trackerId: number | null;
  seq: number;
}
export type ChangeListener = (event: ChangeEvent) => void;

export interface HubStore {
  readonly engine: StoreEngine;
  /** Where the instance lives, safe to print: a data dir, or a database URL without its password. */
  readonly location: string;
  close(): Promise<void>;

  // --- trackers
  createTracker(input: NewTracker): Promise<Tracker>;
  /** A tracker and its items in one transaction: one bad item refuses the whole import. */
  importTracker(input: NewTracker, items: readonly NewItem[], by: string | null): Promise<{ tracker: Tracker; items: number }>;
  listTrackers(): Promise<Tracker[]>;
  /** A tracker by id (a number or an all-digits string) or by exact name. */
  findTracker(ref: string | number): Promise<Tracker | undefined>;
  getTracker(ref: string | number): Promise<Tracker>;
  setTrackerFields(trackerId: number, fields: FieldDef[]): Promise<Tracker>;
  /**
   * Adds, edits or removes a field (DESIGN §13), judged by shared/model/schema-edit.ts against
   * the live items; in one transaction with the new schema hash, the removed field's values
   * dropped from the items and the key index. `changed` is false when nothing had to change.
   */
  editFields(trackerId: number, edit: FieldEdit): Promise<{ tracker: Tracker; changed: boolean }>;

  // --- items
  listItems(trackerId: number, opts?: ItemListOptions): Promise<Item[]>;
  countItems(trackerId: number): Promise<number>;
  getItem(trackerId: number, itemId: number, opts?: { includeDeleted?: boolean }): Promise<Item | undefined>;
  /** Creates items in one transaction; one bad item refuses them all (problems named `items[i].…` when `indexed`). */
  createItems(trackerId: number, inputs: readonly NewItem[], by: string | null, opts?: { indexed?: boolean }): Promise<Item[]>;
  /** Applies one change to several items in one transaction; items it would not change are left untouched. */
  updateItems(trackerId: number, ids: readonly number[], change: ItemChange, by: string | null): Promise<Item[]>;
  deleteItems(trackerId: number, ids: readonly number[], by: string | null): Promise<void>;
  /**
   * Rows into a tracker (a CSV import, DESIGN §13): each row matched by `match` to one live item
   * updates it, the others create items, judged by shared/model/upsert.ts before anything is
   * written, then written in one transaction; a dry run writes nothing and gives the counts.
   */
  upsertItems(trackerId: number, rows: readonly UpsertRow[], options: UpsertOptions, by: string | null): Promise<UpsertResult>;

  // --- the change feed
  /** Items and tombstones with seq > since, in seq order: every prefix is a valid resume point. */
  changesSince(trackerId: number, since: number, limit: number): Promise<FeedPage>;
  countChangesSince(trackerId: number, since: number): Promise<number>;
  /**
   * Optional (DESIGN §12): a digest page of live items after `after` by id, hashed without reading
   * values into objects where the engine can; null when it cannot for these `names` (the route
   * then hashes the items of listItems by the same rule, shared/digest.ts).
   */
  digestPage?(trackerId: number, page: { after: number; limit: number; names: readonly string[] }): Promise<DigestEntry[] | null>;

  // --- push
  /** Applies a batch in one transaction; each change is answered on its own (DESIGN §5). */
  applyPush(trackerId: number, changes: readonly PushChange[], actor: Actor): Promise<PushResult[]>;

  // --- blobs: attachments' contents by sha256, stored once per instance (DESIGN §14)
  /** The size of a blob the tracker's callers may read (one of its items names it, or it was uploaded to it), else undefined. */
  blobSize(trackerId: number, sha256: string): Promise<number | undefined>;
  /**
   * Stores a blob from a stream, never whole in memory, for the tracker (or for no tracker: a
   * local attach on the instance itself): hashed while written, refused and not kept when it
   * hashes to another sha256 than named (BadInput), passes the size limit or the tracker's quota
   * (TooLarge); written crash-safe (temp file, fsync, rename); idempotent.
   */
  putBlob(trackerId: number | null, body: AsyncIterable<Uint8Array>, opts: PutBlobOptions): Promise<StoredBlob>;
  /** A blob's bytes (a range of them) when the tracker's callers may read it, else undefined. */
  readBlob(trackerId: number, sha256: string, range?: ByteRange): Promise<BlobRead | undefined>;
  /** Removes the blobs no item version refers to anymore, after a grace period. */
  collectGarbage(opts?: GcOptions): Promise<GcReport>;

  // --- users and rights
  addUser(name: string, password: string, opts?: { admin?: boolean }): Promise<User>;
  setPassword(name: string, password: string): Promise<void>;
  /** The user when the password is right, else null; an unknown user costs as much as a known one. */
  verifyUser(name: string, password: string): Promise<User | null>;
  getUser(name: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  grant(userName: string, trackerRef: string | number, right: string): Promise<void>;
  rightOf(userName: string, trackerId: number): Promise<Right | null>;
  canListUsers(userName: string): Promise<boolean>;

  // --- change notification
  /**
   * Calls `listener` after changes are committed by any writer of the instance (this process,
   * another CLI process on the same file, another hub process on the same database). Events may
   * be coalesced; a listener re-reads the feed from its own token. Returns the unsubscribe.
   */
  onChange(listener: ChangeListener): () => void;
}
