import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { CurrentUser } from '../../core/access.js';
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
  const idHash = hashToken(token);
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
  await db.delete(sessions).where(eq(sessions.idHash, hashToken(token)));
}

export async function deleteUserSessions(db: DbOrTx, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function purgeExpiredSessions(db: DbOrTx): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}
