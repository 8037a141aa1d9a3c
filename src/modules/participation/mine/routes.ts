import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError } from '../../../core/errors.js';
import { formatDateTime } from '../../../core/forms.js';
import { field, seeOther } from '../../../core/http.js';
import { formatDate } from '../../plans/routes.js';
import { guestOf } from '../guests/service.js';
import { contributionLanguages, type ContributionOwner, withdrawContribution } from '../service.js';
import { findMine, listMine, myRepresentations, PAGE_SIZE, resendConfirmation } from './service.js';
import { netiquetteAnchor, ruleTitleKey } from '../../moderation-reports/reports.js';
import { moderatorNotes } from '../../moderation-reports/revise.js';

const languageNames = new Map(contributionLanguages.map((l) => [l.tag, l.name]));

function idParam(req: FastifyRequest): number {
  const raw = field(req.params, 'id');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

export function mineRoutes(app: FastifyInstance, ctx: AppContext): void {
  /** Whose contributions a request may see: the signed-in account, else a guest session. */
  async function ownerOf(req: FastifyRequest): Promise<{ owner: ContributionOwner; email: string; guest: boolean } | null> {
    if (req.user) return { owner: { userId: req.user.id }, email: req.user.email, guest: false };
    const guest = await guestOf(ctx, req);
    return guest ? { owner: { guestEmail: guest.email }, email: guest.email, guest: true } : null;
  }

  function noOwner(reply: FastifyReply) {
    reply.flash('mine.flash.noSession');
    return seeOther(reply, '/my/contributions');
  }

  app.get('/my/contributions', { config: { access: 'public' } }, async (req, reply) => {
    const who = await ownerOf(req);
    if (!who) return reply.page('/participation/mine/list', { who: null });
    const page = Math.max(1, Math.min(10_000, Number.parseInt(field(req.query, 'page'), 10) || 1));
    const { rows, total } = await listMine(ctx.db, who.owner, page);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const representations = req.user ? await myRepresentations(ctx.db, req.user.id) : [];
    // What the moderators wrote to the author with a rejection, a hiding or a request to revise.
    const notes = await moderatorNotes(
      ctx.db,
      rows.filter((r) => ['rejected', 'hidden', 'revision_requested'].includes(r.status)).map((r) => r.id),
    );
    return reply.page('/participation/mine/list', {
      who,
      rows,
      total,
      page,
      pages,
      representations,
      notes,
      rule: (reason: string | null) => {
        const titleKey = ruleTitleKey(reason);
        return titleKey ? { titleKey, anchor: netiquetteAnchor(reason ?? '') } : null;
      },
      languageName: (tag: string) => languageNames.get(tag) ?? tag,
      formatDate,
      formatDateTime,
    });
  });

  app.get('/my/contributions/:id/withdraw', { config: { access: 'public' } }, async (req, reply) => {
    const who = await ownerOf(req);
    if (!who) return noOwner(reply);
    const contribution = await findMine(ctx.db, who.owner, idParam(req));
    if (contribution.status === 'withdrawn') return seeOther(reply, '/my/contributions');
    return reply.page('/participation/mine/withdraw', { contribution, formatDateTime });
  });

  app.post('/my/contributions/:id/withdraw', { config: { access: 'public' } }, async (req, reply) => {
    const id = idParam(req);
    const who = await ownerOf(req);
    if (!who) return noOwner(reply);
    if (!(await withdrawContribution(ctx, id, who.owner))) {
      // Already withdrawn (a second click) or not theirs: the latter must look like nothing.
      await findMine(ctx.db, who.owner, id);
      reply.flash('mine.flash.withdrawn');
      return seeOther(reply, '/my/contributions');
    }
    reply.flash('mine.flash.withdrawn');
    return seeOther(reply, '/my/contributions');
  });

  app.post('/my/contributions/:id/resend', { config: { access: 'public' } }, async (req, reply) => {
    const id = idParam(req);
    const who = await ownerOf(req);
    if (!who) return noOwner(reply);
    await resendConfirmation(ctx, who.owner, id, who.email, req.locale);
    reply.flash('mine.flash.resent');
    return seeOther(reply, '/my/contributions');
  });
}
