import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../core/context.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { formatDateTime, localiseParams } from '../../core/forms.js';
import { field, fieldList, isBoosted, isHtmx, seeOther } from '../../core/http.js';
import { csvRow } from '../participation/opendata/service.js';
import { findItem } from '../participation/comments/queries.js';
import { contributionChannels, contributionKinds } from '../participation/schema.js';
import { contributionLanguages } from '../participation/service.js';
import { loadConsultationContext } from '../plans/queries.js';
import {
  ages,
  auditBatches,
  auditQuery,
  filterQuery,
  listConsultations,
  listModerators,
  loadAudit,
  loadFacets,
  loadItem,
  loadQueue,
  neighbours,
  parseAuditFilter,
  parseFilter,
  QUEUE_PAGE_SIZE,
  AUDIT_PAGE_SIZE,
  queueStatuses,
  type QueueFilter,
} from './queries.js';
import {
  allowedFrom,
  claim,
  type CurrentState,
  currentState,
  type Decision,
  decide,
  decideMany,
  decisionReasons,
  isDecision,
  ModerationConflict,
  netiquetteAnchor,
  publicPath,
} from './service.js';

const moderators = { config: { access: ['moderator', 'organiser', 'admin'] as const } };
const organisers = { config: { access: ['organiser', 'admin'] as const } };

/** Decisions after which the moderator goes on to the next item of the list. */
const moving: ReadonlySet<Decision> = new Set(['approve', 'reject', 'revise', 'hide', 'restore']);

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string);
}

function idParam(req: FastifyRequest): number {
  const raw = field(req.params, 'id');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

/** "vor 5 Minuten": how long ago, in the reader's language. */
export function ago(date: Date, locale: string, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(0, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

/** "seit 5 Minuten" reads best as a duration without "vor": minutes or hours, in words. */
function since(date: Date, locale: string): string {
  const minutes = Math.max(1, Math.round((Date.now() - date.getTime()) / 60_000));
  const unit = minutes < 120 ? { value: minutes, unit: 'minute' as const } : { value: Math.round(minutes / 60), unit: 'hour' as const };
  return new Intl.NumberFormat(locale, { style: 'unit', unit: unit.unit, unitDisplay: 'long' }).format(unit.value);
}

export function moderationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;
  const languageNames = new Map(contributionLanguages.map((l) => [l.tag, l.name]));

  const knownReasons = new Set<string>([...decisionReasons, 'other', 'reported']);
  const knownStatuses = new Set<string>([...queueStatuses, 'unconfirmed']);

  function common(req: FastifyRequest) {
    return {
      /** `<option>` of a filter with its count, "Wartend (12)"; escaped here. */
      option: (value: string | number, label: string, n: number, selected: boolean) =>
        `<option value="${escapeHtml(String(value))}"${selected ? ' selected' : ''}>${escapeHtml(req.t('moderation.filter.option', { label, count: n }))}</option>`,
      formatDateTime,
      reasonLabel: (reason: string) => (knownReasons.has(reason) ? req.t(`moderation.reason.${reason}`) : reason),
      actionLabel: (action: string) => {
        const verb = action.replace(/^moderation\./, '');
        return isDecision(verb) ? req.t(`moderation.action.${verb}`) : req.t('moderation.action.other', { action });
      },
      statusLabel: (status: string) => (knownStatuses.has(status) ? req.t(`moderation.status.${status}`) : status),
      ago: (d: Date) => ago(d, req.locale),
      languageName: (tag: string) => languageNames.get(tag) ?? tag,
      canAudit: req.user !== null && (req.user.roles.has('organiser') || req.user.roles.has('admin')),
    };
  }

  async function queueData(req: FastifyRequest, filter: QueueFilter) {
    const now = new Date();
    const me = req.user?.id ?? '';
    const [queue, facets] = await Promise.all([loadQueue(db, filter, me, now), loadFacets(db, filter, now)]);
    const pages = Math.max(1, Math.ceil(queue.total / QUEUE_PAGE_SIZE));
    return {
      ...common(req),
      title: req.t('moderation.title'),
      filter,
      query: filterQuery(filter, { page: 1 }),
      pageQuery: (page: number) => filterQuery(filter, { page }),
      itemQuery: filterQuery(filter, { page: 1 }),
      queue,
      facets,
      pages,
      statuses: queueStatuses,
      kinds: contributionKinds,
      channels: contributionChannels,
      ages,
      reasons: decisionReasons,
    };
  }

  /** The bulk result named in the address after a bulk decision (PRG keeps the numbers). */
  async function bulkNotice(req: FastifyRequest) {
    const decision = field(req.query, 'bulk');
    if (decision !== 'approve' && decision !== 'reject') return null;
    const done = Number(field(req.query, 'done')) || 0;
    const taken = field(req.query, 'taken')
      .split('.')
      .filter((x) => /^\d{1,9}$/.test(x))
      .slice(0, QUEUE_PAGE_SIZE)
      .map(Number);
    const states = await Promise.all(taken.map((id) => currentState(db, id)));
    return { decision, done, taken: states.filter((s): s is CurrentState => s !== null).map((s) => ({ id: s.id, state: conflictText(req, s) })) };
  }

  app.get('/moderation', moderators, async (req, reply) => {
    const filter = parseFilter(req.query);
    const data = { ...(await queueData(req, filter)), bulk: await bulkNotice(req) };
    if (isHtmx(req) && !isBoosted(req)) {
      // The address bar shows the filter as a link would write it, not every empty field.
      return reply.header('vary', 'HX-Request, HX-Boosted').header('hx-push-url', `/moderation${filterQuery(filter)}`).fragment('/moderation/_queue', data);
    }
    return reply.page('/moderation/queue', data);
  });

  app.post('/moderation/bulk', moderators, async (req, reply) => {
    const filter = parseFilter(req.query);
    const decision = field(req.body, 'decision');
    const items = fieldList(req.body, 'items')
      .map((v) => /^(\d{1,9}):(\d{1,9})$/.exec(v))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ id: Number(m[1]), version: Number(m[2]) }))
      .slice(0, 200);
    const reason = field(req.body, 'reason');
    const again = async (errors: Record<string, string>) =>
      reply.page('/moderation/queue', { ...(await queueData(req, filter)), bulk: null, errors, values: { reason, items: items.map((i) => `${i.id}:${i.version}`) } }, 422);
    if (decision !== 'approve' && decision !== 'reject') throw new NotFoundError();
    if (items.length === 0) return again({ items: 'moderation.bulk.none' });
    if (!req.user) throw new NotFoundError();
    try {
      const outcome = await decideMany(ctx, req.user, items, { decision, reason });
      const back = new URLSearchParams(filterQuery(filter).slice(1));
      back.set('bulk', decision);
      back.set('done', String(outcome.done.length));
      if (outcome.taken.length) back.set('taken', outcome.taken.join('.'));
      return seeOther(reply, `/moderation?${back.toString()}`);
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields);
      throw error;
    }
  });

  function conflictText(req: FastifyRequest, state: CurrentState): string {
    const status = req.t(`moderation.status.${state.status}`);
    if (!state.moderatedAt) return req.t('moderation.conflict.stateNoDate', { status });
    return req.t('moderation.conflict.state', {
      name: state.moderatorName || req.t('moderation.conflict.someone'),
      date: formatDateTime(state.moderatedAt, req.locale),
      action: req.t(`moderation.action.${lastAction(state.status)}`),
      status,
    });
  }

  /** The decision that leads to a status, for "Bereits … freigegeben". */
  function lastAction(status: string): string {
    return { published: 'approve', rejected: 'reject', revision_requested: 'revise', hidden: 'hide' }[status] ?? 'keep';
  }

  async function itemPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const id = idParam(req);
    const filter = parseFilter(req.query);
    const item = await loadItem(db, id);
    if (!item) throw new NotFoundError();
    const r = item.contribution;
    const [nav, context] = await Promise.all([neighbours(db, filter, { id: r.id, createdAt: r.createdAt }), loadConsultationContext(db, item.consultationSlug)]);
    const target = r.targetKind !== 'consultation' && r.targetKey && context ? await findItem(db, r.targetKind, r.targetKey, context.versions) : null;
    const query = filterQuery(filter, { page: 1 });
    const kindLabel = req.t(`moderation.kind.${r.parentId ? 'reply' : r.kind}`);
    const heading = req.t('moderation.item.title', { kind: kindLabel, id: r.id });
    const can = (d: Decision) => allowedFrom(d, r.status);
    return reply.page(
      '/moderation/item',
      {
        ...common(req),
        title: heading,
        heading,
        item,
        c: r,
        target,
        itemUrl: `/moderation/contributions/${r.id}${query}`,
        query,
        listUrl: `/moderation${query}`,
        prevUrl: nav.prev ? `/moderation/contributions/${nav.prev}${query}` : null,
        nextUrl: nav.next ? `/moderation/contributions/${nav.next}${query}` : null,
        publicUrl: r.status === 'published' ? publicPath(r, item.consultationSlug) : null,
        itemPath: r.targetKind === 'consultation' || !r.targetKey ? `/consultations/${encodeURIComponent(item.consultationSlug)}` : `/consultations/${encodeURIComponent(item.consultationSlug)}/${r.targetKind}s/${encodeURIComponent(r.targetKey)}`,
        claimSince: r.claimedAt ? since(r.claimedAt, req.locale) : null,
        claimedByMe: r.claimedBy !== null && r.claimedBy === req.user?.id,
        can,
        anyDecision: (['approve', 'reject', 'revise', 'hide', 'restore', 'resolve', 'keep'] as const).some(can),
        hasOpenReports: item.reports.some((x) => x.resolvedAt === null),
        reasons: decisionReasons,
        anchor: netiquetteAnchor,
        values: { text: r.redactedBody ?? r.body },
        ...extra,
      },
      status,
    );
  }

  app.get('/moderation/contributions/:id', moderators, (req, reply) => itemPage(req, reply));

  app.post('/moderation/contributions/:id', moderators, async (req, reply) => {
    const id = idParam(req);
    if (!req.user) throw new NotFoundError();
    const raw = field(req.body, 'decision');
    if (!isDecision(raw)) throw new NotFoundError();
    const decision = raw;
    const version = Number(field(req.body, 'version'));
    // Each form names its fields after itself (two notes on one page need two ids).
    const prefix = decision === 'reject' || decision === 'hide' || decision === 'revise' ? decision : '';
    const named = (name: string) => (prefix ? `${prefix}${name[0]?.toUpperCase()}${name.slice(1)}` : name);
    const input = {
      decision,
      version: Number.isInteger(version) ? version : -1,
      reason: field(req.body, named('reason')),
      note: field(req.body, named('note')),
      text: field(req.body, 'text'),
      keep: decision === 'keep' ? field(req.body, 'keep') === 'yes' : decision === 'reject' ? field(req.body, 'rejectKeep') === 'yes' : undefined,
    };
    const filter = parseFilter(req.query);
    const query = filterQuery(filter, { page: 1 });
    try {
      await decide(ctx, req.user, id, input);
    } catch (error) {
      if (error instanceof ValidationError) {
        const errors = Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k === 'text' ? k : named(k), v]));
        const values: Record<string, unknown> = { text: input.text, [named('reason')]: input.reason, [named('note')]: input.note, rejectKeep: input.keep === true };
        return itemPage(req, reply, { errors, errorParams: localiseParams(error.fieldParams, req.locale), values, attempted: decision }, 422);
      }
      if (error instanceof ModerationConflict && error.current) {
        return itemPage(req, reply, { conflict: conflictText(req, error.current), attempted: decision }, 409);
      }
      throw error;
    }
    if (!moving.has(decision)) {
      reply.flash(`moderation.flash.${decision}`);
      return seeOther(reply, `/moderation/contributions/${id}${query}`);
    }
    // On to the next item of the same list: the one just decided usually left it.
    const item = await loadItem(db, id);
    const nav = item ? await neighbours(db, filter, { id, createdAt: item.contribution.createdAt }) : { next: null };
    reply.flash(nav.next ? `moderation.flash.${decision}` : `moderation.flash.${decision}Last`);
    return seeOther(reply, nav.next ? `/moderation/contributions/${nav.next}${query}` : `/moderation${query}`);
  });

  app.post('/moderation/contributions/:id/claim', moderators, async (req, reply) => {
    const id = idParam(req);
    if (!req.user) throw new NotFoundError();
    const release = field(req.body, 'release') === 'yes';
    if (!(await claim(ctx, req.user, id, release)) && !release) throw new NotFoundError();
    reply.flash(release ? 'moderation.flash.release' : 'moderation.flash.claim');
    return seeOther(reply, `/moderation/contributions/${id}${filterQuery(parseFilter(req.query), { page: 1 })}`);
  });

  // ------------------------------------------------------------------------------------------
  // The audit trail of moderation, for the participation office.
  // ------------------------------------------------------------------------------------------

  app.get('/moderation/audit', organisers, async (req, reply) => {
    const filter = parseAuditFilter(req.query);
    const [audit, moderatorList, consultationList] = await Promise.all([loadAudit(db, filter), listModerators(db), listConsultations(db)]);
    return reply.page('/moderation/audit', {
      ...common(req),
      title: req.t('moderation.audit.title'),
      filter,
      audit,
      pages: Math.max(1, Math.ceil(audit.total / AUDIT_PAGE_SIZE)),
      pageQuery: (page: number) => auditQuery(filter, { page }),
      csvUrl: `/moderation/audit.csv${auditQuery(filter, { page: 1 })}`,
      moderators: moderatorList,
      consultations: consultationList,
    });
  });

  app.get('/moderation/audit.csv', organisers, async (req, reply) => {
    const filter = parseAuditFilter(req.query);
    const t = req.t;
    const header = ['time', 'moderator', 'action', 'contribution_id', 'consultation', 'reason', 'status_before', 'status_after', 'note'];
    async function* lines() {
      // Excel reads UTF-8 CSV correctly only with a byte order mark.
      yield `\uFEFF${csvRow(header)}`;
      for await (const batch of auditBatches(db, filter)) {
        yield batch
          .map((r) =>
            csvRow([
              r.createdAt.toISOString(),
              r.actorName ?? t('moderation.item.system'),
              r.action,
              r.contributionId,
              r.consultationSlug,
              r.reason,
              r.statusBefore,
              r.statusAfter,
              r.note?.replace(/[^\s<>"']+@[^\s<>"']+/g, '[…]') ?? null,
            ]),
          )
          .join('');
      }
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="moderation-protokoll.csv"')
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(Readable.from(lines()));
  });
}
