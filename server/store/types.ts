/** The store's records: trackers, items, users and rights as the rest of s15n sees them. */
import type { FieldDef, ItemStatus } from '../../shared/model/fields.js';
import type { Values } from '../../shared/model/values.js';

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

export interface FieldInput {
  name: string;
  label?: string;
  type: string;
  options?: string[];
  required?: boolean;
  linkedTracker?: number;
}

export interface NewTracker {
  name: string;
  description?: string;
  fields: FieldInput[];
}

/** A new item as given by a user: validated by the store. */
export interface NewItem {
  status?: unknown;
  values: unknown;
}

/** A change to items: absent = leave alone, null = clear. */
export interface ItemChange {
  status?: unknown;
  values?: unknown;
}
