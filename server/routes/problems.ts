/** Turns a zod failure into the BadInput of the API: each problem names its field and reason. */
import type { z } from 'zod';
import { BadInput } from '../../shared/errors.js';

export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what: string, prefix: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 50).map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.') || prefix || 'body',
    reason: issue.message,
  }));
  throw BadInput.from(problems, what);
}
