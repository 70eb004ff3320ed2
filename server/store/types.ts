/** The store's records: trackers, items, users and rights as the rest of s15n sees them. */
import type { FieldDef, ItemStatus } from '../../shared/model/fields.js';
import type { Values } from '../../shared/model/values.js';

export type { FieldInput, NewTracker } from '../../shared/model/tracker-input.js';
export type { ItemChange, NewItem } from '../../shared/model/items.js';

export type Right = 'view' | 'edit' | 'admin';
export const RIGHTS: readonly Right[] = ['view', 'edit', 'admin'];

export interface Tracker {
  id: number;
  name: string;
  description: string;
  fields: FieldDef[];
  statuses: ItemStatus[];
  schemaHash: string;
  createdAt: string;
}

export interface Item {
  id: number;
  trackerId: number;
  status: ItemStatus;
  values: Values;
  version: number;
  /** The instance-wide sequence number of the item's last change. */
  seq: number;
  deleted: boolean;
  updatedAt: string;
  updatedBy: string | null;
}

export interface User {
  name: string;
  admin: boolean;
  createdAt: string;
}


/** Who pushes, and whether they hold the admin right on the tracker (deletes, and overwrites of a change they have not seen). */
export interface Actor {
  user: string;
  isAdmin: boolean;
}

export interface ItemListOptions {
  includeDeleted?: boolean;
  /** Keyset paging: items with a greater id. */
  afterId?: number;
  limit?: number;
}

/** A page of the change feed: items and tombstones with seq > since, in seq order; `next` is the token after them. */
export interface FeedPage {
  changes: Item[];
  next: number;
  more: boolean;
}
