/**
 * The PostgreSQL database an instance lives in: its URL as pg reads it, the same place shown
 * without the password, and failures to reach or log in to it said in those terms.
 */
import pg from 'pg';
import { BadInput, S15nError, Unavailable } from '../../../shared/errors.js';

import { isPostgresUrl } from '../location.js';

export { isPostgresUrl };

/** Where a database is, as pg resolves the URL (defaults and PG* variables included); never the password. */
export interface Target {
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  /** postgres://USER@HOST:PORT/DB, or with `?host=DIR` for a unix socket: safe to print and log. */
  location: string;
  /** "host:port, database db" for error messages. */
  where: string;
}

export function parseTarget(url: string): Target {
  if (!isPostgresUrl(url)) {
    throw new BadInput('--store: expected postgres://USER[:PASS]@HOST[:PORT]/DB', [{ field: '--store', reason: 'a postgres:// or postgresql:// URL' }]);
  }
  let client: pg.Client;
  try {
    // pg's own reading of the URL: what we show is where it will connect.
    client = new pg.Client({ connectionString: url });
  } catch {
    throw new BadInput('--store: not a valid postgres:// URL', [{ field: '--store', reason: 'not a valid URL' }]);
  }
  const host = client.host || 'localhost';
  const port = Number(client.port) || 5432;
  const database = client.database ?? client.user ?? '';
  const user = client.user ?? '';
  const socket = host.startsWith('/');
  const enc = encodeURIComponent;
  const location = socket
    ? `postgres://${enc(user)}@/${enc(database)}?host=${enc(host)}&port=${port}`
    : `postgres://${enc(user)}@${host.includes(':') ? `[${host}]` : host}:${port}/${enc(database)}`;
  const where = `${socket ? `socket ${host}` : host}:${port}, database "${database}"`;
  return { url, host, port, database, user, location, where };
}

/** PostgreSQL error codes and socket errors that mean "could not talk to the database" rather than "the request was wrong". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT', 'EPIPE']);

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}

/** Whether an error means the connection was lost or never made (class 08, shutdowns, socket errors). */
export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  if (CONNECTION_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/**
 * A failure to connect, said with host, port and database and never the password: unreachable,
 * login refused, no such database. Other errors pass through unchanged. Once the instance is
 * open (`opened`), every such failure is the server's trouble, not the caller's: unavailable
 * (503, which clients retry), never a 401 or 404 that would blame the request.
 */
export function connectionFailure(target: Target, error: unknown, opened = false): unknown {
  if (error instanceof S15nError) return error;
  const code = codeOf(error);
  const reason = error instanceof Error ? error.message.replaceAll(target.url, target.location) : String(error);
  if (opened) {
    const lost = isConnectionError(error) || code.startsWith('28') || code === '3D000';
    return lost ? new Unavailable(`cannot reach PostgreSQL at ${target.where}: ${reason}`) : error;
  }
  if (code === '28P01' || code === '28000') {
    return new S15nError('unauthorized', `PostgreSQL at ${target.where} refused the login of role "${target.user}": ${reason}`);
  }
  if (code === '3D000') return new S15nError('not_found', `PostgreSQL at ${target.host}:${target.port} has no database "${target.database}" (creating it is the operator's job: CREATE DATABASE)`);
  if (code === '42501') return new S15nError('forbidden', `PostgreSQL at ${target.where}: role "${target.user}" lacks a privilege s15n needs: ${reason}`);
  if (isConnectionError(error)) return new Unavailable(`cannot reach PostgreSQL at ${target.where}: ${reason}`);
  return error;
}
