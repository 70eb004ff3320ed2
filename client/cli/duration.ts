/** Durations as the CLI takes them (`--older-than 30d`): one or more of a number and a unit, w d h m s, as in `1d12h`. */
import { BadInput } from '../../shared/errors.js';

const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const DURATION = /^(?:\d{1,6}[wdhms])+$/;

/** The duration in milliseconds, or a usage error naming the option, the value and the form it takes. */
export function parseDuration(text: string, option = '--older-than'): number {
  const trimmed = text.trim().toLowerCase();
  if (!DURATION.test(trimmed)) {
    throw new BadInput(`${option}: expected a duration such as 30d, 12h, 90m or 1d12h (units w, d, h, m, s), got "${text.slice(0, 40)}"`, [{ field: option, reason: 'not a duration' }]);
  }
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([wdhms])/g)) ms += Number(amount) * UNIT_MS[unit!]!;
  return ms;
}
