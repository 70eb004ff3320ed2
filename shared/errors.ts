/**
 * The error classes every layer throws. Each carries a stable `code`; the server maps codes to
 * HTTP statuses in one place, the CLI to exit codes in one place, the TUI to one error view.
 */
import type { Problem } from './model/fields.js';

export const ERROR_STATUS = {
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  too_large: 413,
  range_not_satisfiable: 416,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class S15nError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Input that was refused; `details` lists each field and why. */
export class BadInput extends S15nError {
  constructor(message: string, readonly problems: Problem[] = []) {
    super('bad_input', message, problems.length > 0 ? { problems } : undefined);
  }
  static from(problems: Problem[], what = 'invalid input'): BadInput {
    const first = problems[0];
    const summary = first ? `${what}: ${first.field}: ${first.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}` : what;
    return new BadInput(summary, problems);
  }
}

export class Unauthorized extends S15nError {
  constructor(message = 'authentication required') {
    super('unauthorized', message);
  }
}

export class Forbidden extends S15nError {
  constructor(message = 'you do not have the right to do this') {
    super('forbidden', message);
  }
}

export class NotFound extends S15nError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A known route asked with a method it does not take; `allow` lists the ones it does (the Allow header). */
export class MethodNotAllowed extends S15nError {
  constructor(message: string, readonly allow: readonly string[]) {
    super('method_not_allowed', message, { allow });
  }
}

/** The caller's Accept header excludes every media type the route can answer with. */
export class NotAcceptable extends S15nError {
  constructor(message: string, readonly available: readonly string[]) {
    super('not_acceptable', message, { available });
  }
}

export class Conflict extends S15nError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

export class TooLarge extends S15nError {
  constructor(message = 'request body too large') {
    super('too_large', message);
  }
}

/** A byte range that starts at or after the end of what it asks for (a blob's bytes). */
export class RangeNotSatisfiable extends S15nError {
  constructor(message: string) {
    super('range_not_satisfiable', message);
  }
}

export class TooManyRequests extends S15nError {
  constructor(message = 'too many failed logins; try again later') {
    super('too_many_requests', message);
  }
}

/** The remote could not be reached or answered with a transient failure (5xx, reset, timeout). */
export class Unavailable extends S15nError {
  constructor(message: string) {
    super('unavailable', message);
  }
}
