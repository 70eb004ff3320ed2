/**
 * Change notification on PostgreSQL: one LISTEN connection per process, opened while anyone
 * listens. Every write's NOTIFY (sent by the feed clock, delivered at commit) reaches every hub
 * process on the database, this one included. When the connection is (re)established, listeners
 * are told once: a commit may have slipped by while no one was listening, and a listener re-reads
 * the feed from its own token anyway. A lost connection is re-opened with capped backoff.
 */
import pg from 'pg';
import type { ChangeEvent, ChangeListener } from '../hub.js';
import { CHANGES_CHANNEL } from './clock.js';

const MAX_BACKOFF_MS = 5000;

export class PgWatch {
  private readonly listeners = new Set<ChangeListener>();
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoff = 100;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly lastSeq: () => Promise<number>,
  ) {}

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) void this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    if (client) void client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    this.client = client;
    client.on('notification', (message) => {
      if (this.client !== client || message.channel !== CHANGES_CHANNEL) return;
      const [tracker, seq] = (message.payload ?? '').split(':');
      this.emit({ trackerId: tracker ? Number(tracker) : null, seq: Number(seq) || 0 });
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (this.client !== client) return;
      this.backoff = 100;
      this.emit({ trackerId: null, seq: await this.lastSeq() });
    } catch {
      this.lost(client);
    }
  }

  /** The connection is gone (or never came): try again later while someone listens. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    if (this.listeners.size === 0 || this.retry) return;
    const wait = this.backoff;
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.listeners.size > 0 && !this.client) void this.connect();
    }, wait);
    this.retry.unref();
  }

  private emit(event: ChangeEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
