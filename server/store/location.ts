/** What names an instance: a data dir (SQLite) or a postgres:// URL (PostgreSQL). */

/** Whether `location` names a PostgreSQL database rather than a data dir. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
