import type { ChangeFeed } from './change-feed';

export interface RowCacheOptions {
  /** Longest an entry is served without reading the row again, even with no change heard. */
  ttlMs: number;
  maxEntries: number;
}

/** A row as loaded for the cache: the value, the rows it was read from, and how long it may live. */
export interface Loaded<V> {
  value: V;
  /** `table:id` of every row the value depends on; a change to any of them evicts it. */
  rows: string[];
  /** Epoch ms after which the value is wrong whatever happens (a session's own expiry). */
  validUntil?: number;
}

/**
 * Rows read recently, kept only while a change feed vouches for them: an UPDATE or DELETE committed
 * anywhere (another replica, a worker, psql) evicts the entry as soon as the feed hears it, and while
 * the feed is down nothing is cached at all. The TTL is a backstop, not the mechanism.
 */
export class RowCache<V> {
  private readonly entries = new Map<string, { value: V; rows: string[]; validUntil: number }>();
  private readonly byRow = new Map<string, Set<string>>();

  constructor(
    private readonly feed: ChangeFeed,
    private readonly options: RowCacheOptions,
  ) {
    feed.subscribe((change) => (change ? this.forgetRow(`${change.table}:${change.id}`) : this.clear()));
  }

  /**
   * The cached value for `key`, or `load()`'s. A loaded value is kept only if the feed was live and
   * heard nothing between the start and the end of the load: a change committed while the row was
   * being read might otherwise be evicted before the stale copy is stored, and never again.
   */
  async read(key: string, now: number, load: () => Promise<Loaded<V> | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.validUntil > now && this.feed.live) return hit.value;
    if (hit) this.evict(key);
    const epoch = this.feed.epoch;
    const loaded = await load();
    if (loaded && this.feed.live && this.feed.epoch === epoch) this.store(key, loaded, now);
    return loaded?.value;
  }

  private evict(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const row of entry.rows) {
      const keys = this.byRow.get(row);
      keys?.delete(key);
      if (keys?.size === 0) this.byRow.delete(row);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, loaded: Loaded<V>, now: number): void {
    this.evict(key);
    // Oldest first out: Map iteration follows insertion order.
    if (this.entries.size >= this.options.maxEntries) this.evict(this.entries.keys().next().value as string);
    const validUntil = Math.min(loaded.validUntil ?? Number.POSITIVE_INFINITY, now + this.options.ttlMs);
    this.entries.set(key, { value: loaded.value, rows: loaded.rows, validUntil });
    for (const row of loaded.rows) {
      const keys = this.byRow.get(row) ?? new Set<string>();
      keys.add(key);
      this.byRow.set(row, keys);
    }
  }

  /** Forgets everything read from `row` (`table:id`): a process that just changed it need not wait for the feed. */
  forgetRow(row: string): void {
    for (const key of this.byRow.get(row) ?? []) this.evict(key);
  }

  private clear(): void {
    this.entries.clear();
    this.byRow.clear();
  }
}
