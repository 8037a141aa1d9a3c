/** "My contributions": what a person (account or guest session) wrote, with its status in words. */
import { and, count, desc, eq, inArray, ne } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { pseudonymise } from '../../../core/crypto.js';
import { NotFoundError } from '../../../core/errors.js';
import type { Locale } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { type PublicAnswer, publicAnswers } from '../../consolidation/review/public.js';
import { fields, goals, measures, planVersions, consultations } from '../../plans/schema.js';
import { allow } from '../../ratelimit/store.js';
import { contributionUrl } from '../guests/service.js';
import { contributionReferences, contributions, organisationMembers, organisations } from '../schema.js';
import { type ContributionOwner, enqueueConfirmation, ownerCondition } from '../service.js';

export const PAGE_SIZE = 20;
const EXCERPT_LENGTH = 240;
const RESENDS_PER_ADDRESS_PER_HOUR = 3;

export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if ([...flat].length <= max) return flat;
  const cut = [...flat].slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut} …`;
}

/**
 * The codes of fields, goals and measures in each consultation's newest public version, keyed
 * `kind:key` (one query per kind for all consultations asked for).
 */
export async function itemCodes(db: DbOrTx, consultationIds: number[]): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  if (consultationIds.length === 0) return codes;
  const versions = await db
    .selectDistinctOn([planVersions.consultationId], { id: planVersions.id, consultationId: planVersions.consultationId })
    .from(planVersions)
    .where(and(inArray(planVersions.consultationId, consultationIds), ne(planVersions.status, 'draft')))
    .orderBy(planVersions.consultationId, desc(planVersions.position));
  const ids = versions.map((v) => v.id);
  if (ids.length === 0) return codes;
  const byVersion = new Map(versions.map((v) => [v.id, v.consultationId]));
  const [f, g, m] = await Promise.all([
    db.select({ v: fields.planVersionId, key: fields.key, code: fields.code }).from(fields).where(inArray(fields.planVersionId, ids)),
    db.select({ v: goals.planVersionId, key: goals.key, code: goals.code }).from(goals).where(inArray(goals.planVersionId, ids)),
    db.select({ v: measures.planVersionId, key: measures.key, code: measures.code }).from(measures).where(inArray(measures.planVersionId, ids)),
  ]);
  for (const [kind, rows] of [['field', f], ['goal', g], ['measure', m]] as const) {
    for (const r of rows) codes.set(`${byVersion.get(r.v)}|${kind}:${r.key}`, r.code);
  }
  return codes;
}

export interface MyContribution {
  id: number;
  kind: 'comment' | 'statement';
  status: string;
  statusReason: string | null;
  title: string | null;
  excerpt: string;
  language: string;
  receiptNumber: string | null;
  createdAt: Date;
  isReply: boolean;
  consultationTitle: string;
  consultationUrl: string;
  target: { kind: string; code: string | null; url: string } | null;
  references: Array<{ kind: string; code: string | null; url: string }>;
  url: string;
  organisationName: string | null;
  /** The city's published answer (Abwägung). */
  answers: PublicAnswer[];
}

/** One page of the owner's contributions, newest first. */
export async function listMine(db: DbOrTx, owner: ContributionOwner, page: number): Promise<{ rows: MyContribution[]; total: number }> {
  const where = ownerCondition(owner);
  const [total] = await db.select({ n: count() }).from(contributions).where(where);
  const rows = await db
    .select({
      id: contributions.id,
      kind: contributions.kind,
      status: contributions.status,
      statusReason: contributions.statusReason,
      title: contributions.title,
      body: contributions.body,
      language: contributions.language,
      receiptNumber: contributions.receiptNumber,
      createdAt: contributions.createdAt,
      parentId: contributions.parentId,
      targetKind: contributions.targetKind,
      targetKey: contributions.targetKey,
      consultationId: contributions.consultationId,
      consultationTitle: consultations.title,
      slug: consultations.slug,
      organisationName: organisations.name,
    })
    .from(contributions)
    .innerJoin(consultations, eq(consultations.id, contributions.consultationId))
    .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
    .where(where)
    .orderBy(desc(contributions.createdAt), desc(contributions.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  const statementIds = rows.filter((r) => r.kind === 'statement').map((r) => r.id);
  const [codes, refs, answers] = await Promise.all([
    itemCodes(db, [...new Set(rows.map((r) => r.consultationId))]),
    statementIds.length
      ? db.select().from(contributionReferences).where(inArray(contributionReferences.contributionId, statementIds))
      : Promise.resolve([]),
    publicAnswers(
      db,
      rows.filter((r) => r.status !== 'withdrawn').map((r) => r.id),
    ),
  ]);
  const itemUrl = (slug: string, kind: string, key: string) => `/consultations/${encodeURIComponent(slug)}/${kind}s/${encodeURIComponent(key)}`;
  return {
    total: total?.n ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      statusReason: r.statusReason,
      title: r.title,
      excerpt: excerpt(r.body),
      language: r.language,
      receiptNumber: r.receiptNumber,
      createdAt: r.createdAt,
      isReply: r.parentId !== null,
      consultationTitle: r.consultationTitle,
      consultationUrl: `/consultations/${encodeURIComponent(r.slug)}`,
      target:
        r.targetKind !== 'consultation' && r.targetKey
          ? { kind: r.targetKind, code: codes.get(`${r.consultationId}|${r.targetKind}:${r.targetKey}`) ?? null, url: itemUrl(r.slug, r.targetKind, r.targetKey) }
          : null,
      references: refs
        .filter((ref) => ref.contributionId === r.id)
        .map((ref) => ({ kind: ref.targetKind, code: codes.get(`${r.consultationId}|${ref.targetKind}:${ref.targetKey}`) ?? null, url: itemUrl(r.slug, ref.targetKind, ref.targetKey) })),
      url: contributionUrl(r),
      organisationName: r.organisationName,
      answers: answers.get(r.id) ?? [],
    })),
  };
}

/** One of the owner's contributions (for the withdraw confirmation), or 404. */
export async function findMine(db: DbOrTx, owner: ContributionOwner, id: number) {
  const [row] = await db
    .select({ id: contributions.id, kind: contributions.kind, status: contributions.status, body: contributions.body, title: contributions.title, language: contributions.language, createdAt: contributions.createdAt })
    .from(contributions)
    .where(and(eq(contributions.id, id), ownerCondition(owner)));
  if (!row) throw new NotFoundError();
  return { ...row, excerpt: excerpt(row.body, 600) };
}

/**
 * Sends the confirmation link of an unconfirmed contribution again (the first mail got lost or
 * expired). Silently does nothing when the address's hourly allowance is used up.
 */
export async function resendConfirmation(ctx: AppContext, owner: ContributionOwner, id: number, ownerEmail: string, locale: Locale): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        id: contributions.id,
        kind: contributions.kind,
        status: contributions.status,
        body: contributions.body,
        guestEmail: contributions.guestEmail,
        targetKind: contributions.targetKind,
        targetKey: contributions.targetKey,
        slug: consultations.slug,
        consultationTitle: consultations.title,
      })
      .from(contributions)
      .innerJoin(consultations, eq(consultations.id, contributions.consultationId))
      .where(and(eq(contributions.id, id), ownerCondition(owner)));
    if (row?.status !== 'unconfirmed') throw new NotFoundError();
    const email = row.guestEmail ?? ownerEmail;
    if (!(await allow(tx, `contribution-resend:${pseudonymise(ctx.secret, email)}`, RESENDS_PER_ADDRESS_PER_HOUR, 3_600_000))) return;
    await enqueueConfirmation(ctx, tx, {
      contributionId: row.id,
      email,
      locale,
      consultationTitle: row.consultationTitle,
      excerpt: excerpt(row.body, 300),
      itemUrl: `${ctx.config.baseUrl}${contributionUrl(row).split('#')[0]}`,
    });
  });
  ctx.mailQueued();
}

/** A signed-in person's requests to represent organisations, with their status. */
export async function myRepresentations(db: DbOrTx, userId: string) {
  return db
    .select({
      organisationId: organisations.id,
      name: organisations.name,
      verifiedAt: organisations.verifiedAt,
      status: organisationMembers.status,
      requestedAt: organisationMembers.requestedAt,
      decidedAt: organisationMembers.decidedAt,
      decisionNote: organisationMembers.decisionNote,
    })
    .from(organisationMembers)
    .innerJoin(organisations, eq(organisations.id, organisationMembers.organisationId))
    .where(eq(organisationMembers.userId, userId))
    .orderBy(desc(organisationMembers.requestedAt));
}
