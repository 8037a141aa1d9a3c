import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signInUrl } from '../../core/access.js';
import type { AppContext } from '../../core/context.js';
import { NotFoundError, RateLimitedError, ValidationError } from '../../core/errors.js';
import { formatDateTime, localiseParams } from '../../core/forms.js';
import { field, isBoosted, isHtmx, seeOther } from '../../core/http.js';
import { guestOf } from '../participation/guests/service.js';
import { reportReasons } from '../participation/schema.js';
import {
  COMMENT_MAX_LENGTH,
  type ContributionOwner,
  contributionLanguages,
  HONEYPOT_FIELD,
  isBot,
  STATEMENT_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from '../participation/service.js';
import { loadReportTarget, netiquetteAnchor, ruleTitleKey, publicPlace, REPORT_NOTE_MAX_LENGTH, type ReportTarget, reportContribution } from './reports.js';
import { loadOwned, moderatorNotes, NotRequestedError, peekReviseToken, type ReviseRow, reviseContribution } from './revise.js';
import { consultationChoices, moderationStatistics } from './statistics.js';

const REPORT_PAGE = '/reports/report';
const REPORT_FRAGMENT = '/reports/_form';
const REVISE_PAGE = '/reports/revise';
const REVISE_STOP = '/reports/revise-stop';

function idParam(req: FastifyRequest): number {
  const raw = field(req.params, 'id');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function formatNumber(value: number, locale: string, digits = 0): string {
  const key = `${locale}|${digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'de-DE', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

export function moderationReportsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;
  const publicAccess = { config: { access: 'public' as const } };
  const reasons = reportReasons.map((id) => ({ id, anchor: netiquetteAnchor(id) }));

  // ------------------------------------------------------------------------------------------
  // Reports. The "Melden" link in the cached lists is the same for everyone; the form lives on
  // this uncached page (htmx loads it below the contribution) and carries its own CSRF token.
  // ------------------------------------------------------------------------------------------

  async function reportable(req: FastifyRequest): Promise<ReportTarget> {
    const target = await loadReportTarget(db, idParam(req));
    if (target?.status !== 'published') throw new NotFoundError();
    return target;
  }

  function reportData(req: FastifyRequest, target: ReportTarget, values: Record<string, string>) {
    const place = publicPlace(target);
    return {
      title: `${req.t('reports.title')} – ${target.consultationTitle}`,
      target,
      showText: target.kind === 'comment' || target.publishText,
      back: place.anchored,
      action: `/contributions/${target.id}/report`,
      reasons,
      honeypot: HONEYPOT_FIELD,
      noteMax: REPORT_NOTE_MAX_LENGTH,
      formatDateTime,
      formatNumber,
      values,
    };
  }

  app.get('/contributions/:id/report', publicAccess, async (req, reply) => {
    const target = await reportable(req);
    const data = reportData(req, target, { reason: '', note: '' });
    if (isHtmx(req) && !isBoosted(req)) return reply.fragment(REPORT_FRAGMENT, { ...data, inline: true });
    return reply.page(REPORT_PAGE, data);
  });

  app.post('/contributions/:id/report', publicAccess, async (req, reply) => {
    const id = idParam(req);
    const values = { reason: field(req.body, 'reason'), note: field(req.body, 'note') };
    const thanks = (state: string) => seeOther(reply, `/contributions/${id}/report/thanks?state=${state}`);
    // A bot filled in the hidden field: it hears what a person would, nothing is stored.
    if (isBot(req.body)) {
      await reportable(req);
      return thanks('reported');
    }
    const again = async (extra: Record<string, unknown>, status: number) => reply.page(REPORT_PAGE, { ...reportData(req, await reportable(req), values), ...extra }, status);
    try {
      const outcome = await reportContribution(ctx, id, { user: req.user, clientAddress: req.ip }, values);
      return thanks(outcome);
    } catch (error) {
      if (error instanceof ValidationError) return again({ errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale) }, 422);
      if (error instanceof RateLimitedError) return again({ errors: { form: 'reports.errors.rateLimited' } }, 429);
      throw error;
    }
  });

  app.get('/contributions/:id/report/thanks', publicAccess, async (req, reply) => {
    const target = await loadReportTarget(db, idParam(req));
    if (!target) throw new NotFoundError();
    const raw = field(req.query, 'state');
    const state = raw === 'hidden' || raw === 'already' ? raw : 'reported';
    const place = publicPlace(target);
    return reply.page('/reports/thanks', {
      title: req.t('reports.thanks.title'),
      state,
      back: target.status === 'published' ? place.anchored : place.item,
      backLabel: target.status === 'published' ? 'reports.thanks.back' : 'reports.thanks.backToItem',
    });
  });

  // ------------------------------------------------------------------------------------------
  // Revising after the moderators asked for it. Accounts: the signed-in author (or a guest
  // session opened by a mailed link) on /contributions/:id/revise. Guests: the mailed link
  // /contributions/revise?token=…, checked on the page and on sending, used up only when the
  // revised text is stored (a mail scanner opening the link changes nothing).
  // ------------------------------------------------------------------------------------------

  async function ownerOf(req: FastifyRequest): Promise<ContributionOwner | null> {
    if (req.user) return { userId: req.user.id };
    const guest = await guestOf(ctx, req);
    return guest ? { guestEmail: guest.email } : null;
  }

  async function reviseData(req: FastifyRequest, row: ReviseRow, values: Record<string, string>, extra: Record<string, unknown>) {
    const notes = await moderatorNotes(db, [row.id]);
    const place = publicPlace({ ...row, receiptNumber: null });
    return {
      title: req.t('revise.title'),
      row,
      note: notes.get(row.id) ?? null,
      reason: ruleTitleKey(row.statusReason) ? { anchor: netiquetteAnchor(row.statusReason ?? ''), titleKey: ruleTitleKey(row.statusReason) } : null,
      itemUrl: place.item,
      languages: contributionLanguages,
      maxLength: row.kind === 'statement' ? STATEMENT_MAX_LENGTH : COMMENT_MAX_LENGTH,
      titleMax: TITLE_MAX_LENGTH,
      formatDateTime,
      formatNumber,
      values,
      ...extra,
    };
  }

  const currentValues = (row: ReviseRow) => ({ title: row.title ?? '', body: row.body, language: row.language });
  const typedValues = (req: FastifyRequest) => ({ title: field(req.body, 'title'), body: field(req.body, 'body'), language: field(req.body, 'language') });

  function stop(req: FastifyRequest, reply: FastifyReply, kind: 'notRequested' | 'invalid', status: number) {
    return reply.page(REVISE_STOP, { title: req.t(`revise.${kind}.title`), kind }, status);
  }

  async function ownRow(req: FastifyRequest, reply: FastifyReply): Promise<{ row: ReviseRow; owner: ContributionOwner } | FastifyReply> {
    const owner = await ownerOf(req);
    if (!owner) return reply.redirect(signInUrl(req), 303);
    const row = await loadOwned(db, idParam(req), owner);
    if (!row) throw new NotFoundError();
    return { row, owner };
  }

  app.get('/contributions/:id/revise', publicAccess, async (req, reply) => {
    const found = await ownRow(req, reply);
    if (!('row' in found)) return found;
    if (found.row.status !== 'revision_requested') return stop(req, reply, 'notRequested', 409);
    return reply.page(REVISE_PAGE, await reviseData(req, found.row, currentValues(found.row), { action: `/contributions/${found.row.id}/revise` }));
  });

  app.post('/contributions/:id/revise', publicAccess, async (req, reply) => {
    const owner = await ownerOf(req);
    if (!owner) throw new NotFoundError();
    const id = idParam(req);
    const values = typedValues(req);
    try {
      await reviseContribution(ctx, id, owner, values);
    } catch (error) {
      if (error instanceof NotRequestedError) return stop(req, reply, 'notRequested', 409);
      if (error instanceof ValidationError) {
        const row = await loadOwned(db, id, owner);
        if (!row) throw new NotFoundError();
        const data = await reviseData(req, row, values, { action: `/contributions/${id}/revise`, errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale) });
        return reply.page(REVISE_PAGE, data, 422);
      }
      throw error;
    }
    reply.flash('revise.flash');
    return seeOther(reply, 'userId' in owner ? `/contributions/${id}` : '/my/contributions');
  });

  app.get('/contributions/revise', publicAccess, async (req, reply) => {
    const token = field(req.query, 'token');
    const peeked = await peekReviseToken(db, token);
    if (!peeked) return stop(req, reply, 'invalid', 410);
    const row = await loadOwned(db, peeked.contributionId, { guestEmail: peeked.email });
    if (!row) return stop(req, reply, 'invalid', 410);
    if (row.status !== 'revision_requested') return stop(req, reply, 'notRequested', 409);
    return reply.page(REVISE_PAGE, await reviseData(req, row, currentValues(row), { action: '/contributions/revise', token }));
  });

  app.post('/contributions/revise', publicAccess, async (req, reply) => {
    const token = field(req.body, 'token');
    const peeked = await peekReviseToken(db, token);
    if (!peeked) return stop(req, reply, 'invalid', 410);
    const owner = { guestEmail: peeked.email };
    const values = typedValues(req);
    try {
      await reviseContribution(ctx, peeked.contributionId, owner, values, token);
    } catch (error) {
      if (error instanceof NotRequestedError) return stop(req, reply, 'notRequested', 409);
      if (error instanceof NotFoundError) return stop(req, reply, 'invalid', 410);
      if (error instanceof ValidationError) {
        const row = await loadOwned(db, peeked.contributionId, owner);
        if (!row) return stop(req, reply, 'invalid', 410);
        const data = await reviseData(req, row, values, { action: '/contributions/revise', token, errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale) });
        return reply.page(REVISE_PAGE, data, 422);
      }
      throw error;
    }
    reply.flash('revise.flash');
    return seeOther(reply, '/contributions/revise/done');
  });

  app.get('/contributions/revise/done', publicAccess, (req, reply) => reply.page('/reports/revised', { title: req.t('revise.title') }));

  // ------------------------------------------------------------------------------------------
  // Statistics for the participation office.
  // ------------------------------------------------------------------------------------------

  app.get('/moderation/statistics', { config: { access: ['organiser', 'admin'] } }, async (req, reply) => {
    const choices = await consultationChoices(db);
    const wanted = field(req.query, 'consultation');
    const chosen = choices.find((c) => c.slug === wanted) ?? choices[0] ?? null;
    const stats = chosen ? await moderationStatistics(db, chosen.id) : null;
    return reply.page('/reports/statistics', {
      title: req.t('modstats.title'),
      choices,
      chosen,
      stats,
      reasons: reportReasons,
      n: (value: number) => formatNumber(value, req.locale),
      hours: (value: number | null) => (value === null ? req.t('modstats.time.none') : req.t('modstats.time.hours', { value: formatNumber(value, req.locale, 1) })),
    });
  });
}
