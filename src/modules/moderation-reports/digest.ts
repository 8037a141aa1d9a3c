/**
 * The moderators' digest: every `digestHours` hours each moderator gets one mail saying how many
 * contributions wait (by consultation), how long the oldest has waited and how many were
 * reported. Nothing is sent when nothing waits. Several instances may run the housekeeping: the
 * period is claimed with one conditional update of a settings row, so only one of them sends.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { AppContext } from '../../core/context.js';
import { isLocale } from '../../core/i18n.js';
import type { DbOrTx } from '../../db/index.js';
import { userRoles, users } from '../accounts/schema.js';
import { enqueueMail } from '../mail/outbox.js';
import { contributionReports, contributions } from '../participation/schema.js';
import { consultations } from '../plans/schema.js';
import { settings } from '../settings/schema.js';

const SETTING_KEY = 'moderation_digest';

export interface WaitingSummary {
  total: number;
  reported: number;
  /** Seconds since the oldest waiting item started waiting. */
  oldestSeconds: number;
  byConsultation: Array<{ title: string; waiting: number; reported: number }>;
}

/**
 * What waits for the moderators: pending contributions, and published or hidden ones with open
 * reports. A pending one waits since it was confirmed (or last revised); a reported one since
 * its first open report.
 */
export async function waitingSummary(db: DbOrTx, now = new Date()): Promise<WaitingSummary> {
  const open = db
    .select({ contributionId: contributionReports.contributionId, first: sql<Date>`min(${contributionReports.createdAt})`.as('first_report') })
    .from(contributionReports)
    .where(isNull(contributionReports.resolvedAt))
    .groupBy(contributionReports.contributionId)
    .as('open_reports');
  const since = sql`least(case when ${contributions.status} = 'pending' then coalesce(${contributions.editedAt}, ${contributions.confirmedAt}, ${contributions.createdAt}) end, ${open.first})`;
  const rows = await db
    .select({
      title: consultations.title,
      waiting: sql<number>`count(*)`.mapWith(Number),
      reported: sql<number>`count(${open.contributionId})`.mapWith(Number),
      oldest: sql<number>`extract(epoch from min(${since}))::float8`.mapWith(Number),
    })
    .from(contributions)
    .innerJoin(consultations, eq(consultations.id, contributions.consultationId))
    .leftJoin(open, eq(open.contributionId, contributions.id))
    .where(or(eq(contributions.status, 'pending'), and(inArray(contributions.status, ['published', 'hidden']), isNotNull(open.contributionId))))
    .groupBy(consultations.id, consultations.title)
    .orderBy(asc(consultations.title));
  const oldest = rows.length ? Math.min(...rows.map((r) => r.oldest)) : now.getTime() / 1000;
  return {
    total: rows.reduce((n, r) => n + r.waiting, 0),
    reported: rows.reduce((n, r) => n + r.reported, 0),
    oldestSeconds: Math.max(0, Math.round(now.getTime() / 1000 - oldest)),
    byConsultation: rows.map((r) => ({ title: r.title, waiting: r.waiting, reported: r.reported })),
  };
}

/**
 * Takes this period's digest for this instance: true for exactly one caller per period. The
 * row's update time is the last run; the update only matches when that lies a period back, and
 * a concurrent second update waits for the first and then no longer matches.
 */
async function claimPeriod(tx: DbOrTx, hours: number, now: Date): Promise<boolean> {
  await tx
    .insert(settings)
    .values({ key: SETTING_KEY, value: { lastRun: null }, updatedAt: new Date(0) })
    .onConflictDoNothing({ target: settings.key });
  // A few minutes' slack: the housekeeping tick that comes a moment early still counts.
  const due = new Date(now.getTime() - hours * 3_600_000 + 5 * 60_000);
  const claimed = await tx
    .update(settings)
    .set({ value: { lastRun: now.toISOString() }, updatedAt: now })
    .where(and(eq(settings.key, SETTING_KEY), lte(settings.updatedAt, due)))
    .returning({ key: settings.key });
  return claimed.length === 1;
}

/** Sends the digest when one is due and something waits; returns how many mails were queued. */
export async function runModerationDigest(ctx: AppContext, now = new Date()): Promise<number> {
  const hours = ctx.config.moderation.digestHours;
  if (hours <= 0) return 0;
  const summary = await waitingSummary(ctx.db, now);
  if (summary.total === 0) return 0;
  const sent = await ctx.db.transaction(async (tx) => {
    if (!(await claimPeriod(tx, hours, now))) return 0;
    const moderators = await tx
      .selectDistinct({ email: users.email, locale: users.locale })
      .from(userRoles)
      .innerJoin(users, eq(users.id, userRoles.userId))
      .where(and(eq(userRoles.role, 'moderator'), isNull(users.deletedAt), isNotNull(users.emailConfirmedAt), isNotNull(users.email)));
    for (const m of moderators) {
      if (!m.email) continue;
      await enqueueMail(tx, {
        to: m.email,
        template: 'moderation_digest',
        locale: isLocale(m.locale) ? m.locale : 'de',
        payload: {
          total: summary.total,
          reported: summary.reported,
          oldestSeconds: summary.oldestSeconds,
          hours,
          // The outbox payload is flat: the lines per consultation travel as JSON.
          byConsultation: JSON.stringify(summary.byConsultation),
          url: `${ctx.config.baseUrl}/moderation`,
        },
      });
    }
    return moderators.length;
  });
  if (sent > 0) ctx.mailQueued();
  return sent;
}
