/** The store of an instance: the one module server and client both open. */
export { Store, DB_FILE } from './store.js';
export { hasRight } from './users.js';
export { itemToChange, itemToWire, trackerSummary, trackerToWire } from './wire.js';
export type { FieldInput, Item, ItemChange, NewItem, NewTracker, Right, Tracker, User } from './types.js';
export { RIGHTS } from './types.js';
