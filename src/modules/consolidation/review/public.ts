/**
 * The city's published answers as the public pages show them ("Antwort der Stadtverwaltung"):
 * approved units of consultations whose answers were published. Each page asks once for all the
 * contributions it shows (one query, whatever the page holds).
 */
import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../../db/index.js';
import { contributionGroupMembers, contributionSections, consolidationSettings, responses, type Verdict } from '../schema.js';

export interface PublicAnswer {
  responseId: number;
  answer: string;
  verdict: Verdict | null;
  /** A section's answer names the passage it answers; null for the whole contribution. */
  passage: string | null;
  position: number | null;
  /** True when the answer was given to a group of equal contributions. */
  group: boolean;
}

const member = alias(contributionGroupMembers, 'answer_member');

/**
 * Published answers by contribution id: the contribution's own answer, its group's, or its
 * sections' (in their order). Contributions without one are missing from the map.
 */
export async function publicAnswers(db: DbOrTx, contributionIds: readonly number[]): Promise<Map<number, PublicAnswer[]>> {
  const byContribution = new Map<number, PublicAnswer[]>();
  const ids = [...new Set(contributionIds)];
  if (ids.length === 0) return byContribution;
  const rows = await db
    .select({
      forId: sql<number>`coalesce(${member.contributionId}, ${responses.contributionId})`.mapWith(Number),
      responseId: responses.id,
      answer: responses.answer,
      verdict: responses.verdict,
      groupId: responses.groupId,
      passage: contributionSections.body,
      position: contributionSections.position,
    })
    .from(responses)
    .innerJoin(
      consolidationSettings,
      and(eq(consolidationSettings.consultationId, responses.consultationId), isNotNull(consolidationSettings.answersPublishedAt)),
    )
    .leftJoin(member, and(isNotNull(responses.groupId), eq(member.groupId, responses.groupId)))
    .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId))
    .where(
      and(
        eq(responses.status, 'approved'),
        eq(responses.superseded, false),
        or(and(isNull(responses.groupId), inArray(responses.contributionId, ids)), inArray(member.contributionId, ids)),
      ),
    )
    .orderBy(asc(contributionSections.position), asc(responses.id));
  for (const r of rows) {
    const list = byContribution.get(r.forId) ?? [];
    list.push({ responseId: r.responseId, answer: r.answer, verdict: r.verdict, passage: r.passage, position: r.position, group: r.groupId !== null });
    byContribution.set(r.forId, list);
  }
  return byContribution;
}
