/** Turns a zod failure into the BadInput of the API: each problem names its field (or query parameter) and why. */
import type { z } from 'zod';
import { MAX_PROBLEMS, type Problem, clipText } from '../../shared/model/fields.js';
import { BadInput } from '../../shared/errors.js';

/**
 * Parses `input` with `schema` or throws a 400 whose details list `{field, reason}` per issue.
 * `where` names the whole input ('body', 'query' or 'path') when an issue has no path.
 */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what: string, where: 'body' | 'query' | 'path'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems: Problem[] = [];
  for (const issue of parsed.error.issues) {
    if (problems.length >= MAX_PROBLEMS) break;
    // Keys come from the caller: each is cut short, so the answer never grows with a hostile key.
    const path = issue.path.map((segment) => clipText(String(segment)));
    if (issue.code === 'unrecognized_keys') {
      // One problem per unknown key, named by its own path, so the caller sees which key to drop.
      const unknown = where === 'body' ? 'unknown field' : `unknown ${where} parameter`;
      for (const key of issue.keys.slice(0, MAX_PROBLEMS)) problems.push({ field: [...path, clipText(key)].join('.'), reason: unknown });
    } else {
      problems.push({ field: path.length > 0 ? path.join('.') : where, reason: reasonOf(issue) });
    }
  }
  throw BadInput.from(problems.slice(0, MAX_PROBLEMS), what);
}

/** zod's message, except for a missing key, which zod words by its type ("expected nonoptional, received undefined"). */
function reasonOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && / received undefined$/.test(issue.message) && issue.path.length > 0 ? 'required' : issue.message;
}
