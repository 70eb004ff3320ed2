/** `s15n store copy` carries attachments: the SQLite instance's contents, chunked into PostgreSQL, read back byte for byte, still named, still collected right. */
import { expect, it } from 'vitest';
import { PostgresHub } from '../../server/store/postgres/index.js';
import type { FileRef } from '../../shared/model/files.js';
import { bytesOf, storeBlob } from '../helpers/blobs.js';
import { tempStore } from '../helpers/instance.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { runCliAsync } from '../helpers/sync.js';

describePostgres('store copy with attachments', () => {
  it('copies every content items name, by chunks, with its references; a content no item names stays collectable', async () => {
    const source = tempStore();
    const db = await freshDatabase();
    try {
      const tracker = source.store.createTracker({ name: 'Docs', fields: [{ name: 'title', type: 'text' }, { name: 'files', type: 'files' }] });
      const big = bytesOf((2 << 20) + 17, 5);
      const small = bytesOf(10, 6);
      const files: FileRef[] = [await storeBlob(source.store, big, 'scan.pdf'), await storeBlob(source.store, small, 'note.txt')];
      source.store.createItems(tracker.id, [{ values: { title: 'one', files } }, { values: { title: 'two', files: [files[0]!] } }], null);
      const copied = await runCliAsync(['store', 'copy', '--from', source.dataDir, '--to', db.url, '--json']);
      expect(copied.code, copied.stderr).toBe(0);
      expect(copied.json()).toMatchObject({ items: 2, blobs: 2, blobBytes: big.length + small.length });
      const hub = await PostgresHub.open(db.url);
      try {
        const read = await hub.readBlob(tracker.id, files[0]!.sha256);
        const chunks: Buffer[] = [];
        for await (const chunk of read!.stream) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).equals(big)).toBe(true);
        expect(await hub.collectGarbage({ graceMs: 0 })).toMatchObject({ removed: 0, kept: 2 });
        await hub.updateItems(tracker.id, [1], { values: { files: [files[0]!] } }, null);
        expect(await hub.collectGarbage({ graceMs: 0 })).toMatchObject({ removed: 1, bytes: small.length, kept: 1 });
      } finally {
        await hub.close();
      }
    } finally {
      await db.drop();
      source.cleanup();
    }
  });
});
