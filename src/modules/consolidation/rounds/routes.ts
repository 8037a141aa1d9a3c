import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inArray } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { type FieldErrors, NotFoundError, ValidationError } from '../../../core/errors.js';
import { formatDateTime, handleForm, localiseParams } from '../../../core/forms.js';
import { field, fieldList, isBoosted, isHtmx, seeOther } from '../../../core/http.js';
import { responses, verdicts } from '../schema.js';
import { consultationBySlug, DEPARTMENT_EDITORS, ORGANISERS, syncResponses } from '../service.js';
import {
  ASSIGNMENTS_PAGE_SIZE,
  blocksFor,
  departmentsByIds,
  INBOX_PAGE_SIZE,
  inboxFilters,
  listDepartments,
  listRounds,
  loadAssignable,
  loadAssignment,
  loadInbox,
  loadOverdue,
  loadRound,
  loadRoundAssignments,
  loadTargets,
  OVERDUE_PAGE_SIZE,
  ownBlocks,
  pageParam,
  pages,
  parseInboxFilter,
  suggestDepartments,
  suggestionOf,
  type TargetLabel,
  type Unit,
  UNITS_PAGE_SIZE,
} from './queries.js';
import {
  ANSWER_MAX,
  AssignmentConflict,
  type AssignmentState,
  appendBlock,
  assignUnits,
  BLOCK_BODY_MAX,
  BLOCK_TITLE_MAX,
  type BlockInput,
  closeRound,
  createBlock,
  deleteBlock,
  formatDate,
  handOver,
  INSTRUCTIONS_MAX,
  LockedError,
  lockedReason,
  NOTE_MAX,
  openRound,
  ownBlock,
  type RoundInput,
  saveDraft,
  TITLE_MAX,
  updateBlock,
  withdrawAssignment,
} from './service.js';

const organisers = { config: { access: ORGANISERS } };
const editors = { config: { access: DEPARTMENT_EDITORS } };

function idParam(req: FastifyRequest, name = 'id'): number {
  const raw = field(req.params, name);
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

function slugParam(req: FastifyRequest): string {
  const raw = field(req.params, 'slug');
  if (!/^[a-z0-9][a-z0-9-]{0,119}$/.test(raw)) throw new NotFoundError();
  return raw;
}

const fragmentRequest = (req: FastifyRequest) => isHtmx(req) && !isBoosted(req);

export function roundsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;

  /** Helpers every page of this part uses to describe a unit and its target. */
  function helpers(req: FastifyRequest) {
    const t = req.t;
    return {
      formatDate: (d: Date) => formatDate(d, req.locale),
      formatDateTime: (d: Date) => formatDateTime(d, req.locale),
      unitLabel: (u: Unit) => {
        if (u.subject === 'group') return t('consolidation.rounds.unit.group', { title: u.groupTitle ?? '', count: u.groupMembers });
        const name = u.kind === 'statement' && u.receiptNumber ? t('consolidation.rounds.unit.statement', { number: u.receiptNumber }) : t('consolidation.rounds.unit.comment', { id: u.contributionId });
        return u.subject === 'section' ? t('consolidation.rounds.unit.section', { position: u.sectionPosition ?? '', of: name }) : name;
      },
      targetLabel: (l: TargetLabel) => {
        if (l.kind === 'consultation' || !l.key) return t('consolidation.rounds.target.consultation');
        const label = t(`consolidation.rounds.target.${l.kind}`, { code: l.code ?? l.key });
        return l.text ? `${label}: ${l.text}` : label;
      },
      submitterLabel: (u: Unit) => u.submitter ?? t('consolidation.rounds.unit.private'),
      statusLabel: (s: string) => t(`consolidation.assignmentStatus.${s}`),
      responseStatusLabel: (s: string) => t(`consolidation.responseStatus.${s}`),
      verdictLabel: (v: string | null) => t(v ? `consolidation.verdict.${v}` : 'consolidation.verdict.none'),
      verdicts,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Organiser: rounds of a consultation
  // ------------------------------------------------------------------------------------------

  function readRound(body: unknown): RoundInput {
    return { title: field(body, 'title'), deadline: field(body, 'deadline'), instructions: field(body, 'instructions'), remindDaysBefore: field(body, 'remindDaysBefore') };
  }

  async function roundsData(req: FastifyRequest, slug: string) {
    const consultation = await consultationBySlug(db, slug);
    const rounds = await listRounds(db, consultation.id);
    return {
      ...helpers(req),
      title: req.t('consolidation.rounds.list.title', { consultation: consultation.title }),
      consultation,
      rounds,
      limits: { title: TITLE_MAX, instructions: INSTRUCTIONS_MAX },
    };
  }

  app.get('/organiser/consultations/:slug/rounds', organisers, async (req, reply) => {
    const data = await roundsData(req, slugParam(req));
    return reply.page('/consolidation/rounds/list', { ...data, values: { title: '', deadline: '', instructions: '', remindDaysBefore: '3' } });
  });

  app.post('/organiser/consultations/:slug/rounds', organisers, async (req, reply) => {
    const data = await roundsData(req, slugParam(req));
    const values = readRound(req.body);
    const result = await handleForm(reply, '/consolidation/rounds/list', { ...data, values }, () => openRound(ctx, req.user!, data.consultation.id, values));
    if (!result.ok) return;
    reply.flash('consolidation.rounds.flash.opened');
    return seeOther(reply, `/organiser/rounds/${result.value}`);
  });

  app.get('/organiser/consultations/:slug/rounds/overdue', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, slugParam(req));
    const page = pageParam(req.query);
    const overdue = await loadOverdue(db, { consultationId: consultation.id }, page);
    const targets = await loadTargets(db, overdue.rows.map((r) => r.unit));
    return reply.page('/consolidation/rounds/overdue', {
      ...helpers(req),
      title: req.t('consolidation.rounds.overdue.title', { consultation: consultation.title }),
      consultation,
      overdue,
      target: targets,
      page,
      pages: pages(overdue.total, OVERDUE_PAGE_SIZE),
    });
  });

  // ------------------------------------------------------------------------------------------
  // Organiser: one round
  // ------------------------------------------------------------------------------------------

  async function roundPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const id = idParam(req);
    const found = await loadRound(db, id);
    if (!found) throw new NotFoundError();
    const { round, consultation } = found;
    await syncResponses(db, consultation.id);
    const page = pageParam(req.query);
    const apage = pageParam(req.query, 'apage');
    const opage = pageParam(req.query, 'opage');
    const [units, assigned, overdue, departmentList] = await Promise.all([
      loadAssignable(db, consultation.id, round.id, page),
      loadRoundAssignments(db, round.id, apage),
      loadOverdue(db, { roundId: round.id }, opage),
      listDepartments(db),
    ]);
    const [suggestions, target] = await Promise.all([
      suggestDepartments(db, consultation.id, units.rows),
      loadTargets(db, [...units.rows, ...assigned.rows.map((r) => r.unit), ...overdue.rows.map((r) => r.unit)]),
    ]);
    const departmentName = new Map(departmentList.map((d) => [d.id, d.name]));
    const assignedNotice = field(req.query, 'assigned');
    const query = (change: Record<string, number>) => {
      const p = new URLSearchParams();
      const all = { page, apage, opage, ...change };
      for (const [k, v] of Object.entries(all)) if (v > 1) p.set(k, String(v));
      const s = p.toString();
      return s ? `?${s}` : '';
    };
    return reply.page(
      '/consolidation/rounds/round',
      {
        ...helpers(req),
        title: req.t('consolidation.rounds.round.title', { title: round.title }),
        round,
        consultation,
        units,
        unitPages: pages(units.total, UNITS_PAGE_SIZE),
        page,
        assigned,
        assignedPages: pages(assigned.total, ASSIGNMENTS_PAGE_SIZE),
        apage,
        overdue,
        overduePages: pages(overdue.total, OVERDUE_PAGE_SIZE),
        opage,
        query,
        departments: departmentList,
        suggestion: (u: Unit) => suggestionOf(suggestions, u),
        departmentName: (deptId: number | null) => (deptId === null ? null : (departmentName.get(deptId) ?? null)),
        target,
        overdueNow: round.status === 'open' && round.deadline.getTime() < Date.now(),
        notice: /^\d{1,4}$/.test(assignedNotice) ? { assigned: Number(assignedNotice), skipped: Number(field(req.query, 'skipped')) || 0 } : null,
        values: { units: [] as string[], dept: {} as Record<string, string>, note: '' },
        ...extra,
      },
      status,
    );
  }

  app.get('/organiser/rounds/:id', organisers, (req, reply) => roundPage(req, reply));

  app.post('/organiser/rounds/:id/assign', organisers, async (req, reply) => {
    const id = idParam(req);
    const found = await loadRound(db, id);
    if (!found) throw new NotFoundError();
    const body = req.body;
    const selected = [...new Set(fieldList(body, 'units').filter((v) => /^\d{1,9}$/.test(v)))];
    const dept: Record<string, string> = {};
    for (const unit of selected) dept[unit] = field(body, `dept-${unit}`);
    const note = field(body, 'note');
    const mode = field(body, 'mode') === 'suggested' ? 'suggested' : 'chosen';
    const values = { units: selected, dept, note };
    const again = (errors: FieldErrors, params: Record<string, Record<string, string | number | Date>> = {}) =>
      roundPage(req, reply, { values, errors, errorParams: localiseParams(params, req.locale) }, 422);

    let items: Array<{ responseId: number; departmentId: number }> = [];
    let unsuggested = 0;
    if (mode === 'suggested') {
      const ids = selected.map(Number);
      const targets = ids.length ? await db.select({ id: responses.id, targetKind: responses.targetKind, targetKey: responses.targetKey }).from(responses).where(inArray(responses.id, ids)) : [];
      const suggestions = await suggestDepartments(db, found.consultation.id, targets);
      for (const t of targets) {
        const s = suggestionOf(suggestions, t);
        if (s === null) unsuggested++;
        else items.push({ responseId: t.id, departmentId: s });
      }
      if (selected.length > 0 && items.length === 0) return again({ units: 'consolidation.rounds.errors.noSuggestion' });
    } else {
      const missing = selected.filter((u) => !/^\d{1,9}$/.test(dept[u] ?? ''));
      if (missing.length > 0) return again({ units: 'consolidation.rounds.errors.noDepartment' }, { units: { count: missing.length } });
      items = selected.map((u) => ({ responseId: Number(u), departmentId: Number(dept[u]) }));
    }
    try {
      const outcome = await assignUnits(ctx, req.user!, id, items, note);
      return seeOther(reply, `/organiser/rounds/${id}?assigned=${outcome.assigned}&skipped=${outcome.skipped + unsuggested}`);
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields, error.fieldParams);
      throw error;
    }
  });

  app.post('/organiser/rounds/:id/close', organisers, async (req, reply) => {
    const id = idParam(req);
    if (!(await loadRound(db, id))) throw new NotFoundError();
    await closeRound(ctx, req.user!, id);
    reply.flash('consolidation.rounds.flash.closed');
    return seeOther(reply, `/organiser/rounds/${id}`);
  });

  app.post('/organiser/assignments/:id/withdraw', organisers, async (req, reply) => {
    const id = idParam(req);
    const version = Number(field(req.body, 'version'));
    try {
      const { roundId } = await withdrawAssignment(ctx, req.user!, id, Number.isInteger(version) ? version : -1);
      reply.flash('consolidation.rounds.flash.withdrawn');
      return seeOther(reply, `/organiser/rounds/${roundId}#assignments`);
    } catch (error) {
      if (error instanceof AssignmentConflict && error.current) {
        const found = await loadAssignment(db, id);
        if (found) {
          req.params = { id: String(found.roundId) };
          return roundPage(req, reply, { conflict: req.t('consolidation.rounds.conflict.withdraw', { status: req.t(`consolidation.assignmentStatus.${error.current.status}`) }) }, 409);
        }
      }
      throw error;
    }
  });

  // ------------------------------------------------------------------------------------------
  // Department: inbox and items
  // ------------------------------------------------------------------------------------------

  app.get('/department/inbox', editors, async (req, reply) => {
    const user = req.user!;
    const filter = parseInboxFilter(req.query);
    const page = pageParam(req.query);
    const [inbox, mine] = await Promise.all([loadInbox(db, user.departmentIds, filter, page), departmentsByIds(db, user.departmentIds)]);
    const target = await loadTargets(db, inbox.rows.map((r) => r.unit));
    const q = (status: string, p = 1) => {
      const s = new URLSearchParams();
      if (status !== 'open') s.set('status', status);
      if (p > 1) s.set('page', String(p));
      const text = s.toString();
      return text ? `?${text}` : '';
    };
    return reply.page('/consolidation/rounds/inbox', {
      ...helpers(req),
      title: req.t('consolidation.rounds.inbox.title'),
      filter,
      filters: inboxFilters,
      inbox,
      mine,
      target,
      page,
      pages: pages(inbox.total, INBOX_PAGE_SIZE),
      q,
    });
  });

  async function ownItem(req: FastifyRequest) {
    const id = idParam(req);
    const a = await loadAssignment(db, id);
    // Another department's item does not exist for this editor.
    if (!a || !req.user!.departmentIds.includes(a.departmentId)) throw new NotFoundError();
    return a;
  }

  async function itemPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200, template = '/consolidation/rounds/item') {
    const a = await ownItem(req);
    const [targetOf, blocks, departmentList] = await Promise.all([loadTargets(db, [a.unit]), blocksFor(db, [a.departmentId]), listDepartments(db)]);
    const locked = lockedReason({ status: a.status, roundStatus: a.roundStatus, responseStatus: a.unit.responseStatus });
    return reply.page(
      template,
      {
        ...helpers(req),
        title: req.t('consolidation.rounds.item.title', { label: helpers(req).unitLabel(a.unit) }),
        a,
        target: targetOf(a.unit),
        blocks,
        otherDepartments: departmentList.filter((d) => d.id !== a.departmentId),
        locked,
        canHandOver: locked === null && a.status === 'open',
        answerMax: ANSWER_MAX,
        noteMax: NOTE_MAX,
        values: { draftAnswer: a.draftAnswer, proposedVerdict: a.proposedVerdict ?? '', block: '', handOverDepartment: '', handOverNote: '' },
        version: a.version,
        ...extra,
      },
      status,
    );
  }

  app.get('/department/assignments/:id', editors, (req, reply) => itemPage(req, reply));

  function readDraft(req: FastifyRequest) {
    const body = req.body;
    const version = Number(field(body, 'version'));
    return {
      version: Number.isInteger(version) ? version : -1,
      draftAnswer: field(body, 'draftAnswer'),
      proposedVerdict: field(body, 'proposedVerdict'),
      block: field(body, 'block'),
      handOverDepartment: field(body, 'handOverDepartment'),
      handOverNote: field(body, 'handOverNote'),
    };
  }

  function conflictData(req: FastifyRequest, current: AssignmentState | null) {
    if (!current) return {};
    return {
      conflict: {
        status: req.t(`consolidation.assignmentStatus.${current.status}`),
        draftAnswer: current.draftAnswer,
        proposedVerdict: current.proposedVerdict,
        who: current.draftedByName,
        when: current.draftedAt ? formatDateTime(current.draftedAt, req.locale) : null,
      },
      // The form keeps what was typed; saving again after reading the notice overwrites knowingly.
      version: current.version,
    };
  }

  app.post('/department/assignments/:id', editors, async (req, reply) => {
    const id = idParam(req);
    const input = readDraft(req);
    const intent = field(req.body, 'intent');
    if (intent !== 'save' && intent !== 'handIn') throw new NotFoundError();
    const values = { ...input, handOverDepartment: '', handOverNote: '' };
    try {
      await ownItem(req);
      await saveDraft(ctx, req.user!, id, { version: input.version, draftAnswer: input.draftAnswer, proposedVerdict: input.proposedVerdict, handIn: intent === 'handIn' });
    } catch (error) {
      if (error instanceof ValidationError) {
        return itemPage(req, reply, { values, errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale), version: input.version }, 422);
      }
      if (error instanceof AssignmentConflict) return itemPage(req, reply, { values, ...conflictData(req, error.current) }, 409);
      // Decided or closed meanwhile: the page is read-only now, but what was typed is shown to copy.
      if (error instanceof LockedError) return itemPage(req, reply, { unsaved: input.draftAnswer.trim() || null }, 409);
      throw error;
    }
    if (intent === 'handIn') {
      reply.flash('consolidation.rounds.flash.handedIn');
      return seeOther(reply, '/department/inbox');
    }
    reply.flash('consolidation.rounds.flash.saved');
    return seeOther(reply, `/department/assignments/${id}`);
  });

  // A text block appended to what was typed so far; nothing is saved. Without JavaScript the
  // page comes back with the form filled in, with htmx only the form.
  app.post('/department/assignments/:id/insert', editors, async (req, reply) => {
    const input = readDraft(req);
    const a = await ownItem(req);
    const blocks = await blocksFor(db, [a.departmentId]);
    const block = blocks.find((b) => String(b.id) === input.block);
    const template = fragmentRequest(req) ? '/consolidation/rounds/_draft-form' : '/consolidation/rounds/item';
    const values = { ...input, handOverDepartment: '', handOverNote: '' };
    if (!block) return itemPage(req, reply, { values, version: input.version, errors: { block: 'consolidation.rounds.errors.block' } }, 422, template);
    return itemPage(req, reply, { values: { ...values, draftAnswer: appendBlock(input.draftAnswer, block.body), block: '' }, version: input.version, inserted: block.title, asFragment: fragmentRequest(req) }, 200, template);
  });

  app.post('/department/assignments/:id/hand-over', editors, async (req, reply) => {
    const id = idParam(req);
    const input = readDraft(req);
    try {
      await ownItem(req);
      await handOver(ctx, req.user!, id, { version: input.version, departmentId: input.handOverDepartment, note: input.handOverNote });
    } catch (error) {
      const values = { draftAnswer: '', proposedVerdict: '', block: '', handOverDepartment: input.handOverDepartment, handOverNote: input.handOverNote };
      if (error instanceof ValidationError) {
        const a = await ownItem(req);
        return itemPage(req, reply, { values: { ...values, draftAnswer: a.draftAnswer, proposedVerdict: a.proposedVerdict ?? '' }, errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale), version: input.version }, 422);
      }
      if (error instanceof AssignmentConflict) return itemPage(req, reply, { ...conflictData(req, error.current) }, 409);
      throw error;
    }
    reply.flash('consolidation.rounds.flash.handedOver');
    return seeOther(reply, '/department/inbox');
  });

  // ------------------------------------------------------------------------------------------
  // Department: text blocks
  // ------------------------------------------------------------------------------------------

  function readBlock(body: unknown): BlockInput {
    return { departmentId: field(body, 'departmentId'), title: field(body, 'title'), body: field(body, 'body') };
  }

  async function blocksData(req: FastifyRequest) {
    const user = req.user!;
    const [blocks, mine] = await Promise.all([ownBlocks(db, user.departmentIds), departmentsByIds(db, user.departmentIds)]);
    return { ...helpers(req), title: req.t('consolidation.rounds.blocks.title'), blocks, mine, limits: { title: BLOCK_TITLE_MAX, body: BLOCK_BODY_MAX } };
  }

  app.get('/department/text-blocks', editors, async (req, reply) => {
    return reply.page('/consolidation/rounds/blocks', { ...(await blocksData(req)), values: { departmentId: '', title: '', body: '' } });
  });

  app.post('/department/text-blocks', editors, async (req, reply) => {
    const values = readBlock(req.body);
    const result = await handleForm(reply, '/consolidation/rounds/blocks', { ...(await blocksData(req)), values }, () => createBlock(ctx, req.user!, values));
    if (!result.ok) return;
    reply.flash('consolidation.rounds.flash.blockCreated');
    return seeOther(reply, `/department/text-blocks#block-${result.value}`);
  });

  app.get('/department/text-blocks/:id', editors, async (req, reply) => {
    const block = await ownBlock(db, idParam(req), req.user!.departmentIds);
    return reply.page('/consolidation/rounds/block-form', {
      ...(await blocksData(req)),
      title: req.t('consolidation.rounds.blocks.editTitle', { title: block.title }),
      block,
      values: { departmentId: String(block.departmentId), title: block.title, body: block.body },
    });
  });

  app.post('/department/text-blocks/:id', editors, async (req, reply) => {
    const id = idParam(req);
    const block = await ownBlock(db, id, req.user!.departmentIds);
    const values = readBlock(req.body);
    const data = { ...(await blocksData(req)), title: req.t('consolidation.rounds.blocks.editTitle', { title: block.title }), block, values };
    const result = await handleForm(reply, '/consolidation/rounds/block-form', data, () => updateBlock(ctx, req.user!, id, values));
    if (!result.ok) return;
    reply.flash('consolidation.rounds.flash.blockSaved');
    return seeOther(reply, `/department/text-blocks#block-${id}`);
  });

  app.post('/department/text-blocks/:id/delete', editors, async (req, reply) => {
    await deleteBlock(ctx, req.user!, idParam(req));
    reply.flash('consolidation.rounds.flash.blockDeleted');
    return seeOther(reply, '/department/text-blocks');
  });
}
