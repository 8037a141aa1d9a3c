import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { field } from '../../core/http.js';
import type { DbOrTx } from '../../db/index.js';
import {
  type CommitteeRef,
  type ConsultationContext,
  countsByTarget,
  type DepartmentRef,
  type FieldView,
  findCommittee,
  findDepartment,
  findVersionWithItem,
  type GoalView,
  type ItemKind,
  listConsultations,
  loadConsultationContext,
  loadPlanTree,
  type MeasureView,
  type Phase,
  type PlanVersion,
  type PlanView,
  targetKey,
} from './queries.js';
import { parseSearchQuery, SEARCH_MAX_LENGTH, searchPlan } from './search.js';
import { commentSection } from '../participation/comments/section.js';
import { publishedStatementsFor } from '../participation/statements/service.js';
import { CONTRIBUTIONS_TAG } from '../participation/service.js';

export type PhaseState = 'upcoming' | 'open' | 'closed';

export function phaseState(phase: Pick<Phase, 'opensAt' | 'closesAt'>, now = new Date()): PhaseState {
  if (now < phase.opensAt) return 'upcoming';
  return now <= phase.closesAt ? 'open' : 'closed';
}

// Building an Intl.DateTimeFormat costs far more than using one; keep one per language.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Dates of the process are Europe/Berlin dates, whatever the server's time zone. */
export function formatDate(date: Date, locale: string): string {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' });
    dateFormats.set(locale, format);
  }
  return format.format(date);
}

const listFormats = new Map<string, Intl.ListFormat>();

/** "Kommentare und schriftliche Stellungnahmen", "comments and written statements". */
export function formatList(items: string[], locale: string): string {
  let format = listFormats.get(locale);
  if (!format) {
    format = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
    listFormats.set(locale, format);
  }
  return format.format(items);
}

/** A long text cut at a word boundary near `max` characters, with "…": for outlines. */
export function shorten(text: string, max = 110): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return `${text.slice(0, cut > max / 2 ? cut : max).replace(/[\s,;:(–-]+$/, '')} …`;
}

/** The next moment a phase opens or closes: pages showing phase states are stale from then. */
export function nextPhaseChange(phases: Array<Pick<Phase, 'opensAt' | 'closesAt'>>, now = new Date()): Date | null {
  const upcoming = phases.flatMap((p) => [p.opensAt, p.closesAt]).filter((d) => d > now);
  return upcoming.length ? new Date(Math.min(...upcoming.map((d) => d.getTime()))) : null;
}

/** Ways of taking part that attach to one field, goal or measure (events are about the whole plan). */
const ITEM_CHANNELS = ['comment', 'statement'] as const;

export interface Outlook {
  state: PhaseState;
  phase: Phase;
  channels: string[];
}

/**
 * What people can do about a plan item, and when: the phase open now that takes comments or
 * statements; else the next one that will; else the last one that did. Null: the consultation
 * has no such phase.
 */
export function participationOutlook(phases: Phase[], now = new Date()): Outlook | null {
  const relevant = phases
    .map((phase) => ({ phase, state: phaseState(phase, now), channels: phase.channels.filter((c) => (ITEM_CHANNELS as readonly string[]).includes(c)) }))
    .filter((p) => p.channels.length > 0);
  return (
    relevant.find((p) => p.state === 'open') ??
    relevant.filter((p) => p.state === 'upcoming').sort((a, b) => a.phase.opensAt.getTime() - b.phase.opensAt.getTime())[0] ??
    relevant.filter((p) => p.state === 'closed').sort((a, b) => b.phase.closesAt.getTime() - a.phase.closesAt.getTime())[0] ??
    null
  );
}

/** The phase that matters for "what can I do now": the open one, else the next one. */
export function currentPhase(phases: Phase[], now = new Date()): { phase: Phase; state: PhaseState } | null {
  const open = phases.find((p) => phaseState(p, now) === 'open');
  if (open) return { phase: open, state: 'open' };
  const next = phases.filter((p) => phaseState(p, now) === 'upcoming').sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime())[0];
  return next ? { phase: next, state: 'upcoming' } : null;
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/** The reserved committee slug for "all measures with their committees" (the slides' "(alle)"). */
export const ALL_COMMITTEES = 'alle';

export interface PlanUrls {
  consultation: string;
  plan: string;
  anchor(id: string): string;
  field(key: string): string;
  goal(key: string): string;
  measure(key: string): string;
  committees: string;
  committee(slug: string): string;
  departments: string;
  department(slug: string): string;
  search: string;
  print: string;
  compare: string;
  docx: string;
  pdf: string;
  version(id: number): string;
}

/**
 * Every link between the public plan pages. A page showing an older version keeps `?version=`
 * on its links, so readers stay in the version they chose; the newest version needs none.
 */
export function planUrls(slug: string, version: PlanVersion | null, newest: PlanVersion | null): PlanUrls {
  const base = `/consultations/${encodeURIComponent(slug)}`;
  const vq = version && newest && version.id !== newest.id ? `?version=${version.id}` : '';
  const enc = encodeURIComponent;
  return {
    consultation: base,
    plan: `${base}/plan${vq}`,
    anchor: (id) => `${base}/plan${vq}#${id}`,
    field: (key) => `${base}/fields/${enc(key)}${vq}`,
    goal: (key) => `${base}/goals/${enc(key)}${vq}`,
    measure: (key) => `${base}/measures/${enc(key)}${vq}`,
    committees: `${base}/committees${vq}`,
    committee: (s) => `${base}/committees/${enc(s)}${vq}`,
    departments: `${base}/departments${vq}`,
    department: (s) => `${base}/departments/${enc(s)}${vq}`,
    search: `${base}/search`,
    print: `${base}/print${vq}`,
    compare: `${base}/compare`,
    docx: `${base}/plan.docx${vq}`,
    pdf: `${base}/plan.pdf${vq}`,
    version: (id) => (newest && id === newest.id ? `${base}/plan` : `${base}/plan?version=${id}`),
  };
}

// ---------------------------------------------------------------------------------------------
// The plan as pages need it
// ---------------------------------------------------------------------------------------------

export interface MeasurePlace {
  measure: MeasureView;
  goal: GoalView | null;
  field: FieldView | null;
}

export interface PlanIndex {
  fields: Map<string, FieldView>;
  goals: Map<string, { goal: GoalView; field: FieldView }>;
  measures: Map<string, MeasurePlace>;
  /** Every measure in reading order: cross-cutting first, then field by field. */
  order: MeasurePlace[];
  /** Committees and departments that appear in the plan, with how many measures each has. */
  committees: Array<CommitteeRef & { count: number }>;
  departments: Array<DepartmentRef & { lead: number; support: number }>;
}

/** Lookups over a loaded plan tree, built in one pass (no queries). */
export function indexPlan(plan: PlanView): PlanIndex {
  const index: PlanIndex = { fields: new Map(), goals: new Map(), measures: new Map(), order: [], committees: [], departments: [] };
  const add = (place: MeasurePlace) => {
    index.measures.set(place.measure.key, place);
    index.order.push(place);
  };
  for (const measure of plan.crossCutting) add({ measure, goal: null, field: null });
  for (const f of plan.fields) {
    index.fields.set(f.key, f);
    for (const g of f.goals) {
      index.goals.set(g.key, { goal: g, field: f });
      for (const measure of g.measures) add({ measure, goal: g, field: f });
    }
    for (const measure of f.measures) add({ measure, goal: null, field: f });
  }
  const committees = new Map<string, CommitteeRef & { count: number }>();
  const departments = new Map<string, DepartmentRef & { lead: number; support: number }>();
  for (const { measure } of index.order) {
    for (const c of measure.committees) {
      const entry = committees.get(c.slug) ?? { ...c, count: 0 };
      entry.count++;
      committees.set(c.slug, entry);
    }
    for (const role of ['lead', 'support'] as const) {
      for (const d of measure[role]) {
        const entry = departments.get(d.slug) ?? { ...d, lead: 0, support: 0 };
        entry[role]++;
        departments.set(d.slug, entry);
      }
    }
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'de');
  index.committees = [...committees.values()].sort(byName);
  index.departments = [...departments.values()].sort(byName);
  return index;
}

export interface PlanSelection {
  crossCutting: MeasureView[];
  fields: Array<FieldView & { goals: GoalView[]; measures: MeasureView[] }>;
  count: number;
}

/** The plan narrowed to the measures that pass `keep`, still grouped by field and goal. */
export function selectMeasures(plan: PlanView, keep: (m: MeasureView) => boolean): PlanSelection {
  let count = 0;
  const filter = (list: MeasureView[]) => {
    const kept = list.filter(keep);
    count += kept.length;
    return kept;
  };
  const crossCutting = filter(plan.crossCutting);
  const selected = plan.fields
    .map((f) => ({
      ...f,
      goals: f.goals.map((g) => ({ ...g, measures: filter(g.measures) })).filter((g) => g.measures.length > 0),
      measures: filter(f.measures),
    }))
    .filter((f) => f.goals.length > 0 || f.measures.length > 0);
  return { crossCutting, fields: selected, count };
}

/** The cache tags of every public plan page. Participation adds its own when counts appear. */
export const PLAN_TAGS = ['plans'] as const;

interface PlanPage {
  context: ConsultationContext;
  /** The version shown, the newest public one unless `?version=` chose another. */
  version: PlanVersion | null;
  newest: PlanVersion | null;
  plan: PlanView | null;
  index: PlanIndex | null;
}

/** `?version=` as a version id: undefined when absent, null when it is not a number. */
function versionParam(req: FastifyRequest): number | undefined | null {
  const raw = field(req.query, 'version');
  if (raw === '') return undefined;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

function cacheKey(path: string, version: number | undefined | null): string {
  return typeof version === 'number' ? `${path}?version=${version}` : path;
}

/**
 * Loads what every plan page shows: the consultation, its phases and public versions (one round
 * trip), then the chosen version's whole tree (a second round trip). Nine queries, whatever the
 * plan's size. Null: no such public consultation.
 */
async function loadPlanPage(db: DbOrTx, slug: string, requested: number | undefined | null): Promise<PlanPage | null> {
  const context = await loadConsultationContext(db, slug);
  if (!context) return null;
  const newest = context.versions.at(-1) ?? null;
  let version = newest;
  if (requested !== undefined) {
    version = context.versions.find((v) => v.id === requested) ?? null;
    if (!version) throw new DomainError(404, 'plans.errors.versionNotFound');
  }
  const plan = version ? await loadPlanTree(db, version) : null;
  return { context, version, newest, plan, index: plan ? indexPlan(plan) : null };
}

export function planRoutes(app: FastifyInstance, ctx: AppContext): void {
  const publicAccess = { config: { access: 'public' as const } };
  const db = ctx.db;
  // Pages that show contributions or their counts; built here, not at module level, because the
  // participation module imports this one.
  const withContributions = [...PLAN_TAGS, CONTRIBUTIONS_TAG];

  /** The data every plan page template gets, besides its own. */
  function common(page: PlanPage, shown: { version: PlanVersion | null; plan: PlanView | null; index: PlanIndex | null } = page) {
    const { consultation, versions } = page.context;
    return {
      consultation,
      versions,
      version: shown.version,
      newest: page.newest,
      plan: shown.plan,
      index: shown.index,
      urls: planUrls(consultation.slug, shown.version, page.newest),
      phaseState,
      formatDate,
      formatList,
      shorten,
      targetKey,
      validUntil: nextPhaseChange(consultation.phases),
    };
  }

  app.get('/', publicAccess, (req, reply) =>
    reply.cachedPage({
      key: '/',
      tags: PLAN_TAGS,
      template: '/plans/home',
      load: async () => {
        const consultations = await listConsultations(db);
        const validUntil = nextPhaseChange(consultations.flatMap((c) => c.phases));
        return { title: req.t('plans.home.title'), consultations, phaseState, formatDate, validUntil };
      },
    }),
  );

  app.get('/consultations/:slug', publicAccess, (req, reply) => {
    const slug = field(req.params, 'slug');
    return reply.cachedPage({
      key: `/consultations/${encodeURIComponent(slug)}`,
      tags: withContributions,
      template: '/plans/consultation',
      load: async () => {
        const page = await loadPlanPage(db, slug, undefined);
        if (!page) return null;
        const { consultation } = page.context;
        const [counts, comments, statements] = await Promise.all([
          countsByTarget(db, consultation.id),
          commentSection(db, consultation, { kind: 'consultation', key: null }),
          publishedStatementsFor(db, consultation.id, 'consultation', null),
        ]);
        return {
          ...common(page),
          title: consultation.title,
          counts,
          comments,
          statements,
          now: currentPhase(consultation.phases),
        };
      },
    });
  });

  /** A cached page of the plan in the version chosen by `?version=`. */
  async function planPage(
    req: FastifyRequest,
    reply: FastifyReply,
    suffix: string,
    template: string,
    build: (page: PlanPage) => Promise<Record<string, unknown> & { title: string }>,
    tags: readonly string[] = PLAN_TAGS,
  ) {
    const slug = field(req.params, 'slug');
    const requested = versionParam(req);
    if (requested === null) throw new DomainError(404, 'plans.errors.versionNotFound');
    return reply.cachedPage({
      key: cacheKey(`/consultations/${encodeURIComponent(slug)}${suffix}`, requested),
      tags,
      template,
      load: async () => {
        const page = await loadPlanPage(db, slug, requested);
        return page ? build(page) : null;
      },
    });
  }

  app.get('/consultations/:slug/plan', publicAccess, (req, reply) =>
    planPage(req, reply, '/plan', '/plans/plan', async (page) => {
      const { consultation } = page.context;
      return {
        ...common(page),
        title: page.version ? `${page.version.label} – ${consultation.title}` : consultation.title,
        counts: await countsByTarget(db, consultation.id),
        now: currentPhase(consultation.phases),
      };
    }, withContributions),
  );

  app.get('/consultations/:slug/print', publicAccess, (req, reply) =>
    planPage(req, reply, '/print', '/plans/print', async (page) => {
      const { consultation } = page.context;
      if (!page.plan) throw new DomainError(404, 'plans.errors.noPlan');
      return {
        ...common(page),
        title: req.t('plans.print.title', { title: consultation.title, label: page.plan.version.label }),
        baseUrl: ctx.config.baseUrl,
      };
    }),
  );

  /**
   * A field, goal or measure page. Its key is stable across versions, so a deep link survives a
   * new version; when the shown version does not hold the item (it was removed later, or added
   * after the version asked for), the page shows it from the newest public version that does,
   * with a notice saying so, rather than a dead end: people follow these links from mails,
   * minutes and the committees' papers long after a version changed.
   */
  function itemPage(kind: ItemKind, template: string) {
    app.get(`/consultations/:slug/${kind}s/:key`, publicAccess, (req, reply) => {
      const key = field(req.params, 'key');
      return planPage(req, reply, `/${kind}s/${encodeURIComponent(key)}`, template, async (page) => {
        if (!page.plan || !page.index || !page.version) throw new DomainError(404, 'plans.errors.noPlan');
        let shown = { version: page.version, plan: page.plan, index: page.index };
        let elsewhere = false;
        if (!has(page.index, kind, key)) {
          const others = page.context.versions.filter((v) => v.id !== page.version?.id).map((v) => v.id);
          const otherId = await findVersionWithItem(db, kind, key, others);
          const other = page.context.versions.find((v) => v.id === otherId);
          if (!other) throw new DomainError(404, `plans.errors.${kind}NotFound`);
          const plan = await loadPlanTree(db, other);
          shown = { version: other, plan, index: indexPlan(plan) };
          elsewhere = true;
        }
        const { consultation } = page.context;
        const [counts, comments, statements] = await Promise.all([
          countsByTarget(db, consultation.id),
          commentSection(db, consultation, { kind, key }),
          publishedStatementsFor(db, consultation.id, kind, key),
        ]);
        const data = {
          ...common(page, shown),
          counts,
          comments,
          statements,
          outlook: participationOutlook(consultation.phases),
          elsewhere,
          requestedVersion: page.version,
          currentUrls: planUrls(consultation.slug, page.version, page.newest),
        };
        const index = shown.index;
        if (kind === 'field') {
          const f = index.fields.get(key) as FieldView;
          return { ...data, title: `${req.t('plans.plan.field', { code: f.code, title: f.title })} – ${consultation.title}`, item: f };
        }
        if (kind === 'goal') {
          const place = index.goals.get(key) as { goal: GoalView; field: FieldView };
          return { ...data, title: `${req.t('plans.plan.goal', { code: place.goal.code })} – ${consultation.title}`, item: place.goal, field: place.field };
        }
        const place = index.measures.get(key) as MeasurePlace;
        const at = index.order.indexOf(place);
        return {
          ...data,
          title: `${req.t('plans.plan.measure', { code: place.measure.code })} – ${consultation.title}`,
          item: place.measure,
          goal: place.goal,
          field: place.field,
          previous: index.order[at - 1] ?? null,
          next: index.order[at + 1] ?? null,
        };
      }, withContributions);
    });
  }
  itemPage('field', '/plans/field');
  itemPage('goal', '/plans/goal');
  itemPage('measure', '/plans/measure');

  app.get('/consultations/:slug/committees', publicAccess, (req, reply) =>
    planPage(req, reply, '/committees', '/plans/committees', async (page) => {
      if (!page.plan) throw new DomainError(404, 'plans.errors.noPlan');
      return { ...common(page), title: `${req.t('plans.committees.title')} – ${page.context.consultation.title}` };
    }),
  );

  app.get('/consultations/:slug/committees/:committee', publicAccess, (req, reply) => {
    const committeeSlug = field(req.params, 'committee');
    return planPage(req, reply, `/committees/${encodeURIComponent(committeeSlug)}`, '/plans/committee', async (page) => {
      if (!page.plan || !page.index) throw new DomainError(404, 'plans.errors.noPlan');
      const { consultation } = page.context;
      if (committeeSlug === ALL_COMMITTEES) {
        return {
          ...common(page),
          title: `${req.t('plans.committees.all')} – ${consultation.title}`,
          committee: null,
          selection: selectMeasures(page.plan, () => true),
        };
      }
      const committee = page.index.committees.find((c) => c.slug === committeeSlug) ?? (await findCommittee(db, committeeSlug));
      if (!committee) throw new DomainError(404, 'plans.errors.committeeNotFound');
      const inCommittee = (m: MeasureView) => m.committees.some((c) => c.slug === committeeSlug);
      const selection = selectMeasures(page.plan, inCommittee);
      return {
        ...common(page),
        title: `${committee.name} – ${consultation.title}`,
        committee,
        selection,
      };
    });
  });

  app.get('/consultations/:slug/departments', publicAccess, (req, reply) =>
    planPage(req, reply, '/departments', '/plans/departments', async (page) => {
      if (!page.plan) throw new DomainError(404, 'plans.errors.noPlan');
      return { ...common(page), title: `${req.t('plans.departments.title')} – ${page.context.consultation.title}` };
    }),
  );

  app.get('/consultations/:slug/departments/:department', publicAccess, (req, reply) => {
    const departmentSlug = field(req.params, 'department');
    return planPage(req, reply, `/departments/${encodeURIComponent(departmentSlug)}`, '/plans/department', async (page) => {
      if (!page.plan || !page.index) throw new DomainError(404, 'plans.errors.noPlan');
      const department = page.index.departments.find((d) => d.slug === departmentSlug) ?? (await findDepartment(db, departmentSlug));
      if (!department) throw new DomainError(404, 'plans.errors.departmentNotFound');
      const has = (role: 'lead' | 'support') => (m: MeasureView) => m[role].some((d) => d.slug === departmentSlug);
      return {
        ...common(page),
        title: `${department.name} – ${page.context.consultation.title}`,
        department,
        lead: selectMeasures(page.plan, has('lead')),
        support: selectMeasures(page.plan, has('support')),
      };
    });
  });

  // Results depend on what was typed, so they are not cached (an unbounded set of pages); the
  // search itself is four queries in one round trip after the consultation's three.
  app.get('/consultations/:slug/search', publicAccess, async (req, reply) => {
    const slug = field(req.params, 'slug');
    const context = await loadConsultationContext(db, slug);
    if (!context) throw new DomainError(404, 'errors.notFound.text');
    const raw = field(req.query, 'q');
    const query = parseSearchQuery(raw);
    // Search-as-you-type asks for the results region only (not a boosted page, not a history restore).
    const live = req.headers['hx-request'] === 'true' && req.headers['hx-target'] === 'search-results' && !req.headers['hx-history-restore-request'];
    // A first visit (no q at all) shows the form only; anything sent, even empty, gets an answer.
    const asked = typeof (req.query as Record<string, unknown> | undefined)?.q === 'string';
    const version = context.versions.at(-1) ?? null;
    const result = version && asked && !query.problem ? await searchPlan(db, version.id, query) : null;
    const { consultation } = context;
    const data = {
      consultation,
      version,
      urls: planUrls(consultation.slug, version, version),
      query,
      asked,
      result,
      maxLength: SEARCH_MAX_LENGTH,
      formatDate,
      title:
        asked && !query.problem
          ? `${req.t('plans.search.titleFor', { query: query.text })} – ${consultation.title}`
          : `${req.t('plans.search.title')} – ${consultation.title}`,
    };
    reply.header('vary', 'HX-Request, HX-Boosted, HX-Target');
    if (live) return reply.fragment('/plans/search-results', { ...data, oob: true });
    return reply.page('/plans/search', data);
  });
}

function has(index: PlanIndex, kind: ItemKind, key: string): boolean {
  if (kind === 'field') return index.fields.has(key);
  if (kind === 'goal') return index.goals.has(key);
  return index.measures.has(key);
}
