/** The store contract suite on the SQLite engine (a fresh instance in a temp data dir per test). */
import { join } from 'node:path';
import { SqliteHub } from '../../server/store/index.js';
import { describeHubStore } from '../contract/hub-store.js';
import { tempDir } from '../helpers/instance.js';

describeHubStore({ name: 'sqlite', open: async () => SqliteHub.open(join(tempDir(), 'data'), { create: true }) });
