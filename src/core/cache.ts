import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import type { FramedPage, SharedBody } from './fastlane.js';

/** The PostgreSQL channel on which every instance hears that cached content changed. */
export const CACHE_CHANNEL = 'mitsprache_cache';

export interface CacheEntry {
  title: string;
  body: string;
  tags: readonly string[];
  /** Epoch ms after which the entry is stale by itself (e.g. a phase opens); none: until a change. */
  expires?: number;
  /** The whole page for anonymous readers, being framed (compressed) once... */
  framing?: Promise<FramedPage>;
  /** ...and when it is: what the fast lane (core/fastlane.ts) sends them. */
  page?: FramedPage;
  /** The body compressed once, for signed-in readers' pages around it. */
  shared?: Promise<SharedBody>;
}

/**
 * Rendered page content for anonymous readers (and the shared part of signed-in pages), kept in
 * process. Entries carry tags (e.g. `plans`); a change anywhere is announced with NOTIFY on
 * CACHE_CHANNEL and every instance drops the entries with that tag at once.
 *
 * A request that started rendering before a change must not store its now stale result: each
 * tag has a generation, and `set` is refused if a tag moved on since `begin`.
 */
export class PageCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly generations = new Map<string, number>();

  constructor(private readonly maxEntries = 2000) {}

  get(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expires !== undefined && entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (entry) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  begin(tags: readonly string[]): number[] {
    return tags.map((tag) => {
      const generation = this.generations.get(tag);
      if (generation !== undefined) return generation;
      // Known from now on, so `invalidate` counts changes to it.
      this.generations.set(tag, 0);
      return 0;
    });
  }

  set(key: string, entry: CacheEntry, started: number[]): void {
    if (entry.tags.some((tag, i) => (this.generations.get(tag) ?? 0) !== started[i])) return;
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  invalidate(tag: string): void {
    // Only tags pages were rendered under count: other caches' tags (e.g. one per user) would
    // otherwise pile up here.
    const generation = this.generations.get(tag);
    if (generation === undefined) return;
    this.generations.set(tag, generation + 1);
    for (const [key, entry] of this.entries) if (entry.tags.includes(tag)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Announces a change to cached content. Call inside the writing transaction: PostgreSQL delivers
 * the notification only if and when the transaction commits.
 */
export async function announceChange(tx: DbOrTx, tag: string): Promise<void> {
  const request = writes.getStore();
  if (request) request.announced = true;
  await tx.execute(sql`select pg_notify(${CACHE_CHANNEL}, ${tag})`);
}

/** What a write request did to cached content, as far as `announceChange` saw it. */
export interface WriteTracking {
  announced: boolean;
}

const writes = new AsyncLocalStorage<WriteTracking>();

/** Runs `fn` (the rest of a request) with a tracking record that `announceChange` marks. */
export function trackWrites(record: WriteTracking, fn: () => void): void {
  writes.run(record, fn);
}

/** Another in-process cache that drops what a change makes stale (e.g. generated documents). */
export interface CacheListener {
  invalidate(tag: string): void;
  /** Entries held: while a listener holds any, `settle()` waits for the marker too. */
  readonly size: number;
}

/**
 * Connects a PageCache to the database: every instance listens on CACHE_CHANNEL. After a write
 * request, `settle()` sends a marker through the same channel and waits for it to come back;
 * notifications arrive in commit order, so by then this instance has dropped everything the
 * write made stale and the redirect that follows shows fresh content.
 */
export class CacheChannel {
  private readonly waiting = new Map<string, () => void>();
  private readonly listeners = new Set<CacheListener>();
  private counter = 0;

  constructor(
    readonly cache: PageCache,
    private readonly db: DbOrTx,
  ) {}

  receive(payload: string): void {
    if (payload.startsWith('settle:')) {
      this.waiting.get(payload)?.();
      this.waiting.delete(payload);
      return;
    }
    this.cache.invalidate(payload);
    for (const listener of this.listeners) listener.invalidate(payload);
  }

  /** Lets another cache hear every change on the channel; returns the way to stop. */
  subscribe(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async settle(timeoutMs = 2000): Promise<void> {
    if (this.cache.size === 0 && ![...this.listeners].some((l) => l.size > 0)) return;
    const marker = `settle:${process.pid}:${++this.counter}`;
    const arrived = new Promise<void>((resolve) => {
      this.waiting.set(marker, resolve);
      setTimeout(() => {
        this.waiting.delete(marker);
        resolve();
      }, timeoutMs).unref();
    });
    await this.db.execute(sql`select pg_notify(${CACHE_CHANNEL}, ${marker})`);
    await arrived;
  }
}
