/**
 * Moderation statistics for organisers, per consultation: contributions by status, time from
 * receipt to the moderators' decision (median and 90th percentile), decisions and reports by
 * reason, and how many were hidden automatically after reports. A few grouped queries each.
 */
import { and, count, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/index.js';
import { auditEntries } from '../audit/schema.js';
import { type ContributionStatus, contributionReports, contributionStatuses, contributions } from '../participation/schema.js';
import { consultations } from '../plans/schema.js';

export async function consultationChoices(db: DbOrTx) {
  return db.select({ id: consultations.id, slug: consultations.slug, title: consultations.title }).from(consultations).orderBy(desc(consultations.createdAt), desc(consultations.id));
}

/** The decisions the statistics count by reason: the states a moderator sets with one. */
export const decidedStatuses = ['rejected', 'hidden', 'revision_requested'] as const;

export interface ModerationStatistics {
  byStatus: Array<{ status: ContributionStatus; count: number }>;
  total: number;
  decided: number;
  /** Hours; null when nothing was decided yet. */
  medianHours: number | null;
  p90Hours: number | null;
  decisions: Array<{ reason: string | null; rejected: number; hidden: number; revision_requested: number }>;
  reports: Array<{ reason: string; count: number; open: number }>;
  autoHidden: number;
}

export async function moderationStatistics(db: DbOrTx, consultationId: number): Promise<ModerationStatistics> {
  const c = contributions;
  const ofConsultation = eq(c.consultationId, consultationId);
  // Guests' contributions reach the moderators when confirmed; staff entries and accounts' at once.
  const seconds = sql`extract(epoch from (${c.moderatedAt} - coalesce(${c.confirmedAt}, ${c.createdAt})))`;
  const [statusRows, [times], decisionRows, reportRows, [auto]] = await Promise.all([
    db.select({ status: c.status, n: count() }).from(c).where(ofConsultation).groupBy(c.status),
    db
      .select({
        decided: count(),
        median: sql<number | null>`percentile_cont(0.5) within group (order by ${seconds})`.mapWith((v) => (v === null ? null : Number(v))),
        p90: sql<number | null>`percentile_cont(0.9) within group (order by ${seconds})`.mapWith((v) => (v === null ? null : Number(v))),
      })
      .from(c)
      .where(and(ofConsultation, isNotNull(c.moderatedAt))),
    db
      .select({ status: c.status, reason: c.statusReason, n: count() })
      .from(c)
      .where(and(ofConsultation, sql`${c.status} in ('rejected', 'hidden', 'revision_requested')`))
      .groupBy(c.status, c.statusReason),
    db
      .select({ reason: contributionReports.reason, n: count(), open: sql<number>`count(*) filter (where ${contributionReports.resolvedAt} is null)`.mapWith(Number) })
      .from(contributionReports)
      .innerJoin(c, eq(c.id, contributionReports.contributionId))
      .where(ofConsultation)
      .groupBy(contributionReports.reason),
    db
      .select({ n: sql<number>`count(distinct ${auditEntries.subjectId})`.mapWith(Number) })
      .from(auditEntries)
      .innerJoin(c, sql`${auditEntries.subjectId} = ${c.id}::text`)
      .where(and(eq(auditEntries.subjectType, 'contribution'), eq(auditEntries.action, 'moderation.auto_hide'), ofConsultation)),
  ]);
  const counts = new Map(statusRows.map((r) => [r.status, r.n]));
  const byStatus = contributionStatuses.map((status) => ({ status, count: counts.get(status) ?? 0 }));
  const decisions = new Map<string | null, ModerationStatistics['decisions'][number]>();
  for (const r of decisionRows) {
    const entry = decisions.get(r.reason) ?? { reason: r.reason, rejected: 0, hidden: 0, revision_requested: 0 };
    if (r.status === 'rejected' || r.status === 'hidden' || r.status === 'revision_requested') entry[r.status] += r.n;
    decisions.set(r.reason, entry);
  }
  const hours = (s: number | null | undefined) => (s === null || s === undefined ? null : s / 3600);
  return {
    byStatus,
    total: byStatus.reduce((n, s) => n + s.count, 0),
    decided: times?.decided ?? 0,
    medianHours: hours(times?.median),
    p90Hours: hours(times?.p90),
    decisions: [...decisions.values()].sort((a, b) => String(a.reason).localeCompare(String(b.reason))),
    reports: reportRows.map((r) => ({ reason: r.reason, count: r.n, open: r.open })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    autoHidden: auto?.n ?? 0,
  };
}
