import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import { formatDateTime, localiseParams } from '../../../core/forms.js';
import { field, seeOther } from '../../../core/http.js';
import { contributionLanguages } from '../../participation/service.js';
import { consultations } from '../../plans/schema.js';
import { responseStatuses, verdicts } from '../schema.js';
import { consultationBySlug, loadSettings, ORGANISERS, syncResponses } from '../service.js';
import {
  departmentsOf,
  loadChangeVersions,
  loadDepartmentProgress,
  loadFieldProgress,
  loadPlanStructure,
  loadProgress,
  loadUnit,
  loadUnitDetails,
  loadUnitHistory,
  loadUnits,
  parseUnitFilter,
  type PlanStructure,
  unitChannels,
  unitFilterQuery,
  unitNumber,
  UNITS_PER_PAGE,
} from './queries.js';
import {
  ANSWER_MAX_LENGTH,
  approveUnit,
  NothingToPublishError,
  NOTE_MAX_LENGTH,
  publishAnswers,
  reopenUnit,
  ResponseConflict,
  type ResponseState,
  SameApproverError,
  saveUnit,
  type UnitInput,
  updateSettings,
} from './service.js';
import { eq } from 'drizzle-orm';

const organisers = { config: { access: ORGANISERS } };
const languageNames = new Map(contributionLanguages.map((l) => [l.tag, l.name]));

function idParam(req: FastifyRequest): number {
  const raw = field(req.params, 'id');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

export function reviewRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;
  const base = (slug: string) => `/organiser/consultations/${encodeURIComponent(slug)}`;

  /** "Maßnahme 3.1.2" for a target, or "the whole plan". */
  function targetLabel(req: FastifyRequest, plan: PlanStructure, kind: string, key: string | null): string {
    if (kind === 'consultation' || key === null) return req.t('consolidation.review.target.consultation');
    const item = plan.item(kind, key);
    return req.t(`consolidation.review.target.${kind}`, { code: item?.code ?? key });
  }

  // ------------------------------------------------------------------------------------------
  // The overview: progress and the list of units.
  // ------------------------------------------------------------------------------------------

  app.get('/organiser/consultations/:slug/consolidation', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    await syncResponses(db, consultation.id);
    const filter = parseUnitFilter(req.query);
    const plan = await loadPlanStructure(db, consultation.id);
    const [progress, byField, byDepartment, departmentList, units, settings] = await Promise.all([
      loadProgress(db, consultation.id),
      loadFieldProgress(db, consultation.id, plan),
      loadDepartmentProgress(db, consultation.id),
      departmentsOf(db, consultation.id),
      loadUnits(db, consultation.id, filter, plan),
      loadSettings(db, consultation.id),
    ]);
    const pages = Math.max(1, Math.ceil(units.total / UNITS_PER_PAGE));
    const here = `${base(consultation.slug)}/consolidation`;
    return reply.page('/consolidation/review/overview', {
      title: `${req.t('consolidation.review.overview.title')} – ${consultation.title}`,
      consultation,
      progress,
      percent: progress.total ? Math.round((progress.approved / progress.total) * 100) : 0,
      byField,
      byDepartment,
      departments: departmentList,
      plan,
      units,
      filter,
      pages,
      here,
      pageUrl: (page: number) => `${here}${unitFilterQuery(filter, { page })}`,
      prevUrl: filter.page > 1 ? `${here}${unitFilterQuery(filter, { page: filter.page - 1 })}` : null,
      nextUrl: filter.page < pages ? `${here}${unitFilterQuery(filter, { page: filter.page + 1 })}` : null,
      filtered: unitFilterQuery(filter, { page: 1 }) !== '',
      settings,
      statuses: responseStatuses,
      verdicts,
      channels: unitChannels,
      links: {
        sorting: `${base(consultation.slug)}/sorting`,
        rounds: `${base(consultation.slug)}/rounds`,
        reports: `${base(consultation.slug)}/reports`,
        publish: `${here}/publish`,
        settings: `${here}/settings`,
      },
      targetLabel: (kind: string, key: string | null) => targetLabel(req, plan, kind, key),
      formatDateTime,
    });
  });

  app.post('/organiser/consultations/:slug/consolidation/settings', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    if (!req.user) throw new NotFoundError();
    await updateSettings(ctx, req.user, consultation.id, field(req.body, 'requireSecondApproval') === 'yes');
    reply.flash('consolidation.review.flash.settings');
    return seeOther(reply, `${base(consultation.slug)}/consolidation`);
  });

  // ------------------------------------------------------------------------------------------
  // Publishing the answers, after a confirmation.
  // ------------------------------------------------------------------------------------------

  async function publishPage(req: FastifyRequest, reply: FastifyReply, status = 200, extra: Record<string, unknown> = {}) {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    await syncResponses(db, consultation.id);
    const [progress, settings] = await Promise.all([loadProgress(db, consultation.id), loadSettings(db, consultation.id)]);
    return reply.page(
      '/consolidation/review/publish',
      {
        title: `${req.t('consolidation.review.publish.title')} – ${consultation.title}`,
        consultation,
        progress,
        settings,
        overviewUrl: `${base(consultation.slug)}/consolidation`,
        action: `${base(consultation.slug)}/consolidation/publish`,
        formatDateTime,
        ...extra,
      },
      status,
    );
  }

  app.get('/organiser/consultations/:slug/consolidation/publish', organisers, (req, reply) => publishPage(req, reply));

  app.post('/organiser/consultations/:slug/consolidation/publish', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    if (!req.user) throw new NotFoundError();
    if (field(req.body, 'confirm') !== 'yes') return publishPage(req, reply, 422, { errors: { confirm: 'consolidation.review.publish.confirmRequired' } });
    try {
      await syncResponses(db, consultation.id);
      await publishAnswers(ctx, req.user, consultation.id);
    } catch (error) {
      if (error instanceof NothingToPublishError) return publishPage(req, reply, 409, { errors: { form: 'consolidation.review.publish.nothing' } });
      throw error;
    }
    reply.flash('consolidation.review.flash.published');
    return seeOther(reply, `${base(consultation.slug)}/consolidation`);
  });

  // ------------------------------------------------------------------------------------------
  // One unit: the text, the departments' drafts, the form and the steps.
  // ------------------------------------------------------------------------------------------

  function conflictText(req: FastifyRequest, state: ResponseState): string {
    const status = req.t(`consolidation.responseStatus.${state.status}`);
    const action = state.lastAction?.startsWith('consolidation.response.') ? state.lastAction.slice('consolidation.response.'.length) : null;
    return req.t('consolidation.review.conflict.state', {
      name: state.lastActor || req.t('consolidation.review.conflict.someone'),
      action: req.t(`consolidation.review.action.${action && ['save', 'decide', 'approve', 'reopen'].includes(action) ? action : 'other'}`),
      date: state.lastAt ? formatDateTime(state.lastAt, req.locale) : '',
      status,
      verdict: state.verdict ? req.t(`consolidation.verdict.${state.verdict}`) : req.t('consolidation.verdict.none'),
    });
  }

  async function unitPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const id = idParam(req);
    const unit = await loadUnit(db, id);
    if (!unit) throw new NotFoundError();
    const r = unit.response;
    const [details, plan, changeVersions, settings, history, [consultation]] = await Promise.all([
      loadUnitDetails(db, unit),
      loadPlanStructure(db, r.consultationId),
      loadChangeVersions(db, r.consultationId, unit.contribution.planVersionId),
      loadSettings(db, r.consultationId),
      loadUnitHistory(db, id),
      db.select().from(consultations).where(eq(consultations.id, r.consultationId)),
    ]);
    if (!consultation) throw new NotFoundError();
    const number = unitNumber(unit.contribution, unit.section?.position);
    const heading = req.t(`consolidation.review.unit.heading.${unit.group ? 'group' : unit.section ? 'section' : 'contribution'}`, { number });
    const stored = {
      answer: r.answer,
      verdict: r.verdict ?? '',
      translation: r.translation ?? '',
      internalNote: r.internalNote,
      change: r.changeVersionId && r.changeTargetKind && r.changeTargetKey ? `${r.changeVersionId}|${r.changeTargetKind}|${r.changeTargetKey}` : '',
      changeNote: r.changeNote,
    };
    const locked = r.status === 'decided' || r.status === 'approved';
    const me = req.user?.id ?? '';
    return reply.page(
      '/consolidation/review/unit',
      {
        title: `${heading} – ${consultation.title}`,
        heading,
        consultation,
        unit,
        r,
        number,
        details,
        changeVersions,
        settings,
        history,
        locked,
        canApprove: r.status === 'decided',
        ownDecision: settings.requireSecondApproval && r.decidedBy === me,
        target: targetLabel(req, plan, r.targetKind, r.targetKey),
        targetItem: plan.item(r.targetKind, r.targetKey),
        overviewUrl: `${base(consultation.slug)}/consolidation`,
        sortUrl: `/organiser/consolidation/contributions/${unit.contribution.id}`,
        action: `/organiser/consolidation/responses/${id}`,
        languageName: (tag: string) => languageNames.get(tag) ?? tag,
        isGerman: unit.contribution.language.split('-')[0] === 'de',
        verdicts,
        answerMax: ANSWER_MAX_LENGTH,
        noteMax: NOTE_MAX_LENGTH,
        formatDateTime,
        values: stored,
        version: r.version,
        ...extra,
      },
      status,
    );
  }

  app.get('/organiser/consolidation/responses/:id', organisers, (req, reply) => unitPage(req, reply));

  app.post('/organiser/consolidation/responses/:id', organisers, async (req, reply) => {
    const id = idParam(req);
    if (!req.user) throw new NotFoundError();
    const action = field(req.body, 'action');
    const versionRaw = field(req.body, 'version');
    const version = /^\d{1,9}$/.test(versionRaw) ? Number(versionRaw) : -1;
    const input: UnitInput = {
      version,
      answer: field(req.body, 'answer'),
      verdict: field(req.body, 'verdict'),
      translation: field(req.body, 'translation'),
      internalNote: field(req.body, 'internalNote'),
      change: field(req.body, 'change'),
      changeNote: field(req.body, 'changeNote'),
    };
    const typed = { answer: input.answer, verdict: input.verdict, translation: input.translation, internalNote: input.internalNote, change: input.change, changeNote: input.changeNote };
    const here = `/organiser/consolidation/responses/${id}`;

    // "Take over this draft": the form again, the department's answer and Votum filled in, the
    // rest as typed. Nothing is stored until the organiser saves or decides.
    const takeOver = /^takeover:(\d{1,9})$/.exec(action);
    if (takeOver) {
      const unit = await loadUnit(db, id);
      if (!unit) throw new NotFoundError();
      const { drafts } = await loadUnitDetails(db, unit);
      const draft = drafts.find((d) => d.id === Number(takeOver[1]));
      if (!draft) throw new NotFoundError();
      return unitPage(req, reply, {
        values: { ...typed, answer: draft.draftAnswer, verdict: draft.proposedVerdict ?? typed.verdict },
        version,
        takenOver: draft.departmentName,
      });
    }

    try {
      if (action === 'save' || action === 'decide') {
        const status = await saveUnit(ctx, req.user, id, input, action);
        reply.flash(action === 'save' ? 'consolidation.review.flash.saved' : status === 'approved' ? 'consolidation.review.flash.decidedApproved' : 'consolidation.review.flash.decided');
      } else if (action === 'approve') {
        await approveUnit(ctx, req.user, id, version);
        reply.flash('consolidation.review.flash.approved');
      } else if (action === 'reopen') {
        await reopenUnit(ctx, req.user, id, version, field(req.body, 'reason'));
        reply.flash('consolidation.review.flash.reopened');
      } else {
        throw new NotFoundError();
      }
    } catch (error) {
      if (error instanceof ValidationError) {
        return unitPage(req, reply, { values: typed, version, reason: field(req.body, 'reason'), attempted: action, errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale) }, 422);
      }
      if (error instanceof ResponseConflict) {
        return unitPage(req, reply, { values: typed, reason: field(req.body, 'reason'), conflict: conflictText(req, error.current), current: error.current, attempted: action }, 409);
      }
      if (error instanceof SameApproverError) {
        return unitPage(req, reply, { refusal: 'consolidation.review.errors.sameApprover' }, 403);
      }
      throw error;
    }
    return seeOther(reply, here);
  });
}
