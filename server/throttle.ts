/**
 * Throttling of failed logins per (client address, user name) in a sliding window: a key with
 * `max` failures in the last `windowMs` is refused with 429 until its oldest counted failure
 * leaves the window. Keyed by address and name so an attacker can lock a name out only from the
 * attacker's own address, and never for longer than the window.
 */
export interface ThrottleOptions {
  max: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { max: 20, windowMs: 15 * 60_000 };
/** Past this many keys, expired ones are swept on the next failure, so the map cannot grow without bound. */
const SWEEP_AT = 10_000;

export class LoginThrottle {
  /** Failure times per key, oldest first; only the last `max` matter, so no more are kept. */
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {
    if (!(options.max >= 1) || !(options.windowMs > 0)) throw new RangeError('loginThrottle needs max >= 1 and windowMs > 0');
  }

  private key(address: string, user: string): string {
    return `${address}\u0000${user}`;
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const kept = times.filter((t) => now - t < this.options.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== times.length) this.failures.set(key, kept);
    return kept;
  }

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfter(address: string, user: string, now = Date.now()): number {
    const times = this.recent(this.key(address, user), now);
    if (times.length < this.options.max) return 0;
    // Unlocked when the oldest of the last `max` failures leaves the window.
    const oldest = times[times.length - this.options.max]!;
    return Math.max(1, Math.ceil((oldest + this.options.windowMs - now) / 1000));
  }

  failed(address: string, user: string, now = Date.now()): void {
    const key = this.key(address, user);
    const times = [...this.recent(key, now), now].slice(-this.options.max);
    this.failures.set(key, times);
    if (this.failures.size > SWEEP_AT) this.sweep(now);
  }

  succeeded(address: string, user: string): void {
    this.failures.delete(this.key(address, user));
  }

  private sweep(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
  }
}
