import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasAnyRole } from '../../../core/access.js';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError, RateLimitedError } from '../../../core/errors.js';
import { publicAnswers } from '../../consolidation/review/public.js';
import { formatDateTime, handleForm } from '../../../core/forms.js';
import { field, fieldList, isBoosted, isHtmx, seeOther } from '../../../core/http.js';
import { formatDate, PLAN_TAGS, planUrls, shorten } from '../../plans/routes.js';
import { contributionChannels, contributionKinds, contributionStatuses } from '../schema.js';
import {
  CONTRIBUTIONS_TAG,
  contributionLanguages,
  defaultContributionLanguage,
  HONEYPOT_FIELD,
  isBot,
  newFormToken,
  checkFormToken,
  openPhaseFor,
  PhaseClosedError,
  STATEMENT_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  COMMENT_MAX_LENGTH,
} from '../service.js';
import { ACCEPT, contentDisposition, formatBytes, uploadedParts } from './attachments.js';
import {
  attachmentsOf,
  describeRefs,
  findAttachment,
  findByFormToken,
  findPublishedStatement,
  type ItemRef,
  loadStatementContext,
  loadStatementContextById,
  NAME_MAX_LENGTH,
  organisationName,
  parseRef,
  publicAuthor,
  referencesOf,
  refValue,
  representedOrganisations,
  type StatementContext,
  type StatementValues,
  submitStatement,
} from './service.js';
import {
  allOrganisations,
  contributionForOrganiser,
  DETAILS_MAX_LENGTH,
  enterContribution,
  listContributions,
  PAGE_SIZE,
  readFilter,
  type StaffValues,
  staffChannels,
  staffStatuses,
  submitterType,
  todayInBerlin,
} from './staff.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Multipart routes: files beyond this many are read and dropped (see app.ts). */
    keepFiles?: number;
  }
}

const organisers = ['organiser', 'admin'] as const;
/** Who may always download attachments, published or not. */
const staffReaders = ['organiser', 'moderator', 'admin'] as const;
const ATTACHMENT_FIELD = 'attachments';
// Enough fields for every checkbox of a big plan's outline.
const MAX_FIELDS = 2000;

export function statementsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { attachmentMaxBytes, attachmentMaxCount, unconfirmedDays } = ctx.config.participation;
  // Too large a file is cut off at limit + 1 bytes (not a failed request), more files than allowed
  // are read and dropped: the form then says what was wrong and keeps everything typed.
  const upload = {
    keepFiles: attachmentMaxCount + 1,
    multipartOptions: {
      throwFileSizeLimit: false,
      limits: { files: 50, fileSize: attachmentMaxBytes + 1, fields: MAX_FIELDS, parts: MAX_FIELDS + 50, fieldSize: 1024 * 1024 },
    },
  };
  const limits = (locale: string) => ({ maxSize: formatBytes(attachmentMaxBytes, locale), maxCount: attachmentMaxCount, accept: ACCEPT, days: unconfirmedDays });

  async function statementContext(req: FastifyRequest): Promise<StatementContext> {
    const sc = await loadStatementContext(ctx.db, field(req.params, 'slug'));
    if (!sc) throw new NotFoundError();
    return sc;
  }

  function closedInfo(sc: StatementContext, error: PhaseClosedError | null, locale: string) {
    if (!error) return null;
    return {
      closedAt: error.closedAt ? formatDateTime(error.closedAt, locale) : null,
      next: error.next ? { title: error.next.title, opensAt: formatDate(error.next.opensAt, locale) } : null,
      consultationUrl: `/consultations/${encodeURIComponent(sc.context.consultation.slug)}`,
    };
  }

  function phaseProblem(sc: StatementContext): PhaseClosedError | null {
    try {
      openPhaseFor(sc.context.consultation.phases, 'statement');
      return null;
    } catch (error) {
      if (error instanceof PhaseClosedError) return error;
      throw error;
    }
  }

  /** What every rendering of the statement form needs besides the typed values. */
  async function formData(req: FastifyRequest, sc: StatementContext, values: StatementValues, extra: Record<string, unknown> = {}) {
    const slug = sc.context.consultation.slug;
    return {
      title: req.t('participation.statements.form.title'),
      consultation: sc.context.consultation,
      plan: sc.plan,
      urls: planUrls(slug, sc.context.versions.at(-1) ?? null, sc.context.versions.at(-1) ?? null),
      action: `/consultations/${encodeURIComponent(slug)}/statements/new`,
      organisations: req.user ? await representedOrganisations(ctx.db, req.user.id) : [],
      languages: contributionLanguages,
      honeypot: HONEYPOT_FIELD,
      values,
      selected: new Set(values.refs),
      shorten,
      limits: limits(req.locale),
      maxLengths: { title: TITLE_MAX_LENGTH, body: STATEMENT_MAX_LENGTH, name: NAME_MAX_LENGTH },
      closed: null,
      filesLost: false,
      ...extra,
    };
  }

  function emptyValues(req: FastifyRequest, sc: StatementContext): StatementValues {
    const refs: string[] = [];
    for (const kind of ['field', 'goal', 'measure'] as const) {
      const key = field(req.query, kind);
      const ref: ItemRef | null = key ? parseRef(`${kind}:${key}`) : null;
      if (ref && sc.index && (kind === 'field' ? sc.index.fields.has(key) : kind === 'goal' ? sc.index.goals.has(key) : sc.index.measures.has(key))) refs.push(refValue(ref));
    }
    return {
      formToken: newFormToken(),
      onBehalf: 'self',
      name: req.user?.displayName ?? '',
      email: '',
      title: '',
      body: '',
      language: defaultContributionLanguage(req.locale),
      scope: refs.length ? 'items' : 'plan',
      refs,
      privacy: '',
      publishText: '',
      publishName: '',
    };
  }

  function readValues(req: FastifyRequest): StatementValues {
    const b = req.body;
    return {
      formToken: checkFormToken(field(b, 'formToken')),
      onBehalf: field(b, 'onBehalf') || 'self',
      name: field(b, 'name'),
      email: field(b, 'email'),
      title: field(b, 'title'),
      body: field(b, 'body'),
      language: field(b, 'language'),
      scope: field(b, 'scope'),
      refs: fieldList(b, 'refs'),
      privacy: field(b, 'privacy'),
      publishText: field(b, 'publishText'),
      publishName: field(b, 'publishName'),
    };
  }

  const receiptPath = (token: string) => `/statements/received/${token}`;

  // The form has a page of its own (uncached: it carries a CSRF token and a one-time form token);
  // item pages link here with ?measure=, ?goal= or ?field=, and htmx loads it in place.
  app.get('/consultations/:slug/statements/new', { config: { access: 'public' } }, async (req, reply) => {
    const sc = await statementContext(req);
    const closed = phaseProblem(sc);
    reply.header('cache-control', 'no-store');
    const data = await formData(req, sc, emptyValues(req, sc), { closed: closedInfo(sc, closed, req.locale) });
    if (isHtmx(req) && !isBoosted(req)) return reply.fragment('/participation/statements/_form', data);
    return reply.page('/participation/statements/form', data);
  });

  app.post('/consultations/:slug/statements/new', { config: { access: 'public', ...upload } }, async (req, reply) => {
    const sc = await statementContext(req);
    const values = readValues(req);
    const slug = sc.context.consultation.slug;
    // A filled honeypot gets what a person would get next, without anything being stored.
    if (isBot(req.body)) return seeOther(reply, `/consultations/${encodeURIComponent(slug)}`);
    const files = uploadedParts(req.body, ATTACHMENT_FIELD);
    const data = await formData(req, sc, values, { filesLost: files.length > 0, posted: true });
    reply.header('cache-control', 'no-store');
    try {
      const result = await handleForm(reply, '/participation/statements/form', data, () =>
        submitStatement(ctx, { sc, user: req.user, clientAddress: req.ip, locale: req.locale, values, files }),
      );
      if (result.ok) return seeOther(reply, receiptPath(result.value.formToken));
      return reply;
    } catch (error) {
      if (error instanceof PhaseClosedError) {
        return reply.page('/participation/statements/form', { ...data, closed: closedInfo(sc, error, req.locale) }, 409);
      }
      if (error instanceof RateLimitedError) {
        return reply.page('/participation/statements/form', { ...data, errors: { form: 'participation.statements.errors.rateLimited' } }, 429);
      }
      throw error;
    }
  });

  // The receipt: only the browser that sent the form knows its one-time token.
  app.get('/statements/received/:token', { config: { access: 'public' } }, async (req, reply) => {
    const row = await findByFormToken(ctx.db, field(req.params, 'token'));
    if (!row) throw new NotFoundError();
    const [refs, files, organisation, sc] = await Promise.all([
      referencesOf(ctx.db, row.id),
      attachmentsOf(ctx.db, row.id),
      organisationName(ctx.db, row.organisationId),
      loadStatementContextById(ctx.db, row.consultationId),
    ]);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    return reply.page('/participation/statements/receipt', {
      title: req.t('participation.statements.receipt.title'),
      statement: row,
      refs: sc ? describeRefs(sc, refs) : [],
      files,
      organisation,
      consultation: sc?.context.consultation ?? null,
      publicUrl: sc ? `/consultations/${encodeURIComponent(sc.context.consultation.slug)}/statements/${encodeURIComponent(row.receiptNumber ?? '')}` : null,
      formatDateTime,
      formatBytes,
      days: unconfirmedDays,
    });
  });

  // A published statement, the same for every reader.
  app.get('/consultations/:slug/statements/:receiptNumber', { config: { access: 'public' } }, (req, reply) => {
    const slug = field(req.params, 'slug');
    const receiptNumber = field(req.params, 'receiptNumber');
    return reply.cachedPage({
      key: `/consultations/${encodeURIComponent(slug)}/statements/${encodeURIComponent(receiptNumber)}`,
      tags: [...PLAN_TAGS, CONTRIBUTIONS_TAG],
      template: '/participation/statements/statement',
      load: async () => {
        const sc = await loadStatementContext(ctx.db, slug);
        if (!sc || !/^[A-Za-z0-9-]{1,60}$/.test(receiptNumber)) return null;
        const row = await findPublishedStatement(ctx.db, sc.context.consultation.id, receiptNumber);
        if (!row) return null;
        const [refs, files, organisation, answers] = await Promise.all([
          referencesOf(ctx.db, row.id),
          row.publishText ? attachmentsOf(ctx.db, row.id) : Promise.resolve([]),
          organisationName(ctx.db, row.organisationId),
          publicAnswers(ctx.db, [row.id]),
        ]);
        return {
          title: row.title ? `${row.title} (${receiptNumber})` : req.t('participation.statements.public.title', { number: receiptNumber }),
          statement: row,
          consultation: sc.context.consultation,
          refs: describeRefs(sc, refs),
          files,
          author: publicAuthor(row, organisation),
          // A section's passage is the author's text: shown only where the text may be.
          answers: (answers.get(row.id) ?? []).map((a) => (row.publishText ? a : { ...a, passage: null })),
          formatDate,
          formatBytes,
        };
      },
    });
  });

  // Attachments of published statements whose text may be shown; staff see every one.
  app.get('/attachments/:id/:fileName', { config: { access: 'public' } }, async (req, reply) => {
    const id = field(req.params, 'id');
    if (!/^\d{1,9}$/.test(id)) throw new NotFoundError();
    const file = await findAttachment(ctx.db, Number(id));
    if (!file || file.fileName !== field(req.params, 'fileName')) throw new NotFoundError();
    const staff = hasAnyRole(req.user, staffReaders);
    if (!staff && !(file.status === 'published' && file.publishText)) throw new NotFoundError();
    return reply
      .type(file.mediaType)
      .header('content-disposition', contentDisposition(file.fileName))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'")
      .header('cache-control', staff ? 'private, no-store' : 'private, max-age=300')
      .send(Buffer.from(file.data));
  });

  // Privacy notice and house rules: the same for everyone.
  app.get('/privacy', { config: { access: 'public' } }, (req, reply) =>
    reply.cachedPage({
      key: '/privacy',
      tags: PLAN_TAGS,
      template: '/participation/pages/privacy',
      load: async () => ({ title: req.t('participation.privacy.title'), days: unconfirmedDays }),
    }),
  );
  app.get('/netiquette', { config: { access: 'public' } }, (req, reply) =>
    reply.cachedPage({
      key: '/netiquette',
      tags: PLAN_TAGS,
      template: '/participation/pages/netiquette',
      load: async () => ({ title: req.t('participation.netiquette.title') }),
    }),
  );

  staffRoutes(app, ctx, upload, limits);
}

function staffRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  upload: Record<string, unknown>,
  limits: (locale: string) => Record<string, unknown>,
): void {
  const base = (slug: string) => `/organiser/consultations/${encodeURIComponent(slug)}/contributions`;

  async function staffContext(req: FastifyRequest): Promise<StatementContext> {
    const sc = await loadStatementContext(ctx.db, field(req.params, 'slug'));
    if (!sc) throw new NotFoundError();
    return sc;
  }

  async function formData(req: FastifyRequest, sc: StatementContext, values: StaffValues, extra: Record<string, unknown> = {}) {
    const slug = sc.context.consultation.slug;
    return {
      title: req.t('participation.staff.form.title'),
      consultation: sc.context.consultation,
      plan: sc.plan,
      action: `${base(slug)}/new`,
      listUrl: base(slug),
      organisations: await allOrganisations(ctx.db),
      languages: contributionLanguages,
      channels: staffChannels,
      statuses: staffStatuses,
      values,
      selected: new Set(values.refs),
      shorten,
      today: todayInBerlin(),
      limits: limits(req.locale),
      maxLengths: { title: TITLE_MAX_LENGTH, body: STATEMENT_MAX_LENGTH, comment: COMMENT_MAX_LENGTH, name: NAME_MAX_LENGTH, details: DETAILS_MAX_LENGTH },
      filesLost: false,
      ...extra,
    };
  }

  function readValues(req: FastifyRequest): StaffValues {
    const b = req.body;
    return {
      formToken: checkFormToken(field(b, 'formToken')),
      channel: field(b, 'channel'),
      receivedOn: field(b, 'receivedOn'),
      kind: field(b, 'kind'),
      scope: field(b, 'scope'),
      refs: fieldList(b, 'refs'),
      target: field(b, 'target'),
      name: field(b, 'name'),
      organisationId: field(b, 'organisationId'),
      email: field(b, 'email'),
      details: field(b, 'details'),
      publishText: field(b, 'publishText'),
      publishName: field(b, 'publishName'),
      title: field(b, 'title'),
      body: field(b, 'body'),
      language: field(b, 'language'),
      status: field(b, 'status'),
    };
  }

  app.get('/organiser/consultations/:slug/contributions/new', { config: { access: organisers } }, async (req, reply) => {
    const sc = await staffContext(req);
    const values: StaffValues = {
      formToken: newFormToken(),
      channel: 'letter',
      receivedOn: todayInBerlin(),
      kind: 'statement',
      scope: 'plan',
      refs: [],
      target: 'consultation',
      name: '',
      organisationId: '',
      email: '',
      details: '',
      publishText: '',
      publishName: '',
      title: '',
      body: '',
      language: 'de',
      status: 'pending',
    };
    reply.header('cache-control', 'no-store');
    return reply.page('/participation/staff/form', await formData(req, sc, values));
  });

  app.post('/organiser/consultations/:slug/contributions/new', { config: { access: organisers, ...upload } }, async (req, reply) => {
    const sc = await staffContext(req);
    const values = readValues(req);
    const files = uploadedParts(req.body, ATTACHMENT_FIELD);
    const data = await formData(req, sc, values, { filesLost: files.length > 0 });
    const result = await handleForm(reply, '/participation/staff/form', data, () =>
      enterContribution(ctx, { sc, actorId: req.user!.id, locale: req.locale, values, files }),
    );
    if (!result.ok) return reply;
    reply.flash('participation.staff.flash.entered');
    return seeOther(reply, `${base(sc.context.consultation.slug)}/${result.value}`);
  });

  app.get('/organiser/consultations/:slug/contributions', { config: { access: organisers } }, async (req, reply) => {
    const sc = await staffContext(req);
    const q = req.query;
    const filter = readFilter({ status: field(q, 'status'), kind: field(q, 'kind'), channel: field(q, 'channel'), page: field(q, 'page') });
    const { rows, total } = await listContributions(ctx.db, sc.context.consultation.id, filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const query = (page: number) => {
      const p = new URLSearchParams();
      if (filter.status) p.set('status', filter.status);
      if (filter.kind) p.set('kind', filter.kind);
      if (filter.channel) p.set('channel', filter.channel);
      if (page > 1) p.set('page', String(page));
      const s = p.toString();
      return `${base(sc.context.consultation.slug)}${s ? `?${s}` : ''}`;
    };
    reply.header('cache-control', 'no-store');
    return reply.page('/participation/staff/list', {
      title: req.t('participation.staff.list.title'),
      consultation: sc.context.consultation,
      rows: rows.map((r) => ({ ...r, submitter: submitterType(r), excerpt: shorten(r.body.replace(/\s+/g, ' '), 120) })),
      total,
      filter,
      page: filter.page,
      pages,
      prevUrl: filter.page > 1 ? query(filter.page - 1) : null,
      nextUrl: filter.page < pages ? query(filter.page + 1) : null,
      baseUrl: base(sc.context.consultation.slug),
      statuses: contributionStatuses,
      kinds: contributionKinds,
      channels: contributionChannels,
      formatDateTime,
    });
  });

  app.get('/organiser/consultations/:slug/contributions/:id', { config: { access: organisers } }, async (req, reply) => {
    const sc = await staffContext(req);
    const id = field(req.params, 'id');
    if (!/^\d{1,9}$/.test(id)) throw new NotFoundError();
    const found = await contributionForOrganiser(ctx.db, sc.context.consultation.id, Number(id));
    if (!found) throw new NotFoundError();
    const c = found.contribution;
    const [refs, files] = await Promise.all([referencesOf(ctx.db, c.id), attachmentsOf(ctx.db, c.id)]);
    const target = c.kind === 'comment' && c.targetKind !== 'consultation' && c.targetKey ? describeRefs(sc, [{ kind: c.targetKind, key: c.targetKey }]) : [];
    reply.header('cache-control', 'no-store');
    return reply.page('/participation/staff/detail', {
      title: req.t('participation.staff.detail.title', { number: c.receiptNumber ?? `#${c.id}` }),
      consultation: sc.context.consultation,
      c,
      organisation: found.organisation ? { name: found.organisation, verified: found.organisationVerifiedAt !== null } : null,
      author: found.author,
      enteredBy: found.enteredBy,
      refs: describeRefs(sc, refs),
      target,
      files,
      listUrl: base(sc.context.consultation.slug),
      submitter: submitterType(c),
      languages: contributionLanguages,
      formatDateTime,
      formatBytes,
    });
  });
}
