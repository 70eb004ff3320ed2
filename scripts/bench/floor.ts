/**
 * The floor: the least a clone can do on this stack. An Express route serves pages of 1,000
 * rows straight from better-sqlite3 (the master's own items table, no auth, no mapping); got
 * fetches them one after the other and each page goes into a fresh better-sqlite3 file in one
 * transaction. s15n's clone does the same work plus auth, validation, sync state and the log.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import got from 'got';
import { type Listening, listen } from './listen.js';

const PAGE = 1000;

interface Row {
  id: number;
  seq: number;
  version: number;
  status: string;
  values_json: string;
}

interface Page {
  rows: Row[];
  next: number;
  more: boolean;
}

export async function serveFloor(dbFile: string, trackerId: number): Promise<Listening & { close(): void }> {
  const db = new Database(dbFile, { readonly: true });
  const page = db.prepare<[number, number, number], Row>(
    'SELECT id, seq, version, status, values_json FROM items WHERE tracker_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const app = express();
  app.get('/rows', (req, res) => {
    const after = Number(req.query.after ?? 0);
    const rows = page.all(trackerId, after, PAGE + 1);
    const more = rows.length > PAGE;
    if (more) rows.pop();
    res.json({ rows, next: rows.at(-1)?.seq ?? after, more } satisfies Page);
  });
  const running = await listen((port, host, ready) => app.listen(port, host, ready));
  return { ...running, close: () => db.close() };
}

/** Fetches every page into a fresh file; returns the rows stored. */
export async function floorClone(url: string, dir: string): Promise<number> {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, version INTEGER NOT NULL, status TEXT NOT NULL, values_json TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO items (id, seq, version, status, values_json) VALUES (@id, @seq, @version, @status, @values_json)');
  const store = db.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(row);
  });
  const http = got.extend({ prefixUrl: url });
  let after = 0;
  let stored = 0;
  for (;;) {
    const page = await http.get('rows', { searchParams: { after } }).json<Page>();
    store(page.rows);
    stored += page.rows.length;
    after = page.next;
    if (!page.more) break;
  }
  db.close();
  return stored;
}
