import { and, asc, count, eq, ilike, isNotNull, sql } from 'drizzle-orm';
import type { AppContext } from '../../core/context.js';
import { DomainError, NotFoundError } from '../../core/errors.js';
import { recordAudit } from '../audit/service.js';
import { type GrantableRole, grantableRoles, userRoles, users } from '../accounts/schema.js';
import { announceUserChange } from '../accounts/sessions.js';
import { departmentMembers, departments } from '../departments/schema.js';

export const PAGE_SIZE = 25;

export interface UserFilter {
  q: string;
  role: GrantableRole | '';
  page: number;
}

/** Users matching a search, one page at a time, with their roles (one query for the page). */
export async function findUsers(ctx: AppContext, filter: UserFilter) {
  const conditions = [isNotNull(users.email)];
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`(${ilike(users.email, pattern)} or ${ilike(users.displayName, pattern)})`);
  }
  if (filter.role) {
    conditions.push(sql`exists (select 1 from ${userRoles} where ${userRoles.userId} = ${users.id} and ${userRoles.role} = ${filter.role})`);
  }
  const where = and(...conditions);
  const [total] = await ctx.db.select({ n: count() }).from(users).where(where);
  const rows = await ctx.db
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      emailConfirmedAt: users.emailConfirmedAt,
      createdAt: users.createdAt,
      roles: sql<string[]>`coalesce((select array_agg(${userRoles.role} order by ${userRoles.role}) from ${userRoles} where ${userRoles.userId} = ${users.id}), '{}'::text[])`,
    })
    .from(users)
    .where(where)
    .orderBy(asc(users.email))
    .limit(PAGE_SIZE)
    .offset((filter.page - 1) * PAGE_SIZE);
  return { rows, total: total?.n ?? 0 };
}

export async function getUserDetail(ctx: AppContext, userId: string) {
  const [user] = await ctx.db.select().from(users).where(and(eq(users.id, userId), isNotNull(users.email)));
  if (!user) throw new NotFoundError();
  const [roles, memberships, allDepartments] = await Promise.all([
    ctx.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId)),
    ctx.db.select({ departmentId: departmentMembers.departmentId }).from(departmentMembers).where(eq(departmentMembers.userId, userId)),
    ctx.db.select().from(departments).orderBy(asc(departments.name)),
  ]);
  return {
    // Not `user`: that name is the signed-in person in every view.
    account: user,
    roles: new Set(roles.map((r) => r.role)),
    departmentIds: new Set(memberships.map((m) => m.departmentId)),
    departments: allDepartments,
  };
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

export async function setRole(ctx: AppContext, actorId: string, userId: string, role: string, grant: boolean): Promise<void> {
  if (!(grantableRoles as readonly string[]).includes(role)) throw new DomainError(400, 'admin.errors.unknownRole');
  // An admin cannot lock themselves (and possibly everyone) out.
  if (!grant && role === 'admin' && actorId === userId) throw new DomainError(409, 'admin.errors.ownAdmin');
  await ctx.db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(and(eq(users.id, userId), isNotNull(users.email)));
    if (!user) throw new NotFoundError();
    const typed = role as GrantableRole;
    if (grant) {
      const inserted = await tx.insert(userRoles).values({ userId, role: typed, grantedBy: actorId }).onConflictDoNothing().returning();
      if (inserted.length) await recordAudit(tx, { actorId, action: 'role.granted', subjectType: 'user', subjectId: userId, after: { role } });
      if (inserted.length) await announceUserChange(tx, userId);
    } else {
      const deleted = await tx.delete(userRoles).where(and(eq(userRoles.userId, userId), eq(userRoles.role, typed))).returning();
      if (deleted.length) await recordAudit(tx, { actorId, action: 'role.revoked', subjectType: 'user', subjectId: userId, before: { role } });
      if (deleted.length) await announceUserChange(tx, userId);
    }
  });
}

export async function setDepartment(ctx: AppContext, actorId: string, userId: string, departmentId: number, member: boolean): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(and(eq(users.id, userId), isNotNull(users.email)));
    const [department] = await tx.select({ id: departments.id }).from(departments).where(eq(departments.id, departmentId));
    if (!user || !department) throw new NotFoundError();
    if (member) {
      const inserted = await tx.insert(departmentMembers).values({ userId, departmentId }).onConflictDoNothing().returning();
      if (inserted.length) await recordAudit(tx, { actorId, action: 'department.joined', subjectType: 'user', subjectId: userId, after: { departmentId } });
      if (inserted.length) await announceUserChange(tx, userId);
    } else {
      const deleted = await tx
        .delete(departmentMembers)
        .where(and(eq(departmentMembers.userId, userId), eq(departmentMembers.departmentId, departmentId)))
        .returning();
      if (deleted.length) await recordAudit(tx, { actorId, action: 'department.left', subjectType: 'user', subjectId: userId, before: { departmentId } });
      if (deleted.length) await announceUserChange(tx, userId);
    }
  });
}
