/**
 * The rules every contribution follows, whichever form it comes from (comment, written
 * statement, staff entry): when it may be made, who may make it how often, which status it
 * starts in, how a double submission is recognised, how guests confirm, and how a change reaches
 * the page cache. The comment, statement and organisation code builds on these pieces.
 */
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { CurrentUser } from '../../core/access.js';
import { announceChange } from '../../core/cache.js';
import type { AppContext } from '../../core/context.js';
import { hashToken, pseudonymise, randomToken } from '../../core/crypto.js';
import { DomainError, type FieldErrors, type MessageParams, RateLimitedError } from '../../core/errors.js';
import type { Locale } from '../../core/i18n.js';
import type { DbOrTx } from '../../db/index.js';
import { checkEmail, normaliseEmail } from '../accounts/validation.js';
import { enqueueMail } from '../mail/outbox.js';
import type { Phase } from '../plans/queries.js';
import type { channels as phaseChannels } from '../plans/schema.js';
import { phaseState } from '../plans/routes.js';
import { recordAudit } from '../audit/service.js';
import { allow } from '../ratelimit/store.js';
import { type ContributionStatus, contributions, type GuestTokenPurpose, guestTokens, receiptCounters } from './schema.js';

/** Cache tag of everything that shows published contributions or their counts. */
export const CONTRIBUTIONS_TAG = 'contributions';

export const COMMENT_MAX_LENGTH = 5000;
export const STATEMENT_MAX_LENGTH = 50_000;
export const TITLE_MAX_LENGTH = 200;
/** Comments can be corrected for this long after they were written. */
export const EDIT_MINUTES = 15;
const CONFIRM_TOKEN_DAYS_FALLBACK = 7;
const MANAGE_TOKEN_MINUTES = 60;

/**
 * Languages offered when writing, by their own names (endonyms), so a person finds theirs
 * without reading German. The text is stored as written; this only labels it (`lang`).
 * The list covers the languages most spoken by people who moved to German cities.
 */
export const contributionLanguages: ReadonlyArray<{ tag: string; name: string }> = [
  { tag: 'de', name: 'Deutsch' },
  { tag: 'en', name: 'English' },
  { tag: 'ar', name: 'العربية' },
  { tag: 'uk', name: 'Українська' },
  { tag: 'ru', name: 'Русский' },
  { tag: 'fa', name: 'فارسی' },
  { tag: 'prs', name: 'دری' },
  { tag: 'ps', name: 'پښتو' },
  { tag: 'ku', name: 'Kurdî' },
  { tag: 'tr', name: 'Türkçe' },
  { tag: 'ti', name: 'ትግርኛ' },
  { tag: 'so', name: 'Soomaali' },
  { tag: 'vi', name: 'Tiếng Việt' },
  { tag: 'pl', name: 'Polski' },
  { tag: 'cs', name: 'Čeština' },
  { tag: 'ro', name: 'Română' },
  { tag: 'bg', name: 'Български' },
  { tag: 'sq', name: 'Shqip' },
  { tag: 'sr', name: 'Српски / Srpski' },
  { tag: 'es', name: 'Español' },
  { tag: 'fr', name: 'Français' },
  { tag: 'it', name: 'Italiano' },
  { tag: 'zh', name: '中文' },
  { tag: 'hi', name: 'हिन्दी' },
  { tag: 'ur', name: 'اردو' },
];
const LANGUAGE_TAGS = new Set(contributionLanguages.map((l) => l.tag));

export function isContributionLanguage(tag: string): boolean {
  return LANGUAGE_TAGS.has(tag);
}

/** The language a writing form starts with: the page's, when people can write in it. */
export function defaultContributionLanguage(pageLocale: string): string {
  return isContributionLanguage(pageLocale) ? pageLocale : 'de';
}

// C0 controls except tab and line breaks, DEL and C1 controls: never part of a text people write.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Checks a text people wrote. Invalid UTF-8 reaches us as U+FFFD (the body parser replaces
 * undecodable bytes); the person is asked to check the text instead of storing mangled words.
 * Returns the text with normalised line breaks, trimmed.
 */
export function checkText(raw: string, errors: FieldErrors, name: string, options: { max: number; required?: boolean }, params?: Record<string, MessageParams>): string {
  const text = raw.replace(/\r\n?/g, '\n').trim();
  if (text === '') {
    if (options.required !== false) errors[name] = 'participation.errors.textRequired';
    return text;
  }
  if ([...text].length > options.max) {
    errors[name] = 'participation.errors.textTooLong';
    if (params) params[name] = { max: options.max, length: [...text].length };
  } else if (text.includes('\uFFFD') || !text.isWellFormed()) errors[name] = 'participation.errors.textEncoding';
  else if (CONTROL.test(text)) errors[name] = 'participation.errors.textControl';
  return text;
}

export function checkLanguage(tag: string, errors: FieldErrors, name = 'language'): void {
  if (!isContributionLanguage(tag)) errors[name] = 'participation.errors.language';
}

/** A guest's address, checked and lower-cased. */
export function checkGuestEmail(raw: string, errors: FieldErrors, name = 'email'): string {
  const email = normaliseEmail(raw);
  const before = errors[name];
  checkEmail(email, errors, name);
  if (errors[name] && errors[name] !== before) errors[name] = errors[name].replace('accounts.', 'participation.');
  return email;
}

/**
 * The honeypot: a field hidden from people (visually and from assistive technology) that bots
 * fill in. A filled honeypot is answered like a success, so the bot learns nothing, and nothing
 * is stored.
 */
export const HONEYPOT_FIELD = 'website';

export function isBot(body: unknown): boolean {
  const value = (body as Record<string, unknown> | undefined)?.[HONEYPOT_FIELD];
  return typeof value === 'string' && value.trim() !== '';
}

/** A fresh one-time form token: a hidden field in every contribution form. */
export function newFormToken(): string {
  return randomToken();
}

export function checkFormToken(raw: string): string {
  // A missing or odd token (an old page, a hand-made request) still works: it gets its own.
  return /^[A-Za-z0-9_-]{20,100}$/.test(raw) ? raw : randomToken();
}

type PhaseChannel = (typeof phaseChannels)[number];

/**
 * Raised when a contribution arrives while no phase takes it, e.g. a form submitted just after
 * the phase closed. The route re-renders the form with the text kept and says when it closed
 * and what comes next.
 */
export class PhaseClosedError extends DomainError {
  constructor(
    readonly closedAt: Date | null,
    readonly next: Phase | null,
  ) {
    super(409, 'participation.errors.phaseClosed');
  }
}

/** The phase open now that takes `channel`, or PhaseClosedError. */
export function openPhaseFor(phases: readonly Phase[], channel: PhaseChannel, now = new Date()): Phase {
  const open = phases.find((p) => phaseState(p, now) === 'open' && p.channels.includes(channel));
  if (open) return open;
  const taking = phases.filter((p) => p.channels.includes(channel));
  const closed = taking.filter((p) => phaseState(p, now) === 'closed').sort((a, b) => b.closesAt.getTime() - a.closesAt.getTime())[0];
  const next = phases.filter((p) => phaseState(p, now) === 'upcoming').sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime())[0];
  throw new PhaseClosedError(closed?.closesAt ?? null, next ?? null);
}

/**
 * Where a new contribution starts: a guest's waits for the mailed confirmation; a signed-in
 * person with a confirmed address goes straight to moderation (pre) or to the public (post).
 */
export function initialStatus(user: CurrentUser | null, phase: Pick<Phase, 'moderationMode'>): ContributionStatus {
  if (!user?.emailConfirmed) return 'unconfirmed';
  return statusAfterConfirmation(phase);
}

export function statusAfterConfirmation(phase: Pick<Phase, 'moderationMode'> | null): ContributionStatus {
  return phase?.moderationMode === 'pre' ? 'pending' : 'published';
}

/**
 * Rate limits per client address and per e-mail address (0 in the configuration: no limit).
 * Keys are keyed hashes: neither address is stored.
 */
export async function checkRateLimits(ctx: AppContext, db: DbOrTx, clientAddress: string, email: string | null): Promise<void> {
  const { perAddressPerHour, perEmailPerHour } = ctx.config.participation;
  if (perAddressPerHour > 0 && !(await allow(db, `contribution:ip:${pseudonymise(ctx.secret, clientAddress)}`, perAddressPerHour, 3_600_000))) {
    throw new RateLimitedError();
  }
  if (email && perEmailPerHour > 0 && !(await allow(db, `contribution:mail:${pseudonymise(ctx.secret, email)}`, perEmailPerHour, 3_600_000))) {
    throw new RateLimitedError();
  }
}

export type NewContribution = typeof contributions.$inferInsert;

/**
 * Inserts a contribution unless one from the same form (same one-time token) exists; either
 * way returns the contribution's id. `created` is false for the double click: the caller then
 * answers as it did the first time and sends no second mail.
 */
export async function insertContribution(tx: DbOrTx, values: NewContribution): Promise<{ id: number; created: boolean }> {
  const [row] = await tx.insert(contributions).values(values).onConflictDoNothing({ target: contributions.formToken }).returning({ id: contributions.id });
  if (row) {
    if (values.status === 'published') await announceChange(tx, CONTRIBUTIONS_TAG);
    return { id: row.id, created: true };
  }
  if (!values.formToken) throw new Error('insert returned nothing');
  const [existing] = await tx.select({ id: contributions.id }).from(contributions).where(eq(contributions.formToken, values.formToken));
  if (!existing) throw new Error('contribution with form token vanished');
  return { id: existing.id, created: false };
}

/**
 * What `insertContributionAtOnce` writes besides the contribution. Its creation needs no audit
 * entry: the row itself records who wrote what, when, where and how; the audit trail records what
 * happens to it afterwards (confirmation, moderation, withdrawal).
 */
export interface AtOnceExtras {
  /** A guest's confirmation: the link's token and mail, as `enqueueConfirmation` would write them. */
  confirmation?: { email: string; locale: Locale; consultationTitle: string; excerpt: string; itemUrl: string };
}

/**
 * A new comment and (for guests) its confirmation token and mail in one statement: data-modifying
 * CTEs run atomically, so there is no transaction to open and close and the database is asked
 * once instead of five times. This is the hot path of a busy consultation (DESIGN §6: a thousand
 * submissions a second). Null when the form token was used before.
 */
export async function insertContributionAtOnce(ctx: AppContext, db: DbOrTx, v: NewContribution, extras: AtOnceExtras): Promise<number | null> {
  const c = extras.confirmation;
  const days = ctx.config.participation.unconfirmedDays || CONFIRM_TOKEN_DAYS_FALLBACK;
  const token = c ? randomToken() : null;
  const payload = c
    ? JSON.stringify({
        confirmUrl: `${ctx.config.baseUrl}/contributions/confirm?token=${encodeURIComponent(token ?? '')}`,
        consultationTitle: c.consultationTitle,
        excerpt: c.excerpt,
        itemUrl: c.itemUrl,
        days,
      })
    : null;
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  const result = await db.execute<{ id: number }>(sql`
    with c as (
      insert into contribution (consultation_id, phase_id, kind, target_kind, target_key, plan_version_id, parent_id, body, language, page_locale,
        author_id, guest_email, organisation_id, status, consent_privacy_at, form_token, published_at)
      values (${v.consultationId}, ${v.phaseId ?? null}, ${v.kind}, ${v.targetKind}, ${v.targetKey ?? null}, ${v.planVersionId ?? null}, ${v.parentId ?? null},
        ${v.body}, ${v.language}, ${v.pageLocale}, ${v.authorId ?? null}, ${v.guestEmail ?? null}, ${v.organisationId ?? null}, ${v.status},
        ${iso(v.consentPrivacyAt as Date | null | undefined)}::timestamptz, ${v.formToken ?? null}, ${iso(v.publishedAt as Date | null | undefined)}::timestamptz)
      on conflict (form_token) do nothing
      returning id
    ),
    t as (
      insert into guest_token (token_hash, email, purpose, contribution_id, expires_at)
      select ${token ? hashToken(token) : null}, ${c?.email ?? null}, 'confirm', c.id, ${new Date(Date.now() + days * 86_400_000).toISOString()}::timestamptz
      from c where ${c !== undefined}
    ),
    m as (
      insert into mail_outbox (to_address, template, locale, payload)
      select ${c?.email ?? null}, 'contribution_confirm', ${c?.locale ?? null}, ${payload}::jsonb from c where ${c !== undefined}
    )
    select id from c`);
  const rows = Array.isArray(result) ? result : (result as { rows: Array<{ id: number }> }).rows;
  const id = rows[0]?.id;
  if (id === undefined) return null;
  if (v.status === 'published') await announceChange(db, CONTRIBUTIONS_TAG);
  return Number(id);
}

/** The next Eingangsnummer of a consultation, e.g. AI-2021-0042; call inside the transaction. */
export async function nextReceiptNumber(tx: DbOrTx, consultation: { id: number; receiptPrefix: string }, receivedAt = new Date()): Promise<string> {
  const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Europe/Berlin' }).format(receivedAt));
  const [row] = await tx
    .insert(receiptCounters)
    .values({ consultationId: consultation.id, year, last: 1 })
    .onConflictDoUpdate({ target: [receiptCounters.consultationId, receiptCounters.year], set: { last: sql`${receiptCounters.last} + 1` } })
    .returning({ last: receiptCounters.last });
  if (!row) throw new Error('receipt counter returned nothing');
  return `${consultation.receiptPrefix}-${year}-${String(row.last).padStart(4, '0')}`;
}

/**
 * Mails a guest the link that confirms their contribution (in the transaction that stored it).
 * The mail says how long the link works and that an unconfirmed contribution is then deleted.
 */
export async function enqueueConfirmation(
  ctx: AppContext,
  tx: DbOrTx,
  mail: { contributionId: number; email: string; locale: Locale; consultationTitle: string; excerpt: string; itemUrl: string },
): Promise<void> {
  const { url: confirmUrl, days } = await issueConfirmLink(ctx, tx, mail.email, mail.contributionId);
  await enqueueMail(tx, {
    to: mail.email,
    template: 'contribution_confirm',
    locale: mail.locale,
    payload: {
      confirmUrl,
      consultationTitle: mail.consultationTitle,
      excerpt: mail.excerpt,
      itemUrl: mail.itemUrl,
      days,
    },
  });
}

/**
 * A single-use link that confirms one contribution, valid as long as an unconfirmed
 * contribution is kept; for mails that say more than `enqueueConfirmation` (e.g. a receipt).
 */
export async function issueConfirmLink(ctx: AppContext, tx: DbOrTx, email: string, contributionId: number): Promise<{ url: string; days: number }> {
  const days = ctx.config.participation.unconfirmedDays || CONFIRM_TOKEN_DAYS_FALLBACK;
  const token = randomToken();
  await tx.insert(guestTokens).values({
    tokenHash: hashToken(token),
    email,
    purpose: 'confirm',
    contributionId,
    expiresAt: new Date(Date.now() + days * 86_400_000),
  });
  return { url: `${ctx.config.baseUrl}/contributions/confirm?token=${encodeURIComponent(token)}`, days };
}

/**
 * The link in a "please revise" mail: an account's author signs in and revises on the
 * contribution's page; a guest gets a single-use token instead (valid two weeks).
 */
export async function issueReviseLink(ctx: AppContext, tx: DbOrTx, contribution: { id: number; authorId: string | null; guestEmail: string | null }): Promise<string> {
  if (contribution.authorId || !contribution.guestEmail) return `${ctx.config.baseUrl}/contributions/${contribution.id}/revise`;
  const token = randomToken();
  await tx.insert(guestTokens).values({
    tokenHash: hashToken(token),
    email: contribution.guestEmail,
    purpose: 'revise',
    contributionId: contribution.id,
    expiresAt: new Date(Date.now() + 14 * 86_400_000),
  });
  return `${ctx.config.baseUrl}/contributions/revise?token=${encodeURIComponent(token)}`;
}

/** Whether a guest token would be accepted, without using it (for the page behind the link). */
export async function peekGuestToken(db: DbOrTx, token: string, purpose: GuestTokenPurpose): Promise<boolean> {
  if (!token || token.length > 100) return false;
  const [row] = await db
    .select({ email: guestTokens.email })
    .from(guestTokens)
    .where(and(eq(guestTokens.tokenHash, hashToken(token)), eq(guestTokens.purpose, purpose), isNull(guestTokens.usedAt), gt(guestTokens.expiresAt, new Date())));
  return row !== undefined;
}

/** Uses a guest token once; returns its address and contribution, or null. */
export async function consumeGuestToken(db: DbOrTx, token: string, purpose: GuestTokenPurpose): Promise<{ email: string; contributionId: number | null } | null> {
  if (!token || token.length > 100) return null;
  const [row] = await db
    .update(guestTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(guestTokens.tokenHash, hashToken(token)), eq(guestTokens.purpose, purpose), isNull(guestTokens.usedAt), gt(guestTokens.expiresAt, new Date())))
    .returning({ email: guestTokens.email, contributionId: guestTokens.contributionId });
  return row ?? null;
}

/** Issues a `manage` link token for a guest address (the caller mails it). */
export async function issueManageToken(db: DbOrTx, email: string): Promise<string> {
  const token = randomToken();
  await db.insert(guestTokens).values({ tokenHash: hashToken(token), email, purpose: 'manage', expiresAt: new Date(Date.now() + MANAGE_TOKEN_MINUTES * 60_000) });
  return token;
}

/** Deletes guests' contributions never confirmed within the configured days, and old tokens. */
export async function purgeUnconfirmed(ctx: AppContext): Promise<number> {
  const cutoff = new Date(Date.now() - ctx.config.participation.unconfirmedDays * 86_400_000);
  const deleted = await ctx.db
    .delete(contributions)
    .where(and(eq(contributions.status, 'unconfirmed'), lt(contributions.createdAt, cutoff)))
    .returning({ id: contributions.id });
  await ctx.db.delete(guestTokens).where(lt(guestTokens.expiresAt, new Date()));
  return deleted.length;
}

/** Who may act on a contribution as its author: the account that wrote it, or a guest session. */
export type ContributionOwner = { userId: string } | { guestEmail: string };

export function ownerCondition(owner: ContributionOwner) {
  return 'userId' in owner ? eq(contributions.authorId, owner.userId) : and(isNull(contributions.authorId), eq(contributions.guestEmail, owner.guestEmail));
}

/**
 * The author withdraws a contribution, at any time. The slot stays ("withdrawn by the author"),
 * so replies keep their context; the text is no longer shown. Returns false when it is not the
 * owner's or already withdrawn.
 */
export async function withdrawContribution(ctx: AppContext, contributionId: number, owner: ContributionOwner): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: contributions.status })
      .from(contributions)
      .where(and(eq(contributions.id, contributionId), ownerCondition(owner)))
      .for('update');
    if (!before || before.status === 'withdrawn') return false;
    await tx.update(contributions).set({ status: 'withdrawn', withdrawnAt: new Date() }).where(eq(contributions.id, contributionId));
    await recordAudit(tx, {
      actorId: 'userId' in owner ? owner.userId : null,
      action: 'contribution.withdraw',
      subjectType: 'contribution',
      subjectId: contributionId,
      before: { status: before.status },
      after: { status: 'withdrawn' },
    });
    if (before.status === 'published') await announceChange(tx, CONTRIBUTIONS_TAG);
    return true;
  });
}
