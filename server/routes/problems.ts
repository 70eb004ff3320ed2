/** Turns a zod failure into the BadInput of the API: each problem names its field (or query parameter) and why. */
import type { z } from 'zod';
import type { Problem } from '../../shared/model/fields.js';
import { BadInput } from '../../shared/errors.js';

/** At most this many problems are answered: enough to fix a batch, bounded for a hostile one. */
const MAX_PROBLEMS = 50;

/**
 * Parses `input` with `schema` or throws a 400 whose details list `{field, reason}` per issue.
 * `where` names the whole input ('body' or 'query') when an issue has no path.
 */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what: string, where: 'body' | 'query'): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems: Problem[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown key, named by its own path, so the caller sees which key to drop.
      const unknown = where === 'query' ? 'unknown query parameter' : 'unknown field';
      for (const key of issue.keys) problems.push({ field: [...path, key].join('.'), reason: unknown });
    } else {
      problems.push({ field: path.length > 0 ? path.join('.') : where, reason: issue.message });
    }
  }
  throw BadInput.from(problems.slice(0, MAX_PROBLEMS), what);
}
