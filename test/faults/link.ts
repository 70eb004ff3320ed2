/**
 * A shaped link for the fault proxy: a bandwidth and a one-way latency, each way, shared by every
 * connection that crosses it (one office uplink, one VPN tunnel). A chunk waits for the bytes
 * queued before it, takes its own transmission time, then the latency; order is kept.
 */
import { performance } from 'node:perf_hooks';

export interface LinkShape {
  /** Bandwidth of each direction. */
  bitsPerSecond: number;
  /** One-way delay of each direction (a round trip costs twice this). */
  latencyMs: number;
}

/**
 * One direction of a link: a queue that lets bytes out at the link's rate. One timer serves the
 * queue's head: a timer per chunk could fire out of order (timers start on the loop's whole-ms
 * clock), and an end overtaking the last bytes would cut an answer short.
 */
export class LinkDirection {
  private busyUntil = 0;
  private readonly queue: { at: number; deliver: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly shape: LinkShape) {}

  /** Runs `deliver` when `bytes` handed over now reach the other side, after everything handed over before. */
  send(bytes: number, deliver: () => void): void {
    const start = Math.max(performance.now(), this.busyUntil);
    this.busyUntil = start + (bytes * 8 * 1000) / this.shape.bitsPerSecond;
    this.queue.push({ at: this.busyUntil + this.shape.latencyMs, deliver });
    if (this.timer === null) this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(() => this.drain(), Math.max(0, head.at - performance.now()));
  }

  private drain(): void {
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) this.queue.shift()!.deliver();
    this.arm();
  }
}

/** Both directions of one link. */
export function linkOf(shape: LinkShape): { up: LinkDirection; down: LinkDirection } {
  return { up: new LinkDirection(shape), down: new LinkDirection(shape) };
}

/**
 * Bytes a connection may have in flight on the link before its sender is paused: the
 * bandwidth-delay product of a round trip, at least 64 KiB, as a TCP window would settle.
 */
export function inFlightLimit(shape: LinkShape): number {
  return Math.max(64 * 1024, Math.ceil(((shape.bitsPerSecond / 8) * 2 * shape.latencyMs) / 1000));
}

const RATES: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };

/** `20mbit,40ms` (bandwidth in bit/kbit/mbit/gbit per second, latency in ms or s), as `tc` writes them; throws with what is wrong. */
export function parseLink(text: string): LinkShape {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(bit|kbit|mbit|gbit)\s*,\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/i.exec(text);
  if (!match) throw new Error(`--link: expected BANDWIDTH,LATENCY such as 20mbit,40ms (bit, kbit, mbit or gbit; ms or s), got ${JSON.stringify(text)}`);
  const bitsPerSecond = Number(match[1]) * RATES[match[2]!.toLowerCase()]!;
  const latencyMs = Number(match[3]) * (match[4]!.toLowerCase() === 's' ? 1000 : 1);
  if (bitsPerSecond < 1000) throw new Error(`--link: a bandwidth of at least 1kbit, got ${JSON.stringify(text)}`);
  return { bitsPerSecond, latencyMs };
}

/** The shape as people write it: `20 Mbit/s, 40 ms each way`. */
export function describeLink(shape: LinkShape): string {
  const rate = shape.bitsPerSecond >= 1e9 ? `${shape.bitsPerSecond / 1e9} Gbit/s` : shape.bitsPerSecond >= 1e6 ? `${shape.bitsPerSecond / 1e6} Mbit/s` : `${shape.bitsPerSecond / 1e3} kbit/s`;
  return `${rate}, ${shape.latencyMs} ms each way`;
}
