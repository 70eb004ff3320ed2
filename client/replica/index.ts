/** The clone side's own state on SQLite: replicas, per-item sync state, the sync log, remotes. */
export { type CopyRow, ReplicaState, openLocalStore } from './replica-state.js';
export type { ItemSyncState, Replica } from './rows.js';
export type { ItemConflict } from '../../shared/merge/index.js';
export { type LocalChange, type LocalChangeKind, localChangeOf, stateOf } from './local-change.js';
export { SyncLog, type RunKind, type SyncRun } from './sync-log.js';
export { RemoteTable, type Remote } from './remote-table.js';
