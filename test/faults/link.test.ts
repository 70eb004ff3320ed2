/**
 * The shaped link of the fault proxy (./link.ts): `--link` specs read as `tc` writes them, and
 * bytes through a shaped proxy never arrive sooner than the bandwidth and the latency allow,
 * in order and whole.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from './fault-proxy.js';
import { describeLink, inFlightLimit, parseLink } from './link.js';

describe('parseLink', () => {
  it('reads bandwidth and latency in the units tc uses, any case', () => {
    expect(parseLink('20mbit,40ms')).toEqual({ bitsPerSecond: 20e6, latencyMs: 40 });
    expect(parseLink(' 512kbit , 0.3s ')).toEqual({ bitsPerSecond: 512e3, latencyMs: 300 });
    expect(parseLink('1Gbit,0ms')).toEqual({ bitsPerSecond: 1e9, latencyMs: 0 });
    expect(describeLink(parseLink('20mbit,40ms'))).toBe('20 Mbit/s, 40 ms each way');
  });

  it('refuses anything else, saying what it expects', () => {
    for (const bad of ['20mbit', '20mb,40ms', 'fast', '20mbit,40', '0.5kbit,1ms', '']) expect(() => parseLink(bad), bad).toThrow(/--link/);
  });

  it('lets a round trip of bytes in flight, at least 64 KiB', () => {
    expect(inFlightLimit({ bitsPerSecond: 20e6, latencyMs: 40 })).toBe(200_000);
    expect(inFlightLimit({ bitsPerSecond: 1e6, latencyMs: 1 })).toBe(64 * 1024);
  });
});

describe('a shaped proxy', () => {
  it('delivers every byte in order, no sooner than bandwidth and latency allow, both ways', async () => {
    const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    // An echo server: what goes up comes back down, so both directions are shaped.
    const echo = createServer((socket) => socket.pipe(socket));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const shape = { bitsPerSecond: 8e6, latencyMs: 30 };
    const proxy = await startFaultProxy((echo.address() as AddressInfo).port, () => ({ kind: 'pass' }), shape);
    try {
      const socket = connect(Number(new URL(proxy.url).port), '127.0.0.1');
      await once(socket, 'connect');
      const started = performance.now();
      // No half-close (HTTP never does one): read until the whole payload is back.
      socket.write(payload);
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of socket) {
        chunks.push(chunk as Buffer);
        received += (chunk as Buffer).length;
        if (received >= payload.length) break;
      }
      const tookMs = performance.now() - started;
      socket.destroy();
      expect(Buffer.concat(chunks).equals(payload)).toBe(true);
      // 100 kB at 1 MB/s is 100 ms one way; the way back overlaps it but adds its latency.
      expect(tookMs).toBeGreaterThanOrEqual(100 + 2 * shape.latencyMs - 5);
      expect(proxy.bytes()).toEqual({ up: payload.length, down: payload.length });
    } finally {
      await proxy.close();
      echo.close();
    }
  });
});
