/**
 * Guests: confirming a contribution by the mailed link, asking later for a link to one's
 * contributions, the short guest session that link opens, and the hand-over of a guest's
 * contributions to an account registered with the same address.
 */
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { announceChange } from '../../../core/cache.js';
import type { AppContext } from '../../../core/context.js';
import { hashToken, pseudonymise, randomToken } from '../../../core/crypto.js';
import { DomainError, type FieldErrors, RateLimitedError, ValidationError } from '../../../core/errors.js';
import type { Locale } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { recordAudit } from '../../audit/service.js';
import { enqueueMail } from '../../mail/outbox.js';
import { consultations, phases } from '../../plans/schema.js';
import { allow } from '../../ratelimit/store.js';
import { contributions, guestSessions } from '../schema.js';
import { CONTRIBUTIONS_TAG, checkGuestEmail, consumeGuestToken, issueManageToken, purgeUnconfirmed, statusAfterConfirmation } from '../service.js';

export const GUEST_COOKIE = 'guest';
/** A guest session is short: it only serves to look at and withdraw one's contributions. */
export const GUEST_SESSION_MINUTES = 120;
const ACCESS_PER_ADDRESS_PER_HOUR = 3;
const ACCESS_PER_CLIENT_PER_HOUR = 10;

/** Where a contribution can be read: its item's page, with the comment's anchor. */
export function contributionUrl(c: { id: number; kind: string; targetKind: string; targetKey: string | null; slug: string; receiptNumber?: string | null }): string {
  const base = `/consultations/${encodeURIComponent(c.slug)}`;
  // A written statement has a page of its own once it is published.
  if (c.kind === 'statement' && c.receiptNumber) return `${base}/statements/${encodeURIComponent(c.receiptNumber)}`;
  const anchor = c.kind === 'comment' ? `#comment-${c.id}` : '';
  if (c.targetKind === 'consultation' || !c.targetKey) return `${base}${anchor}`;
  return `${base}/${c.targetKind}s/${encodeURIComponent(c.targetKey)}${anchor}`;
}

export interface ConfirmOutcome {
  contributionId: number;
  status: 'published' | 'pending' | 'rejected' | 'withdrawn';
  url: string;
  /** False when the contribution had been confirmed before (a second tab, a reload). */
  changed: boolean;
}

/**
 * Confirms the contribution behind a `confirm` link: it goes to moderation (pre) or to the
 * public (post) as its phase says. Null when the link is unknown, used or expired, or the
 * contribution is gone (purged).
 */
export async function confirmContribution(ctx: AppContext, token: string): Promise<ConfirmOutcome | null> {
  return ctx.db.transaction(async (tx) => {
    const used = await consumeGuestToken(tx, token, 'confirm');
    if (!used?.contributionId) return null;
    const [row] = await tx
      .select({
        id: contributions.id,
        kind: contributions.kind,
        status: contributions.status,
        targetKind: contributions.targetKind,
        targetKey: contributions.targetKey,
        receiptNumber: contributions.receiptNumber,
        slug: consultations.slug,
        moderationMode: phases.moderationMode,
      })
      .from(contributions)
      .innerJoin(consultations, eq(consultations.id, contributions.consultationId))
      .leftJoin(phases, eq(phases.id, contributions.phaseId))
      .where(eq(contributions.id, used.contributionId))
      .for('update', { of: contributions });
    if (!row) return null;
    const url = contributionUrl(row);
    if (row.status !== 'unconfirmed') {
      const status = row.status === 'pending' || row.status === 'published' || row.status === 'rejected' ? row.status : 'withdrawn';
      return { contributionId: row.id, status, url, changed: false };
    }
    const status = statusAfterConfirmation(row.moderationMode ? { moderationMode: row.moderationMode } : null) as 'published' | 'pending';
    const now = new Date();
    await tx
      .update(contributions)
      .set({ status, confirmedAt: now, ...(status === 'published' ? { publishedAt: now } : {}) })
      .where(and(eq(contributions.id, row.id), eq(contributions.status, 'unconfirmed')));
    await recordAudit(tx, {
      actorId: null,
      action: 'contribution.confirm',
      subjectType: 'contribution',
      subjectId: row.id,
      before: { status: 'unconfirmed' },
      after: { status },
    });
    if (status === 'published') await announceChange(tx, CONTRIBUTIONS_TAG);
    return { contributionId: row.id, status, url, changed: true };
  });
}

/**
 * Mails a link to one's contributions if any were made with this address. Answers the same
 * whether or not the address is known (and when the address's hourly allowance is used up),
 * so the form tells nobody who took part. Too many requests from one client: 429.
 */
export async function requestGuestAccess(ctx: AppContext, rawEmail: string, clientAddress: string, locale: Locale): Promise<void> {
  const errors: FieldErrors = {};
  const email = checkGuestEmail(rawEmail, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  if (!(await allow(ctx.db, `guest-access:ip:${pseudonymise(ctx.secret, clientAddress)}`, ACCESS_PER_CLIENT_PER_HOUR, 3_600_000))) {
    throw new RateLimitedError();
  }
  await ctx.db.transaction(async (tx) => {
    const [known] = await tx
      .select({ id: contributions.id })
      .from(contributions)
      .where(and(eq(contributions.guestEmail, email), isNull(contributions.authorId)))
      .limit(1);
    if (!known) return;
    if (!(await allow(tx, `guest-access:mail:${pseudonymise(ctx.secret, email)}`, ACCESS_PER_ADDRESS_PER_HOUR, 3_600_000))) return;
    const token = await issueManageToken(tx, email);
    await enqueueMail(tx, {
      to: email,
      template: 'guest_manage_link',
      locale,
      payload: { url: `${ctx.config.baseUrl}/contributions/manage?token=${encodeURIComponent(token)}`, minutes: 60 },
    });
  });
  ctx.mailQueued();
}

/** Uses a `manage` link and opens a guest session; returns the cookie value, or null. */
export async function startGuestSession(ctx: AppContext, token: string): Promise<string | null> {
  return ctx.db.transaction(async (tx) => {
    const used = await consumeGuestToken(tx, token, 'manage');
    if (!used) return null;
    const session = randomToken();
    await tx.insert(guestSessions).values({
      idHash: hashToken(session),
      email: used.email,
      expiresAt: new Date(Date.now() + GUEST_SESSION_MINUTES * 60_000),
    });
    return session;
  });
}

export async function endGuestSession(db: DbOrTx, session: string): Promise<void> {
  await db.delete(guestSessions).where(eq(guestSessions.idHash, hashToken(session)));
}

/** The address of a live guest session, or null. */
export async function guestSessionEmail(db: DbOrTx, session: string): Promise<string | null> {
  if (!session || session.length > 100) return null;
  const [row] = await db
    .select({ email: guestSessions.email })
    .from(guestSessions)
    .where(and(eq(guestSessions.idHash, hashToken(session)), gt(guestSessions.expiresAt, new Date())));
  return row?.email ?? null;
}

/** The guest session of a request (its signed cookie), as the raw session value and address. */
export async function guestOf(ctx: AppContext, req: FastifyRequest): Promise<{ session: string; email: string } | null> {
  const signed = req.cookies[GUEST_COOKIE];
  if (!signed) return null;
  const unsigned = req.unsignCookie(signed);
  if (!unsigned.valid || !unsigned.value) return null;
  const email = await guestSessionEmail(ctx.db, unsigned.value);
  return email ? { session: unsigned.value, email } : null;
}

export function setGuestCookie(ctx: AppContext, reply: FastifyReply, session: string): void {
  reply.setCookie(GUEST_COOKIE, session, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.baseUrl.startsWith('https:'),
    signed: true,
    maxAge: GUEST_SESSION_MINUTES * 60,
  });
}

export function clearGuestCookie(reply: FastifyReply): void {
  reply.clearCookie(GUEST_COOKIE, { path: '/' });
}

/**
 * Hands a guest's contributions to the account that has just proved it owns the same address
 * (call in the transaction that confirms it). The account then sees them under "my
 * contributions" and can withdraw them there.
 */
export async function adoptGuestContributions(tx: DbOrTx, userId: string): Promise<number> {
  const adopted = await tx
    .update(contributions)
    .set({ authorId: userId })
    .where(
      and(
        isNull(contributions.authorId),
        sql`${contributions.guestEmail} = (select ${users.email} from ${users} where ${users.id} = ${userId} and ${users.emailConfirmedAt} is not null)`,
      ),
    )
    .returning({ id: contributions.id, status: contributions.status });
  if (adopted.length) {
    await recordAudit(tx, { actorId: userId, action: 'contribution.adopt', subjectType: 'user', subjectId: userId, after: { contributions: adopted.map((c) => c.id) } });
    // Their author is shown by account name from now on.
    if (adopted.some((c) => c.status === 'published')) await announceChange(tx, CONTRIBUTIONS_TAG);
  }
  return adopted.length;
}

/**
 * Housekeeping: unconfirmed guest contributions older than the configured days (never a
 * confirmed one: only status 'unconfirmed' is deleted), used-up guest links and ended sessions.
 */
export async function purgeGuestData(ctx: AppContext): Promise<number> {
  const deleted = await purgeUnconfirmed(ctx);
  await ctx.db.delete(guestSessions).where(lt(guestSessions.expiresAt, new Date()));
  return deleted;
}

/** A refusal for a contribution that is not the person's own: the same as one that does not exist. */
export class NotYoursError extends DomainError {
  constructor() {
    super(404, 'errors.notFound.text');
  }
}
