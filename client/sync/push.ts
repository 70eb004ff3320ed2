/**
 * Push: send a clone's new, modified and deleted items back to its remote, field by field
 * (push-plan.ts decides what each item sends), in batches, and apply the answers with the same
 * item decision as reload (push-answers.ts). A retry after a crash or a lost answer never
 * creates a second item (creates carry idempotency keys committed before they are sent) and
 * never overwrites what this clone has not seen (updates carry their bases).
 */
import { MAX_PUSH_CHANGES, type PushResult } from '../../shared/api/schemas.js';
import { BadInput, Forbidden, TooLarge } from '../../shared/errors.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import { ReplicaState } from '../replica/index.js';
import type { ApplyContext } from './apply.js';
import { BlobFetcher } from './blob-fetch.js';
import { attachmentsOf, collectAfterRun } from './blob-gc.js';
import { BlobUploader } from './blob-upload.js';
import { applyAnswers, predictAnswers, settle } from './push-answers.js';
import { type Plan, type Planned, planPush } from './push-plan.js';
import { connect } from './connect.js';
import type { Report, ReportBuilder, RunControls } from './report.js';
import { loggedRun } from './run.js';
import { LinkTitles } from './titles.js';

export const DEFAULT_PUSH_BATCH = 500;

export interface PushOptions extends RunControls {
  /** Local item ids to push; without them (or with allClean) every change without an open conflict. */
  items?: number[];
  allClean?: boolean;
  /** Push the named items even over a remote change (the remote allows it only with the admin right). */
  overwrite?: boolean;
  /** Send nothing, change nothing: the report says what would be pushed. */
  dryRun?: boolean;
  batchSize?: number;
  onProgress?: (done: number, total: number | undefined) => void;
  signal?: AbortSignal;
  remote?: RemoteClientOptions;
  /** A client of the remote to use (and leave open), instead of one for this run alone. */
  client?: RemoteClient;
}

/** What to do after a run that failed midway. */
export const PUSH_AGAIN = 'push again: what was answered is applied, and resent creates reuse their keys';

interface PushRun {
  store: SqliteStore;
  replicas: ReplicaState;
  client: RemoteClient;
  tracker: Tracker;
  titles: LinkTitles;
  report: ReportBuilder;
  /** Attachments: uploaded before the changes that name them, fetched before the answers that name them. */
  uploads: BlobUploader;
  fetches: BlobFetcher;
}

function batchesOf(planned: readonly Planned[], size: number): Planned[][] {
  const batches: Planned[][] = [];
  for (let start = 0; start < planned.length; start += size) batches.push(planned.slice(start, start + size));
  return batches;
}

function applyContext(run: PushRun, tracker: Tracker): ApplyContext {
  const replica = run.replicas.getReplica(tracker.id)!;
  return { store: run.store, replicas: run.replicas, tracker, by: replica.remoteName };
}

/** Sends one batch and applies its answers; a batch too large for the remote is sent in halves. Returns the requests made. */
async function sendBatch(run: PushRun, planned: readonly Planned[]): Promise<number> {
  const replica = run.replicas.getReplica(run.tracker.id)!;
  // The contents first: the remote refuses an item naming one it was not sent.
  const refused = await run.uploads.upload(run.tracker, replica.remoteTrackerId, planned);
  for (const [item, error] of refused) settle(run.report, item, { error });
  const batch = planned.filter((p) => !refused.has(p));
  if (batch.length === 0) return 0;
  let results: PushResult[];
  try {
    results = await run.client.push(replica.remoteTrackerId, batch.map((p) => p.change));
  } catch (error) {
    // A body limit answers before anything is written: halves are safe to send.
    if (error instanceof TooLarge && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      const first = await sendBatch(run, batch.slice(0, half));
      return 1 + first + (await sendBatch(run, batch.slice(half)));
    }
    // Refusals of the whole batch are its items' errors (never retried); anything else ends the run.
    if (error instanceof Forbidden || error instanceof TooLarge || error instanceof BadInput) {
      for (const planned of batch) settle(run.report, planned, { error: error.message });
      return 1;
    }
    throw error;
  }
  const ctx = applyContext(run, run.store.getTracker(run.tracker.id));
  await applyAnswers(ctx, replica, run.titles, batch.map((item, i) => ({ planned: item, result: results[i]! })), run.report, run.fetches);
  return 1;
}

/** A dry run: the remote's answers predicted by its own push rule and applied like real ones, in the run's transaction, which is rolled back. */
async function predictRun(run: PushRun, plan: Plan, signal?: AbortSignal): Promise<void> {
  const replica = run.replicas.getReplica(run.tracker.id)!;
  const ctx = applyContext(run, run.tracker);
  await applyAnswers(ctx, replica, run.titles, await predictAnswers(ctx, run.client, replica, plan.planned, signal), run.report, run.fetches);
}

/** Counts what the plan settles without sending: unchanged items, held-back conflicts, fields that cannot go. */
function countPlan(report: ReportBuilder, plan: Plan): void {
  for (let i = 0; i < plan.unchanged.length; i += 1) report.count('unchanged');
  for (const id of plan.conflicted) {
    report.count('conflict');
    report.warn(`item ${id} has an open conflict and was not pushed: resolve it (s15n resolve) or push it with --overwrite`);
  }
  for (const { id, message } of plan.errors) report.itemError(id, message);
}

/** Refuses bad usage before the run starts: nothing is sent, nothing is logged as a run. */
function checkUsage(store: SqliteStore, tracker: Tracker, options: PushOptions): void {
  const named = options.items !== undefined && options.items.length > 0;
  if (named && options.allClean) throw new BadInput('name items or use --all-clean, not both', [{ field: 'items', reason: 'with --all-clean' }]);
  if (options.overwrite && !named) {
    throw new BadInput('--overwrite applies to named items only: name the items to push over remote changes', [{ field: 'overwrite', reason: 'without items' }]);
  }
  const unknown = (options.items ?? []).filter((id) => !store.getItem(tracker.id, id, { includeDeleted: true }));
  if (unknown.length > 0) {
    throw new BadInput(`unknown item${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in tracker "${tracker.name}"`, unknown.map((id) => ({ field: 'items', reason: `no item ${id}` })));
  }
}

/** Sends the plan batch by batch; Ctrl-C (the signal) stops between batches, what was answered stays applied. */
async function sendPlan(run: PushRun, plan: Plan, options: PushOptions): Promise<number> {
  const batchSize = Math.min(MAX_PUSH_CHANGES, Math.max(1, options.batchSize ?? DEFAULT_PUSH_BATCH));
  const total = plan.planned.length;
  let done = 0;
  let requests = 0;
  for (const batch of batchesOf(plan.planned, batchSize)) {
    if (options.signal?.aborted) {
      run.report.fail(`cancelled after ${done} of ${total} items; what was answered is applied, push again for the rest`);
      break;
    }
    requests += await sendBatch(run, batch);
    done += batch.length;
    options.onProgress?.(done, total);
    // --stop-on-error: an item error of this batch failed the run; the rest is not sent.
    if (run.report.failed) break;
  }
  return requests;
}

export interface PushPart {
  store: SqliteStore;
  replicas: ReplicaState;
  client: RemoteClient;
  trackerId: number;
}

/**
 * What a push does inside its run: the plan (create keys committed before anything is sent), what
 * it settles without sending, then the batches sent (or, in a dry run, the answers predicted).
 * Returns what the report adds: the remote and the requests made (or the changes planned).
 */
export async function pushPart(part: PushPart, report: ReportBuilder, options: PushOptions = {}): Promise<Record<string, unknown>> {
  const { store, replicas, client } = part;
  const replica = replicas.requireReplica(part.trackerId);
  const tracker = store.getTracker(replica.trackerId);
  // The keys of new items are committed before anything is sent (in a dry run they are rolled back with the rest).
  const plan = store.transaction(() => planPush(store, replicas, tracker, replica, options));
  countPlan(report, plan);
  // --stop-on-error and an item that cannot go: nothing is sent.
  if (report.failed) return { remote: replica.remoteName, requests: 0 };
  options.onProgress?.(0, plan.planned.length);
  const dryRun = options.dryRun === true;
  const fetches = new BlobFetcher(store, client, { skip: dryRun, ...(options.signal ? { signal: options.signal } : {}) });
  const run: PushRun = { store, replicas, client, tracker, titles: new LinkTitles(client, replica.remoteFields, replica.mappings), report, uploads: new BlobUploader(store, client), fetches };
  if (dryRun) {
    await predictRun(run, plan, options.signal);
    return { remote: replica.remoteName, planned: plan.planned.length };
  }
  const requests = await sendPlan(run, plan, options);
  collectAfterRun(store, replica.mappings, false);
  return { remote: replica.remoteName, requests, ...attachmentsOf(replica.mappings, run.uploads.tally) };
}

/** Pushes a cloned tracker's local changes. Run-level failures end in a report with outcome error; answers applied so far stay. */
export async function push(store: SqliteStore, trackerRef: string | number, options: PushOptions = {}): Promise<Report> {
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  const tracker = store.getTracker(replica.trackerId);
  checkUsage(store, tracker, options);
  const client = options.client ?? connect(store, replica.remoteName, options.remote);
  try {
    const frame = { trackerId: tracker.id, kind: 'push' as const, dryRun: options.dryRun === true, stopOnError: options.stopOnError === true, failureHint: PUSH_AGAIN };
    return await loggedRun(store, frame, (report) => pushPart({ store, replicas, client, trackerId: tracker.id }, report, options));
  } finally {
    if (!options.client) client.close();
  }
}
