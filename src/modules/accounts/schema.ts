import { sql } from 'drizzle-orm';
import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Roles that can be granted. Every registered user is a participant without a grant. */
export const grantableRoles = [
  'organisation_representative',
  'moderator',
  'organiser',
  'department_editor',
  'admin',
] as const;
export type GrantableRole = (typeof grantableRoles)[number];
export type Role = 'participant' | GrantableRole;
export const allRoles: readonly Role[] = ['participant', ...grantableRoles];

export const users = pgTable('user', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  // Stored lower-cased; null once the account is deleted (the row stays so contributions keep
  // a stable, anonymous author).
  email: text('email').unique(),
  emailConfirmedAt: timestamp('email_confirmed_at', { withTimezone: true }),
  passwordHash: text('password_hash'),
  displayName: text('display_name'),
  locale: text('locale').notNull().default('de'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
});

export const userRoles = pgTable(
  'user_role',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: grantableRoles }).notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    grantedBy: uuid('granted_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

/** Only the SHA-256 of the cookie value is stored, so a database leak yields no usable session. */
export const sessions = pgTable(
  'session',
  {
    idHash: text('id_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('session_user_idx').on(t.userId), index('session_expires_idx').on(t.expiresAt)],
);

export const tokenPurposes = ['confirm_email', 'magic_link', 'password_reset'] as const;
export type TokenPurpose = (typeof tokenPurposes)[number];

/** Single-use tokens mailed to people; stored hashed, consumed by setting used_at. */
export const authTokens = pgTable(
  'auth_token',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: tokenPurposes }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('auth_token_user_idx').on(t.userId, t.purpose)],
);
