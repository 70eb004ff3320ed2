/** The schemas of the attachment routes (DESIGN §14): a blob's path, its upload's answer, its bytes, the Range a download resumes with. */
import { z } from 'zod';
import { SHA256_PATTERN } from '../model/files.js';
import { TrackerParams } from './schemas.js';

/** The path of a blob: its tracker (`:id`) and its sha256. */
export const BlobParams = TrackerParams.extend({
  sha256: z.string().regex(SHA256_PATTERN, '64 lowercase hex digits').meta({ description: 'the sha256 of the content, 64 lowercase hex digits' }),
});

/** The answer to an upload: what is now stored under the hash. */
export const StoredBlobBody = z
  .object({ sha256: z.string(), size: z.number().int().min(0), created: z.boolean().meta({ description: 'false when the instance already held these bytes' }) })
  .loose()
  .meta({ id: 'StoredBlob' });
export type StoredBlobBody = z.infer<typeof StoredBlobBody>;

/** Raw bytes (a blob's content), as the document shows them. */
export const Bytes = z.string().meta({ format: 'binary', description: 'the raw bytes' });

/** The Range header a blob's GET reads: one range of bytes, so a cut download resumes where it stopped. */
export const RangeHeaders = z.object({
  range: z.string().optional().meta({ description: 'bytes=START-[END] or bytes=-SUFFIX: one range; other forms are ignored (the whole blob is sent)' }),
});
