import { handleForm } from '../../core/forms.js';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../core/context.js';
import { DomainError, NotFoundError } from '../../core/errors.js';
import { field, seeOther } from '../../core/http.js';
import { parseId } from '../plans/editor/forms.js';
import {
  type Body,
  type BodyForm,
  bodies,
  bodyFormOf,
  bodyKinds,
  createBody,
  deleteBody,
  getBody,
  listBodies,
  memberCount,
  updateBody,
  usesOf,
} from './service.js';

const adminOnly = { access: ['admin'] as const };
const segments: Record<Body, string> = { department: 'departments', committee: 'committees' };

function readForm(body: unknown): BodyForm {
  return { name: field(body, 'name'), shortName: field(body, 'shortName'), kind: field(body, 'kind'), slug: field(body, 'slug') };
}

export function departmentAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  for (const body of bodies) {
    const base = `/admin/${segments[body]}`;
    const param = `${body}Id`;
    // `section`, not `body`: the layout renders the page into `it.body`.
    const common = { section: body, base, kinds: bodyKinds[body] };
    const idOf = (params: unknown) => {
      const id = parseId(field(params, param));
      if (id === null) throw new NotFoundError();
      return id;
    };

    app.get(base, { config: adminOnly }, async (_req, reply) => {
      return reply.page('/departments/list', { ...common, rows: await listBodies(ctx.db, body) });
    });

    app.get(`${base}/new`, { config: adminOnly }, (_req, reply) =>
      reply.page('/departments/form', { ...common, mode: 'new', action: `${base}/new`, values: { name: '', shortName: '', kind: bodyKinds[body][0], slug: '' } }),
    );

    app.post(`${base}/new`, { config: adminOnly }, async (req, reply) => {
      const values = readForm(req.body);
      const result = await handleForm(reply, '/departments/form', { ...common, mode: 'new', action: `${base}/new`, values }, () =>
        createBody(ctx, req.user!.id, body, values),
      );
      if (!result.ok) return;
      reply.flash('departments.flash.created');
      return seeOther(reply, `${base}#${body}-${result.value}`);
    });

    app.get(`${base}/:${param}/edit`, { config: adminOnly }, async (req, reply) => {
      const row = await getBody(ctx.db, body, idOf(req.params));
      return reply.page('/departments/form', { ...common, mode: 'edit', row, action: `${base}/${row.id}/edit`, values: bodyFormOf(row) });
    });

    app.post(`${base}/:${param}/edit`, { config: adminOnly }, async (req, reply) => {
      const row = await getBody(ctx.db, body, idOf(req.params));
      const values = readForm(req.body);
      const result = await handleForm(reply, '/departments/form', { ...common, mode: 'edit', row, action: `${base}/${row.id}/edit`, values }, () =>
        updateBody(ctx, req.user!.id, body, row.id, values),
      );
      if (!result.ok) return;
      reply.flash('departments.flash.saved');
      return seeOther(reply, `${base}#${body}-${row.id}`);
    });

    const deletePage = async (id: number) => {
      const row = await getBody(ctx.db, body, id);
      const [uses, members] = await Promise.all([usesOf(ctx.db, body, id), memberCount(ctx.db, body, id)]);
      return { ...common, row, uses, members };
    };

    app.get(`${base}/:${param}/delete`, { config: adminOnly }, async (req, reply) => {
      return reply.page('/departments/delete', await deletePage(idOf(req.params)));
    });

    app.post(`${base}/:${param}/delete`, { config: adminOnly }, async (req, reply) => {
      const id = idOf(req.params);
      try {
        await deleteBody(ctx, req.user!.id, body, id);
      } catch (error) {
        // Still in use: the same page again, now saying why, with the measures that use it.
        if (error instanceof DomainError && error.status === 409) {
          return reply.page('/departments/delete', await deletePage(id), 409);
        }
        throw error;
      }
      reply.flash('departments.flash.deleted');
      return seeOther(reply, base);
    });
  }
}
