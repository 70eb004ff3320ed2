/**
 * The blob routes of a remote (DESIGN §14), their URLs from the route table: whether it holds a
 * content (HEAD), its bytes as a stream from an offset (GET with Range), and an upload streamed
 * from a file (PUT). Bytes are never held whole in memory; what to do with them, and retries of a
 * cut transfer, are the sync engine's (client/sync/blob-fetch.ts, blob-upload.ts).
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { Got } from 'got';
import { rangeFrom } from '../../shared/api/range.js';
import { ROUTES, routeUrl } from '../../shared/api/routes.js';
import { StoredBlobBody } from '../../shared/api/blob-schemas.js';
import { NotFound } from '../../shared/errors.js';
import { type RemoteOrigin, remoteError } from './errors.js';

/** A download under way: the bytes, and whether the remote honoured the range (206) or sends the whole content (200). */
export interface BlobDownload {
  stream: Readable;
  /** The offset the bytes start at: the one asked for, or 0 when the remote sent the whole content. */
  offset: number;
}

const path = (route: (typeof ROUTES)['getBlob' | 'headBlob' | 'putBlob'], trackerId: number, sha256: string) => routeUrl(route, { id: trackerId, sha256 }).slice(1);

export class BlobTransfer {
  constructor(
    private readonly http: Got,
    private readonly origin: RemoteOrigin,
    /** How often a cut transfer is tried again, and the cap of the backoff between tries (the client's settings). */
    readonly retry: { retries: number; backoffLimitMs: number },
  ) {}

  /** What a failure while the bytes flowed (a cut) means, in the words of every other call. */
  failure(error: unknown, sha256: string): Error {
    return remoteError(error, this.origin, ROUTES.getBlob.subject({ sha256 }));
  }

  /** The size of the content the remote tracker holds under `sha256`, or undefined when it has none. */
  async size(trackerId: number, sha256: string): Promise<number | undefined> {
    try {
      const response = await this.http(path(ROUTES.headBlob, trackerId, sha256), { method: 'HEAD' });
      return Number(response.headers['content-length']);
    } catch (error) {
      const mapped = this.failure(error, sha256);
      if (mapped instanceof NotFound) return undefined;
      throw mapped;
    }
  }

  /** Starts a download from `offset`; resolves once the remote answered (its status known), rejects on a refusal. */
  async download(trackerId: number, sha256: string, offset: number, signal?: AbortSignal): Promise<BlobDownload> {
    const stream = this.http.stream(path(ROUTES.getBlob, trackerId, sha256), {
      // The bytes as stored: a range of a compressed answer would not be a range of the content.
      headers: { 'accept-encoding': 'identity', ...(offset > 0 ? { range: rangeFrom(offset) } : {}) },
      decompress: false,
      retry: { limit: 0 },
      ...(signal ? { signal } : {}),
    });
    try {
      const [response] = (await once(stream, 'response')) as [{ statusCode: number; headers: Record<string, string | undefined> }];
      const start = response.statusCode === 206 ? Number(/^bytes (\d+)-/.exec(response.headers['content-range'] ?? '')?.[1]) : 0;
      if (response.statusCode === 206 && start !== offset) {
        stream.destroy();
        throw new Error(`answered bytes from ${start} where ${offset} was asked`);
      }
      // Errors later on (a cut) surface where the stream is read.
      return { stream: stream.on('error', () => {}), offset: start };
    } catch (error) {
      stream.destroy();
      throw this.failure(error, sha256);
    }
  }

  /** Uploads the file at `file` (`size` bytes) as the content `sha256`; one attempt, the caller retries. */
  async upload(trackerId: number, sha256: string, file: string, size: number): Promise<StoredBlobBody> {
    try {
      const body = await this.http(path(ROUTES.putBlob, trackerId, sha256), {
        method: 'PUT',
        body: createReadStream(file),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        retry: { limit: 0 },
      }).json();
      return StoredBlobBody.parse(body);
    } catch (error) {
      throw this.failure(error, sha256);
    }
  }
}
