/** Sizes as people type them on the command line: `64mb`, `1.5 GiB`, `4096` (bytes); units are powers of 1024, as --body-limit reads them. */
import { BadInput } from '../../shared/errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** The bytes of `text`, or a usage error naming `option`. */
export function parseSize(text: string, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new BadInput(`${option}: expected a size such as 64mb or 10gb, got "${text}"`, [{ field: option, reason: 'a size: bytes or N kb/mb/gb/tb' }]);
  return Math.floor(Number(match[1]) * unit);
}
