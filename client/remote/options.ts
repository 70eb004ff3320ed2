/** What a RemoteClient is given: the remote's address and credentials, the client's settings, and the options of its calls and feeds. */
import type { RetryNotice } from './retry.js';

export interface RemoteEndpoint {
  /** The remote's name on this instance, used in messages. */
  name: string;
  /** Base URL of the instance, e.g. http://127.0.0.1:8080 */
  url: string;
  user: string;
  password: string;
}

export interface RemoteClientOptions {
  /** How long a request may stall (ms): no answer yet, or no byte moving either way; a long transfer that moves is never cut. */
  timeoutMs?: number;
  /** Retries of a transient failure (timeouts, resets, 502/503/504). */
  retries?: number;
  /** Cap of the exponential backoff between retries (ms). */
  backoffLimitMs?: number;
  /** Accept a self-signed certificate (tests, private instances). */
  rejectUnauthorized?: boolean;
  /** PEM of a certificate authority to trust for https remotes. */
  ca?: string;
  /** Ask for compressed answers and gzip push bodies (default true; the bench turns it off to compare). */
  compression?: boolean;
  /** Told of every retry before its wait (the CLI prints it on stderr). */
  onRetry?: (notice: RetryNotice) => void;
  /** Ends every wait between retries at once, and every read (a push already sent is still answered). */
  signal?: AbortSignal;
}

export interface CallOptions {
  searchParams?: Record<string, string>;
  body?: string | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface FeedOptions {
  heartbeatMs: number;
  /** A partial clone's selector (JSON): only matching items, the others' changes as left markers. */
  where?: string | undefined;
  /** No byte (heartbeats included) for this long: the connection is dead. */
  idleMs: number;
  signal: AbortSignal;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** A selector (JSON): only matching items, the others' changes as left markers. */
  where?: string;
  onTotal?: (total: number) => void;
  onRight?: (right: string) => void;
}
