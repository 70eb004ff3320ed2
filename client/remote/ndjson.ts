/** Reading the NDJSON change stream: complete lines out of a byte stream, and what each line holds. */
import { StringDecoder } from 'node:string_decoder';
import { type FeedEntry, StreamEnd } from '../../shared/api/schemas.js';
import { parseFeedEntry } from '../../shared/api/wire-check.js';

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
