import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../core/context.js';
import { NotFoundError } from '../../core/errors.js';
import { field, seeOther } from '../../core/http.js';
import { type GrantableRole, grantableRoles } from '../accounts/schema.js';
import { findUsers, getUserDetail, isUuid, PAGE_SIZE, setDepartment, setRole } from './service.js';

const adminOnly = { access: ['admin'] as const };

export function adminRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/admin', { config: adminOnly }, (_req, reply) => seeOther(reply, '/admin/users'));

  app.get('/admin/users', { config: adminOnly }, async (req, reply) => {
    const q = field(req.query, 'q').trim().slice(0, 200);
    const roleParam = field(req.query, 'role');
    const role = (grantableRoles as readonly string[]).includes(roleParam) ? (roleParam as GrantableRole) : '';
    const page = Math.max(1, Math.min(10_000, Number.parseInt(field(req.query, 'page'), 10) || 1));
    const result = await findUsers(ctx, { q, role, page });
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const data = { ...result, q, role, page, pages, grantableRoles };
    // The search form targets the result list; htmx asks for just that part.
    if (req.headers['hx-target'] === 'user-results') return reply.fragment('/admin/user-results', data);
    return reply.page('/admin/users', data);
  });

  app.get('/admin/users/:id', { config: adminOnly }, async (req, reply) => {
    const id = field(req.params, 'id');
    if (!isUuid(id)) throw new NotFoundError();
    return reply.page('/admin/user', { ...(await getUserDetail(ctx, id)), grantableRoles });
  });

  app.post('/admin/users/:id/roles', { config: adminOnly }, async (req, reply) => {
    const id = field(req.params, 'id');
    if (!isUuid(id)) throw new NotFoundError();
    await setRole(ctx, req.user!.id, id, field(req.body, 'role'), field(req.body, 'action') === 'grant');
    reply.flash('admin.flash.saved');
    return seeOther(reply, `/admin/users/${id}`);
  });

  app.post('/admin/users/:id/departments', { config: adminOnly }, async (req, reply) => {
    const id = field(req.params, 'id');
    const departmentId = Number.parseInt(field(req.body, 'departmentId'), 10);
    if (!isUuid(id) || !Number.isSafeInteger(departmentId)) throw new NotFoundError();
    await setDepartment(ctx, req.user!.id, id, departmentId, field(req.body, 'action') === 'add');
    reply.flash('admin.flash.saved');
    return seeOther(reply, `/admin/users/${id}`);
  });
}
