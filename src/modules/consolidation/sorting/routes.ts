import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import { formatDateTime, localiseParams } from '../../../core/forms.js';
import { field, fieldList, seeOther } from '../../../core/http.js';
import { contributionChannels, contributionKinds, type TargetKind } from '../../participation/schema.js';
import { contributionLanguages } from '../../participation/service.js';
import { publicPath } from '../../moderation/service.js';
import { consultations } from '../../plans/schema.js';
import { consultationBySlug, ORGANISERS, syncResponses } from '../service.js';
import {
  DUPLICATES_CHARS,
  DUPLICATES_LIMIT,
  DUPLICATES_THRESHOLD,
  DUPLICATES_WINDOW,
  duplicatePairs,
  findTag,
  GROUPS_PAGE_SIZE,
  groupOf,
  listGroups,
  listTags,
  loadEligible,
  loadGroup,
  loadOutline,
  loadSections,
  loadSortingList,
  type Outline,
  ownUnit,
  parseSortingFilter,
  referencesOf,
  shorten,
  SIMILARITY_CHARS,
  SIMILARITY_THRESHOLD,
  similarContributions,
  SORTING_PAGE_SIZE,
  sortingQuery,
  tagsFor,
  targetValue,
  type Unit,
} from './queries.js';
import {
  addMember,
  addSection,
  changeLead,
  createTag,
  deleteSection,
  deleteTag,
  dissolveGroup,
  editSection,
  groupWith,
  moveSection,
  removeMember,
  renameGroup,
  renameTag,
  SortingConflict,
  setTags,
  setTarget,
  TAG_MAX_LENGTH,
  tagMany,
} from './service.js';

const organisers = { config: { access: ORGANISERS } };
const V = '/consolidation/sorting';

function numberParam(req: FastifyRequest, name: string): number {
  const raw = field(req.params, name);
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

function optionalId(raw: string): number | null {
  return /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

function versionField(body: unknown): number {
  const raw = field(body, 'version');
  return /^\d{1,9}$/.test(raw) ? Number(raw) : -1;
}

export const sortPath = (id: number) => `/organiser/consolidation/contributions/${id}`;
export const groupPath = (id: number) => `/organiser/consolidation/groups/${id}`;
const consultationPath = (slug: string, rest: string) => `/organiser/consultations/${encodeURIComponent(slug)}/${rest}`;

export function sortingRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;
  const languageNames = new Map(contributionLanguages.map((l) => [l.tag, l.name]));

  function actor(req: FastifyRequest) {
    if (!req.user) throw new NotFoundError();
    return { id: req.user.id };
  }

  /** Helpers every page of this part uses: labels of targets, kinds, channels, statuses. */
  function common(req: FastifyRequest, outline: Outline) {
    const t = req.t;
    const targetLabel = (kind: TargetKind, key: string | null) => {
      if (kind === 'consultation' || !key) return t('consolidation.sorting.target.consultation');
      const item = outline.byValue.get(`${kind}:${key}`);
      if (!item) return t('consolidation.sorting.target.unknown', { kind: t(`consolidation.sorting.targetKind.${kind}`), key });
      return t(`consolidation.sorting.target.${kind}`, { code: item.code, text: shorten(item.text, 90) });
    };
    /** The select's option groups: the whole plan, then per field its goals and measures. */
    const targetGroups = (current?: { kind: TargetKind; key: string | null }) => {
      const groups: Array<{ label: string | null; options: Array<{ value: string; label: string }> }> = [{ label: null, options: [{ value: 'consultation', label: targetLabel('consultation', null) }] }];
      if (current && current.kind !== 'consultation' && current.key && !outline.byValue.has(`${current.kind}:${current.key}`)) {
        groups[0]?.options.push({ value: targetValue(current.kind, current.key), label: targetLabel(current.kind, current.key) });
      }
      for (const g of outline.groups) {
        groups.push({
          label: g.field ? t('consolidation.sorting.target.fieldGroup', { code: g.field.code, text: shorten(g.field.text, 60) }) : t('consolidation.sorting.target.crossCutting'),
          options: g.items.map((i) => ({ value: `${i.kind}:${i.key}`, label: i.kind === 'field' ? t('consolidation.sorting.target.fieldWhole', { code: i.code }) : targetLabel(i.kind, i.key) })),
        });
      }
      return groups;
    };
    return {
      targetLabel,
      targetGroups,
      targetValue,
      formatDateTime,
      kindLabel: (kind: string, parentId?: number | null) => t(`consolidation.sorting.kind.${parentId ? 'reply' : kind}`),
      channelLabel: (channel: string) => t(`consolidation.sorting.channel.${channel}`),
      statusLabel: (status: string) => t(`consolidation.responseStatus.${status}`),
      contributionStatus: (status: string) => t(`consolidation.sorting.contributionStatus.${status}`),
      languageName: (tag: string) => languageNames.get(tag) ?? tag,
      number: (x: number) => new Intl.NumberFormat(req.locale).format(x),
      percent: (x: number) => new Intl.NumberFormat(req.locale, { style: 'percent', maximumFractionDigits: 0 }).format(x),
      sortPath,
      groupPath,
      consultationPath,
    };
  }

  async function consultationById(id: number) {
    const [row] = await db.select().from(consultations).where(eq(consultations.id, id));
    if (!row) throw new NotFoundError();
    return row;
  }

  // ------------------------------------------------------------------------------------------
  // The contribution's sort page
  // ------------------------------------------------------------------------------------------

  async function sortPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const id = numberParam(req, 'id');
    const c = await loadEligible(db, id);
    if (!c) throw new NotFoundError();
    await syncResponses(db, c.consultationId);
    const [consultation, outline, unit, sections, groupId, tagList, refs, similar] = await Promise.all([
      consultationById(c.consultationId),
      loadOutline(db, c.consultationId),
      ownUnit(db, c.id),
      loadSections(db, c.id),
      groupOf(db, c.id),
      tagsFor(db, c.consultationId, c.id),
      c.kind === 'statement' ? referencesOf(db, c.id) : Promise.resolve([]),
      similarContributions(db, c),
    ]);
    const group = groupId === null ? null : await loadGroup(db, groupId);
    const heading = req.t('consolidation.sorting.item.title', { kind: req.t(`consolidation.sorting.kind.${c.parentId ? 'reply' : c.kind}`), number: c.receiptNumber ?? `#${c.id}` });
    const postedAt = c.kind === 'statement' ? refs.map((r) => ({ kind: r.kind, key: r.key })) : [{ kind: c.targetKind, key: c.targetKey }];
    reply.header('cache-control', 'no-store');
    return reply.page(
      `${V}/item`,
      {
        ...common(req, outline),
        title: heading,
        heading,
        c,
        consultation,
        outline,
        unit,
        sections,
        group,
        tags: tagList,
        postedAt,
        similar,
        threshold: SIMILARITY_THRESHOLD,
        similarChars: SIMILARITY_CHARS,
        itemUrl: sortPath(c.id),
        // Where the public reads it, when it is published.
        publicPath: c.status === 'published' ? publicPath(c, consultation.slug) : null,
        ...extra,
      },
      status,
    );
  }

  /**
   * Runs a write of the sort page: invalid input shows the page again with the messages and
   * what was typed (422), a stale version the conflict page (409).
   */
  async function attempt<T>(
    req: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    action: () => Promise<T>,
    page: (extra: Record<string, unknown>, status: number) => Promise<FastifyReply>,
  ): Promise<{ ok: true; value: T } | { ok: false; reply: FastifyReply }> {
    try {
      return { ok: true, value: await action() };
    } catch (error) {
      if (error instanceof ValidationError) return { ok: false, reply: await page({ errors: error.fields, errorParams: localiseParams(error.fieldParams, req.locale), values }, 422) };
      if (error instanceof SortingConflict) return { ok: false, reply: await conflictPage(req, reply, error.current) };
      throw error;
    }
  }

  async function conflictPage(req: FastifyRequest, reply: FastifyReply, unit: Unit | null) {
    if (!unit) throw new NotFoundError();
    const outline = await loadOutline(db, unit.consultationId);
    const back = unit.groupId ? groupPath(unit.groupId) : sortPath(unit.contributionId);
    return reply.page(
      `${V}/conflict`,
      {
        ...common(req, outline),
        title: req.t('consolidation.sorting.conflict.title'),
        unit,
        back,
        state: req.t('consolidation.sorting.conflict.state', {
          target: common(req, outline).targetLabel(unit.targetKind, unit.targetKey),
          status: req.t(`consolidation.responseStatus.${unit.status}`),
          date: formatDateTime(unit.updatedAt, req.locale),
        }),
      },
      409,
    );
  }

  app.get('/organiser/consolidation/contributions/:id', organisers, (req, reply) => sortPage(req, reply));

  app.post('/organiser/consolidation/contributions/:id/tags', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const tagIds = fieldList(req.body, 'tags').map(optionalId).filter((x): x is number => x !== null);
    await setTags(ctx, actor(req), id, tagIds);
    reply.flash('consolidation.sorting.flash.tags');
    return seeOther(reply, `${sortPath(id)}#tags-title`);
  });

  app.post('/organiser/consolidation/contributions/:id/target', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const target = field(req.body, 'target');
    const failed = await attempt(req, reply, { target }, () => setTarget(ctx, actor(req), { contributionId: id }, versionField(req.body), target), (extra, status) => sortPage(req, reply, extra, status));
    if (!failed.ok) return failed.reply;
    reply.flash('consolidation.sorting.flash.target');
    return seeOther(reply, `${sortPath(id)}#target-title`);
  });

  app.post('/organiser/consolidation/contributions/:id/sections', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const values = { sectionBody: field(req.body, 'sectionBody'), sectionTarget: field(req.body, 'sectionTarget') };
    const failed = await attempt(req, reply, values, () => addSection(ctx, actor(req), id, { body: values.sectionBody, target: values.sectionTarget }), (extra, status) =>
      sortPage(req, reply, extra, status),
    );
    if (!failed.ok) return failed.reply;
    reply.flash('consolidation.sorting.flash.sectionAdded');
    return seeOther(reply, `${sortPath(id)}#sections-title`);
  });

  async function sectionPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const id = numberParam(req, 'id');
    const sectionId = numberParam(req, 'sectionId');
    const c = await loadEligible(db, id);
    if (!c) throw new NotFoundError();
    const [sections, outline] = await Promise.all([loadSections(db, id), loadOutline(db, c.consultationId)]);
    const section = sections.find((s) => s.id === sectionId);
    if (!section?.unit) throw new NotFoundError();
    const heading = req.t('consolidation.sorting.section.editTitle', { position: sections.indexOf(section) + 1, number: c.receiptNumber ?? `#${c.id}` });
    reply.header('cache-control', 'no-store');
    return reply.page(
      `${V}/section`,
      {
        ...common(req, outline),
        title: heading,
        heading,
        c,
        section,
        unit: section.unit,
        itemUrl: sortPath(id),
        action: `${sortPath(id)}/sections/${section.id}/edit`,
        values: { body: section.body, target: targetValue(section.unit.targetKind, section.unit.targetKey) },
        ...extra,
      },
      status,
    );
  }

  app.get('/organiser/consolidation/contributions/:id/sections/:sectionId/edit', organisers, (req, reply) => sectionPage(req, reply));

  app.post('/organiser/consolidation/contributions/:id/sections/:sectionId/edit', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const sectionId = numberParam(req, 'sectionId');
    const values = { body: field(req.body, 'body'), target: field(req.body, 'target') };
    const failed = await attempt(req, reply, values, () => editSection(ctx, actor(req), id, sectionId, { ...values, version: versionField(req.body) }), (extra, status) => sectionPage(req, reply, extra, status));
    if (!failed.ok) return failed.reply;
    reply.flash('consolidation.sorting.flash.sectionSaved');
    return seeOther(reply, `${sortPath(id)}#section-${sectionId}`);
  });

  app.post('/organiser/consolidation/contributions/:id/sections/:sectionId/delete', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const sectionId = numberParam(req, 'sectionId');
    const failed = await attempt(req, reply, {}, () => deleteSection(ctx, actor(req), id, sectionId, versionField(req.body)), (extra, status) => sortPage(req, reply, extra, status));
    if (!failed.ok) return failed.reply;
    reply.flash('consolidation.sorting.flash.sectionDeleted');
    return seeOther(reply, `${sortPath(id)}#sections-title`);
  });

  app.post('/organiser/consolidation/contributions/:id/sections/:sectionId/move', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const sectionId = numberParam(req, 'sectionId');
    const direction = field(req.body, 'direction');
    if (direction !== 'up' && direction !== 'down') throw new NotFoundError();
    await moveSection(ctx, actor(req), id, sectionId, direction);
    reply.flash('consolidation.sorting.flash.sectionMoved');
    return seeOther(reply, `${sortPath(id)}#section-${sectionId}`);
  });

  app.post('/organiser/consolidation/contributions/:id/group', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const withRaw = field(req.body, 'with');
    const withId = withRaw === '' ? null : optionalId(withRaw);
    if (withRaw !== '' && withId === null) throw new NotFoundError();
    const values = { title: field(req.body, 'title') };
    const failed = await attempt(req, reply, values, () => groupWith(ctx, actor(req), id, { withId, title: values.title }), (extra, status) => sortPage(req, reply, extra, status));
    if (!failed.ok) return failed.reply;
    const groupId = failed.value;
    reply.flash('consolidation.sorting.flash.grouped');
    // From the suggestions the organiser stays on the page to go on with the next one.
    return seeOther(reply, withId === null ? groupPath(groupId) : `${sortPath(id)}#group-title`);
  });

  // ------------------------------------------------------------------------------------------
  // The sorting list of a consultation
  // ------------------------------------------------------------------------------------------

  async function listPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    await syncResponses(db, consultation.id);
    const filter = parseSortingFilter(req.query);
    const [list, tagList, outline] = await Promise.all([loadSortingList(db, consultation.id, filter), listTags(db, consultation.id), loadOutline(db, consultation.id)]);
    const pages = Math.max(1, Math.ceil(list.total / SORTING_PAGE_SIZE));
    const base = consultationPath(consultation.slug, 'sorting');
    reply.header('cache-control', 'no-store');
    return reply.page(
      `${V}/list`,
      {
        ...common(req, outline),
        title: req.t('consolidation.sorting.list.title'),
        consultation,
        filter,
        list,
        tags: tagList,
        pages,
        kinds: contributionKinds,
        channels: contributionChannels,
        listUrl: `${base}${sortingQuery(filter)}`,
        bulkUrl: `${consultationPath(consultation.slug, 'sorting/tag')}${sortingQuery(filter)}`,
        prevUrl: filter.page > 1 ? `${base}${sortingQuery(filter, { page: filter.page - 1 })}` : null,
        nextUrl: filter.page < pages ? `${base}${sortingQuery(filter, { page: filter.page + 1 })}` : null,
        ...extra,
      },
      status,
    );
  }

  app.get('/organiser/consultations/:slug/sorting', organisers, (req, reply) => listPage(req, reply));

  app.post('/organiser/consultations/:slug/sorting/tag', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    const ids = fieldList(req.body, 'ids').map(optionalId).filter((x): x is number => x !== null).slice(0, SORTING_PAGE_SIZE);
    const tagId = optionalId(field(req.body, 'tag'));
    const failed = await attempt(req, reply, { ids: ids.map(String), tag: field(req.body, 'tag') }, () => tagMany(ctx, actor(req), consultation.id, tagId, ids), (extra, status) => listPage(req, reply, extra, status));
    if (!failed.ok) return failed.reply;
    const added = failed.value;
    reply.flash(added > 0 ? 'consolidation.sorting.flash.bulkTagged' : 'consolidation.sorting.flash.bulkNothing');
    return seeOther(reply, `${consultationPath(consultation.slug, 'sorting')}${sortingQuery(parseSortingFilter(req.query))}`);
  });

  // ------------------------------------------------------------------------------------------
  // Tags
  // ------------------------------------------------------------------------------------------

  async function tagsPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    const tagList = await listTags(db, consultation.id);
    reply.header('cache-control', 'no-store');
    return reply.page(`${V}/tags`, { title: req.t('consolidation.sorting.tags.title'), consultation, tags: tagList, maxLength: TAG_MAX_LENGTH, consultationPath, ...extra }, status);
  }

  app.get('/organiser/consultations/:slug/tags', organisers, (req, reply) => tagsPage(req, reply));

  app.post('/organiser/consultations/:slug/tags', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    const label = field(req.body, 'label');
    const failed = await attempt(req, reply, { label }, () => createTag(ctx, actor(req), consultation.id, label), (extra, status) => tagsPage(req, reply, extra, status));
    if (!failed.ok) return failed.reply;
    reply.flash('consolidation.sorting.flash.tagCreated');
    return seeOther(reply, consultationPath(consultation.slug, 'tags'));
  });

  async function tagPage(req: FastifyRequest, reply: FastifyReply, template: 'tag-edit' | 'tag-delete', extra: Record<string, unknown> = {}, status = 200) {
    const tag = await findTag(db, numberParam(req, 'id'));
    if (!tag) throw new NotFoundError();
    const consultation = await consultationById(tag.consultationId);
    const uses = (await listTags(db, tag.consultationId)).find((x) => x.id === tag.id)?.uses ?? 0;
    reply.header('cache-control', 'no-store');
    const title = req.t(template === 'tag-edit' ? 'consolidation.sorting.tags.editTitle' : 'consolidation.sorting.tags.deleteTitle', { label: tag.label });
    return reply.page(`${V}/${template}`, { title, tag, uses, consultation, consultationPath, maxLength: TAG_MAX_LENGTH, values: { label: tag.label }, ...extra }, status);
  }

  app.get('/organiser/tags/:id/edit', organisers, (req, reply) => tagPage(req, reply, 'tag-edit'));

  app.post('/organiser/tags/:id/edit', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const label = field(req.body, 'label');
    const failed = await attempt(req, reply, { label }, () => renameTag(ctx, actor(req), id, label), (extra, status) => tagPage(req, reply, 'tag-edit', extra, status));
    if (!failed.ok) return failed.reply;
    const tag = await findTag(db, id);
    const consultation = tag ? await consultationById(tag.consultationId) : null;
    reply.flash('consolidation.sorting.flash.tagRenamed');
    return seeOther(reply, consultation ? consultationPath(consultation.slug, 'tags') : '/organiser/consultations');
  });

  app.get('/organiser/tags/:id/delete', organisers, (req, reply) => tagPage(req, reply, 'tag-delete'));

  app.post('/organiser/tags/:id/delete', organisers, async (req, reply) => {
    const { consultationId } = await deleteTag(ctx, actor(req), numberParam(req, 'id'));
    const consultation = await consultationById(consultationId);
    reply.flash('consolidation.sorting.flash.tagDeleted');
    return seeOther(reply, consultationPath(consultation.slug, 'tags'));
  });

  // ------------------------------------------------------------------------------------------
  // Groups
  // ------------------------------------------------------------------------------------------

  app.get('/organiser/consultations/:slug/groups', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    const page = Math.max(1, Math.min(optionalId(field(req.query, 'page')) ?? 1, 100_000));
    const [groups, outline] = await Promise.all([listGroups(db, consultation.id, page), loadOutline(db, consultation.id)]);
    const pages = Math.max(1, Math.ceil(groups.total / GROUPS_PAGE_SIZE));
    const base = consultationPath(consultation.slug, 'groups');
    reply.header('cache-control', 'no-store');
    return reply.page(`${V}/groups`, {
      ...common(req, outline),
      title: req.t('consolidation.sorting.groups.title'),
      consultation,
      groups,
      page,
      pages,
      prevUrl: page > 1 ? `${base}?page=${page - 1}` : null,
      nextUrl: page < pages ? `${base}?page=${page + 1}` : null,
    });
  });

  async function groupPage(req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const group = await loadGroup(db, numberParam(req, 'id'));
    if (!group?.unit) throw new NotFoundError();
    const [consultation, outline] = await Promise.all([consultationById(group.consultationId), loadOutline(db, group.consultationId)]);
    const heading = req.t('consolidation.sorting.group.title', { title: group.title });
    reply.header('cache-control', 'no-store');
    return reply.page(
      `${V}/group`,
      {
        ...common(req, outline),
        title: heading,
        heading,
        group,
        unit: group.unit,
        consultation,
        groupUrl: groupPath(group.id),
        values: { target: targetValue(group.unit.targetKind, group.unit.targetKey), title: group.title },
        ...extra,
      },
      status,
    );
  }

  app.get('/organiser/consolidation/groups/:id', organisers, (req, reply) => groupPage(req, reply));

  function groupWrite(url: string, run: (req: FastifyRequest, id: number) => Promise<unknown>, flash: string, values: (req: FastifyRequest) => Record<string, unknown> = () => ({})) {
    app.post(url, organisers, async (req, reply) => {
      const id = numberParam(req, 'id');
      const failed = await attempt(req, reply, values(req), () => run(req, id), (extra, status) => groupPage(req, reply, extra, status));
      if (!failed.ok) return failed.reply;
      reply.flash(flash);
      return seeOther(reply, groupPath(id));
    });
  }

  groupWrite('/organiser/consolidation/groups/:id/members', (req, id) => addMember(ctx, actor(req), id, optionalId(field(req.body, 'member'))), 'consolidation.sorting.flash.memberAdded', (req) => ({
    member: field(req.body, 'member'),
  }));
  groupWrite('/organiser/consolidation/groups/:id/members/:contributionId/remove', (req, id) => removeMember(ctx, actor(req), id, numberParam(req, 'contributionId')), 'consolidation.sorting.flash.memberRemoved');
  groupWrite(
    '/organiser/consolidation/groups/:id/lead',
    (req, id) => {
      const lead = optionalId(field(req.body, 'lead'));
      if (lead === null) throw new NotFoundError();
      return changeLead(ctx, actor(req), id, lead, versionField(req.body));
    },
    'consolidation.sorting.flash.leadChanged',
  );
  groupWrite('/organiser/consolidation/groups/:id/target', (req, id) => setTarget(ctx, actor(req), { groupId: id }, versionField(req.body), field(req.body, 'target')), 'consolidation.sorting.flash.target', (req) => ({
    target: field(req.body, 'target'),
  }));
  groupWrite('/organiser/consolidation/groups/:id/title', (req, id) => renameGroup(ctx, actor(req), id, field(req.body, 'title')), 'consolidation.sorting.flash.groupRenamed', (req) => ({ title: field(req.body, 'title') }));

  app.post('/organiser/consolidation/groups/:id/dissolve', organisers, async (req, reply) => {
    const id = numberParam(req, 'id');
    const failed = await attempt(req, reply, {}, () => dissolveGroup(ctx, actor(req), id, versionField(req.body)), (extra, status) => groupPage(req, reply, extra, status));
    if (!failed.ok) return failed.reply;
    const done = failed.value;
    reply.flash('consolidation.sorting.flash.dissolved');
    return seeOther(reply, sortPath(done.leadContributionId));
  });

  // ------------------------------------------------------------------------------------------
  // Possible duplicates across the consultation
  // ------------------------------------------------------------------------------------------

  app.get('/organiser/consultations/:slug/duplicates', organisers, async (req, reply) => {
    const consultation = await consultationBySlug(db, field(req.params, 'slug'));
    const [pairs, outline] = await Promise.all([duplicatePairs(db, consultation.id), loadOutline(db, consultation.id)]);
    reply.header('cache-control', 'no-store');
    return reply.page(`${V}/duplicates`, { ...common(req, outline), title: req.t('consolidation.sorting.duplicates.title'), consultation, pairs, window: DUPLICATES_WINDOW, chars: DUPLICATES_CHARS, threshold: DUPLICATES_THRESHOLD, limit: DUPLICATES_LIMIT });
  });
}
