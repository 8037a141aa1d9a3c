import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { DomainError, NotFoundError, RateLimitedError, ValidationError } from '../../../core/errors.js';
import { formatDateTime, localiseParams } from '../../../core/forms.js';
import { field, isBoosted, isHtmx, safeNext, seeOther } from '../../../core/http.js';
import { type ConsultationContext, type ItemKind, loadConsultationContext } from '../../plans/queries.js';
import { nextPhaseChange, PLAN_TAGS } from '../../plans/routes.js';
import { consultations } from '../../plans/schema.js';
import type { TargetKind } from '../schema.js';
import {
  COMMENT_MAX_LENGTH,
  CONTRIBUTIONS_TAG,
  checkFormToken,
  contributionLanguages,
  defaultContributionLanguage,
  EDIT_MINUTES,
  HONEYPOT_FIELD,
  isBot,
  newFormToken,
  openPhaseFor,
  PhaseClosedError,
  withdrawContribution,
} from '../service.js';
import { type CommentPaths, commentPaths, writingState } from './paths.js';
import { authorOf, type CommentTarget, commentView, findItem, type ItemRef, loadContribution, loadReplies, parseListQuery, withAnswers } from './queries.js';
import { DataCache } from './data-cache.js';
import { type CommentSection, commentSection } from './section.js';
import { type CommentInput, confirmsByMail, createComment, editableUntil, editComment, isEditable, replyParent, representedOrganisations } from './service.js';

const FORM = '/participation/comments/form';
const FORM_FRAGMENT = '/participation/comments/_form';

interface Resolved {
  context: ConsultationContext;
  target: CommentTarget;
  item: ItemRef | null;
  paths: CommentPaths;
}

export function commentsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;
  const publicAccess = { config: { access: 'public' as const } };
  const signedIn = { config: { access: 'signedIn' as const } };
  // "More comments" fragments are not pages: their data is kept here, dropped with the pages.
  const tags = [...PLAN_TAGS, CONTRIBUTIONS_TAG];
  const fragments = new DataCache<CommentSection>(tags);
  app.cacheChannel.subscribe(fragments);

  // What an address names (consultation, phases, item) changes only with the plan: every form
  // view and submission would otherwise ask the database for it again.
  const targets = new DataCache<Resolved | 'consultation' | 'item'>(PLAN_TAGS);
  app.cacheChannel.subscribe(targets);

  /** The consultation and the item named in the address, or 404. */
  async function resolve(req: FastifyRequest, kind: TargetKind): Promise<Resolved> {
    const slug = field(req.params, 'slug');
    const key = kind === 'consultation' ? null : field(req.params, 'key');
    const found = await targets.get(`${kind}|${slug}|${key ?? ''}`, async () => ({ value: await lookUp(slug, kind, key), expires: null }));
    if (found === 'consultation') throw new NotFoundError();
    if (found === 'item') throw new DomainError(404, `plans.errors.${kind}NotFound`);
    return found;
  }

  async function lookUp(slug: string, kind: TargetKind, key: string | null): Promise<Resolved | 'consultation' | 'item'> {
    const context = await loadConsultationContext(db, slug);
    if (!context) return 'consultation';
    if (kind === 'consultation' || key === null) {
      const target = { kind, key: null };
      return { context, target, item: null, paths: commentPaths(context.consultation.slug, target) };
    }
    const item = await findItem(db, kind, key, context.versions);
    if (!item) return 'item';
    const target = { kind, key };
    return { context, target, item, paths: commentPaths(context.consultation.slug, target) };
  }

  /** The breadcrumbs and headings name the item like the plan pages do. */
  function itemLabel(req: FastifyRequest, resolved: Resolved): string {
    const { item, context } = resolved;
    if (!item) return context.consultation.title;
    if (item.kind === 'field') return req.t('plans.plan.field', { code: item.code, title: item.text });
    return req.t(`plans.plan.${item.kind}`, { code: item.code });
  }

  function crumbs(req: FastifyRequest, resolved: Resolved, last?: { href: string; label: string }) {
    const { consultation } = resolved.context;
    const list = [
      { href: '/', label: req.t('layout.nav.home') },
      { href: `/consultations/${encodeURIComponent(consultation.slug)}`, label: consultation.title },
    ];
    if (resolved.item) list.push({ href: resolved.paths.item, label: itemLabel(req, resolved) });
    if (last) list.push(last);
    return list;
  }

  function register(prefix: string, kind: TargetKind) {
    // The list with order and page: a whole page without JavaScript, the next comments as a
    // fragment for "load more". The pages are the same for every reader and cached; the
    // fragments are cheap (two queries) and not.
    app.get(`${prefix}/comments`, publicAccess, async (req, reply) => {
      const { order, page } = parseListQuery(req.query);
      if (isHtmx(req) && !isBoosted(req)) {
        const comments = await fragments.get(`${req.method}|${req.url.split('?')[0]}|${order}|${page}`, async () => {
          const resolved = await resolve(req, kind);
          const value = await commentSection(db, resolved.context.consultation, resolved.target, order, page);
          return { value, expires: nextPhaseChange(resolved.context.consultation.phases) };
        });
        reply.header('vary', 'HX-Request, HX-Boosted');
        return reply.fragment('/participation/comments/more', { comments });
      }
      const slug = field(req.params, 'slug');
      const key = kind === 'consultation' ? null : field(req.params, 'key');
      return reply.cachedPage({
        key: commentPaths(slug, { kind, key }).list(order, page),
        tags,
        template: '/participation/comments/list',
        load: async () => {
          const resolved = await resolve(req, kind);
          const comments = await commentSection(db, resolved.context.consultation, resolved.target, order, page);
          const label = itemLabel(req, resolved);
          return {
            title: `${req.t('comments.list.title', { item: label })} – ${req.t('comments.list.page', { page, pages: comments.page.pageCount })}`,
            heading: req.t('comments.list.title', { item: label }),
            crumbs: crumbs(req, resolved, { href: comments.paths.list(order, page), label: req.t('comments.title') }),
            comments,
            full: true,
            validUntil: nextPhaseChange(resolved.context.consultation.phases),
          };
        },
      });
    });

    app.get(`${prefix}/comments/new`, publicAccess, async (req, reply) => {
      const resolved = await resolve(req, kind);
      const replyRaw = field(req.query, 'reply');
      let parent = null;
      if (replyRaw !== '') {
        parent = /^\d{1,9}$/.test(replyRaw) ? await replyParent(db, resolved.context.consultation.id, Number(replyRaw)) : null;
        if (!parent) throw new DomainError(404, 'comments.errors.parentNotFound');
      }
      const data = await formData(req, resolved, parent?.id ?? null, {
        language: defaultContributionLanguage(req.locale),
        onBehalf: 'self',
        formToken: newFormToken(),
      });
      if (isHtmx(req) && !isBoosted(req)) return reply.fragment(FORM_FRAGMENT, { ...data, inline: true });
      return reply.page(FORM, data);
    });

    app.post(`${prefix}/comments/new`, publicAccess, async (req, reply) => {
      const resolved = await resolve(req, kind);
      const replyRaw = field(req.body, 'reply');
      const replyTo = /^\d{1,9}$/.test(replyRaw) ? Number(replyRaw) : null;
      const input: CommentInput = {
        body: field(req.body, 'body'),
        language: field(req.body, 'language'),
        email: field(req.body, 'email'),
        consent: field(req.body, 'consent') === 'yes',
        onBehalf: field(req.body, 'onBehalf') || 'self',
        replyTo,
        formToken: checkFormToken(field(req.body, 'formToken')),
      };
      // A bot filled in the hidden field: it is told what a person would be, nothing is stored.
      if (isBot(req.body)) return seeOther(reply, confirmsByMail(req.user) ? checkMailUrl(resolved.paths.item) : resolved.paths.item);

      const values = { body: input.body, language: input.language, email: input.email, consent: input.consent, onBehalf: input.onBehalf, formToken: input.formToken };
      const again = async (extra: Record<string, unknown>, status: number) =>
        reply.page(FORM, { ...(await formData(req, resolved, replyTo, values)), ...extra }, status);
      try {
        const result = await createComment(
          ctx,
          {
            consultation: resolved.context.consultation,
            target: resolved.target,
            itemUrl: (target) => `${ctx.config.baseUrl}${commentPaths(resolved.context.consultation.slug, target).item}`,
            user: req.user,
            locale: req.locale,
            clientAddress: req.ip,
          },
          input,
        );
        const itemPath = commentPaths(resolved.context.consultation.slug, result.target).item;
        if (result.status === 'unconfirmed') return seeOther(reply, checkMailUrl(itemPath));
        if (result.status === 'published') return seeOther(reply, `${itemPath}#comment-${result.id}`);
        if (result.created) reply.flash('comments.flash.pending');
        return seeOther(reply, `/contributions/${result.id}`);
      } catch (error) {
        if (error instanceof ValidationError) {
          return again({ errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale) }, 422);
        }
        if (error instanceof PhaseClosedError) return again({ closed: closedNotice(error) }, 409);
        if (error instanceof RateLimitedError) return again({ errors: { form: 'comments.errors.rateLimited' } }, 429);
        throw error;
      }
    });
  }

  register('/consultations/:slug', 'consultation');
  for (const kind of ['field', 'goal', 'measure'] as const satisfies readonly ItemKind[]) register(`/consultations/:slug/${kind}s/:key`, kind);

  function checkMailUrl(itemPath: string): string {
    return `/comments/check-mail?back=${encodeURIComponent(itemPath)}`;
  }

  function closedNotice(error: PhaseClosedError) {
    return { closedAt: error.closedAt, next: error.next ? { title: error.next.title, opensAt: error.next.opensAt } : null };
  }

  /** Everything the form shows besides what was typed. */
  async function formData(req: FastifyRequest, resolved: Resolved, replyTo: number | null, values: Record<string, unknown>) {
    const { consultation } = resolved.context;
    const [organisations, parentRow] = await Promise.all([
      req.user ? representedOrganisations(db, req.user.id) : Promise.resolve([]),
      replyTo !== null ? loadContribution(db, replyTo) : Promise.resolve(null),
    ]);
    let closed = null;
    let moderation: string | null = null;
    try {
      moderation = openPhaseFor(consultation.phases, 'comment').moderationMode;
    } catch (error) {
      if (!(error instanceof PhaseClosedError)) throw error;
      closed = closedNotice(error);
    }
    const label = itemLabel(req, resolved);
    const title = replyTo !== null ? req.t('comments.form.replyTitle') : req.t('comments.form.title');
    return {
      title: `${title} – ${label}`,
      heading: title,
      itemLabel: label,
      item: resolved.item,
      crumbs: crumbs(req, resolved, { href: resolved.paths.form(replyTo), label: title }),
      paths: resolved.paths,
      replyTo,
      parent: parentRow && parentRow.status === 'published' ? { ...commentView(parentRow), author: authorOf(parentRow) } : null,
      languages: contributionLanguages,
      organisations,
      confirmsByMail: confirmsByMail(req.user),
      unconfirmedDays: ctx.config.participation.unconfirmedDays,
      maxLength: COMMENT_MAX_LENGTH,
      honeypot: HONEYPOT_FIELD,
      moderation,
      closed,
      formatDateTime,
      values,
    };
  }

  // A guest's comment waits for the mailed link.
  app.get('/comments/check-mail', publicAccess, (req, reply) =>
    reply.page('/participation/comments/check-mail', { back: safeNext(field(req.query, 'back'), '/'), days: ctx.config.participation.unconfirmedDays }),
  );

  // ------------------------------------------------------------------------------------------
  // A contribution's own page: public once published; its author also sees it before, with its
  // status, and may correct it for EDIT_MINUTES and withdraw it at any time.
  // ------------------------------------------------------------------------------------------

  async function loadOwnPage(req: FastifyRequest) {
    const raw = field(req.params, 'id');
    if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
    const row = await loadContribution(db, Number(raw));
    if (!row) throw new NotFoundError();
    const isAuthor = req.user !== null && row.authorId === req.user.id;
    const visible = row.status === 'published' || (row.status === 'withdrawn' && row.publishedAt !== null);
    if (!visible && !isAuthor) throw new NotFoundError();
    const [slugRow] = await db.select({ slug: consultations.slug }).from(consultations).where(eq(consultations.id, row.consultationId));
    const context = slugRow ? await loadConsultationContext(db, slugRow.slug) : null;
    if (!context) throw new NotFoundError();
    const target: CommentTarget = { kind: row.targetKind, key: row.targetKey };
    const item = target.kind === 'consultation' || target.key === null ? null : await findItem(db, target.kind, target.key, context.versions);
    const resolved: Resolved = { context, target, item, paths: commentPaths(context.consultation.slug, target) };
    return { row, isAuthor, resolved };
  }

  async function ownPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200, loaded?: Awaited<ReturnType<typeof loadOwnPage>>) {
    const { row, isAuthor, resolved } = loaded ?? (await loadOwnPage(req));
    const replies = row.kind === 'comment' && row.parentId === null ? await loadReplies(db, row.id) : [];
    const comment = { ...commentView(row), replies };
    await withAnswers(db, [comment]);
    const label = req.t(row.kind === 'comment' ? (row.parentId ? 'comments.own.reply' : 'comments.own.comment') : 'comments.own.statement', { id: row.id });
    const until = editableUntil(row.createdAt);
    const editable = isAuthor && row.kind === 'comment' && isEditable(row) && until > new Date();
    return reply.page(
      '/participation/comments/contribution',
      {
        title: `${label} – ${itemLabel(req, resolved)}`,
        heading: label,
        crumbs: crumbs(req, resolved, { href: `/contributions/${row.id}`, label }),
        row,
        comment,
        isAuthor,
        // The text of a never-published or withdrawn contribution is its author's to see only.
        showText: row.status === 'published' ? row.kind === 'comment' || row.publishText : isAuthor && row.status !== 'withdrawn',
        editable,
        editableUntil: until,
        editMinutes: EDIT_MINUTES,
        paths: resolved.paths,
        itemLabel: itemLabel(req, resolved),
        writing: writingState(resolved.context.consultation.phases),
        languages: contributionLanguages,
        formatDateTime,
        values: { body: row.body, language: row.language },
        ...extra,
      },
      status,
    );
  }

  app.get('/contributions/:id', publicAccess, async (req, reply) => {
    const loaded = await loadOwnPage(req);
    const { row, resolved } = loaded;
    // A published written statement has its public page under its receipt number.
    if (row.kind === 'statement' && row.status === 'published' && row.receiptNumber) {
      return seeOther(reply, `/consultations/${encodeURIComponent(resolved.context.consultation.slug)}/statements/${encodeURIComponent(row.receiptNumber)}`);
    }
    return ownPage(req, reply, {}, 200, loaded);
  });

  app.post('/contributions/:id/edit', signedIn, async (req, reply) => {
    const { row, isAuthor } = await loadOwnPage(req);
    if (!isAuthor || !req.user) throw new NotFoundError();
    const values = { body: field(req.body, 'body'), language: field(req.body, 'language') };
    try {
      await editComment(ctx, row.id, req.user.id, values);
    } catch (error) {
      if (error instanceof ValidationError) {
        return ownPage(req, reply, { values, errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale), editAttempt: true }, 422);
      }
      throw error;
    }
    reply.flash('comments.flash.edited');
    return seeOther(reply, `/contributions/${row.id}`);
  });

  app.get('/contributions/:id/withdraw', signedIn, async (req, reply) => {
    const { row, isAuthor, resolved } = await loadOwnPage(req);
    if (!isAuthor) throw new NotFoundError();
    if (row.status === 'withdrawn') return seeOther(reply, `/contributions/${row.id}`);
    const label = req.t(row.parentId ? 'comments.own.reply' : row.kind === 'comment' ? 'comments.own.comment' : 'comments.own.statement', { id: row.id });
    return reply.page('/participation/comments/withdraw', {
      title: req.t('comments.withdraw.title'),
      crumbs: crumbs(req, resolved, { href: `/contributions/${row.id}/withdraw`, label: req.t('comments.withdraw.title') }),
      row,
      label,
    });
  });

  app.post('/contributions/:id/withdraw', signedIn, async (req, reply) => {
    const { row, isAuthor } = await loadOwnPage(req);
    if (!isAuthor || !req.user) throw new NotFoundError();
    if (await withdrawContribution(ctx, row.id, { userId: req.user.id })) reply.flash('comments.flash.withdrawn');
    return seeOther(reply, `/contributions/${row.id}`);
  });
}
