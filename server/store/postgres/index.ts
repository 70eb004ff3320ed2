/** The PostgreSQL engine of the HubStore interface: a hub shared by several server processes. */
export { PostgresHub, type PostgresOpenOptions } from './hub.js';
export { type FeedClock, CHANGES_CHANNEL, serializedClock } from './clock.js';
export { isPostgresUrl, parseTarget, type Target } from './target.js';
