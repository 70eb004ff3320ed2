/** The one Range an attachment's GET honours (RFC 9110 §14): a single byte range, so a cut download resumes where it stopped. */

/** Bytes `start` to `end`, both included. */
export interface Range {
  start: number;
  end: number;
}

/**
 * What a Range header asks of `size` bytes: a range, 'unsatisfiable' (it starts at or after the
 * end: 416), or null for the whole content (no header, or a form this server ignores, as RFC 9110
 * allows: several ranges, another unit, nonsense).
 */
export function parseRange(header: string | undefined, size: number): Range | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^\s*bytes\s*=\s*(\d{0,16})\s*-\s*(\d{0,16})\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [first, last] = [match[1] === '' ? null : Number(match[1]), match[2] === '' ? null : Number(match[2])];
  if (first === null) {
    // bytes=-N: the last N bytes.
    if (last === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - last!), end: size - 1 };
  }
  if (last !== null && last < first) return null;
  if (first >= size) return 'unsatisfiable';
  return { start: first, end: Math.min(last ?? size - 1, size - 1) };
}

/** The header that asks for the bytes from `offset` on. */
export function rangeFrom(offset: number): string {
  return `bytes=${offset}-`;
}
