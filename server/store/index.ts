/** The store of an instance: the HubStore interface, its records and wire shapes, and the SQLite engine. */
export type { ChangeEvent, ChangeListener, HubStore, StoreEngine } from './hub.js';
export type { BlobLimits, BlobRead, ByteRange, GcOptions, GcReport, PutBlobOptions, StoredBlob } from './blob-types.js';
export { DB_FILE, SqliteHub, SqliteStore, databaseExists, migrateModule, type MigratedModule, type PageRequest } from './sqlite/index.js';
export { USER_NAME_RULE, hasRight, userNameKey } from './passwords.js';
export { itemToChange, itemToWire, trackerSummary, trackerToWire } from './wire.js';
export type { Actor, FeedPage, FieldInput, Item, ItemChange, ItemListOptions, NewItem, NewTracker, Right, Tracker, User } from './types.js';
export { RIGHTS } from './types.js';
