import type { CacheListener } from '../../../core/cache.js';

/**
 * Loaded data kept in process for requests the page cache does not serve (the "more comments"
 * fragments), dropped when a change to one of `tags` is announced on the cache channel, or when
 * the entry's own time is up (a phase opens or closes). A load that started before a change is
 * not kept, like in PageCache.
 */
export class DataCache<T> implements CacheListener {
  private readonly entries = new Map<string, { value: T; expires: number | null }>();
  private generation = 0;

  constructor(
    private readonly tags: readonly string[],
    private readonly maxEntries = 500,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  invalidate(tag: string): void {
    if (!this.tags.includes(tag)) return;
    this.generation++;
    this.entries.clear();
  }

  async get(key: string, load: () => Promise<{ value: T; expires: Date | null }>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && (hit.expires === null || hit.expires > Date.now())) return hit.value;
    const started = this.generation;
    const { value, expires } = await load();
    if (this.generation === started) {
      this.entries.delete(key);
      this.entries.set(key, { value, expires: expires?.getTime() ?? null });
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return value;
  }
}
