/**
 * Pages of a tracker's live items for the virtualised item list: keyset queries by item id
 * (an index seek, whatever the page's position in 100k items) with an optional text filter
 * on the values (or the id). Only ids are selected here; the rows come from the store.
 */
import type { Statement } from 'better-sqlite3';
import { itemTitle } from '../../shared/model/title.js';
import type { Values } from '../../shared/model/values.js';
import type { Item, Store, Tracker } from '../../server/store/index.js';
import type { WindowNeed } from './state/item-list.js';

type Shape = 'count' | 'before-count' | WindowNeed['kind'];

const ORDER: Record<WindowNeed['kind'], string> = {
  after: 'AND id > @id ORDER BY id LIMIT @limit',
  before: 'AND id < @id ORDER BY id DESC LIMIT @limit',
  from: 'AND id >= @id ORDER BY id LIMIT @limit',
  first: 'ORDER BY id LIMIT @limit',
  last: 'ORDER BY id DESC LIMIT @limit',
};

/**
 * A value matches when its text holds the filter (case-insensitive for ASCII, like LIKE). The
 * LIKE on the whole JSON is a cheap first pass; json_each then keeps field names out of it.
 */
const FILTER = `AND (CAST(id AS TEXT) = @text OR (values_json LIKE @like ESCAPE '\\'
  AND EXISTS (SELECT 1 FROM json_each(items.values_json) AS v WHERE CAST(v.value AS TEXT) LIKE @like ESCAPE '\\')))`;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class ItemPages {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly store: Store) {}

  private statement(shape: Shape, filtered: boolean): Statement {
    const key = `${shape}:${filtered}`;
    let stmt = this.statements.get(key);
    if (!stmt) {
      const where = `FROM items WHERE tracker_id = @tracker AND deleted = 0 ${filtered ? FILTER : ''}`;
      const sql =
        shape === 'count' ? `SELECT count(*) AS n ${where}` : shape === 'before-count' ? `SELECT count(*) AS n ${where} AND id < @id` : `SELECT id ${where} ${ORDER[shape]}`;
      stmt = this.store.db.prepare(sql);
      this.statements.set(key, stmt);
    }
    return stmt;
  }

  private params(trackerId: number, filter: string, extra: Record<string, number> = {}): Record<string, unknown> {
    const text = filter.trim();
    return text === '' ? { tracker: trackerId, ...extra } : { tracker: trackerId, text: text.replace(/^#/, ''), like: likePattern(text), ...extra };
  }

  count(trackerId: number, filter: string): number {
    const row = this.statement('count', filter.trim() !== '').get(this.params(trackerId, filter)) as { n: number };
    return row.n;
  }

  /** The items of one window need, ascending by id; for 'from', the index of the first one too. */
  page(tracker: Tracker, filter: string, need: WindowNeed): { items: Item[]; offset?: number } {
    const filtered = filter.trim() !== '';
    const extra: Record<string, number> = need.kind === 'first' || need.kind === 'last' ? { limit: need.limit } : { id: need.id, limit: need.limit };
    const rows = this.statement(need.kind, filtered).all(this.params(tracker.id, filter, extra)) as { id: number }[];
    const ids = need.kind === 'before' || need.kind === 'last' ? rows.map((r) => r.id).reverse() : rows.map((r) => r.id);
    const items = ids.map((id) => this.store.getItem(tracker.id, id)).filter((item): item is Item => item !== undefined);
    if (need.kind !== 'from') return { items };
    const before = this.statement('before-count', filtered).get(this.params(tracker.id, filter, { id: need.id })) as { n: number };
    return { items, offset: before.n };
  }

  /** The title of an item, by the one title rule (first line of the first text field, '' when none). */
  titleOf(tracker: Tracker, values: Values): string {
    return itemTitle(tracker.fields, values);
  }
}
