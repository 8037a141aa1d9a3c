import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../../core/context.js';
import { hashToken, pseudonymise, randomToken } from '../../core/crypto.js';
import { DomainError, type FieldErrors, ValidationError } from '../../core/errors.js';
import type { Locale } from '../../core/i18n.js';
import type { DbOrTx } from '../../db/index.js';
import { recordAudit } from '../audit/service.js';
import { departmentMembers } from '../departments/schema.js';
import { mailOutbox } from '../mail/schema.js';
import { adoptGuestContributions } from '../participation/guests/service.js';
import { enqueueMail } from '../mail/outbox.js';
import { allow } from '../ratelimit/store.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { authTokens, type TokenPurpose, userRoles, users } from './schema.js';
import { announceUserChange, deleteUserSessions } from './sessions.js';
import { checkDisplayName, checkEmail, checkPassword, normaliseEmail } from './validation.js';

const TOKEN_MINUTES: Record<TokenPurpose, number> = {
  confirm_email: 3 * 24 * 60,
  magic_link: 15,
  password_reset: 60,
};
// A person's inbox is not a target: at most this many account mails per address and hour.
const MAILS_PER_ADDRESS_PER_HOUR = 5;

export async function issueToken(db: DbOrTx, userId: string, purpose: TokenPurpose, minutes = TOKEN_MINUTES[purpose]): Promise<string> {
  const token = randomToken();
  await db.insert(authTokens).values({
    tokenHash: hashToken(token),
    userId,
    purpose,
    expiresAt: new Date(Date.now() + minutes * 60_000),
  });
  return token;
}

/** Marks a token used and returns its user; at most one caller can ever succeed. */
export async function consumeToken(db: DbOrTx, token: string, purpose: TokenPurpose): Promise<string | null> {
  if (!token || token.length > 100) return null;
  const [row] = await db
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(authTokens.tokenHash, hashToken(token)),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
      ),
    )
    .returning({ userId: authTokens.userId });
  return row?.userId ?? null;
}

/** Whether a token would be accepted, without using it (to show the right page for a link). */
export async function peekToken(db: DbOrTx, token: string, purpose: TokenPurpose): Promise<boolean> {
  if (!token || token.length > 100) return false;
  const [row] = await db
    .select({ userId: authTokens.userId })
    .from(authTokens)
    .where(
      and(
        eq(authTokens.tokenHash, hashToken(token)),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
      ),
    );
  return row !== undefined;
}

function link(ctx: AppContext, path: string, token: string): string {
  return `${ctx.config.baseUrl}${path}?token=${encodeURIComponent(token)}`;
}

async function mailAllowed(ctx: AppContext, db: DbOrTx, email: string): Promise<boolean> {
  return allow(db, `mail:${pseudonymise(ctx.secret, email)}`, MAILS_PER_ADDRESS_PER_HOUR, 3_600_000);
}

async function findByEmail(db: DbOrTx, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user ?? null;
}

export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
  locale: Locale;
}

/**
 * Registers an account and mails a confirmation link. Answers the same whether or not the
 * address is already registered; the owner of a registered address is told by mail instead.
 */
export async function register(ctx: AppContext, input: RegisterInput): Promise<void> {
  const email = normaliseEmail(input.email);
  const displayName = input.displayName.trim();
  const errors: FieldErrors = {};
  checkEmail(email, errors);
  checkDisplayName(displayName, errors);
  checkPassword(input.password, ctx.config.passwordMinLength, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  const passwordHash = await hashPassword(input.password);
  await ctx.db.transaction(async (tx) => {
    if (!(await mailAllowed(ctx, tx, email))) return;
    const existing = await findByEmail(tx, email);
    if (existing?.emailConfirmedAt) {
      await enqueueMail(tx, {
        to: email,
        template: 'already_registered',
        locale: input.locale,
        payload: { signInUrl: `${ctx.config.baseUrl}/signin`, resetUrl: `${ctx.config.baseUrl}/password/forgot` },
      });
      return;
    }
    let userId: string;
    if (existing) {
      // Unconfirmed: whoever registers last and then proves the mailbox owns the account;
      // earlier links stop working.
      await tx.update(users).set({ passwordHash, displayName, locale: input.locale }).where(eq(users.id, existing.id));
      await tx.delete(authTokens).where(and(eq(authTokens.userId, existing.id), eq(authTokens.purpose, 'confirm_email')));
      userId = existing.id;
    } else {
      const [created] = await tx
        .insert(users)
        .values({ email, passwordHash, displayName, locale: input.locale })
        .returning({ id: users.id });
      if (!created) throw new Error('user insert returned nothing');
      userId = created.id;
    }
    const token = await issueToken(tx, userId, 'confirm_email');
    await enqueueMail(tx, {
      to: email,
      template: 'confirm_email',
      locale: input.locale,
      payload: { displayName, url: link(ctx, '/confirm', token) },
    });
  });
  ctx.mailQueued();
}

async function confirmAddress(tx: DbOrTx, userId: string): Promise<void> {
  const confirmed = await tx
    .update(users)
    .set({ emailConfirmedAt: new Date() })
    .where(and(eq(users.id, userId), isNull(users.emailConfirmedAt)))
    .returning({ id: users.id });
  if (confirmed.length) await announceUserChange(tx, userId);
  // Whichever link proved the mailbox (confirmation or magic link), contributions made as a
  // guest with this address become the account's.
  await adoptGuestContributions(tx, userId);
}

/** Confirms the address behind a confirmation link; returns the user to sign in. */
export async function confirmEmail(ctx: AppContext, token: string): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, 'confirm_email');
    if (!userId) throw new DomainError(410, 'accounts.errors.linkInvalid');
    await confirmAddress(tx, userId);
    return userId;
  });
}

export async function resendConfirmation(ctx: AppContext, userId: string, email: string, locale: Locale, displayName: string | null): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    if (!(await mailAllowed(ctx, tx, email))) return;
    const token = await issueToken(tx, userId, 'confirm_email');
    await enqueueMail(tx, { to: email, template: 'confirm_email', locale, payload: { displayName, url: link(ctx, '/confirm', token) } });
  });
  ctx.mailQueued();
}

export type SignInResult = { ok: true; userId: string } | { ok: false; reason: 'invalid' | 'unconfirmed' };

export async function signInWithPassword(ctx: AppContext, rawEmail: string, password: string, locale: Locale): Promise<SignInResult> {
  const email = normaliseEmail(rawEmail);
  const errors: FieldErrors = {};
  checkEmail(email, errors);
  if (password === '') errors.password = 'accounts.errors.passwordRequired';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const user = await findByEmail(ctx.db, email);
  const valid = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !valid) return { ok: false, reason: 'invalid' };
  if (!user.emailConfirmedAt) {
    await resendConfirmation(ctx, user.id, email, locale, user.displayName);
    return { ok: false, reason: 'unconfirmed' };
  }
  return { ok: true, userId: user.id };
}

/** Mails a single-use sign-in link if the address belongs to an account; silent otherwise. */
export async function requestMagicLink(ctx: AppContext, rawEmail: string, locale: Locale): Promise<void> {
  const email = normaliseEmail(rawEmail);
  const errors: FieldErrors = {};
  checkEmail(email, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  await ctx.db.transaction(async (tx) => {
    const user = await findByEmail(tx, email);
    if (!user || !(await mailAllowed(ctx, tx, email))) return;
    const token = await issueToken(tx, user.id, 'magic_link');
    await enqueueMail(tx, { to: email, template: 'magic_link', locale, payload: { url: link(ctx, '/signin/magic', token), minutes: TOKEN_MINUTES.magic_link } });
  });
  ctx.mailQueued();
}

/** A magic link also proves the mailbox, so it confirms an unconfirmed address. */
export async function signInWithMagicLink(ctx: AppContext, token: string): Promise<string> {
  return ctx.db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, 'magic_link');
    if (!userId) throw new DomainError(410, 'accounts.errors.linkInvalid');
    await confirmAddress(tx, userId);
    return userId;
  });
}

export async function requestPasswordReset(ctx: AppContext, rawEmail: string, locale: Locale): Promise<void> {
  const email = normaliseEmail(rawEmail);
  const errors: FieldErrors = {};
  checkEmail(email, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  await ctx.db.transaction(async (tx) => {
    const user = await findByEmail(tx, email);
    if (!user || !(await mailAllowed(ctx, tx, email))) return;
    const token = await issueToken(tx, user.id, 'password_reset');
    await enqueueMail(tx, { to: email, template: 'password_reset', locale, payload: { url: link(ctx, '/password/reset', token), minutes: TOKEN_MINUTES.password_reset } });
  });
  ctx.mailQueued();
}

/** Sets a new password, ends every session of the account and tells the owner by mail. */
export async function resetPassword(ctx: AppContext, token: string, password: string): Promise<string> {
  const errors: FieldErrors = {};
  checkPassword(password, ctx.config.passwordMinLength, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const passwordHash = await hashPassword(password);
  const userId = await ctx.db.transaction(async (tx) => {
    const id = await consumeToken(tx, token, 'password_reset');
    if (!id) throw new DomainError(410, 'accounts.errors.linkInvalid');
    const [user] = await tx
      .update(users)
      .set({ passwordHash, emailConfirmedAt: sql`coalesce(${users.emailConfirmedAt}, now())` })
      .where(eq(users.id, id))
      .returning({ email: users.email, locale: users.locale });
    await deleteUserSessions(tx, id);
    await tx.delete(authTokens).where(and(eq(authTokens.userId, id), eq(authTokens.purpose, 'password_reset')));
    if (user?.email) {
      await enqueueMail(tx, {
        to: user.email,
        template: 'password_changed',
        locale: user.locale === 'en' ? 'en' : 'de',
        payload: { resetUrl: `${ctx.config.baseUrl}/password/forgot` },
      });
    }
    return id;
  });
  ctx.mailQueued();
  return userId;
}

export async function updateProfile(ctx: AppContext, userId: string, input: { displayName: string; locale: Locale }): Promise<void> {
  const displayName = input.displayName.trim();
  const errors: FieldErrors = {};
  checkDisplayName(displayName, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ displayName, locale: input.locale }).where(eq(users.id, userId));
    await announceUserChange(tx, userId);
  });
}

/**
 * Deletes an account: e-mail, name, password, sessions, tokens, roles and memberships go; the row
 * stays without personal data so that contributions remain, anonymised, in the record.
 */
export async function deleteAccount(ctx: AppContext, userId: string, password: string, confirmation: string, expected: string): Promise<void> {
  const [user] = await ctx.db.select().from(users).where(eq(users.id, userId));
  if (!user?.email) throw new DomainError(404, 'errors.notFound.text');
  const errors: FieldErrors = {};
  if (user.passwordHash) {
    if (!(await verifyPassword(user.passwordHash, password))) errors.password = 'accounts.errors.passwordWrong';
  } else if (confirmation.trim().toLowerCase() !== expected.toLowerCase()) {
    errors.confirmation = 'accounts.errors.confirmationWrong';
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const email = user.email;
  await ctx.db.transaction(async (tx) => {
    await enqueueMail(tx, { to: email, template: 'account_deleted', locale: user.locale === 'en' ? 'en' : 'de', payload: {} });
    await deleteUserSessions(tx, userId);
    await tx.delete(authTokens).where(eq(authTokens.userId, userId));
    await tx.delete(userRoles).where(eq(userRoles.userId, userId));
    await tx.delete(departmentMembers).where(eq(departmentMembers.userId, userId));
    // Mails already sent keep no trace of the address either.
    await tx.update(mailOutbox).set({ toAddress: '[deleted]', payload: {} }).where(and(eq(mailOutbox.toAddress, email), eq(mailOutbox.status, 'sent')));
    await tx
      .update(users)
      .set({ email: null, passwordHash: null, displayName: null, emailConfirmedAt: null, deletedAt: new Date() })
      .where(eq(users.id, userId));
    await recordAudit(tx, { actorId: userId, action: 'account.deleted', subjectType: 'user', subjectId: userId });
  });
  ctx.mailQueued();
}

export async function purgeExpiredTokens(db: DbOrTx): Promise<void> {
  await db.delete(authTokens).where(sql`${authTokens.expiresAt} < now() - interval '1 day'`);
}
