/**
 * What a push makes of the remote's answers: each one applied with the same item decision as a
 * reload (a conflict answer is merged three-way, what cannot merge is stored for review), and
 * counted once. A dry run predicts the answers with the remote's own push judgement
 * (shared/push/judge.ts) and applies them the same way, in a transaction that is rolled back.
 */
import { type Change, type PushChange, type PushResult, isLeftMarker } from '../../shared/api/schemas.js';
import { type CurrentItem, type Pusher, answerOf, judgeCreate, judgeDelete, judgeUpdate } from '../../shared/push/judge.js';
import { type Selector, matches, parseSelectorText } from '../../shared/model/selector.js';
import { isPushable } from '../../shared/model/transform.js';
import { type KeyHolders, keyEntries, keyFields, keyText } from '../../shared/model/keys.js';
import type { Values } from '../../shared/model/values.js';
import type { RemoteClient } from '../remote/client.js';
import type { Replica } from '../replica/index.js';
import { type ApplyContext, type ApplyOutcome, applyRemoteItem, confirmCreate, linkMatched } from './apply.js';
import type { BlobFetcher } from './blob-fetch.js';
import { frozenFields, toRemoteItem } from './feed.js';
import type { Planned } from './push-plan.js';
import type { ReportBuilder } from './report.js';
import { messageOf } from './run.js';
import type { LinkTitles } from './titles.js';

/** The remote's answer to one planned change. */
export interface Answer {
  planned: Planned;
  result: PushResult;
  /** Local fields whose remote value the answer does not carry (a dry run's answer built from the base): they keep their base value. */
  unknown?: readonly string[];
}

/** What became of one sent change: an apply outcome, or why it was refused. */
type Settled = ApplyOutcome | { error: string };

/** Counts one item once: a conflict stays a conflict; otherwise a refusal or a field that could not go makes it an error. */
export function settle(report: ReportBuilder, { item, unpushable }: Planned, settled: Settled): void {
  if (typeof settled === 'string' && (settled === 'conflict' || unpushable === null)) {
    report.count(settled);
    if (unpushable) report.warn(`item ${item.id}: ${unpushable}`);
    return;
  }
  const messages = typeof settled === 'string' ? [`${unpushable!} (its other changes: ${settled})`] : [settled.error, ...(unpushable ? [unpushable] : [])];
  report.itemError(item.id, messages.join('; '));
}

/** Applies one answer; must run inside a store transaction. */
function applyAnswer(ctx: ApplyContext, replica: Replica, titles: LinkTitles, frozen: readonly string[], { planned, result, unknown }: Answer): Settled {
  const { item, change } = planned;
  // Fields the answer cannot speak for keep what the clone holds: the base, or for a new item its own values.
  const remoteItem = (base = ctx.replicas.itemState(item.id)?.base?.values) => {
    const answer = { seq: 0, ...result.item } as Change;
    return toRemoteItem(answer, replica, ctx.tracker, titles, unknown ? [...frozen, ...unknown] : frozen, base);
  };
  switch (result.status) {
    case 'created':
      confirmCreate(ctx, item.id, remoteItem());
      return 'created';
    case 'matched': {
      // The remote holds an item with these key values: this one becomes it, merged from an empty base.
      if (!result.item) return { error: `the remote matched the new item to remote item ${result.id ?? '?'} but did not send it` };
      return linkMatched(ctx, item.id, remoteItem(item.values)) === 'conflict' ? 'conflict' : 'merged';
    }
    case 'updated':
      // A conflict here means the item was edited again locally while its push was under way.
      return applyRemoteItem(ctx, remoteItem()) === 'conflict' ? 'conflict' : 'updated';
    case 'deleted':
      ctx.replicas.deleteItemState(item.id);
      return 'deleted';
    case 'conflict': {
      // Applied three-way: what merges cleanly stays to be pushed, the rest is stored for review.
      const outcome = result.item ? applyRemoteItem(ctx, remoteItem()) : 'conflict';
      return outcome === 'conflict' ? 'conflict' : 'merged';
    }
    case 'rejected':
      return { error: `the remote refused ${change.op === 'create' ? 'the new item' : `the ${change.op} of remote item ${change.id}`}: ${result.error ?? 'no reason given'}` };
  }
}

/** The selector of a partial clone, as the remote judges its items (not strict: the remote's own fields decide). */
function selectorOf(replica: Replica): Selector | null {
  if (replica.where === null) return null;
  const checked = parseSelectorText(replica.where, replica.remoteFields);
  return checked.ok ? checked.selector : null;
}

/**
 * A partial clone pushed an item its selector does not match (a new item, or an edit that moves
 * it out): the remote keeps it, and the next reload takes it out of the clone. Marked now, so
 * that reload warns when it goes; the warning of the push says so first.
 */
function noteUnmatched(ctx: ApplyContext, selector: Selector | null, { planned, result }: Answer, settled: Settled): string | null {
  if (!selector || !result.item || (settled !== 'created' && settled !== 'updated') || matches(selector, result.item)) return null;
  ctx.replicas.markPushedUnmatched(planned.item.id);
  return `item ${planned.item.id} does not match this clone's filter: the remote has it now, and it leaves this clone on the next reload`;
}

/** Applies the answers of one request in one transaction, each item in its own savepoint; counts them once committed. */
export async function applyAnswers(ctx: ApplyContext, replica: Replica, titles: LinkTitles, answers: readonly Answer[], report: ReportBuilder, blobs?: BlobFetcher): Promise<void> {
  const items = answers.flatMap(({ result }) => (result.item ? [{ seq: 0, ...result.item } as Change] : []));
  await titles.prefetch(items);
  // A conflict's answer may name attachments the remote gained meanwhile: here before it is applied.
  await blobs?.prefetch(items, replica);
  const frozen = frozenFields(replica, ctx.tracker);
  const selector = selectorOf(replica);
  const warnings: string[] = [];
  const settled = ctx.store.transaction(() =>
    answers.map((answer): Settled => {
      try {
        return ctx.store.transaction(() => {
          const done = applyAnswer(ctx, replica, titles, frozen, answer);
          const warning = noteUnmatched(ctx, selector, answer, done);
          if (warning) warnings.push(warning);
          return done;
        });
      } catch (error) {
        return { error: messageOf(error) };
      }
    }),
  );
  // Counted once committed: a batch that fails to commit is not reported as applied.
  answers.forEach(({ planned, result }, i) => {
    settle(report, planned, settled[i]!);
    if (result.status === 'matched' && typeof settled[i] === 'string' && result.id !== undefined) report.matched.push({ id: planned.item.id, remoteId: result.id });
    // A conflict may say why it was not forced (an overwrite without the admin right).
    if (result.status === 'conflict' && result.error) report.warn(`item ${planned.item.id}: ${result.error}`);
  });
  for (const warning of warnings) report.warn(warning);
}

/** The remote item as this clone last saw it: its base, pushable fields only (the others are not in the remote's terms). */
function baseView(ctx: ApplyContext, replica: Replica, planned: Planned): { current: CurrentItem | undefined; unknown: string[] } {
  const sync = ctx.replicas.itemState(planned.item.id);
  const change = planned.change;
  if (change.op === 'create' || !sync?.base) return { current: undefined, unknown: [] };
  const mappings = new Map(replica.mappings.map((m) => [m.name, m]));
  const unknown = ctx.tracker.fields.filter((f) => !isPushable(mappings.get(f.name))).map((f) => f.name);
  const values: Values = {};
  for (const [name, value] of Object.entries(sync.base.values)) if (!unknown.includes(name)) values[name] = value;
  // A base without a status (a key match whose statuses differ) predicts with the local one: that conflict is open, so only an overwrite pushes it.
  return { current: { id: change.id, status: sync.base.status ?? planned.item.status, values, version: sync.baseVersion ?? 0 }, unknown };
}

/** The item an answer carries: the current one, with what the judgement writes. */
function answerItem(current: CurrentItem | undefined, write: { status: CurrentItem['status']; values: Values } | boolean | null, fakeId: number): Change | undefined {
  if (!current && (write === null || typeof write === 'boolean')) return undefined;
  const now = current!;
  if (write === null || write === false) return { id: now.id, status: now.status, values: now.values, version: now.version, seq: 0, ...(now.deleted ? { deleted: true as const } : {}) };
  if (write === true) return { id: now.id, status: now.status, values: {}, version: now.version + 1, seq: 0, deleted: true };
  return { id: current?.id ?? fakeId, status: write.status, values: write.values, version: (current?.version ?? 0) + 1, seq: 0 };
}

/** Who holds a key value on the remote, as a dry run can tell, and the item it would answer a match with. */
interface PredictedKeys {
  holders: KeyHolders;
  item(remoteId: number): Change | undefined;
}

/**
 * The remote's key index as the clone sees it: the items the feed names now, else the remote
 * items the clone holds copies of, by their bases (what the remote still holds of them).
 */
function predictedKeys(ctx: ApplyContext, replica: Replica, now: ReadonlyMap<number, Change>): PredictedKeys {
  const fromFeed = new Map<string, number[]>();
  for (const change of now.values()) {
    if (change.deleted) continue;
    for (const { field, text } of keyEntries(replica.remoteFields, change.values)) fromFeed.set(`${field}\0${text}`, [...(fromFeed.get(`${field}\0${text}`) ?? []), change.id]);
  }
  const local = ctx.store.keyHolders(ctx.tracker.id);
  const copyOf = (remoteId: number) => ctx.replicas.itemByRemoteId(ctx.tracker.id, remoteId);
  return {
    holders: (field, text) => {
      const ids = new Set(fromFeed.get(`${field}\0${text}`) ?? []);
      for (const itemId of local(field, text)) {
        const sync = ctx.replicas.itemState(itemId);
        if (sync?.remoteId != null && !now.has(sync.remoteId) && keyText(sync.base?.values[field]) === text) ids.add(sync.remoteId);
      }
      return [...ids];
    },
    item: (remoteId) => {
      const seen = now.get(remoteId);
      if (seen) return seen;
      const sync = copyOf(remoteId);
      if (!sync?.base) return undefined;
      return { id: remoteId, status: sync.base.status ?? 'open', values: sync.base.values, version: sync.baseVersion ?? 0, seq: 0 };
    },
  };
}

/** One planned change judged against the remote's item now, as the remote would judge it. */
function predictOne(replica: Replica, planned: Planned, current: CurrentItem | undefined, pusher: Pusher, keys: PredictedKeys, fakeId: number): PushResult {
  const change: PushChange = planned.change;
  if (change.op === 'create') {
    const judgement = judgeCreate(replica.remoteFields, change, undefined, keys.holders);
    if (judgement.status === 'matched') return answerOf(judgement, change, keys.item(judgement.id));
    return answerOf(judgement, change, judgement.status === 'created' ? answerItem(undefined, judgement.write, fakeId) : undefined);
  }
  if (change.op === 'update') {
    const judgement = judgeUpdate(replica.remoteFields, current, change, pusher, keys.holders);
    return answerOf(judgement, change, answerItem(current, judgement.status === 'updated' ? judgement.write : null, fakeId));
  }
  const judgement = judgeDelete(current, change, pusher);
  return answerOf(judgement, change, answerItem(current, judgement.status === 'deleted' ? judgement.write : null, fakeId));
}

/**
 * The answers a dry run predicts, one per planned change. The remote's feed since the replica's
 * token is read (one GET; a dry run sends no change): an item it names is judged against what
 * the remote holds now, any other against what the clone last saw (its base), which is what the
 * remote still holds. The feed's answer says the caller's right on the remote tracker, which
 * decides overwrites and deletes.
 * New items get made-up negative ids, which no remote item has, in the rolled-back transaction.
 */
export async function predictAnswers(ctx: ApplyContext, client: RemoteClient, replica: Replica, planned: readonly Planned[], signal?: AbortSignal): Promise<Answer[]> {
  const wanted = new Set(planned.flatMap(({ change }) => (change.op === 'create' ? [] : [change.id])));
  // Creates into a tracker with keys may match any remote item: every item the feed names is kept.
  const keyed = keyFields(replica.remoteFields).length > 0 && planned.some(({ change }) => change.op === 'create');
  const now = new Map<number, Change>();
  // An older remote does not say the caller's right: overwrites and deletes are then assumed granted.
  let right = 'admin';
  if (wanted.size > 0 || keyed) {
    for await (const change of client.streamChanges(replica.remoteTrackerId, replica.token, { ...(signal ? { signal } : {}), onRight: (said) => (right = said) })) {
      // Unfiltered, even for a partial clone: the judgement needs the current item, not a left marker.
      if (!isLeftMarker(change) && (keyed || wanted.has(change.id))) now.set(change.id, change);
    }
  }
  const keys = predictedKeys(ctx, replica, now);
  const pusher: Pusher = { user: client.endpoint.user, trackerName: replica.remoteTrackerName, admin: right === 'admin' };
  return planned.map((p, i) => {
    const seen = p.change.op === 'create' ? undefined : now.get(p.change.id);
    const { current, unknown } = seen ? { current: seen, unknown: [] } : baseView(ctx, replica, p);
    return { planned: p, result: predictOne(replica, p, current, pusher, keys, -(i + 1)), ...(unknown.length > 0 ? { unknown } : {}) };
  });
}
