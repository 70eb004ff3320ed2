/**
 * Throttling of failed logins per (client address, user name): past `max` failures in a window
 * the key is refused with 429 until the window ends. Keyed by address and name so an attacker
 * can lock a name out only from the attacker's own address, and never for longer than the window.
 */
export interface ThrottleOptions {
  max: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { max: 20, windowMs: 15 * 60_000 };
const MAX_KEYS = 100_000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  private key(address: string, user: string): string {
    return `${address}\u0000${user}`;
  }

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfter(address: string, user: string, now = Date.now()): number {
    const entry = this.failures.get(this.key(address, user));
    if (!entry) return 0;
    if (now - entry.since >= this.options.windowMs) {
      this.failures.delete(this.key(address, user));
      return 0;
    }
    return entry.count >= this.options.max ? Math.ceil((entry.since + this.options.windowMs - now) / 1000) : 0;
  }

  failed(address: string, user: string, now = Date.now()): void {
    const key = this.key(address, user);
    const entry = this.failures.get(key);
    if (!entry || now - entry.since >= this.options.windowMs) this.failures.set(key, { count: 1, since: now });
    else entry.count += 1;
    if (this.failures.size > MAX_KEYS) this.prune(now);
  }

  succeeded(address: string, user: string): void {
    this.failures.delete(this.key(address, user));
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) if (now - entry.since >= this.options.windowMs) this.failures.delete(key);
  }
}
