/**
 * Open live feeds per user: each longpoll or continuous feed holds a slot while it is open, and
 * a user holding as many as the instance allows is answered 429 (DESIGN §11). A slot is given
 * back when its feed ends, however it ends (answered, timed out, the client gone, the server
 * stopping), so a client that goes away never keeps one.
 */
import { TooManyRequests } from '../../shared/errors.js';
import { clipText } from '../../shared/model/fields.js';

export const DEFAULT_FEEDS_PER_USER = 32;

export class FeedSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly perUser: number = DEFAULT_FEEDS_PER_USER) {}

  /** Takes a slot of `user` or throws 429; returns the release (calling it twice gives back one slot). */
  take(user: string): () => void {
    const count = this.held.get(user) ?? 0;
    if (count >= this.perUser) {
      throw new TooManyRequests(`user "${clipText(user)}" already holds ${count} open feeds, the most this instance allows per user; close one (or poll without feed=)`);
    }
    this.held.set(user, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(user) ?? 1) - 1;
      if (left > 0) this.held.set(user, left);
      else this.held.delete(user);
    };
  }

  /** Open feeds of a user (of everyone without one). */
  open(user?: string): number {
    if (user !== undefined) return this.held.get(user) ?? 0;
    let total = 0;
    for (const count of this.held.values()) total += count;
    return total;
  }
}
