/**
 * The attachments bench's pieces that run in child processes: a master of items each carrying
 * one file of its own, a plain file server of the same bytes (the raw copy's other end), and
 * the raw copy itself: the same files fetched over loopback, as many at a time as s15n fetches,
 * each written and fsynced, nothing else. What s15n adds to that is its price.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Agent, type Server, createServer, get } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openLocalStore } from '../../client/replica/index.js';
import { FETCH_PARALLEL, inParallel } from '../../client/sync/blob-fetch.js';
import { putBlob } from '../../server/store/sqlite/blob-put.js';
import { PASSWORD, TRACKER_NAME, USER } from './items.js';
import { HOST, type Listening, attach } from './listen.js';

/** A master of `items` items, each with one file of `bytesEach` random (incompressible) bytes; answers the tracker and the hashes. */
export async function buildAttachmentMaster(dataDir: string, items: number, bytesEach: number): Promise<{ trackerId: number; hashes: string[] }> {
  const store = openLocalStore(dataDir, { create: true });
  try {
    await store.addUser(USER, PASSWORD, { admin: true });
    const tracker = store.createTracker({ name: TRACKER_NAME, fields: [{ name: 'title', type: 'text', required: true }, { name: 'files', type: 'files' }] });
    const values = [];
    for (let i = 0; i < items; i++) {
      const stored = await putBlob(store.blobs, null, Readable.from([randomBytes(bytesEach)]), { limits: { maxSize: bytesEach, quota: Number.POSITIVE_INFINITY } });
      values.push({ values: { title: `item ${i} with a file`, files: [{ name: `dump-${i}.bin`, size: stored.size, type: 'application/octet-stream', sha256: stored.sha256 }] } });
    }
    store.createItems(tracker.id, values, USER);
    return { trackerId: tracker.id, hashes: values.map((v) => v.values.files[0]!.sha256) };
  } finally {
    store.close();
  }
}

/** GET /<sha256>: the blob file of the master's data dir, as it is on disk. */
export async function serveFiles(dataDir: string): Promise<Listening & { close(): void }> {
  const server: Server = createServer((req, res) => {
    const sha256 = (req.url ?? '').slice(1);
    if (!/^[0-9a-f]{64}$/.test(sha256)) {
      res.writeHead(404).end();
      return;
    }
    const file = createReadStream(join(dataDir, 'blobs', sha256.slice(0, 2), sha256));
    file.once('open', () => res.writeHead(200, { 'content-type': 'application/octet-stream' }));
    file.once('error', () => res.writeHead(404).end());
    void pipeline(file, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return { ...attach(server), close: () => server.close() };
}

/** The raw copy: every file fetched over loopback into `dir`, FETCH_PARALLEL at a time, written and fsynced. */
export async function rawFetch(url: string, hashes: readonly string[], dir: string): Promise<{ files: number; bytes: number }> {
  mkdirSync(dir, { recursive: true });
  const agent = new Agent({ keepAlive: true, maxSockets: FETCH_PARALLEL });
  let bytes = 0;
  try {
    await inParallel(hashes, FETCH_PARALLEL, async (sha256) => {
      const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => get(`${url}/${sha256}`, { agent }, resolve).once('error', reject));
      if (response.statusCode !== 200) throw new Error(`raw copy: ${sha256} answered ${response.statusCode}`);
      const path = join(dir, sha256);
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(response, createWriteStream(path));
      const file = await open(path, 'r');
      await file.sync();
      await file.close();
    });
  } finally {
    agent.destroy();
  }
  return { files: hashes.length, bytes };
}
