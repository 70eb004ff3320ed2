/**
 * `reload --verify` (DESIGN §12): every copy of a clone compared with the remote by hash, a page of
 * the remote's digest at a time (shared/digest.ts), then each copy found missing, extra or drifted
 * repaired like any remote change, through the one item decision: a local edit is never
 * overwritten, and an extra copy goes as a remote deletion would (or as a left item, for a partial
 * clone), so nothing is ever deleted on the remote.
 */
import type { Change, DigestEntry, ItemBody } from '../../shared/api/schemas.js';
import { MAX_DIGEST_LIMIT, comparableFields, digestHash, digestOfJson } from '../../shared/digest.js';
import { NotFound } from '../../shared/errors.js';
import { type Selector, matches, parseSelectorText } from '../../shared/model/selector.js';
import type { Values } from '../../shared/model/values.js';
import type { CopyRow, Replica } from '../replica/index.js';
import { type LeftItem, type RemoteItem, applyRemoteItem } from './apply.js';
import { BlobFetcher } from './blob-fetch.js';
import { type FeedContext, frozenFields, toRemoteItem } from './feed.js';
import { messageOf } from './run.js';
import { LinkTitles } from './titles.js';

/** Remote items fetched at once while repairing. */
const FETCH_AT_ONCE = 8;
/** Local bases hashed between two turns of the event loop. */
const HASH_SLICE = 5000;

export interface VerifyResult {
  /** Remote items compared with a local copy. */
  checked: number;
  /** Remote items the clone has no copy of (or only sync state whose item row is gone). */
  missing: number;
  /** Local copies of remote items the remote's digest does not list. */
  extra: number;
  /** Copies whose base differs from the remote item (version or hash). */
  drifted: number;
  /** Copies put through the item decision again (missing, extra and drifted, less the errors). */
  repaired: number;
}

interface Copy {
  itemId: number;
  version: number | null;
}

/**
 * The hash of a copy's base. A base kept in the item row holds the tracker's fields in order as
 * JSON: when those are exactly the compared fields, its text is hashed as it is; otherwise it is
 * read and the compared fields picked out.
 */
function baseHash(row: CopyRow, names: readonly string[], rawIsSubset: boolean): string {
  if (rawIsSubset && row.fromItem === 1) return digestOfJson(row.baseStatus!, row.baseValues!);
  return digestHash(names, { status: row.baseStatus!, values: JSON.parse(row.baseValues!) as Values });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface LocalCopies {
  copies: Map<number, Copy & { hash: string }>;
  held: Set<number>;
}

/**
 * The local copies to compare, by remote id, with their base hashes; copies with open conflicts or
 * local deletes are the user's, not compared. Hashed in slices, giving the event loop a turn in
 * between, so the remote computes its first page meanwhile.
 */
async function localCopies(ctx: FeedContext, replica: Replica, names: readonly string[]): Promise<LocalCopies> {
  const fields = ctx.store.getTracker(ctx.trackerId).fields;
  const rawIsSubset = fields.length === names.length && fields.every((f, i) => f.name === names[i]);
  const local: LocalCopies = { copies: new Map(), held: new Set() };
  const rows = ctx.replicas.copies(replica.trackerId);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.conflicted || row.deleted || row.baseValues === null) local.held.add(row.remoteId);
    else local.copies.set(row.remoteId, { itemId: row.itemId, version: row.baseVersion, hash: baseHash(row, names, rawIsSubset) });
    if (i % HASH_SLICE === HASH_SLICE - 1) await nextTurn();
  }
  return local;
}

type PageOf = (after: number) => Promise<DigestEntry[]>;

/**
 * Every page of the remote's digest, one after another, started before the clone hashes its own
 * copies: the remote computes its pages while this side hashes (the hashing gives the event loop
 * a turn every slice), instead of after. A few dozen bytes an item are held until compared.
 */
async function remoteDigest(pageOf: PageOf, signal?: AbortSignal): Promise<DigestEntry[][]> {
  const pages: DigestEntry[][] = [];
  let after = 0;
  for (;;) {
    const page = await pageOf(after);
    pages.push(page);
    if (page.length < MAX_DIGEST_LIMIT || signal?.aborted) return pages;
    after = page[page.length - 1]!.id;
  }
}

/** Sorts each remote item into checked, missing or drifted; what is left of `copies` is extra. */
function compare(local: LocalCopies, pages: readonly DigestEntry[][]): { checked: number; missing: number[]; drifted: number[] } {
  const result = { checked: 0, missing: [] as number[], drifted: [] as number[] };
  for (const page of pages) {
    for (const entry of page) {
      const copy = local.copies.get(entry.id);
      local.copies.delete(entry.id);
      if (local.held.has(entry.id)) continue;
      result.checked += 1;
      if (!copy) result.missing.push(entry.id);
      else if (copy.version !== entry.version || copy.hash !== entry.hash) result.drifted.push(entry.id);
    }
  }
  return result;
}

/** What the remote holds of one item now: the item, or null when it is gone. */
async function fetchRemote(ctx: FeedContext, replica: Replica, remoteId: number): Promise<ItemBody | null> {
  try {
    return await ctx.client.getItem(replica.remoteTrackerId, remoteId);
  } catch (error) {
    if (error instanceof NotFound) return null;
    throw error;
  }
}

interface Repair {
  remoteId: number;
  /** The copy's base version, for an extra copy (what a remote deletion names). */
  version: number | null;
}

/** The remote side of a repair: the item as it is, its deletion, or (a partial clone's copy the filter no longer matches) its departure. */
function remoteSide(ctx: FeedContext, replica: Replica, titles: LinkTitles, selector: Selector | null, repair: Repair, body: ItemBody | null): RemoteItem | LeftItem {
  if (body === null) return { remoteId: repair.remoteId, version: repair.version ?? 0, deleted: true, state: { status: 'open', values: {} } };
  if (selector && !matches(selector, body)) return { remoteId: repair.remoteId, left: true };
  const tracker = ctx.store.getTracker(ctx.trackerId);
  const base = ctx.replicas.itemByRemoteId(tracker.id, repair.remoteId)?.base?.values;
  return toRemoteItem({ ...body, seq: 0 } as Change, replica, tracker, titles, frozenFields(replica, tracker), base);
}

/** Fetches and applies the repairs a few at a time; each is decided and committed on its own, and counted in the report. */
async function repair(ctx: FeedContext, replica: Replica, repairs: readonly Repair[], signal?: AbortSignal): Promise<number> {
  const titles = new LinkTitles(ctx.client, replica.remoteFields, replica.mappings);
  const blobs = new BlobFetcher(ctx.store, ctx.client, { skip: ctx.report.dryRun, ...(signal ? { signal } : {}) });
  const checked = replica.where === null ? null : parseSelectorText(replica.where, replica.remoteFields);
  const selector = checked?.ok ? checked.selector : null;
  let repaired = 0;
  for (let start = 0; start < repairs.length && !signal?.aborted && !ctx.report.failed; start += FETCH_AT_ONCE) {
    const chunk = repairs.slice(start, start + FETCH_AT_ONCE);
    const bodies = await Promise.all(chunk.map((r) => fetchRemote(ctx, replica, r.remoteId)));
    const fetched = bodies.flatMap((body) => (body ? [{ ...body, seq: 0 } as Change] : []));
    await titles.prefetch(fetched);
    // As for a feed batch: the attachments a repaired copy names are here before it is written.
    await blobs.prefetch(fetched, replica);
    chunk.forEach((entry, i) => {
      if (ctx.report.failed) return;
      const tracker = ctx.store.getTracker(ctx.trackerId);
      try {
        const outcome = ctx.store.transaction(() => applyRemoteItem({ store: ctx.store, replicas: ctx.replicas, tracker, by: replica.remoteName }, remoteSide(ctx, replica, titles, selector, entry, bodies[i]!)));
        ctx.report.count(outcome);
        repaired += 1;
      } catch (error) {
        ctx.report.itemError(ctx.replicas.itemByRemoteId(tracker.id, entry.remoteId)?.itemId ?? null, `remote item ${entry.remoteId}: ${messageOf(error)}`);
      }
    });
  }
  return repaired;
}

/** Compares every copy of the replica with the remote and repairs what differs; the token does not move. */
export async function verifyReplica(ctx: FeedContext, signal?: AbortSignal): Promise<VerifyResult> {
  const replica = ctx.replicas.requireReplica(ctx.trackerId);
  const names = comparableFields(replica.mappings);
  // Sync state without its item would keep the remote id from being copied again.
  ctx.store.transaction(() => ctx.replicas.dropOrphanStates(replica.trackerId));
  const pageOf: PageOf = (after) => ctx.client.digest(replica.remoteTrackerId, { after, limit: MAX_DIGEST_LIMIT, fields: names, ...(replica.where !== null ? { where: replica.where } : {}) });
  // Asked for first, so the remote hashes its pages while this side hashes its copies.
  const remote = remoteDigest(pageOf, signal);
  remote.catch(() => undefined);
  await nextTurn();
  const local = await localCopies(ctx, replica, names);
  const { checked, missing, drifted } = compare(local, await remote);
  const extra = [...local.copies].map(([remoteId, copy]) => ({ remoteId, version: copy.version }));
  const repairs = [...missing.map((remoteId) => ({ remoteId, version: null })), ...drifted.map((remoteId) => ({ remoteId, version: null })), ...extra];
  const repaired = signal?.aborted ? 0 : await repair(ctx, replica, repairs, signal);
  return { checked, missing: missing.length, extra: extra.length, drifted: drifted.length, repaired };
}
