/**
 * Applies a remote tracker's change feed to its replica, from the replica's token, in batches:
 * each batch and the token after it are committed in one transaction, so a run stopped at any
 * moment (Ctrl-C, kill -9, a lost connection) resumes from the last applied batch. Clone and
 * reload both load through here.
 */
import { type Change, type FeedEntry, isLeftMarker } from '../../shared/api/schemas.js';
import { BadInput } from '../../shared/errors.js';
import { remoteValuesToLocal } from '../../shared/model/transform.js';
import { type Values, inFieldOrder } from '../../shared/model/values.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import type { RemoteClient } from '../remote/client.js';
import { type ApplyContext, type ApplyOutcome, type RemoteItem, applyRemoteItem } from './apply.js';
import { BlobFetcher, type BlobTally } from './blob-fetch.js';
import type { ItemSyncState, Replica, ReplicaState } from '../replica/index.js';
import type { ReportBuilder } from './report.js';
import { messageOf } from './run.js';
import { LinkTitles } from './titles.js';

export const DEFAULT_BATCH_SIZE = 500;

export interface FeedOptions {
  /** Changes applied so far, and the server's count of changes in this run when it sent one. */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Stops between batches; what was applied stays. */
  signal?: AbortSignal;
  batchSize?: number;
  /** Read every linked tracker's feed up front (a clone meets most linked items anyway). */
  preloadTitles?: boolean;
  /** Attachments fetched so far, as their bytes arrive batch by batch. */
  onBlobs?: (fetched: BlobTally) => void;
  /** At most this many feed entries this run (`reload --limit`); the token stops at the last one applied. */
  limit?: number;
}

export interface FeedContext {
  store: SqliteStore;
  replicas: ReplicaState;
  client: RemoteClient;
  trackerId: number;
  report: ReportBuilder;
}

export interface FeedResult {
  from: number;
  to: number;
  cancelled: boolean;
  /** The attachments fetched (none in a dry run). */
  attachments: BlobTally;
  /** The run ended before the end of the feed (its limit, a stop, Ctrl-C): the next run has more to apply. */
  more: boolean;
}

/**
 * The remote item of a change, mapped to local fields. Local fields the mapping no longer
 * applies (removed or retyped on the remote) get their base value, so the three-way rule sees
 * "the remote did not touch it" and leaves the local value alone instead of clearing it.
 */
export function toRemoteItem(change: Change, replica: Replica, tracker: Tracker, titles: LinkTitles, frozen: readonly string[], base: Readonly<Values> | undefined): RemoteItem {
  const mapped = change.deleted ? {} : remoteValuesToLocal(replica.mappings, replica.remoteFields, change.values, titles.titleOf);
  if (!change.deleted && base) {
    for (const name of frozen) {
      const value = base[name];
      if (value !== undefined) mapped[name] = value;
    }
  }
  // Mapped values are canonical for their local types, base values too: only the schema's order
  // and fields remain to apply, and mapped values usually have them already.
  const values = inFieldOrder(tracker.fields, mapped) ? mapped : inSchemaOrder(tracker, mapped);
  return { remoteId: change.id, version: change.version, deleted: change.deleted === true, state: { status: change.status, values } };
}

function inSchemaOrder(tracker: Tracker, values: Readonly<Values>): Values {
  const out: Values = {};
  for (const field of tracker.fields) {
    const value = values[field.name];
    if (value !== undefined && value !== null) out[field.name] = value;
  }
  return out;
}

/** Local fields the mapping no longer applies (removed or retyped on the remote since the clone). */
export function frozenFields(replica: Replica, tracker: Tracker): string[] {
  const applied = new Set(replica.mappings.filter((m) => m.action !== 'skipped').map((m) => m.name));
  return tracker.fields.filter((f) => !applied.has(f.name)).map((f) => f.name);
}

type Applied = { outcome: ApplyOutcome; warning?: string } | { error: string; itemId: number | null };

/**
 * Applies one batch and moves the token past it, all in one transaction. The batch is first
 * applied without a savepoint per item (they cost as much as the writes); if an item throws,
 * that attempt is rolled back and the batch applied again with each item in a savepoint of its
 * own, so the failing item is reported and leaves nothing half-written while the rest go in.
 * With stop-on-error the second attempt ends at the failing item, and the token stays at the
 * last change applied before it.
 */
function applyBatch(ctx: FeedContext, replica: Replica, titles: LinkTitles, batch: readonly FeedEntry[]): Applied[] {
  try {
    return applyBatchOnce(ctx, replica, titles, batch, false);
  } catch {
    return applyBatchOnce(ctx, replica, titles, batch, true);
  }
}

/** One entry of the feed applied: a left marker or a remote item, through the one item decision. */
function applyEntry(ctx: ApplyContext, replica: Replica, titles: LinkTitles, frozen: readonly string[], entry: FeedEntry, sync: ItemSyncState | undefined): Applied {
  if (isLeftMarker(entry)) {
    const outcome = applyRemoteItem(ctx, { remoteId: entry.id, left: true }, { sync });
    if (outcome !== 'left' || !sync?.pushedUnmatched) return { outcome };
    return { outcome, warning: `item ${sync.itemId} was pushed from here but does not match this clone's filter: it left the clone (the remote keeps it)` };
  }
  return { outcome: applyRemoteItem(ctx, toRemoteItem(entry, replica, ctx.tracker, titles, frozen, sync?.base?.values), { sync }) };
}

function applyBatchOnce(ctx: FeedContext, replica: Replica, titles: LinkTitles, batch: readonly FeedEntry[], isolate: boolean): Applied[] {
  const { store, replicas } = ctx;
  // Each change writes at most one item: one counter update numbers the whole batch.
  return store.withReservedSeqs(batch.length, () => {
    const tracker = store.getTracker(ctx.trackerId);
    const frozen = frozenFields(replica, tracker);
    const results: Applied[] = [];
    let token: number | null = null;
    for (const entry of batch) {
      const sync = replicas.itemByRemoteId(tracker.id, entry.id);
      const by = !isLeftMarker(entry) && entry.updatedBy ? `${entry.updatedBy}@${replica.remoteName}` : replica.remoteName;
      const apply = () => applyEntry({ store, replicas, tracker, by }, replica, titles, frozen, entry, sync);
      if (!isolate) {
        results.push(apply());
      } else {
        try {
          results.push(store.transaction(apply));
        } catch (error) {
          results.push({ error: `remote item ${entry.id}: ${messageOf(error)}`, itemId: sync?.itemId ?? null });
          if (ctx.report.stopsOnError) break;
        }
      }
      token = entry.seq;
    }
    if (token !== null) replicas.setToken(tracker.id, Math.max(token, replica.token));
    return results;
  });
}

/** An older remote refuses `where` as an unknown query parameter: say what that means for a partial clone. */
export function explainRefusal(error: unknown, trackerId: number, replica: Replica): unknown {
  const refusedWhere = error instanceof BadInput && error.problems.some((p) => p.field === 'where' && /unknown/.test(p.reason));
  if (!replica.where || !refusedWhere) return error;
  return new BadInput(`remote "${replica.remoteName}" does not filter its feed (an s15n older than partial clones): tracker ${trackerId} is a partial clone and cannot sync with it`, [{ field: 'where', reason: 'not supported by the remote' }]);
}

/** Applies one batch and counts its outcomes (and warnings); returns the replica as the batch left it (its token moved). */
async function applyCounted(ctx: FeedContext, replica: Replica, titles: LinkTitles, blobs: BlobFetcher, batch: readonly FeedEntry[]): Promise<Replica> {
  const changes = batch.filter((entry): entry is Change => !isLeftMarker(entry));
  await titles.prefetch(changes);
  // The batch's attachments first: an item is never written before the contents it names are here.
  await blobs.prefetch(changes, replica);
  for (const result of applyBatch(ctx, replica, titles, batch)) {
    if ('outcome' in result) ctx.report.count(result.outcome);
    else ctx.report.itemError(result.itemId, result.error);
    if ('warning' in result && result.warning) ctx.report.warn(result.warning);
  }
  return ctx.replicas.getReplica(ctx.trackerId) ?? replica;
}

function fetcherOf(ctx: FeedContext, options: Pick<FeedOptions, 'signal' | 'onBlobs'>): BlobFetcher {
  return new BlobFetcher(ctx.store, ctx.client, { skip: ctx.report.dryRun, ...(options.signal ? { signal: options.signal } : {}), ...(options.onBlobs ? { onProgress: options.onBlobs } : {}) });
}

function startOf(ctx: FeedContext): Replica {
  const start = ctx.replicas.getReplica(ctx.trackerId);
  if (!start) throw new Error(`tracker ${ctx.trackerId} has no replica`);
  return start;
}

/**
 * Applies changes already received (what a continuous feed brought, DESIGN §11; a partial
 * clone's with their left markers) the way a reload applies its stream: in batches, each with the
 * token after it, in one transaction. Changes at or before the replica's token (sent again after a
 * reconnect) are skipped: nothing is applied twice. With stop-on-error no batch follows a failed one.
 */
export async function applyChanges(ctx: FeedContext, changes: readonly FeedEntry[], options: Pick<FeedOptions, 'batchSize' | 'onBlobs'> = {}): Promise<FeedResult> {
  const start = startOf(ctx);
  let replica = start;
  const fresh = changes.filter((change) => change.seq > start.token);
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const titles = new LinkTitles(ctx.client, replica.remoteFields, replica.mappings);
  const blobs = fetcherOf(ctx, options);
  for (let i = 0; i < fresh.length && !ctx.report.failed; i += batchSize) replica = await applyCounted(ctx, replica, titles, blobs, fresh.slice(i, i + batchSize));
  return { from: start.token, to: replica.token, cancelled: false, more: ctx.report.failed, attachments: { ...blobs.tally } };
}

/** Streams the feed after the replica's token and applies it batch by batch, at most `limit` entries. */
export async function applyFeed(ctx: FeedContext, options: FeedOptions = {}): Promise<FeedResult> {
  const { client } = ctx;
  const start = startOf(ctx);
  let replica = start;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, options.limit ?? Infinity));
  const titles = new LinkTitles(client, replica.remoteFields, replica.mappings);
  const blobs = fetcherOf(ctx, options);
  let total: number | undefined;
  let done = 0;
  let batch: FeedEntry[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    replica = await applyCounted(ctx, replica, titles, blobs, batch);
    done += batch.length;
    batch = [];
    options.onProgress?.(done, total);
    // Let Ctrl-C and progress drawing in between batches, even when the stream is already buffered.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

  const stream = client.streamChanges(replica.remoteTrackerId, replica.token, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(replica.where !== null ? { where: replica.where } : {}),
    onTotal: (count) => {
      total = options.limit === undefined ? count : Math.min(count, options.limit);
      options.onProgress?.(0, total);
    },
  });
  const stopped = () => options.signal?.aborted === true || ctx.report.failed;
  let taken = 0;
  let limited = false;
  try {
    if (options.preloadTitles) await titles.loadAll(options.signal);
    for await (const entry of stream) {
      // One entry past the limit says more remain; it is left for the next run.
      if (taken === options.limit) {
        limited = true;
        break;
      }
      batch.push(entry);
      taken += 1;
      if (batch.length >= batchSize) {
        await flush();
        if (stopped()) break;
      }
    }
    if (!stopped()) await flush();
  } catch (error) {
    // Cancelled while waiting for the remote: the unapplied part of the batch is simply dropped.
    if (!options.signal?.aborted) throw explainRefusal(error, ctx.trackerId, replica);
  }
  return { from: start.token, to: replica.token, cancelled: options.signal?.aborted === true, more: limited || stopped(), attachments: { ...blobs.tally } };
}
