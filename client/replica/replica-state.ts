/**
 * The replica state of cloned trackers (the "meta instance", kept apart from the hub's tables
 * with its own migrations): per tracker the remote, field mapping, remote schema and change
 * token; per item the remote id, the base (what both sides last agreed on), a pending create key
 * and any open conflict; the sync log and the remotes. Local changes are derived by comparing an
 * item with its base (shared/merge), never stored as a flag. Only this module's SQL touches the
 * clone side's tables; it runs on the SQLite store alone.
 */
import type Database from 'better-sqlite3';
import type { FieldDef } from '../../shared/model/fields.js';
import type { FieldMapping } from '../../shared/model/transform.js';
import { NotFound } from '../../shared/errors.js';
import { SqliteStore, migrateModule } from '../../server/store/index.js';
import { REPLICA_BLOBS_MODULE } from './blob-migrations.js';
import { REPLICA_MODULE } from './migrations.js';
import { RemoteTable } from './remote-table.js';
import { type ItemStateRow, ITEM_STATE, type ItemSyncState, type Replica, type ReplicaRow, toItemState, toReplica } from './rows.js';
import { SyncLog } from './sync-log.js';
import { localChangeOf } from './local-change.js';

function prepare(db: Database.Database) {
  return {
      replica: db.prepare<[number], ReplicaRow>('SELECT * FROM replicas WHERE tracker_id = ?'),
      replicas: db.prepare<[], ReplicaRow>('SELECT * FROM replicas ORDER BY tracker_id'),
      replicasOfRemote: db.prepare<[string], ReplicaRow>('SELECT * FROM replicas WHERE remote_name = ?'),
      insertReplica: db.prepare(
        `INSERT INTO replicas (tracker_id, remote_name, remote_tracker_id, remote_tracker_name, remote_schema_hash, remote_fields, field_map, token, cloned_at, last_sync_at, where_json)
         VALUES (@trackerId, @remoteName, @remoteTrackerId, @remoteTrackerName, @remoteSchemaHash, @remoteFields, @fieldMap, @token, @clonedAt, @lastSyncAt, @where)`,
      ),
      setToken: db.prepare('UPDATE replicas SET token = ?, last_sync_at = ? WHERE tracker_id = ?'),
      touch: db.prepare('UPDATE replicas SET last_sync_at = ? WHERE tracker_id = ?'),
      setSchema: db.prepare('UPDATE replicas SET remote_fields = ?, field_map = ?, remote_schema_hash = ?, remote_tracker_name = ? WHERE tracker_id = ?'),
      item: db.prepare<[number], ItemStateRow>(`${ITEM_STATE} WHERE r.item_id = ?`),
      byRemoteId: db.prepare<[number, number], ItemStateRow>(`${ITEM_STATE} WHERE r.tracker_id = ? AND r.remote_id = ?`),
      itemsOfTracker: db.prepare<[number], ItemStateRow>(`${ITEM_STATE} WHERE r.tracker_id = ?`),
      // Raw: a verify hashes the JSON text as stored, parsing only where it must.
      copies: db.prepare<[number], CopyRow>(
        `SELECT r.item_id AS itemId, r.remote_id AS remoteId, r.base_version AS baseVersion, r.conflict IS NOT NULL AS conflicted, i.deleted,
           CASE WHEN r.base_from_item = 1 THEN i.status ELSE r.base_status END AS baseStatus,
           CASE WHEN r.base_from_item = 1 THEN i.values_json ELSE r.base_values END AS baseValues, r.base_from_item AS fromItem
         FROM replica_items r JOIN items i ON i.id = r.item_id WHERE r.tracker_id = ? AND r.remote_id IS NOT NULL`,
      ),
      conflicted: db.prepare<[number], ItemStateRow>(`${ITEM_STATE} WHERE r.tracker_id = ? AND r.conflict IS NOT NULL ORDER BY r.item_id`),
      // Positional parameters: binding by name costs about 1 µs more per row, and a clone writes one per item.
      upsertItem: db.prepare<[number, number, number | null, number | null, string | null, string | null, string | null, string | null, number, 0 | 1]>(
        `INSERT INTO replica_items (item_id, tracker_id, remote_id, base_version, base_status, base_values, create_key, conflict, synced_seq, base_from_item)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(item_id) DO UPDATE SET remote_id = excluded.remote_id, base_version = excluded.base_version,
           base_status = excluded.base_status, base_values = excluded.base_values, create_key = excluded.create_key,
           conflict = excluded.conflict, synced_seq = excluded.synced_seq, base_from_item = excluded.base_from_item, unmatched_push = 0`,
      ),
      deleteItem: db.prepare('DELETE FROM replica_items WHERE item_id = ?'),
      // Retiring a field the remote removed (stripField): bases kept apart lose it; bases that are
      // the item itself are marked 2 meanwhile, so the keep-base trigger (WHEN base_from_item = 1)
      // does not copy them out when the item loses it too; then marked 1 again.
      stripBases: db.prepare<[string, number, string]>(
        "UPDATE replica_items SET base_values = json_remove(base_values, '$.' || ?) WHERE tracker_id = ? AND base_from_item = 0 AND base_values IS NOT NULL AND item_id NOT IN (SELECT value FROM json_each(?))",
      ),
      holdBases: db.prepare<[number]>('UPDATE replica_items SET base_from_item = 2 WHERE tracker_id = ? AND base_from_item = 1'),
      stripItems: db.prepare<[string, number, string, string]>(
        "UPDATE items SET values_json = json_remove(values_json, '$.' || ?) WHERE tracker_id = ? AND json_type(values_json, '$.' || ?) IS NOT NULL AND id NOT IN (SELECT value FROM json_each(?))",
      ),
      releaseBases: db.prepare<[number]>('UPDATE replica_items SET base_from_item = 1 WHERE tracker_id = ? AND base_from_item = 2'),
      fieldHeld: db.prepare<[number, string]>("SELECT 1 FROM items WHERE tracker_id = ? AND deleted = 0 AND json_type(values_json, '$.' || ?) IS NOT NULL LIMIT 1"),
      markUnmatched: db.prepare('UPDATE replica_items SET unmatched_push = 1 WHERE item_id = ?'),
      // Sync state whose item row is gone (the file edited behind s15n's back): no join reads it, yet it holds its remote id.
      orphans: db.prepare('DELETE FROM replica_items WHERE tracker_id = ? AND NOT EXISTS (SELECT 1 FROM items i WHERE i.id = replica_items.item_id)'),
      // Items that may differ from their base: written locally since the base was set, or never synced.
      // Unordered, so SQLite reads (tracker_id, seq, id) from the feed index alone instead of every
      // item row (5× faster at 100,000 items); the few ids found are sorted by the caller.
      candidates: db.prepare<[number], { id: number }>(
        `SELECT i.id FROM items i LEFT JOIN replica_items r ON r.item_id = i.id
         WHERE i.tracker_id = ? AND (r.item_id IS NULL OR i.seq > r.synced_seq OR r.conflict IS NOT NULL OR r.remote_id IS NULL)`,
      ),
  };
}

/**
 * Opens the SQLite store of a local instance: the hub's tables and the clone side's, both
 * migrated at open, so that a later command only reads what is there.
 */
export function openLocalStore(dataDir: string, opts: { create?: boolean } = {}): SqliteStore {
  return SqliteStore.open(dataDir, { ...opts, modules: [REPLICA_MODULE, REPLICA_BLOBS_MODULE] });
}

/** A local copy of a remote item as `reload --verify` reads it (the base's values as stored JSON, null without a base). */
export interface CopyRow {
  itemId: number;
  remoteId: number;
  baseVersion: number | null;
  conflicted: 0 | 1;
  deleted: 0 | 1;
  baseStatus: string | null;
  baseValues: string | null;
  /** The base is the item row itself, written in the tracker's field order. */
  fromItem: 0 | 1;
}

interface Prepared {
  stmts: ReturnType<typeof prepare>;
  log: SyncLog;
  remotes: RemoteTable;
}
/** Per connection: the clone side's tables migrated and its statements prepared once, however many ReplicaStates open it. */
const prepared = new WeakMap<Database.Database, Prepared>();

function preparedFor(db: Database.Database): Prepared {
  let known = prepared.get(db);
  if (!known) {
    migrateModule(db, REPLICA_MODULE);
    migrateModule(db, REPLICA_BLOBS_MODULE);
    known = { stmts: prepare(db), log: new SyncLog(db), remotes: new RemoteTable(db) };
    prepared.set(db, known);
  }
  return known;
}

/** Reads and writes the clone side's tables of one SQLite store. */
export class ReplicaState {
  private readonly stmts: Prepared['stmts'];
  /** One row per clone, reload, push and sync run. */
  readonly log: SyncLog;
  readonly remotes: RemoteTable;

  constructor(readonly store: SqliteStore) {
    ({ stmts: this.stmts, log: this.log, remotes: this.remotes } = preparedFor(store.db));
  }

  /**
   * Runs `fn` (a whole sync run, network included) in a transaction that is rolled back at the
   * end: every store transaction inside nests as a savepoint, so the run does all it would do
   * and leaves nothing. What it returns is kept; what it wrote is not.
   */
  async dryRun<T>(fn: () => Promise<T>): Promise<T> {
    const db = this.store.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      return await fn();
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }

  getReplica(trackerId: number): Replica | undefined {
    const row = this.stmts.replica.get(trackerId);
    return row ? toReplica(row) : undefined;
  }

  /** The replica of a cloned tracker, named by local id or name. */
  requireReplica(trackerRef: string | number): Replica {
    const tracker = this.store.getTracker(trackerRef);
    const replica = this.getReplica(tracker.id);
    if (!replica) throw new NotFound(`tracker "${tracker.name}" is not a clone; only cloned trackers can be reloaded or pushed`);
    return replica;
  }

  listReplicas(): Replica[] {
    return this.stmts.replicas.all().map(toReplica);
  }

  replicasOfRemote(remoteName: string): Replica[] {
    return this.stmts.replicasOfRemote.all(remoteName).map(toReplica);
  }

  createReplica(replica: Replica): void {
    this.stmts.insertReplica.run({
      ...replica,
      where: replica.where,
      remoteFields: JSON.stringify(replica.remoteFields),
      fieldMap: JSON.stringify(replica.mappings),
    });
  }

  /** Moves the change token; called in the same transaction as the changes it covers. */
  setToken(trackerId: number, token: number): void {
    this.stmts.setToken.run(token, new Date().toISOString(), trackerId);
  }

  touch(trackerId: number): void {
    this.stmts.touch.run(new Date().toISOString(), trackerId);
  }

  setSchema(trackerId: number, schema: { remoteFields: FieldDef[]; mappings: FieldMapping[]; remoteSchemaHash: string; remoteTrackerName: string }): void {
    this.stmts.setSchema.run(JSON.stringify(schema.remoteFields), JSON.stringify(schema.mappings), schema.remoteSchemaHash, schema.remoteTrackerName, trackerId);
  }

  itemState(itemId: number): ItemSyncState | undefined {
    const row = this.stmts.item.get(itemId);
    return row ? toItemState(row) : undefined;
  }

  itemByRemoteId(trackerId: number, remoteId: number): ItemSyncState | undefined {
    const row = this.stmts.byRemoteId.get(trackerId, remoteId);
    return row ? toItemState(row) : undefined;
  }

  itemStates(trackerId: number): ItemSyncState[] {
    return this.stmts.itemsOfTracker.all(trackerId).map(toItemState);
  }

  /** Every local copy of a remote item with its base as stored (JSON text), whether it is in conflict or deleted here: what a verify compares. */
  copies(trackerId: number): CopyRow[] {
    return this.stmts.copies.all(trackerId);
  }

  conflictedItems(trackerId: number): ItemSyncState[] {
    return this.stmts.conflicted.all(trackerId).map(toItemState);
  }

  /**
   * Writes an item's sync state. A clean item (syncedSeq set: the item at that seq equals its
   * base) keeps no copy of the base: the base is the item itself until the item is next written,
   * when a trigger copies the old state out (migration 3). Clone and reload write half as much.
   */
  putItemState(state: ItemSyncState): void {
    const fromItem = state.base !== null && state.syncedSeq !== 0;
    this.stmts.upsertItem.run(
      state.itemId,
      state.trackerId,
      state.remoteId,
      state.baseVersion,
      fromItem ? null : (state.base?.status ?? null),
      fromItem || !state.base ? null : JSON.stringify(state.base.values),
      state.createKey,
      state.conflict ? JSON.stringify(state.conflict) : null,
      state.syncedSeq,
      fromItem ? 1 : 0,
    );
  }

  deleteItemState(itemId: number): void {
    this.stmts.deleteItem.run(itemId);
  }

  /**
   * Removes a field's values from the items of a cloned tracker and from their bases, but for the
   * items in `keep` (their values stay, in conflict). Values and bases change together, so no
   * item looks changed for it; no seq is taken: the remote removed the field, nothing is pushed.
   * The one write of this module to the hub's table, as the keep-base trigger asks.
   */
  stripField(trackerId: number, field: string, keep: readonly number[]): void {
    const kept = JSON.stringify(keep);
    this.stmts.stripBases.run(field, trackerId, kept);
    this.stmts.holdBases.run(trackerId);
    this.stmts.stripItems.run(field, trackerId, field, kept);
    this.stmts.releaseBases.run(trackerId);
  }

  /** Whether a live item of the tracker holds a value in `field`. */
  fieldHeld(trackerId: number, field: string): boolean {
    return this.stmts.fieldHeld.get(trackerId, field) !== undefined;
  }

  /** Remembers that this clone pushed the item in a state its selector does not match (after the push answer's state is written). */
  markPushedUnmatched(itemId: number): void {
    this.stmts.markUnmatched.run(itemId);
  }

  /** Drops the sync state of items whose row is gone; returns how many. */
  dropOrphanStates(trackerId: number): number {
    return this.stmts.orphans.run(trackerId).changes;
  }

  /** Ids of the items that may hold local changes (the derived comparison decides). */
  candidateItemIds(trackerId: number): number[] {
    return this.stmts.candidates
      .all(trackerId)
      .map((r) => r.id)
      .sort((a, b) => a - b);
  }

  /**
   * The newest seq among the items that hold a change to push (new, modified, deleted; not a
   * conflict, which waits for the user), or 0: a live sync pushes when it grows, whoever wrote it.
   */
  latestPushable(trackerId: number): number {
    const tracker = this.store.getTracker(trackerId);
    let latest = 0;
    for (const id of this.candidateItemIds(trackerId)) {
      const item = this.store.getItem(trackerId, id, { includeDeleted: true });
      if (!item || item.seq <= latest) continue;
      const kind = localChangeOf(tracker.fields, item, this.itemState(id))?.kind;
      if (kind !== undefined && kind !== 'conflict') latest = item.seq;
    }
    return latest;
  }
}
