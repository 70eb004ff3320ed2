/**
 * The real peer to compare with: PouchDB (LevelDB on both sides) replicating the same items
 * over loopback from express-pouchdb, with PouchDB's default replication settings.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import expressPouchDB from 'express-pouchdb';
import PouchDB, { type Doc } from 'pouchdb';
import { benchItem, spread } from './items.js';
import { type Listening, listen } from './listen.js';

export const POUCH_DB = 'master';
const SEED_BATCH = 1000;

export function docId(index: number): string {
  return `item-${String(index).padStart(8, '0')}`;
}

function serverPouch(dir: string): typeof PouchDB {
  mkdirSync(dir, { recursive: true });
  return PouchDB.defaults({ prefix: `${dir}/` });
}

/** Writes the N items into the served database (in its own process, so the server's RSS stays its own). */
export async function seedPouch(dir: string, items: number): Promise<void> {
  const db = new (serverPouch(dir))(POUCH_DB);
  for (let start = 0; start < items; start += SEED_BATCH) {
    const docs: Doc[] = [];
    for (let i = start; i < Math.min(items, start + SEED_BATCH); i++) {
      const item = benchItem(i);
      docs.push({ _id: docId(i), status: item.status, values: item.values });
    }
    await db.bulkDocs(docs);
  }
  await db.close();
}

/**
 * Serves the database the way a PouchDB peer does. On loopback, response compression is left
 * out (it only costs CPU there, and the loopback figures compare the stacks' own work); through
 * a shaped link (`--link`) it is on, as express-pouchdb ships, so PouchDB's bytes are compressed
 * like s15n's.
 */
export async function servePouch(dir: string, compress = false): Promise<Listening & { db: InstanceType<typeof PouchDB> }> {
  const Pouch = serverPouch(dir);
  const app = expressPouchDB(Pouch, { mode: 'minimumForPouchDB', ...(compress ? {} : { overrideMode: { exclude: ['compression'] } }) });
  const running = await listen((port, host, ready) => app.listen(port, host, ready));
  return { ...running, url: `${running.url}/${POUCH_DB}`, db: new Pouch(POUCH_DB) };
}

/** Edits `count` documents spread over the database: the title and the estimate, as a user would. */
export async function editDocs(db: InstanceType<typeof PouchDB>, total: number, count: number, mark: string, offset = 0): Promise<number> {
  const keys = spread(total, count, offset).map(docId);
  const { rows } = await db.allDocs({ keys, include_docs: true });
  const docs = rows.flatMap((row) => {
    if (!row.doc) return [];
    const values = row.doc.values as Record<string, unknown>;
    return [{ ...row.doc, values: { ...values, title: `${String(values.title)} (${mark})`, estimate: Number(values.estimate) + 1 } }];
  });
  await db.bulkDocs(docs);
  return docs.length;
}

export function openLocalPouch(dir: string): InstanceType<typeof PouchDB> {
  mkdirSync(dir, { recursive: true });
  return new PouchDB(join(dir, 'local'));
}
