import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.js';
import { DomainError } from '../../../core/errors.js';
import type { DbOrTx } from '../../../db/index.js';
import { readPlanDocument } from '../document.js';
import type { Consultation, PlanVersion } from '../queries.js';
import { formatDate, PLAN_TAGS, planUrls } from '../routes.js';
import { linkedUnits } from '../../consolidation/review/queries.js';
import { publicPath } from '../../moderation/service.js';
import { CONTRIBUTIONS_TAG } from '../../participation/service.js';
import { comparePlans } from './compare.js';
import { anyVersion, editorAnchors, loadNames, publicVersions, versionIdParam, versionParam } from './versions.js';

const organisers = { access: ['organiser', 'admin'] as const };

/** A contribution shown next to the change it led to (from the Abwägung's change links). */
export interface LinkedContribution {
  receiptNumber: string;
  url: string;
  summary: string;
  /** The Votum's value (`consolidation.verdict.<value>`), when decided. */
  verdict: string | null;
}

/**
 * Contributions that led to each change, keyed by the change's `target` ("measure:m-…"): the
 * units of the Abwägung whose plan change points at an item of a version after `from` up to
 * `to`. The public sees approved answers once they are published, of contributions it may read,
 * linked to their public page; organisers see every one, linked to its unit. One query.
 */
export async function linkedContributions(
  db: DbOrTx,
  consultationId: number,
  from: PlanVersion,
  to: PlanVersion,
  audience: 'public' | 'organiser',
  slug: string,
): Promise<ReadonlyMap<string, LinkedContribution[]>> {
  if (to.position <= from.position) return new Map();
  const units = await linkedUnits(db, consultationId, from, to, audience);
  return new Map(
    [...units].map(([target, list]) => [
      target,
      list.map((u) => ({
        receiptNumber: u.number,
        url: audience === 'public' ? publicPath({ id: u.contributionId, kind: u.kind, receiptNumber: u.receiptNumber }, slug) : `/organiser/consolidation/responses/${u.responseId}`,
        summary: u.excerpt,
        verdict: u.verdict,
      })),
    ]),
  );
}

/** Links from the page to each item: its public page, or its place in the organiser editor. */
interface ItemLinks {
  item(kind: 'field' | 'goal' | 'measure', key: string, removed: boolean): string | null;
}

async function comparisonData(db: DbOrTx, consultation: Consultation, from: PlanVersion, to: PlanVersion, audience: 'public' | 'organiser') {
  const [before, after, names, linked] = await Promise.all([
    readPlanDocument(db, from.id),
    readPlanDocument(db, to.id),
    loadNames(db),
    linkedContributions(db, consultation.id, from, to, audience, consultation.slug),
  ]);
  return { comparison: comparePlans(before, after), names, linked };
}

/** The default pair: `to` (else the newest) and the version before it. */
function defaultPair(versions: PlanVersion[], from: PlanVersion | undefined, to: PlanVersion | undefined) {
  const newest = versions.at(-1);
  const target = to ?? newest;
  if (from && !to) return { from, to: newest };
  if (!target) return { from: undefined, to: undefined };
  const before = from ?? [...versions].reverse().find((v) => v.position < target.position);
  return { from: before, to: target };
}

export function compareRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.db;

  app.get('/consultations/:slug/compare', { config: { access: 'public' } }, (req, reply) => {
    const slug = String((req.params as { slug?: unknown }).slug ?? '');
    const fromId = versionParam(req.query, 'from');
    const toId = versionParam(req.query, 'to');
    const query = [fromId !== undefined ? `from=${fromId}` : '', toId !== undefined ? `to=${toId}` : ''].filter(Boolean).join('&');
    const base = `/consultations/${encodeURIComponent(slug)}/compare`;
    return reply.cachedPage({
      key: query ? `${base}?${query}` : base,
      // The contributions beside each change are public once their answers are.
      tags: [...PLAN_TAGS, CONTRIBUTIONS_TAG],
      template: '/compare/compare',
      load: async () => {
        const { consultation, versions } = await publicVersions(db, slug);
        const find = (id: number | undefined) => {
          if (id === undefined) return undefined;
          const version = versions.find((v) => v.id === id);
          // Drafts and other consultations' versions are not public: not found, like a wrong id.
          if (!version) throw new DomainError(404, 'compare.errors.versionNotFound');
          return version;
        };
        const { from, to } = defaultPair(versions, find(fromId), find(toId));
        const newest = versions.at(-1) ?? null;
        const urls = planUrls(consultation.slug, newest, newest);
        const fromUrls = from ? planUrls(consultation.slug, from, newest) : urls;
        const toUrls = to ? planUrls(consultation.slug, to, newest) : urls;
        const links: ItemLinks = {
          item: (kind, key, removed) => (removed ? fromUrls : toUrls)[kind](key),
        };
        const title = from && to ? `${req.t('compare.title.pair', { from: from.label, to: to.label })} – ${consultation.title}` : `${req.t('compare.title')} – ${consultation.title}`;
        return {
          title,
          consultation,
          versions,
          from: from ?? null,
          to: to ?? null,
          organiser: false,
          action: base,
          fromParam: 'from',
          urls,
          links,
          formatDate,
          crumbs: [
            { href: '/', label: req.t('layout.nav.home') },
            { href: urls.consultation, label: consultation.title },
            { href: base, label: req.t('compare.title') },
          ],
          ...(from && to ? await comparisonData(db, consultation, from, to, 'public') : { comparison: null }),
        };
      },
    });
  });

  // Organisers compare any two versions of a consultation, drafts included: typically the draft
  // being edited against the published version it was copied from.
  app.get('/organiser/versions/:versionId/compare', { config: organisers }, async (req, reply) => {
    const { consultation, version, versions } = await anyVersion(db, versionIdParam(req.params, 'versionId'));
    const withId = versionParam(req.query, 'with');
    let from: PlanVersion | undefined;
    if (withId !== undefined) {
      from = versions.find((v) => v.id === withId);
      if (!from) throw new DomainError(404, 'compare.errors.versionNotFound');
    } else {
      const others = versions.filter((v) => v.id !== version.id);
      const earlier = others.filter((v) => v.position < version.position).reverse();
      from = earlier.find((v) => v.status !== 'draft') ?? earlier[0] ?? others.at(-1);
    }
    const base = `/organiser/versions/${version.id}/compare`;
    const anchors = from ? await editorAnchors(db, [from.id, version.id]) : new Map<string, string>();
    const links: ItemLinks = {
      item: (kind, key, removed) => anchors.get(`${removed ? from?.id : version.id}:${kind}:${key}`) ?? null,
    };
    const title = from ? `${req.t('compare.title.pair', { from: from.label, to: version.label })} – ${consultation.title}` : `${req.t('compare.title')} – ${consultation.title}`;
    return reply.page('/compare/organiser', {
      title,
      consultation,
      versions,
      from: from ?? null,
      to: version,
      organiser: true,
      action: base,
      fromParam: 'with',
      links,
      formatDate,
      crumbs: [
        { href: '/organiser/consultations', label: req.t('editor.consultations.title') },
        { href: `/organiser/consultations/${consultation.id}`, label: consultation.title },
        { href: `/organiser/versions/${version.id}`, label: version.label },
        { href: base, label: req.t('compare.title') },
      ],
      ...(from ? await comparisonData(db, consultation, from, version, 'organiser') : { comparison: null }),
    });
  });
}
