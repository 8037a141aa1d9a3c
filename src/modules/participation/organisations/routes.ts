import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError } from '../../../core/errors.js';
import { handleForm } from '../../../core/forms.js';
import { field, seeOther } from '../../../core/http.js';
import { formatDate } from '../../plans/routes.js';
import { isUuid } from '../../admin/service.js';
import { organisationKinds } from '../schema.js';
import {
  allOrganisations,
  type Decision,
  decideRepresentation,
  listVerified,
  openRequests,
  organisationDetail,
  PAGE_SIZE,
  requestRepresentation,
  updateOrganisation,
  verifiedChoices,
  verifyOrganisation,
} from './service.js';

const organisers = { access: ['organiser', 'admin'] as const };

function pageParam(req: FastifyRequest): number {
  return Math.max(1, Math.min(10_000, Number.parseInt(field(req.query, 'page'), 10) || 1));
}

function idParam(req: FastifyRequest): number {
  const raw = field(req.params, 'id');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

function organisationValues(body: unknown) {
  return {
    name: field(body, 'name'),
    kind: field(body, 'kind'),
    website: field(body, 'website'),
    contact: field(body, 'contact'),
    description: field(body, 'description'),
  };
}

export function organisationsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const common = { kinds: organisationKinds, formatDate };

  app.get('/organisations', { config: { access: 'public' } }, async (req, reply) => {
    const q = field(req.query, 'q').trim().slice(0, 200);
    const page = pageParam(req);
    const result = await listVerified(ctx.db, q, page);
    const data = { ...common, ...result, q, page, pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)) };
    reply.header('vary', 'HX-Request, HX-Boosted, HX-Target');
    if (req.headers['hx-target'] === 'organisation-results') return reply.fragment('/participation/organisations/_results', data);
    return reply.page('/participation/organisations/list', data);
  });

  app.get('/organisations/represent', { config: { access: 'signedIn' } }, async (_req, reply) => {
    const choices = await verifiedChoices(ctx.db);
    return reply.page('/participation/organisations/represent', { ...common, choices, values: { mode: choices.length ? 'existing' : 'new' } });
  });

  app.post('/organisations/represent', { config: { access: 'signedIn' } }, async (req, reply) => {
    const values = { mode: field(req.body, 'mode') === 'new' ? 'new' : 'existing', organisationId: field(req.body, 'organisationId'), message: field(req.body, 'message'), ...organisationValues(req.body) };
    const choices = await verifiedChoices(ctx.db);
    const result = await handleForm(reply, '/participation/organisations/represent', { ...common, choices, values }, () =>
      requestRepresentation(ctx, req.user!.id, { mode: values.mode, organisationId: values.organisationId, message: values.message, organisation: organisationValues(req.body) }),
    );
    if (!result.ok) return;
    reply.flash('organisations.flash.requested');
    return seeOther(reply, '/my/contributions#organisations');
  });

  app.get('/organiser/organisations', { config: organisers }, async (req, reply) => {
    const q = field(req.query, 'q').trim().slice(0, 200);
    const page = pageParam(req);
    const [requests, all] = await Promise.all([openRequests(ctx.db), allOrganisations(ctx.db, q, page)]);
    return reply.page('/participation/organisations/organiser', { ...common, requests, ...all, q, page, pages: Math.max(1, Math.ceil(all.total / PAGE_SIZE)) });
  });

  app.get('/organiser/organisations/:id', { config: organisers }, async (req, reply) => {
    const detail = await organisationDetail(ctx.db, idParam(req));
    const o = detail.organisation;
    return reply.page('/participation/organisations/edit', {
      ...common,
      ...detail,
      values: { name: o.name, kind: o.kind, website: o.website ?? '', contact: o.contact, description: o.description },
    });
  });

  app.post('/organiser/organisations/:id', { config: organisers }, async (req, reply) => {
    const id = idParam(req);
    const values = organisationValues(req.body);
    const detail = await organisationDetail(ctx.db, id);
    const result = await handleForm(reply, '/participation/organisations/edit', { ...common, ...detail, values }, () => updateOrganisation(ctx, req.user!.id, id, values));
    if (!result.ok) return;
    reply.flash('organisations.flash.saved');
    return seeOther(reply, `/organiser/organisations/${id}`);
  });

  app.post('/organiser/organisations/:id/verify', { config: organisers }, async (req, reply) => {
    const id = idParam(req);
    await verifyOrganisation(ctx, req.user!.id, id);
    reply.flash('organisations.flash.verified');
    return seeOther(reply, field(req.body, 'back') === 'detail' ? `/organiser/organisations/${id}` : '/organiser/organisations');
  });

  app.post('/organiser/organisations/:id/members/:userId', { config: organisers }, async (req, reply) => {
    const id = idParam(req);
    const userId = field(req.params, 'userId');
    if (!isUuid(userId)) throw new NotFoundError();
    const raw = field(req.body, 'decision');
    const decision: Decision | null = raw === 'verified' || raw === 'declined' || raw === 'revoked' ? raw : null;
    if (!decision) throw new NotFoundError();
    await decideRepresentation(ctx, req.user!.id, id, userId, decision, field(req.body, 'note'));
    reply.flash(`organisations.flash.${decision}`);
    return seeOther(reply, field(req.body, 'back') === 'detail' ? `/organiser/organisations/${id}` : '/organiser/organisations');
  });
}
