/**
 * Reload: bring the remote's changes into a cloned tracker. The remote schema is checked first
 * (changes adopted or reported, never silently mis-applied), then the change feed is applied
 * from the replica's token with the three-way rule, batch by batch. Ends with a report, logged.
 */
import type { FeedEntry } from '../../shared/api/schemas.js';
import { hashSchema } from '../../shared/hash.js';
import { STATUSES } from '../../shared/model/fields.js';
import { type SchemaDiff, isEmptyDiff } from '../../shared/model/transform.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import { attachmentsOf, collectAfterRun } from './blob-gc.js';
import { type FeedOptions, applyChanges, applyFeed } from './feed.js';
import { connect } from './connect.js';
import { ReplicaState } from '../replica/index.js';
import type { Report, ReportBuilder, RunControls } from './report.js';
import { loggedRun } from './run.js';
import { retireFields } from './retire.js';
import { verifyReplica } from './verify.js';
import { BadInput } from '../../shared/errors.js';
import { adoptRemoteSchema, describeDiff, refreshUserOptions, remoteUsers, toFieldDefs } from './schema.js';

export interface ReloadOptions extends Omit<FeedOptions, 'preloadTitles'>, RunControls {
  /** Run the whole flow in a transaction that is rolled back: the report of what would happen. */
  dryRun?: boolean;
  /** After the feed, compare every copy with the remote by hash and repair what differs (`reload --verify`). */
  verify?: boolean;
  /** Settings of the HTTP client (timeouts, retries, TLS). */
  remote?: RemoteClientOptions;
  /** A client of the remote to use (and leave open), instead of one for this run alone. */
  client?: RemoteClient;
}

/**
 * Checks the remote schema and follows it: a changed schema hash is diffed and adopted (see
 * adoptRemoteSchema), and user-derived dropdown options are refreshed on every reload.
 * Returns the diff when the fields changed.
 */
export async function followRemoteSchema(store: SqliteStore, replicas: ReplicaState, client: RemoteClient, trackerId: number, report: ReportBuilder): Promise<SchemaDiff | null> {
  const replica = replicas.requireReplica(trackerId);
  const remote = await client.getTracker(replica.remoteTrackerId);
  const remoteFields = toFieldDefs(remote.fields);
  const users = await remoteUsers(client, remoteFields);
  const tracker = store.getTracker(trackerId);
  const hashChanged = remote.schemaHash !== replica.remoteSchemaHash;
  const adoption = hashChanged ? adoptRemoteSchema(tracker.fields, replica, remoteFields, users) : null;
  const mappings = adoption?.mappings ?? replica.mappings;
  const diff = adoption && !isEmptyDiff(adoption.diff) ? adoption.diff : null;
  if (diff) report.warn(describeDiff(diff));
  if (users === null && remoteFields.some((f) => f.type === 'user') && mappings.some((m) => m.remoteType === 'user' && m.localType === 'dropdown')) {
    report.warn('the remote refused its user list: the options of user fields were not refreshed');
  }
  store.transaction(() => {
    // Removed fields go, with their values, but where an unpushed value keeps one (a conflict).
    const gone = new Set(diff ? retireRemoved(store, replicas, tracker, diff.removed, report) : []);
    const localFields = refreshUserOptions(adoption?.localFields ?? tracker.fields, mappings, users).filter((f) => !gone.has(f.name));
    const kept = mappings.filter((m) => !gone.has(m.name));
    if (hashSchema(localFields, STATUSES) !== hashSchema(tracker.fields, STATUSES)) store.setTrackerFields(trackerId, localFields);
    if (hashChanged || remote.name !== replica.remoteTrackerName) {
      replicas.setSchema(trackerId, { remoteFields, mappings: kept, remoteSchemaHash: remote.schemaHash, remoteTrackerName: remote.name });
    }
  });
  return diff;
}

/** Retires the fields the remote removed; returns those that leave the local schema, and warns of the values kept in conflict. */
function retireRemoved(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, removed: readonly string[], report: ReportBuilder): string[] {
  const { held, conflicts } = retireFields(store, replicas, tracker, removed);
  if (conflicts > 0) {
    report.warn(`the remote removed ${held.join(', ')}; ${conflicts} item${conflicts === 1 ? ' holds an unpushed value' : 's hold unpushed values'} of it, kept as conflicts (field-removed) to review`);
  }
  return removed.filter((name) => !held.includes(name));
}

/** Refuses bad usage before the run starts: nothing is read, nothing is logged as a run. */
function checkUsage(options: ReloadOptions): void {
  if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 1)) {
    throw new BadInput(`--limit: expected a positive integer, got ${options.limit}`, [{ field: '--limit', reason: 'a positive integer' }]);
  }
  if (options.verify && options.limit !== undefined) {
    throw new BadInput('--verify compares every item with the remote after the whole feed: it cannot be limited; reload with --limit first, then --verify', [{ field: '--limit', reason: 'not with --verify' }]);
  }
}

export interface ReloadPart {
  store: SqliteStore;
  replicas: ReplicaState;
  client: RemoteClient;
  trackerId: number;
}

/**
 * What a reload does inside its run: the remote schema followed, then the feed applied, from the
 * stream (at most `limit` entries), or from the changes a continuous feed already brought
 * (`changes`), then the verify when asked. Returns what the report adds: the remote, the tokens,
 * whether more remain, the schema diff, the repairs.
 */
export async function reloadPart(part: ReloadPart, report: ReportBuilder, options: ReloadOptions & { changes?: readonly FeedEntry[] } = {}): Promise<Record<string, unknown>> {
  const { store, replicas, client, trackerId } = part;
  const replica = replicas.requireReplica(trackerId);
  // Changes of a continuous feed say the schema they were made under: the one this clone follows needs no asking.
  const known = options.changes !== undefined && options.changes.length > 0 && options.changes.every((c) => c.schemaHash === replica.remoteSchemaHash);
  const diff = known ? null : await followRemoteSchema(store, replicas, client, trackerId, report);
  const ctx = { store, replicas, client, trackerId, report };
  const feed = options.changes
    ? await applyChanges(ctx, options.changes, { ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.onBlobs ? { onBlobs: options.onBlobs } : {}) })
    : await applyFeed(ctx, {
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        ...(options.onBlobs ? { onBlobs: options.onBlobs } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      });
  if (feed.cancelled) {
    report.fail(`cancelled after ${report.counts.seen} changes; what was applied is kept and the next reload continues from there`);
  }
  const verified = options.verify && !feed.more ? await verifyReplica(ctx, options.signal) : null;
  const mappings = replicas.requireReplica(trackerId).mappings;
  collectAfterRun(store, mappings, report.dryRun);
  return {
    remote: replica.remoteName,
    token: { from: feed.from, to: feed.to },
    more: feed.more,
    ...(diff ? { schema: diff } : {}),
    ...(verified ? { repaired: verified.repaired, verify: verified } : {}),
    ...attachmentsOf(mappings, feed.attachments),
  };
}

/** Reloads a cloned tracker (local id or name). Run-level failures end in a report with outcome error; what was applied stays. */
export async function reload(store: SqliteStore, trackerRef: string | number, options: ReloadOptions = {}): Promise<Report> {
  checkUsage(options);
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  // Before the run: a remote without a password is a setup mistake, not a failed sync.
  const client = options.client ?? connect(store, replica.remoteName, options.remote);
  const run = { trackerId: replica.trackerId, kind: 'reload' as const, dryRun: options.dryRun === true, stopOnError: options.stopOnError === true };
  try {
    return await loggedRun(store, run, (report) => reloadPart({ store, replicas, client, trackerId: replica.trackerId }, report, options));
  } finally {
    if (!options.client) client.close();
  }
}
