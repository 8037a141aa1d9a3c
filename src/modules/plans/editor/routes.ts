import { handleForm } from '../../../core/forms.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { DomainError, NotFoundError } from '../../../core/errors.js';
import { field, fieldList, isBoosted, isHtmx, seeOther } from '../../../core/http.js';
import { phaseKinds } from '../schema.js';
import { isAuditSubject, loadHistory } from './audit.js';
import { parseId } from './forms.js';
import {
  type AnyItem,
  createItem,
  deleteItem,
  deletionCounts,
  emptyItemForm,
  findItem,
  type ItemForm,
  type ItemKind,
  itemFormOf,
  itemKinds,
  itemLabel,
  kindSegments,
  listDepartmentsAndCommittees,
  loadOutline,
  moveItem,
  suggestCode,
  updateItem,
} from './items.js';
import {
  adoptVersion,
  type ConsultationForm,
  consultationFormOf,
  createConsultation,
  createPhase,
  createVersion,
  deletePhase,
  findDraft,
  getConsultation,
  getPhase,
  getVersion,
  listAllConsultations,
  newestVersion,
  type Phase,
  type PhaseForm,
  type PlanVersion,
  publishVersion,
  renameVersion,
  updateConsultation,
  updatePhase,
} from './service.js';
import { formatDateTime, toBerlinInputs } from './time.js';

const organisers = { access: ['organiser', 'admin'] as const };

function idParam(params: unknown, name: string): number {
  const id = parseId(field(params, name));
  if (id === null) throw new NotFoundError();
  return id;
}

function readConsultationForm(body: unknown): ConsultationForm {
  return {
    slug: field(body, 'slug'),
    title: field(body, 'title'),
    summary: field(body, 'summary'),
    paperReference: field(body, 'paperReference'),
    relatedPapers: field(body, 'relatedPapers'),
    contact: field(body, 'contact'),
    status: field(body, 'status'),
  };
}

function readPhaseForm(body: unknown): PhaseForm {
  return {
    kind: field(body, 'kind'),
    title: field(body, 'title'),
    description: field(body, 'description'),
    opensDate: field(body, 'opensDate'),
    opensTime: field(body, 'opensTime'),
    closesDate: field(body, 'closesDate'),
    closesTime: field(body, 'closesTime'),
    channels: fieldList(body, 'channels'),
    moderationMode: field(body, 'moderationMode'),
  };
}

function phaseFormOf(p: Phase): PhaseForm {
  const opens = toBerlinInputs(p.opensAt);
  const closes = toBerlinInputs(p.closesAt);
  return {
    kind: p.kind,
    title: p.title,
    description: p.description,
    opensDate: opens.date,
    opensTime: opens.time,
    closesDate: closes.date,
    closesTime: closes.time,
    channels: p.channels,
    moderationMode: p.moderationMode,
  };
}

function readItemForm(body: unknown): ItemForm {
  return {
    principleKind: field(body, 'principleKind'),
    code: field(body, 'code'),
    key: field(body, 'key'),
    title: field(body, 'title'),
    text: field(body, 'text'),
    source: field(body, 'source'),
    description: field(body, 'description'),
    timeframe: field(body, 'timeframe'),
    relatedPapers: field(body, 'relatedPapers'),
    isExample: field(body, 'isExample') !== '',
    lead: fieldList(body, 'lead'),
    support: fieldList(body, 'support'),
    committees: fieldList(body, 'committees'),
    parentId: field(body, 'parentId'),
  };
}

/** Forms and confirmation pages of a published or adopted version answer like its writes do. */
function requireDraft(version: PlanVersion): void {
  if (version.status !== 'draft') throw new DomainError(409, 'plans.errors.versionReadOnly');
}

/**
 * The move buttons ask htmx to take the outline (hx-select) from the page they are redirected
 * to. A refusal (409 on a version published meanwhile, 404 on an item deleted meanwhile) comes
 * back as the message fragment for #messages instead, which holds no outline: select the notice.
 */
function reselectNotice(req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  if (reply.statusCode >= 400 && isHtmx(req) && !isBoosted(req)) reply.header('hx-reselect', '.notice');
  done(null, payload);
}

const itemUrl = (versionId: number, kind: ItemKind, id: number, action: string) => `/organiser/versions/${versionId}/${kindSegments[kind]}/${id}/${action}`;
const anchor = (kind: ItemKind, id: number) => `${kind}-${id}`;

export function editorRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/organiser', { config: organisers }, (_req, reply) => seeOther(reply, '/organiser/consultations'));

  // Consultations ------------------------------------------------------------------------------

  app.get('/organiser/consultations', { config: organisers }, async (_req, reply) => {
    return reply.page('/editor/consultations', { consultations: await listAllConsultations(ctx.db), formatDateTime });
  });

  const consultationForm = (reply: FastifyReply, data: Record<string, unknown>, status = 200) => reply.page('/editor/consultation-form', data, status);

  app.get('/organiser/consultations/new', { config: organisers }, (_req, reply) =>
    consultationForm(reply, { mode: 'new', action: '/organiser/consultations/new', values: { ...readConsultationForm({}), status: 'draft' } }),
  );

  app.post('/organiser/consultations/new', { config: organisers }, async (req, reply) => {
    const values = readConsultationForm(req.body);
    const result = await handleForm(reply, '/editor/consultation-form', { mode: 'new', action: '/organiser/consultations/new', values }, () =>
      createConsultation(ctx, req.user!.id, values),
    );
    if (!result.ok) return;
    reply.flash('editor.flash.consultationCreated');
    return seeOther(reply, `/organiser/consultations/${result.value}`);
  });

  app.get('/organiser/consultations/:consultationId', { config: organisers }, async (req, reply) => {
    const data = await getConsultation(ctx.db, idParam(req.params, 'consultationId'));
    return reply.page('/editor/consultation', { ...data, formatDateTime });
  });

  app.get('/organiser/consultations/:consultationId/edit', { config: organisers }, async (req, reply) => {
    const { consultation } = await getConsultation(ctx.db, idParam(req.params, 'consultationId'));
    return consultationForm(reply, { mode: 'edit', consultation, action: `/organiser/consultations/${consultation.id}/edit`, values: consultationFormOf(consultation) });
  });

  app.post('/organiser/consultations/:consultationId/edit', { config: organisers }, async (req, reply) => {
    const { consultation } = await getConsultation(ctx.db, idParam(req.params, 'consultationId'));
    const values = readConsultationForm(req.body);
    const action = `/organiser/consultations/${consultation.id}/edit`;
    const result = await handleForm(reply, '/editor/consultation-form', { mode: 'edit', consultation, action, values }, () =>
      updateConsultation(ctx, req.user!.id, consultation.id, values),
    );
    if (!result.ok) return;
    reply.flash('editor.flash.saved');
    return seeOther(reply, `/organiser/consultations/${consultation.id}`);
  });

  // Phases -------------------------------------------------------------------------------------

  app.get('/organiser/consultations/:consultationId/phases/new', { config: organisers }, async (req, reply) => {
    const { consultation, phases } = await getConsultation(ctx.db, idParam(req.params, 'consultationId'));
    const last = phases.at(-1);
    const nextKind = last ? (phaseKinds[phaseKinds.indexOf(last.kind) + 1] ?? last.kind) : phaseKinds[0];
    const values: PhaseForm = { ...readPhaseForm({}), kind: nextKind, opensTime: '00:00', closesTime: '23:59', moderationMode: 'post' };
    return reply.page('/editor/phase-form', { mode: 'new', consultation, action: `/organiser/consultations/${consultation.id}/phases/new`, values });
  });

  app.post('/organiser/consultations/:consultationId/phases/new', { config: organisers }, async (req, reply) => {
    const { consultation } = await getConsultation(ctx.db, idParam(req.params, 'consultationId'));
    const values = readPhaseForm(req.body);
    const action = `/organiser/consultations/${consultation.id}/phases/new`;
    const result = await handleForm(reply, '/editor/phase-form', { mode: 'new', consultation, action, values }, () =>
      createPhase(ctx, req.user!.id, consultation.id, values),
    );
    if (!result.ok) return;
    reply.flash('editor.flash.phaseCreated');
    return seeOther(reply, `/organiser/consultations/${consultation.id}#phase-${result.value}`);
  });

  async function phaseContext(phaseId: number) {
    const phase = await getPhase(ctx.db, phaseId);
    const { consultation } = await getConsultation(ctx.db, phase.consultationId);
    return { phase, consultation };
  }

  app.get('/organiser/phases/:phaseId/edit', { config: organisers }, async (req, reply) => {
    const { phase, consultation } = await phaseContext(idParam(req.params, 'phaseId'));
    return reply.page('/editor/phase-form', { mode: 'edit', phase, consultation, action: `/organiser/phases/${phase.id}/edit`, values: phaseFormOf(phase) });
  });

  app.post('/organiser/phases/:phaseId/edit', { config: organisers }, async (req, reply) => {
    const { phase, consultation } = await phaseContext(idParam(req.params, 'phaseId'));
    const values = readPhaseForm(req.body);
    const result = await handleForm(reply, '/editor/phase-form', { mode: 'edit', phase, consultation, action: `/organiser/phases/${phase.id}/edit`, values }, () =>
      updatePhase(ctx, req.user!.id, phase.id, values),
    );
    if (!result.ok) return;
    reply.flash('editor.flash.saved');
    return seeOther(reply, `/organiser/consultations/${consultation.id}#phase-${phase.id}`);
  });

  app.get('/organiser/phases/:phaseId/delete', { config: organisers }, async (req, reply) => {
    const { phase, consultation } = await phaseContext(idParam(req.params, 'phaseId'));
    return reply.page('/editor/phase-delete', { phase, consultation, formatDateTime });
  });

  app.post('/organiser/phases/:phaseId/delete', { config: organisers }, async (req, reply) => {
    const phase = await deletePhase(ctx, req.user!.id, idParam(req.params, 'phaseId'));
    reply.flash('editor.flash.phaseDeleted');
    return seeOther(reply, `/organiser/consultations/${phase.consultationId}#phases`);
  });

  // Versions -----------------------------------------------------------------------------------

  async function newVersionPage(reply: FastifyReply, consultationId: number, extra: Record<string, unknown> = {}, status = 200) {
    const { consultation, versions } = await getConsultation(ctx.db, consultationId);
    const [draft, source] = await Promise.all([findDraft(ctx.db, consultationId), newestVersion(ctx.db, consultationId)]);
    const label = reply.request.t('editor.versions.defaultLabel', { n: versions.length + 1 });
    return reply.page('/editor/version-new', { consultation, draft, source, values: { label }, ...extra }, status);
  }

  app.get('/organiser/consultations/:consultationId/versions/new', { config: organisers }, (req, reply) =>
    newVersionPage(reply, idParam(req.params, 'consultationId')),
  );

  app.post('/organiser/consultations/:consultationId/versions/new', { config: organisers }, async (req, reply) => {
    const consultationId = idParam(req.params, 'consultationId');
    const values = { label: field(req.body, 'label') };
    try {
      const { consultation } = await getConsultation(ctx.db, consultationId);
      const [draft, source] = await Promise.all([findDraft(ctx.db, consultationId), newestVersion(ctx.db, consultationId)]);
      const result = await handleForm(reply, '/editor/version-new', { consultation, draft, source, values }, () =>
        createVersion(ctx, req.user!.id, consultationId, values.label),
      );
      if (!result.ok) return;
      reply.flash('editor.flash.versionCreated');
      return seeOther(reply, `/organiser/versions/${result.value}`);
    } catch (error) {
      // A second draft is refused on the same page, which then points to the existing draft.
      if (error instanceof DomainError && error.messageKey === 'editor.versions.errors.draftExists') {
        return newVersionPage(reply, consultationId, { refused: true }, 409);
      }
      throw error;
    }
  });

  app.get('/organiser/versions/:versionId', { config: organisers }, async (req, reply) => {
    const { version, consultation } = await getVersion(ctx.db, idParam(req.params, 'versionId'));
    const [outline, draft, { versions }] = await Promise.all([
      loadOutline(ctx.db, version.id),
      findDraft(ctx.db, consultation.id),
      getConsultation(ctx.db, consultation.id),
    ]);
    return reply.page('/editor/version', { version, consultation, outline, draft, versions, editable: version.status === 'draft', kindSegments });
  });

  app.get('/organiser/versions/:versionId/edit', { config: organisers }, async (req, reply) => {
    const { version, consultation } = await getVersion(ctx.db, idParam(req.params, 'versionId'));
    requireDraft(version);
    return reply.page('/editor/version-form', { version, consultation, values: { label: version.label } });
  });

  app.post('/organiser/versions/:versionId/edit', { config: organisers }, async (req, reply) => {
    const { version, consultation } = await getVersion(ctx.db, idParam(req.params, 'versionId'));
    const values = { label: field(req.body, 'label') };
    const result = await handleForm(reply, '/editor/version-form', { version, consultation, values }, () =>
      renameVersion(ctx, req.user!.id, version.id, values.label),
    );
    if (!result.ok) return;
    reply.flash('editor.flash.saved');
    return seeOther(reply, `/organiser/versions/${version.id}`);
  });

  app.get('/organiser/versions/:versionId/publish', { config: organisers }, async (req, reply) => {
    const { version, consultation } = await getVersion(ctx.db, idParam(req.params, 'versionId'));
    requireDraft(version);
    const outline = await loadOutline(ctx.db, version.id);
    return reply.page('/editor/version-status', { version, consultation, counts: outline.counts, step: 'publish' });
  });

  app.post('/organiser/versions/:versionId/publish', { config: organisers }, async (req, reply) => {
    const versionId = idParam(req.params, 'versionId');
    await publishVersion(ctx, req.user!.id, versionId);
    reply.flash('editor.flash.published');
    return seeOther(reply, `/organiser/versions/${versionId}`);
  });

  app.get('/organiser/versions/:versionId/adopt', { config: organisers }, async (req, reply) => {
    const { version, consultation } = await getVersion(ctx.db, idParam(req.params, 'versionId'));
    if (version.status !== 'published') throw new DomainError(409, 'editor.versions.errors.adoptOnlyPublished');
    const outline = await loadOutline(ctx.db, version.id);
    return reply.page('/editor/version-status', { version, consultation, counts: outline.counts, step: 'adopt' });
  });

  app.post('/organiser/versions/:versionId/adopt', { config: organisers }, async (req, reply) => {
    const versionId = idParam(req.params, 'versionId');
    await adoptVersion(ctx, req.user!.id, versionId);
    reply.flash('editor.flash.adopted');
    return seeOther(reply, `/organiser/versions/${versionId}`);
  });

  // Plan items ---------------------------------------------------------------------------------

  async function itemContext(versionId: number) {
    const { version, consultation } = await getVersion(ctx.db, versionId);
    return { version, consultation };
  }

  /** Where a new item goes: the field of a new goal, the goal of a new measure (none: cross-cutting). */
  async function parentOf(versionId: number, kind: ItemKind, parentId: string) {
    if (kind === 'goal') {
      const id = parseId(parentId);
      if (id === null) throw new NotFoundError();
      const item = await findItem(ctx.db, versionId, 'field', id);
      return { field: item.row, goal: null };
    }
    if (kind === 'measure' && parentId !== '') {
      const id = parseId(parentId);
      if (id === null) throw new NotFoundError();
      const item = await findItem(ctx.db, versionId, 'goal', id);
      if (item.kind !== 'goal') throw new NotFoundError();
      return { field: item.field, goal: item.row };
    }
    return { field: null, goal: null };
  }

  for (const kind of itemKinds) {
    const segment = kindSegments[kind];
    const base = `/organiser/versions/:versionId/${segment}`;

    const formData = async (versionId: number, extra: Record<string, unknown>) => ({
      kind,
      ...(await itemContext(versionId)),
      ...(kind === 'measure' ? await listDepartmentsAndCommittees(ctx.db) : { departments: [], committees: [] }),
      ...extra,
    });

    app.get(`${base}/new`, { config: organisers }, async (req, reply) => {
      const versionId = idParam(req.params, 'versionId');
      const { version } = await itemContext(versionId);
      requireDraft(version);
      const parentId = kind === 'goal' ? field(req.query, 'field') : kind === 'measure' ? field(req.query, 'goal') : '';
      const parent = await parentOf(versionId, kind, parentId);
      const outline = await loadOutline(ctx.db, versionId);
      const principleKind = field(req.query, 'kind') === 'guiding_principle' ? 'guiding_principle' : 'strategic_goal';
      const values: ItemForm = { ...emptyItemForm(), principleKind, parentId, code: suggestCode(outline, kind, parent.goal?.id ?? parent.field?.id ?? null) };
      return reply.page('/editor/item-form', await formData(versionId, { mode: 'new', action: `/organiser/versions/${versionId}/${segment}/new`, values, parent }));
    });

    app.post(`${base}/new`, { config: organisers }, async (req, reply) => {
      const versionId = idParam(req.params, 'versionId');
      requireDraft((await itemContext(versionId)).version);
      const values = readItemForm(req.body);
      const parent = await parentOf(versionId, kind, values.parentId);
      const data = await formData(versionId, { mode: 'new', action: `/organiser/versions/${versionId}/${segment}/new`, values, parent });
      const result = await handleForm(reply, '/editor/item-form', data, () => createItem(ctx, req.user!.id, versionId, kind, values));
      if (!result.ok) return;
      reply.flash('editor.flash.itemCreated');
      return seeOther(reply, `/organiser/versions/${versionId}#${anchor(kind, result.value)}`);
    });

    const existing = async (params: unknown): Promise<{ versionId: number; item: AnyItem; version: PlanVersion }> => {
      const versionId = idParam(params, 'versionId');
      const { version } = await itemContext(versionId);
      const item = await findItem(ctx.db, versionId, kind, idParam(params, 'itemId'));
      return { versionId, item, version };
    };
    const parentOfItem = (item: AnyItem) =>
      item.kind === 'goal' ? { field: item.field, goal: null } : item.kind === 'measure' ? { field: item.field, goal: item.goal } : { field: null, goal: null };

    app.get(`${base}/:itemId/edit`, { config: organisers }, async (req, reply) => {
      const { versionId, item, version } = await existing(req.params);
      requireDraft(version);
      const values = await itemFormOf(ctx.db, item);
      const action = itemUrl(versionId, kind, item.row.id, 'edit');
      return reply.page('/editor/item-form', await formData(versionId, { mode: 'edit', action, values, item: item.row, label: itemLabel(item), parent: parentOfItem(item) }));
    });

    app.post(`${base}/:itemId/edit`, { config: organisers }, async (req, reply) => {
      const { versionId, item, version } = await existing(req.params);
      requireDraft(version);
      const values = { ...readItemForm(req.body), parentId: (await itemFormOf(ctx.db, item)).parentId };
      const action = itemUrl(versionId, kind, item.row.id, 'edit');
      const data = await formData(versionId, { mode: 'edit', action, values, item: item.row, label: itemLabel(item), parent: parentOfItem(item) });
      const result = await handleForm(reply, '/editor/item-form', data, () => updateItem(ctx, req.user!.id, versionId, kind, item.row.id, values));
      if (!result.ok) return;
      reply.flash('editor.flash.saved');
      return seeOther(reply, `/organiser/versions/${versionId}#${anchor(kind, item.row.id)}`);
    });

    app.post(`${base}/:itemId/move`, { config: organisers, onSend: reselectNotice }, async (req, reply) => {
      const versionId = idParam(req.params, 'versionId');
      const itemId = idParam(req.params, 'itemId');
      const direction = field(req.body, 'direction') === 'down' ? 'down' : 'up';
      const moved = await moveItem(ctx, req.user!.id, versionId, kind, itemId, direction);
      reply.flash(moved ? (direction === 'up' ? 'editor.flash.movedUp' : 'editor.flash.movedDown') : direction === 'up' ? 'editor.flash.alreadyFirst' : 'editor.flash.alreadyLast');
      return seeOther(reply, `/organiser/versions/${versionId}#${anchor(kind, itemId)}`);
    });

    app.get(`${base}/:itemId/delete`, { config: organisers }, async (req, reply) => {
      const { versionId, item, version } = await existing(req.params);
      requireDraft(version);
      const counts = await deletionCounts(ctx.db, item);
      const { consultation } = await itemContext(versionId);
      return reply.page('/editor/item-delete', { kind, version, consultation, item: item.row, label: itemLabel(item), counts, action: itemUrl(versionId, kind, item.row.id, 'delete') });
    });

    app.post(`${base}/:itemId/delete`, { config: organisers }, async (req, reply) => {
      const versionId = idParam(req.params, 'versionId');
      const item = await deleteItem(ctx, req.user!.id, versionId, kind, idParam(req.params, 'itemId'));
      reply.flash('editor.flash.itemDeleted');
      const back = item.kind === 'goal' ? `#field-${item.row.fieldId}` : item.kind === 'measure' && item.row.goalId ? `#goal-${item.row.goalId}` : '';
      return seeOther(reply, `/organiser/versions/${versionId}${back}`);
    });
  }

  // Audit trail --------------------------------------------------------------------------------

  app.get('/organiser/audit/:subjectType/:subjectId', { config: organisers }, async (req, reply) => {
    const subjectType = field(req.params, 'subjectType');
    const subjectId = idParam(req.params, 'subjectId');
    if (!isAuditSubject(subjectType)) throw new NotFoundError();
    const history = await loadHistory(ctx.db, subjectType, subjectId, req.t, req.locale);
    if (history.entries.length === 0 && history.name === null) throw new NotFoundError();
    return reply.page('/editor/audit', { subjectType, subjectId, ...history });
  });
}
