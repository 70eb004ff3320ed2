/**
 * Pages of a tracker's live items for a virtualised list: keyset queries by item id (an index
 * seek, whatever the page's position in 100k items) with an optional text filter on the values
 * (or the id). Only ids are selected here; the rows come from the item table.
 */
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Item, Tracker } from '../types.js';
import type { ItemTable } from './items.js';

/** Which page: after / before / from an id, or the first or last rows. */
export type PageRequest =
  | { kind: 'after' | 'before' | 'from'; id: number; limit: number }
  | { kind: 'first' | 'last'; limit: number };

type Shape = 'count' | 'before-count' | PageRequest['kind'];

const ORDER: Record<PageRequest['kind'], string> = {
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

  constructor(
    private readonly db: Database.Database,
    private readonly items: ItemTable,
  ) {}

  private statement(shape: Shape, filtered: boolean): Statement {
    const key = `${shape}:${filtered}`;
    let stmt = this.statements.get(key);
    if (!stmt) {
      const where = `FROM items WHERE tracker_id = @tracker AND deleted = 0 ${filtered ? FILTER : ''}`;
      const sql =
        shape === 'count' ? `SELECT count(*) AS n ${where}` : shape === 'before-count' ? `SELECT count(*) AS n ${where} AND id < @id` : `SELECT id ${where} ${ORDER[shape]}`;
      stmt = this.db.prepare(sql);
      this.statements.set(key, stmt);
    }
    return stmt;
  }

  private params(trackerId: number, filter: string, extra: Record<string, number> = {}): Record<string, unknown> {
    const text = filter.trim();
    return text === '' ? { tracker: trackerId, ...extra } : { tracker: trackerId, text: text.replace(/^#/, ''), like: likePattern(text), ...extra };
  }

  /** Live items of the tracker that match the filter ('' matches all). */
  count(trackerId: number, filter: string): number {
    const row = this.statement('count', filter.trim() !== '').get(this.params(trackerId, filter)) as { n: number };
    return row.n;
  }

  /** The items of one page, ascending by id; for 'from', the index of the first one too. */
  page(tracker: Tracker, filter: string, request: PageRequest): { items: Item[]; offset?: number } {
    const filtered = filter.trim() !== '';
    const extra: Record<string, number> = 'id' in request ? { id: request.id, limit: request.limit } : { limit: request.limit };
    const rows = this.statement(request.kind, filtered).all(this.params(tracker.id, filter, extra)) as { id: number }[];
    const ids = request.kind === 'before' || request.kind === 'last' ? rows.map((r) => r.id).reverse() : rows.map((r) => r.id);
    const items = ids.map((id) => this.items.get(tracker.id, id)).filter((item): item is Item => item !== undefined);
    if (request.kind !== 'from') return { items };
    const before = this.statement('before-count', filtered).get(this.params(tracker.id, filter, { id: request.id })) as { n: number };
    return { items, offset: before.n };
  }
}
