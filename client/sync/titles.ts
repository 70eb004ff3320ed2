/**
 * Titles of linked items for itemlink fields, which a clone turns into text holding the linked
 * item's title (by the one title rule of shared/model/title.ts). A clone reads each linked tracker's
 * feed once; a reload fetches only the linked items it meets, so its cost follows the changes.
 * Anything unknown or refused falls back to `#<id>` (remoteValueToLocal does that).
 */
import { type Change, isLeftMarker } from '../../shared/api/schemas.js';
import { S15nError } from '../../shared/errors.js';
import type { FieldDef } from '../../shared/model/fields.js';
import { titleField, titleFromField } from '../../shared/model/title.js';
import type { FieldMapping, TitleOf } from '../../shared/model/transform.js';
import type { RemoteClient } from '../remote/client.js';

/** Linked trackers of the itemlink fields a mapping still applies. */
function linkedFields(remoteFields: readonly FieldDef[], mappings: readonly FieldMapping[]): FieldDef[] {
  const applied = new Set(mappings.filter((m) => m.action === 'transformed' && m.remoteType === 'itemlink').map((m) => m.name));
  return remoteFields.filter((f) => f.type === 'itemlink' && applied.has(f.name) && f.linkedTracker !== undefined);
}

interface LinkedTracker {
  /** The linked tracker's title field (titleField); null when it has none or could not be read. */
  titleField: Pick<FieldDef, 'name'> | null;
  titles: Map<number, string>;
  /** Ids looked up and not found (deleted, refused): not asked again in this run. */
  missing: Set<number>;
  /** The whole feed was read: an id not in `titles` has no title. */
  complete: boolean;
}

/** Above this many unknown linked items in one batch, reading the linked feed once is cheaper than one request each. */
const FETCH_ONE_BY_ONE = 50;

/** A linked item's title under the one rule; undefined when it has none, so the link falls back to `#<id>`. */
function titleOfValues(field: Pick<FieldDef, 'name'> | null, values: Readonly<Record<string, unknown>>): string | undefined {
  const title = field === null ? '' : titleFromField(field, values);
  return title !== '' ? title : undefined;
}

/** Whether a failure only means "no title here" (refused, unknown) rather than a broken run. */
function isRefusal(error: unknown): boolean {
  return error instanceof S15nError && (error.code === 'forbidden' || error.code === 'not_found');
}

export class LinkTitles {
  private readonly trackers = new Map<number, LinkedTracker>();
  private readonly fields: FieldDef[];

  constructor(
    private readonly client: RemoteClient,
    remoteFields: readonly FieldDef[],
    mappings: readonly FieldMapping[],
  ) {
    this.fields = linkedFields(remoteFields, mappings);
  }

  /** The titles known so far; the mapping of a batch calls it synchronously after `prefetch`. */
  readonly titleOf: TitleOf = (linkedTracker, itemId) => {
    if (linkedTracker === undefined) return undefined;
    return this.trackers.get(linkedTracker)?.titles.get(itemId);
  };

  private async tracker(trackerId: number): Promise<LinkedTracker> {
    let known = this.trackers.get(trackerId);
    if (known) return known;
    let title: Pick<FieldDef, 'name'> | null = null;
    try {
      const schema = await this.client.getTracker(trackerId);
      title = titleField(schema.fields) ?? null;
    } catch (error) {
      if (!isRefusal(error)) throw error;
    }
    // Without a title field (or the right to read the tracker) there is nothing to fetch.
    known = { titleField: title, titles: new Map(), missing: new Set(), complete: title === null };
    this.trackers.set(trackerId, known);
    return known;
  }

  /** Reads each linked tracker's whole feed once (a clone, which meets most linked items anyway). */
  async loadAll(signal?: AbortSignal): Promise<void> {
    for (const trackerId of new Set(this.fields.map((f) => f.linkedTracker as number))) await this.loadFeed(trackerId, signal);
  }

  private async loadFeed(trackerId: number, signal?: AbortSignal): Promise<void> {
    const linked = await this.tracker(trackerId);
    if (linked.complete) return;
    try {
      for await (const change of this.client.streamChanges(trackerId, 0, signal ? { signal } : {})) {
        // Unfiltered: no left markers come, but the type allows them.
        if (isLeftMarker(change)) continue;
        const title = change.deleted ? undefined : titleOfValues(linked.titleField, change.values);
        if (title === undefined) linked.titles.delete(change.id);
        else linked.titles.set(change.id, title);
      }
    } catch (error) {
      if (!isRefusal(error)) throw error;
    }
    linked.complete = true;
  }

  /**
   * Fetches the titles a batch of changes needs and does not know yet (a reload): one request
   * per linked item while they are few, the linked tracker's whole feed once they are many.
   */
  async prefetch(changes: readonly Change[]): Promise<void> {
    const wanted = new Map<number, Set<number>>();
    for (const field of this.fields) {
      const linkedId = field.linkedTracker as number;
      for (const change of changes) {
        const value = change.deleted ? undefined : change.values[field.name];
        if (typeof value !== 'number') continue;
        const ids = wanted.get(linkedId) ?? new Set<number>();
        ids.add(value);
        wanted.set(linkedId, ids);
      }
    }
    for (const [linkedId, ids] of wanted) {
      const linked = await this.tracker(linkedId);
      if (linked.complete) continue;
      const unknown = [...ids].filter((id) => !linked.titles.has(id) && !linked.missing.has(id));
      if (unknown.length > FETCH_ONE_BY_ONE) {
        await this.loadFeed(linkedId);
        continue;
      }
      for (const id of unknown) {
        try {
          const item = await this.client.getItem(linkedId, id);
          const title = titleOfValues(linked.titleField, item.values);
          if (title === undefined) linked.missing.add(id);
          else linked.titles.set(id, title);
        } catch (error) {
          if (!isRefusal(error)) throw error;
          linked.missing.add(id);
        }
      }
    }
  }
}
