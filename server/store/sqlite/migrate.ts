/**
 * Migrations per module: the hub (trackers, items, users) and the clone side (replicas, sync
 * state, log, remotes) share one SQLite file but evolve apart, each with its own ordered list
 * and its own version in the table `s15n_modules`.
 */
import type Database from 'better-sqlite3';

export interface MigratedModule {
  /** The module's key in s15n_modules. */
  name: string;
  /**
   * Index i takes the module from version i to i + 1: SQL, or a function for a step SQL cannot say
   * (it runs in the step's transaction). Append only; never edit a shipped one.
   */
  migrations: readonly (string | ((db: Database.Database) => void))[];
  /**
   * The module's version in a data dir of release 0.1.0, which had one list for both modules
   * and kept its version in PRAGMA user_version (1..4).
   */
  fromLegacy(userVersion: number): number;
}

/**
 * PRAGMA user_version of a data dir whose versions are kept per module. Release 0.1.0 refuses a
 * user_version above 4 ("written by a newer s15n"), which is what it should do with this file.
 */
export const MODULAR_USER_VERSION = 100;
const LEGACY_MAX = 4;

const CREATE_MODULES = 'CREATE TABLE IF NOT EXISTS s15n_modules (name TEXT PRIMARY KEY, version INTEGER NOT NULL)';

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The PRAGMA user_version a release-0.1.0 file had, kept once the file is module-versioned (0 for a newer file). */
const LEGACY_ROW = 'release-0.1.0';

/** Turns a release-0.1.0 file (or a new one) into a module-versioned one; in the caller's transaction. */
function adoptModuleVersions(db: Database.Database): void {
  const legacy = userVersion(db);
  if (legacy === MODULAR_USER_VERSION) return;
  if (legacy > LEGACY_MAX) throw new Error(`this data dir was written by a newer s15n (schema ${legacy}); upgrade s15n to open it`);
  db.exec(CREATE_MODULES);
  db.prepare('INSERT OR IGNORE INTO s15n_modules (name, version) VALUES (?, ?)').run(LEGACY_ROW, legacy);
  db.pragma(`user_version = ${MODULAR_USER_VERSION}`);
}

const versionStatement = (db: Database.Database) => db.prepare<[string], { version: number }>('SELECT version FROM s15n_modules WHERE name = ?');

/** A module's version: its own row, written the first time the module opens the file from what the release-0.1.0 schema held of it. */
function versionOf(db: Database.Database, module: MigratedModule): number {
  const get = versionStatement(db);
  const row = get.get(module.name);
  if (row) return row.version;
  const version = module.fromLegacy(get.get(LEGACY_ROW)?.version ?? 0);
  db.prepare('INSERT INTO s15n_modules (name, version) VALUES (?, ?)').run(module.name, version);
  return version;
}

/**
 * Brings `module` to its newest version, one step per IMMEDIATE transaction with the version
 * read again under the write lock: two processes opening an older data dir at once (the server
 * and a CLI command) migrate it once.
 */
export function migrateModule(db: Database.Database, module: MigratedModule): void {
  // The usual case, a file already at the newest version: one read, no write lock taken.
  if (userVersion(db) === MODULAR_USER_VERSION && versionStatement(db).get(module.name)?.version === module.migrations.length) return;
  const step = db
    .transaction((): boolean => {
      adoptModuleVersions(db);
      const version = versionOf(db, module);
      if (version > module.migrations.length) {
        throw new Error(`this data dir was written by a newer s15n (${module.name} schema ${version}; this version knows ${module.migrations.length})`);
      }
      if (version === module.migrations.length) return false;
      const migration = module.migrations[version]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.prepare('INSERT INTO s15n_modules (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version').run(module.name, version + 1);
      return true;
    })
    .immediate;
  while (step()) {
    // next step
  }
}
