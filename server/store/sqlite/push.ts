/**
 * Push on SQLite: each change of a batch read, judged by the one push rule of shared/push/judge.ts
 * (the dry run judges with it too) and carried out, all in one transaction. Creates are
 * idempotent by key: the key is written with the item it created. A create matched by its key
 * fields writes nothing (and keeps no idempotency key: a retry is matched again).
 */
import type Database from 'better-sqlite3';
import type { CreateChange, DeleteChange, PushChange, PushResult, UpdateChange } from '../../../shared/api/schemas.js';
import type { ItemState } from '../../../shared/merge/index.js';
import { pushedBlobProblem } from '../../../shared/model/files.js';
import { type Pusher, answerOf, judgeCreate, judgeDelete, judgeUpdate } from '../../../shared/push/judge.js';
import type { Actor, Item, Tracker } from '../types.js';
import { itemToChange } from '../wire.js';
import { type BlobTable, hasFilesField } from './blobs.js';
import type { ItemTable } from './items.js';

export class PushApplier {
  private readonly keys;

  constructor(
    db: Database.Database,
    private readonly items: ItemTable,
    private readonly transaction: <T>(fn: () => T) => T,
    private readonly blobs: BlobTable,
  ) {
    this.keys = {
      get: db.prepare<[number, string], { item_id: number }>('SELECT item_id FROM idempotency_keys WHERE tracker_id = ? AND key = ?'),
      put: db.prepare('INSERT INTO idempotency_keys (tracker_id, key, item_id, created_at) VALUES (?, ?, ?, ?)'),
    };
  }

  /** Applies a batch in one transaction; each change is answered on its own. */
  apply(tracker: Tracker, changes: readonly PushChange[], actor: Actor): PushResult[] {
    const pusher: Pusher = { user: actor.user, trackerName: tracker.name, admin: actor.isAdmin };
    return this.transaction(() =>
      changes.map((change) => {
        switch (change.op) {
          case 'create':
            return this.create(tracker, change, actor);
          case 'update':
            return this.update(tracker, change, pusher);
          case 'delete':
            return this.remove(tracker, change, pusher);
        }
      }),
    );
  }

  private create(tracker: Tracker, change: CreateChange, actor: Actor): PushResult {
    const key = this.keys.get.get(tracker.id, change.idempotencyKey);
    const known = key ? this.items.get(tracker.id, key.item_id, { includeDeleted: true }) : undefined;
    const judged = judgeCreate(tracker.fields, change, known, this.items.keys.holders(tracker.id));
    if (judged.status === 'matched') {
      const matched = this.items.get(tracker.id, judged.id);
      return answerOf(judged, change, matched && itemToChange(matched));
    }
    const judgement = judged.status === 'created' && judged.write ? this.withBlobs(tracker, judged, judged.write) : judged;
    if (judgement.status !== 'created') return answerOf(judgement, change, undefined);
    let item: Item | undefined = known;
    if (judgement.write) {
      item = this.items.insert(tracker, judgement.write, actor.user);
      this.keys.put.run(tracker.id, change.idempotencyKey, item.id, new Date().toISOString());
    }
    return answerOf(judgement, change, item && itemToChange(item));
  }

  private update(tracker: Tracker, change: UpdateChange, pusher: Pusher): PushResult {
    const current = this.items.get(tracker.id, change.id, { includeDeleted: true });
    const judged = judgeUpdate(tracker.fields, current, change, pusher, this.items.keys.holders(tracker.id));
    const judgement = judged.status === 'updated' && judged.write ? this.withBlobs(tracker, judged, judged.write) : judged;
    const item = judgement.status === 'updated' && judgement.write ? this.items.write(tracker, change.id, judgement.write, false, pusher.user) : current;
    return answerOf(judgement, change, item && itemToChange(item));
  }

  /** A write that names an attachment the tracker was not sent (or of another size) is rejected: an item never refers to a blob its instance lacks. */
  private withBlobs<J>(tracker: Tracker, judgement: J, write: ItemState): J | { status: 'rejected'; error: string } {
    if (!hasFilesField(tracker.fields)) return judgement;
    const error = pushedBlobProblem(tracker.fields, write.values, (sha256) => this.blobs.scopedSize(tracker.id, sha256));
    return error ? { status: 'rejected', error } : judgement;
  }

  private remove(tracker: Tracker, change: DeleteChange, pusher: Pusher): PushResult {
    const current = this.items.get(tracker.id, change.id, { includeDeleted: true });
    const judgement = judgeDelete(current, change, pusher);
    const item = judgement.status === 'deleted' && judgement.write ? this.items.tombstone(tracker.id, change.id, pusher.user) : current;
    return answerOf(judgement, change, item && itemToChange(item));
  }
}
