import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { consultations, phases, planVersions } from '../plans/schema.js';

/** Raw bytes. PGlite hands back a Uint8Array, postgres.js a Buffer: read with Buffer.from(). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

export const organisationKinds = [
  'migrant_organisation',
  'association',
  'welfare_provider',
  'religious_community',
  'public_body',
  'other',
] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

/** Migrant organisations, associations, welfare providers … that take part in a consultation. */
export const organisations = pgTable('organisation', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: organisationKinds }).notNull(),
  website: text('website'),
  // Who the participation office may contact; shown to organisers only.
  contact: text('contact').notNull().default(''),
  description: text('description').notNull().default(''),
  // Set when an organiser checked that the organisation exists and is what it says: its name
  // then carries a badge. Unverified ones (proposed by a user) are not shown publicly.
  verifiedAt: timestamp('verified_at', { withTimezone: true }),
  verifiedBy: uuid('verified_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const representationStatuses = ['requested', 'verified', 'declined', 'revoked'] as const;
export type RepresentationStatus = (typeof representationStatuses)[number];

/** A user who asked to speak for an organisation; only `verified` ones may post on its behalf. */
export const organisationMembers = pgTable(
  'organisation_member',
  {
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: representationStatuses }).notNull().default('requested'),
    // What the person wrote to show they speak for the organisation (role, contact there).
    message: text('message').notNull().default(''),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decisionNote: text('decision_note'),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.userId] }), index('organisation_member_user_idx').on(t.userId)],
);

export const contributionKinds = ['comment', 'statement'] as const;
export type ContributionKind = (typeof contributionKinds)[number];

/**
 * unconfirmed: a guest has not clicked the mailed link yet (purged after a while);
 * pending: waits for a moderator (pre-moderation, or a published one reported often enough);
 * published; rejected: not published, with a reason; withdrawn by the author (the slot stays,
 * the text is no longer shown); hidden: was published, taken down by a moderator (can be
 * restored); revision_requested: the author was asked to revise it and resubmit.
 */
export const contributionStatuses = ['unconfirmed', 'pending', 'published', 'rejected', 'withdrawn', 'hidden', 'revision_requested'] as const;
export type ContributionStatus = (typeof contributionStatuses)[number];

/** How a contribution reached the city: online here, or entered by staff from a letter, … */
export const contributionChannels = ['online', 'letter', 'email', 'phone', 'event'] as const;
export type ContributionChannel = (typeof contributionChannels)[number];

/** What a comment is about. Field, goal and measure are named by their stable key. */
export const targetKinds = ['consultation', 'field', 'goal', 'measure'] as const;
export type TargetKind = (typeof targetKinds)[number];

/** A comment or a written statement (schriftliche Stellungnahme). */
export const contributions = pgTable(
  'contribution',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    // The phase it was made in; null for staff entries that arrived outside any phase.
    phaseId: integer('phase_id').references(() => phases.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: contributionKinds }).notNull(),
    // Comments: the item commented on (key null for the whole consultation). Statements refer to
    // their items through contribution_reference and have target kind 'consultation' here.
    targetKind: text('target_kind', { enum: targetKinds }).notNull(),
    targetKey: text('target_key'),
    // The plan version the person was reading.
    planVersionId: integer('plan_version_id').references(() => planVersions.id, { onDelete: 'set null' }),
    // Replies are one level deep: a reply's parent is never itself a reply.
    parentId: integer('parent_id').references((): AnyPgColumn => contributions.id, { onDelete: 'cascade' }),
    title: text('title'),
    body: text('body').notNull(),
    // BCP 47 tag the author chose for the text (it is stored as written, never translated).
    language: text('language').notNull(),
    // The language of the page the author used: mails about it are written in this language.
    pageLocale: text('page_locale').notNull(),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    // Guests: the address confirmations and later answers go to (lower-cased).
    guestEmail: text('guest_email'),
    // Name as given (statements, staff entries); shown only with consent.
    submitterName: text('submitter_name'),
    // Staff entries: postal address, phone … as given; organisers only.
    submitterDetails: text('submitter_details'),
    organisationId: integer('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    status: text('status', { enum: contributionStatuses }).notNull(),
    // Why it is not published, as a message key or text the author is shown.
    statusReason: text('status_reason'),
    channel: text('channel', { enum: contributionChannels }).notNull().default('online'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    // Eingangsnummer, e.g. AI-2021-0042 (statements and staff entries).
    receiptNumber: text('receipt_number').unique(),
    consentPrivacyAt: timestamp('consent_privacy_at', { withTimezone: true }),
    publishText: boolean('publish_text').notNull().default(true),
    publishName: boolean('publish_name').notNull().default(false),
    // The one-time token of the form it came from: a double click or a resubmitted form finds
    // the contribution already there instead of creating a second one.
    formToken: text('form_token').unique(),
    // Moderation. The public sees `redactedBody` when a moderator removed a passage (e.g. someone
    // else's phone number); `body` keeps the original for organisers.
    redactedBody: text('redacted_body'),
    // A rejected contribution whose content still counts in the consolidation (Abwägung).
    keepForConsolidation: boolean('keep_for_consolidation').notNull().default(false),
    // A moderator working on it; others see the claim (it does not lock anything).
    claimedBy: uuid('claimed_by').references(() => users.id, { onDelete: 'set null' }),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    moderatedBy: uuid('moderated_by').references(() => users.id, { onDelete: 'set null' }),
    moderatedAt: timestamp('moderated_at', { withTimezone: true }),
    // Counts every moderation decision: a decision names the version it was made on, and one
    // made on an outdated version is refused (two moderators never contradict each other).
    moderationVersion: integer('moderation_version').notNull().default(0),
    enteredBy: uuid('entered_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp('edited_at', { withTimezone: true }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [
    index('contribution_target_idx').on(t.consultationId, t.targetKind, t.targetKey, t.status, t.createdAt),
    index('contribution_status_idx').on(t.status, t.createdAt),
    // Partial: most contributions are top-level, many by guests; an index entry for every null
    // would cost each new comment an index write for nothing.
    index('contribution_parent_idx').on(t.parentId).where(sql`${t.parentId} is not null`),
    index('contribution_author_idx').on(t.authorId).where(sql`${t.authorId} is not null`),
    index('contribution_guest_idx').on(t.guestEmail),
    // The moderation queue's full-text search: 'simple' because contributions come in any language.
    index('contribution_search_idx').using('gin', sql`to_tsvector('simple', coalesce(${t.title}, '') || ' ' || ${t.body})`),
  ],
);

export const reportReasons = ['insult', 'personal_data', 'spam', 'off_topic', 'duplicate', 'unlawful', 'other'] as const;
export type ReportReason = (typeof reportReasons)[number];

/** A reader reports a published contribution; reports stay open until a moderator looks. */
export const contributionReports = pgTable(
  'contribution_report',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    contributionId: integer('contribution_id')
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    reason: text('reason', { enum: reportReasons }).notNull(),
    note: text('note').notNull().default(''),
    reporterId: uuid('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    // Anonymous readers: a keyed hash of the client address, so one reader counts once.
    reporterKey: text('reporter_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('contribution_report_open_idx').on(t.contributionId, t.resolvedAt),
    unique('contribution_report_once_uq').on(t.contributionId, t.reporterKey),
  ],
);

/** The goals and measures a written statement refers to (none: the whole plan). */
export const contributionReferences = pgTable(
  'contribution_reference',
  {
    contributionId: integer('contribution_id')
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    targetKind: text('target_kind', { enum: targetKinds }).notNull(),
    targetKey: text('target_key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contributionId, t.targetKind, t.targetKey] }), index('contribution_reference_target_idx').on(t.targetKind, t.targetKey)],
);

/** A file attached to a statement, kept in the database so every instance can serve it. */
export const attachments = pgTable(
  'attachment',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    contributionId: integer('contribution_id')
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull(),
    // Detected from the content, never taken from the name or the browser.
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('attachment_contribution_idx').on(t.contributionId)],
);

/** Counts receipt numbers per consultation and year: AI-2021-0001, AI-2021-0002 … */
export const receiptCounters = pgTable(
  'receipt_counter',
  {
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    last: integer('last').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.consultationId, t.year] })],
);

export const guestTokenPurposes = ['confirm', 'manage', 'revise'] as const;
export type GuestTokenPurpose = (typeof guestTokenPurposes)[number];

/**
 * Single-use links mailed to guests: `confirm` confirms one contribution; `manage` opens a
 * short guest session listing all contributions made with that address. Stored hashed.
 */
export const guestTokens = pgTable(
  'guest_token',
  {
    tokenHash: text('token_hash').primaryKey(),
    email: text('email').notNull(),
    purpose: text('purpose', { enum: guestTokenPurposes }).notNull(),
    contributionId: integer('contribution_id').references(() => contributions.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('guest_token_email_idx').on(t.email), index('guest_token_expires_idx').on(t.expiresAt)],
);

/** Signed-in view of a guest's own contributions after following a `manage` link. */
export const guestSessions = pgTable(
  'guest_session',
  {
    idHash: text('id_hash').primaryKey(),
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('guest_session_expires_idx').on(t.expiresAt)],
);

