import { lt, sql } from 'drizzle-orm';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { DbOrTx } from '../../db/index.js';
import { rateLimits } from './schema.js';

/**
 * Counts one hit for `key` in a fixed window and returns the count so far. One upsert, atomic
 * on PostgreSQL, so instances behind a load balancer share their counters.
 */
export async function hit(db: DbOrTx, key: string, windowMs: number): Promise<{ count: number; resetAt: Date }> {
  const [row] = await db
    .insert(rateLimits)
    .values({ key, count: 1, resetAt: sql`now() + ${windowMs}::int * interval '1 millisecond'` })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.resetAt} <= now() then 1 else ${rateLimits.count} + 1 end`,
        resetAt: sql`case when ${rateLimits.resetAt} <= now() then excluded.reset_at else ${rateLimits.resetAt} end`,
      },
    })
    .returning({ count: rateLimits.count, resetAt: rateLimits.resetAt });
  if (!row) throw new Error('rate limit upsert returned nothing');
  return row;
}

/** True when this hit is within `max` per window. */
export async function allow(db: DbOrTx, key: string, max: number, windowMs: number): Promise<boolean> {
  const { count } = await hit(db, key, windowMs);
  return count <= max;
}

export async function purgeExpiredRateLimits(db: DbOrTx): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.resetAt, new Date()));
}

/** A @fastify/rate-limit store backed by the `rate_limit` table. */
export function postgresRateLimitStore(db: DbOrTx): FastifyRateLimitStoreCtor {
  class PostgresStore implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly prefix = 'http:',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      hit(db, this.prefix + key, timeWindow).then(
        ({ count, resetAt }) => callback(null, { current: count, ttl: Math.max(0, resetAt.getTime() - Date.now()) }),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: object): FastifyRateLimitStore {
      const info = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo ?? {};
      return new PostgresStore(routeOptions, `http:${String(info.method ?? '')}${info.url ?? ''}:`);
    }
  }
  return PostgresStore as unknown as FastifyRateLimitStoreCtor;
}
