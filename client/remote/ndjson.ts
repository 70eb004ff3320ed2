/** Reading the NDJSON change stream: the body inflated, complete lines out of it, and what each line holds. */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type FeedEntry, StreamEnd } from '../../shared/api/schemas.js';
import { parseFeedEntry } from '../../shared/api/wire-check.js';

type Headers = Record<string, string | string[] | undefined>;

/** Inflated output per step: a 100k clone with zlib's 16 KiB took about twice the CPU (scripts/bench, README). */
const INFLATE_CHUNK = 256 * 1024;

/**
 * The body of an answer whose content coding the caller left to us: once the answer's headers
 * are in (`onHeaders` sees them), its bytes inflated by Content-Encoding (br, gzip, deflate) or
 * as they are. An error of the request or of the decoder ends the iteration with that error.
 */
export async function* inflated(stream: Readable, onHeaders: (headers: Headers) => void): AsyncGenerator<Buffer> {
  const response = await new Promise<{ headers: Headers }>((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
  });
  onHeaders(response.headers);
  const coding = String(response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder = coding === 'br' ? createBrotliDecompress({ chunkSize: INFLATE_CHUNK }) : coding === 'gzip' ? createGunzip({ chunkSize: INFLATE_CHUNK }) : coding === 'deflate' ? createInflate({ chunkSize: INFLATE_CHUNK }) : null;
  if (!decoder) {
    yield* stream as AsyncIterable<Buffer>;
    return;
  }
  // The callback keeps pipeline from throwing; the error reaches us through the decoder.
  yield* pipeline(stream, decoder, () => undefined) as AsyncIterable<Buffer>;
}

/** Complete lines of an NDJSON byte stream; a stream error propagates to the caller. */
export async function* ndjsonLines(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    rest += decoder.write(chunk);
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line !== '') yield line;
      newline = rest.indexOf('\n');
    }
  }
  const last = (rest + decoder.end()).trim();
  if (last !== '') yield last;
}

/** One line of the change stream: a change or a left marker (each carries its `seq`), or null for the last line `{"next","more":false}`. */
export function parseStreamLine(line: string): FeedEntry | null {
  const parsed: unknown = JSON.parse(line);
  if (parsed && typeof parsed === 'object' && 'seq' in parsed) return parseFeedEntry(parsed);
  StreamEnd.parse(parsed);
  return null;
}
