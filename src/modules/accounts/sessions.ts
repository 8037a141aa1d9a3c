import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { CurrentUser } from '../../core/access.js';
import { announceChange, type CacheListener } from '../../core/cache.js';
import { hashToken, randomToken } from '../../core/crypto.js';
import type { DbOrTx } from '../../db/index.js';
import { departmentMembers } from '../departments/schema.js';
import { type Role, sessions, userRoles, users } from './schema.js';

export const SESSION_COOKIE = 'sid';
// Writing last_seen on every request would turn every page view into a write.
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

export async function createSession(db: DbOrTx, userId: string, days: number): Promise<string> {
  const token = randomToken();
  await db.insert(sessions).values({
    idHash: hashToken(token),
    userId,
    expiresAt: new Date(Date.now() + days * 86_400_000),
  });
  return token;
}

export async function loadSession(db: DbOrTx, token: string, days: number): Promise<CurrentUser | null> {
  return loadSessionByHash(db, hashToken(token), days);
}

async function loadSessionByHash(db: DbOrTx, idHash: string, days: number): Promise<CurrentUser | null> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      locale: users.locale,
      emailConfirmedAt: users.emailConfirmedAt,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
      lastSeenAt: sessions.lastSeenAt,
      roles: sql<string[]>`coalesce((select array_agg(${userRoles.role}) from ${userRoles} where ${userRoles.userId} = ${users.id}), '{}'::text[])`,
      departmentIds: sql<number[]>`coalesce((select array_agg(${departmentMembers.departmentId}) from ${departmentMembers} where ${departmentMembers.userId} = ${users.id}), '{}'::int[])`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, new Date())))
    .limit(1);
  if (!row || row.email === null) return null;
  if (Date.now() - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date(), expiresAt: new Date(Date.now() + days * 86_400_000) })
      .where(eq(sessions.idHash, idHash));
  }
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    locale: row.locale,
    emailConfirmed: row.emailConfirmedAt !== null,
    hasPassword: row.hasPassword,
    roles: new Set<Role>(['participant', ...(row.roles as Role[])]),
    departmentIds: row.departmentIds.map(Number),
  };
}

export async function deleteSession(db: DbOrTx, token: string): Promise<void> {
  const deleted = await db.delete(sessions).where(eq(sessions.idHash, hashToken(token))).returning({ userId: sessions.userId });
  for (const { userId } of deleted) await announceUserChange(db, userId);
}

export async function deleteUserSessions(db: DbOrTx, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
  await announceUserChange(db, userId);
}

/** Every instance's session cache forgets everyone (e.g. a department with members went). */
export const SESSIONS_TAG = 'sessions';
const USER_TAG = 'session-user:';

/**
 * Tells every instance that what a session knows about this user changed (roles, departments,
 * name, language, confirmation, the session itself): their session caches drop the user's
 * sessions, so the next request reads them afresh. Call inside the writing transaction.
 */
export async function announceUserChange(db: DbOrTx, userId: string): Promise<void> {
  await announceChange(db, `${USER_TAG}${userId}`);
}

interface CachedSession {
  user: CurrentUser;
  until: number;
}

/**
 * Sessions read from the database are kept in process for a short while, so a signed-in page
 * view costs no query. Every write that changes what a session carries announces it
 * (`announceUserChange`) and the cache channel delivers it to every instance at once; the time
 * limit is only a safety net for writes made by other tools.
 */
export class SessionCache implements CacheListener {
  private readonly entries = new Map<string, CachedSession>();
  /** Moves on at every change, so a read that started before one does not store its result. */
  private generation = 0;

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
    // The clock, so a test can let the time run out without waiting for it.
    private readonly clock: () => number = Date.now,
  ) {}

  async load(db: DbOrTx, token: string, days: number): Promise<CurrentUser | null> {
    const idHash = hashToken(token);
    const now = this.clock();
    const cached = this.entries.get(idHash);
    if (cached && cached.until > now) return cached.user;
    if (cached) this.entries.delete(idHash);
    const started = this.generation;
    const user = await loadSessionByHash(db, idHash, days);
    if (user && started === this.generation) {
      this.entries.set(idHash, { user, until: now + this.ttlMs });
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return user;
  }

  invalidate(tag: string): void {
    if (tag === SESSIONS_TAG) {
      this.generation++;
      this.entries.clear();
    } else if (tag.startsWith(USER_TAG)) {
      this.generation++;
      const userId = tag.slice(USER_TAG.length);
      for (const [key, entry] of this.entries) if (entry.user.id === userId) this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

export async function purgeExpiredSessions(db: DbOrTx): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}
