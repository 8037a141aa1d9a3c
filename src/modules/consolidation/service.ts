import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { NotFoundError } from '../../core/errors.js';
import type { DbOrTx } from '../../db/index.js';
import { contributions } from '../participation/schema.js';
import { consultations } from '../plans/schema.js';
import { consolidationSettings, responses, type Verdict, verdicts } from './schema.js';

/** Organisers and admins run the consolidation; department editors work their inbox. */
export const ORGANISERS = ['organiser', 'admin'] as const;
export const DEPARTMENT_EDITORS = ['department_editor'] as const;

export function isVerdict(value: unknown): value is Verdict {
  return typeof value === 'string' && (verdicts as readonly string[]).includes(value);
}

/**
 * What counts in the Abwägung: published contributions, and those a moderator did not publish
 * but kept for the consolidation. Withdrawn ones never count.
 */
export const eligibleContribution = and(
  sql`${contributions.status} <> 'withdrawn'`,
  or(eq(contributions.status, 'published'), eq(contributions.keepForConsolidation, true)),
);

/** The consultation by slug, for organiser pages (drafts included); 404 when unknown. */
export async function consultationBySlug(db: DbOrTx, slug: string) {
  const [row] = await db.select().from(consultations).where(eq(consultations.slug, slug));
  if (!row) throw new NotFoundError();
  return row;
}

export async function loadSettings(db: DbOrTx, consultationId: number) {
  const [row] = await db.select().from(consolidationSettings).where(eq(consolidationSettings.consultationId, consultationId));
  return row ?? { consultationId, requireSecondApproval: false, answersPublishedAt: null, answersPublishedBy: null, updatedAt: null };
}

/**
 * Makes sure every contribution that counts has its unit (response row) in the Abwägung, in one
 * statement; idempotent, so pages call it before they list units. A statement about exactly one
 * goal or measure starts there; one about several starts at the whole plan (the organiser splits
 * it into sections).
 */
export async function syncResponses(db: DbOrTx, consultationId: number): Promise<void> {
  await db.execute(sql`
    insert into response (consultation_id, contribution_id, target_kind, target_key)
    select c.id_consultation, c.id, coalesce(r.target_kind, c.target_kind), case when r.target_kind is null then c.target_key else r.target_key end
    from (
      select id, consultation_id as id_consultation, target_kind, target_key, kind
      from contribution
      where consultation_id = ${consultationId}
        and status <> 'withdrawn'
        and (status = 'published' or keep_for_consolidation)
    ) c
    left join lateral (
      select min(ref.target_kind) as target_kind, min(ref.target_key) as target_key
      from contribution_reference ref
      where ref.contribution_id = c.id and c.kind = 'statement'
      having count(*) = 1
    ) r on true
    on conflict (contribution_id) where section_id is null and group_id is null do nothing`);
}

/** The units of contributions, by contribution id (own units only, not sections or groups). */
export async function ownResponses(db: DbOrTx, contributionIds: number[]) {
  if (contributionIds.length === 0) return [];
  return db
    .select()
    .from(responses)
    .where(and(inArray(responses.contributionId, contributionIds), sql`${responses.sectionId} is null and ${responses.groupId} is null`));
}
