import type { CacheListener } from '../../../core/cache.js';

export interface CachedDocument {
  bytes: Buffer;
  /** Why the PDF is not PDF/UA-1 (null: it is, or it is no PDF). */
  uaRefused: string | null;
}

interface Entry extends CachedDocument {
  tags: readonly string[];
}

/**
 * Generated documents by (version, format, language), bounded by count and total size, least
 * recently used out first. It listens on the same channel as the page cache (CacheChannel), so a
 * change to any plan drops the documents at once on every instance. Like the page cache, a
 * document that was being generated while a change came in is not kept: tags have generations.
 *
 * Concurrent requests for the same document share one generation run.
 */
export class DocumentCache implements CacheListener {
  private readonly entries = new Map<string, Entry>();
  private readonly running = new Map<string, Promise<CachedDocument>>();
  private readonly generations = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 64,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  async get(key: string, tags: readonly string[], make: () => Promise<CachedDocument>): Promise<CachedDocument & { cached: boolean }> {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { bytes: entry.bytes, uaRefused: entry.uaRefused, cached: true };
    }
    let run = this.running.get(key);
    if (!run) {
      const started = tags.map((tag) => this.generations.get(tag) ?? 0);
      const current: Promise<CachedDocument> = make().finally(() => {
        if (this.running.get(key) === current) this.running.delete(key);
      });
      run = current.then((document) => {
        if (tags.every((tag, i) => (this.generations.get(tag) ?? 0) === started[i])) this.store(key, { ...document, tags });
        return document;
      });
      this.running.set(key, current);
    }
    return { ...(await run), cached: false };
  }

  invalidate(tag: string): void {
    this.generations.set(tag, (this.generations.get(tag) ?? 0) + 1);
    // Runs started before the change may still finish for their own request, but are not stored,
    // and a request from now on starts a fresh run.
    this.running.clear();
    for (const [key, entry] of this.entries) if (entry.tags.includes(tag)) this.remove(key, entry);
  }

  private store(key: string, entry: Entry): void {
    if (entry.bytes.length > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    this.entries.set(key, entry);
    this.bytes += entry.bytes.length;
    for (const [oldest, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(oldest, e);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes.length;
  }
}
