import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { committees, departments } from '../departments/schema.js';
import { bytea, contributions, targetKinds } from '../participation/schema.js';
import { consultations, planVersions } from '../plans/schema.js';

/**
 * The consolidation (Abwägung) of a consultation: what came in is sorted (tags, the item it is
 * really about, sections of long statements, groups of equal contributions), departments draft
 * answers in a department round, the organiser decides each answer with a Votum, and the result
 * goes to the committees as the Abwägungstabelle.
 */

/** Votum values as German administrations write them (berücksichtigt, teilweise …). */
export const verdicts = ['accepted', 'partly_accepted', 'not_accepted', 'noted', 'already_covered', 'out_of_scope'] as const;
export type Verdict = (typeof verdicts)[number];

/** Per consultation: how the consolidation is run. */
export const consolidationSettings = pgTable('consolidation_setting', {
  consultationId: integer('consultation_id')
    .primaryKey()
    .references(() => consultations.id, { onDelete: 'cascade' }),
  // Four-eyes rule: an answer needs the approval of a second organiser, not the one who decided it.
  requireSecondApproval: boolean('require_second_approval').notNull().default(false),
  // Set when the organiser published the answers: approved answers become public from then on.
  answersPublishedAt: timestamp('answers_published_at', { withTimezone: true }),
  answersPublishedBy: uuid('answers_published_by').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Topics organisers sort contributions by (Themen-Schlagwörter). */
export const tags = pgTable(
  'tag',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('tag_label_uq').on(t.consultationId, t.label)],
);

export const contributionTags = pgTable(
  'contribution_tag',
  {
    contributionId: integer('contribution_id')
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.contributionId, t.tagId] }), index('contribution_tag_tag_idx').on(t.tagId)],
);

/**
 * A passage of a written statement answered on its own (statements often speak to ten measures
 * at once). A statement with sections is answered section by section, not as a whole.
 */
export const contributionSections = pgTable(
  'contribution_section',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    contributionId: integer('contribution_id')
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    // The passage as the author wrote it (copied out of the statement's text by the organiser).
    body: text('body').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('contribution_section_position_uq').on(t.contributionId, t.position)],
);

/**
 * Equal or near-equal contributions (a campaign, duplicates) answered once, around a lead
 * contribution. The lead is a member too.
 */
export const contributionGroups = pgTable(
  'contribution_group',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    leadContributionId: integer('lead_contribution_id')
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('contribution_group_consultation_idx').on(t.consultationId)],
);

/** A contribution belongs to at most one group. */
export const contributionGroupMembers = pgTable(
  'contribution_group_member',
  {
    contributionId: integer('contribution_id')
      .primaryKey()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    groupId: integer('group_id')
      .notNull()
      .references(() => contributionGroups.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('contribution_group_member_group_idx').on(t.groupId)],
);

/**
 * 'open': nothing drafted yet; 'drafted': a department (or the organiser) drafted an answer;
 * 'decided': the organiser set the final answer and Votum, waiting for a second approval when
 * the four-eyes rule is on; 'approved': final. Whether it is public follows from
 * consolidation_setting.answers_published_at.
 */
export const responseStatuses = ['open', 'drafted', 'decided', 'approved'] as const;
export type ResponseStatus = (typeof responseStatuses)[number];

/**
 * One unit of the Abwägung and its answer: a whole contribution, a section of a statement, or a
 * group. Exactly one of contribution (alone), section or group is its subject; `contributionId`
 * is also set for sections (their statement) and groups (their lead), so every unit names the
 * text it answers. A contribution that is in a group or has sections has no unit of its own
 * (`superseded`): the group's or the sections' units answer it.
 */
export const responses = pgTable(
  'response',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    contributionId: integer('contribution_id')
      .notNull()
      .references(() => contributions.id, { onDelete: 'cascade' }),
    sectionId: integer('section_id').references(() => contributionSections.id, { onDelete: 'cascade' }),
    groupId: integer('group_id').references(() => contributionGroups.id, { onDelete: 'cascade' }),
    // What it is really about, for the report's field → goal → measure order and the department
    // suggestion. Starts as where it was posted; organisers may move it. Key null: the whole plan.
    targetKind: text('target_kind', { enum: targetKinds }).notNull(),
    targetKey: text('target_key'),
    // True while the contribution is answered by a group or by its sections instead.
    superseded: boolean('superseded').notNull().default(false),
    status: text('status', { enum: responseStatuses }).notNull().default('open'),
    // The answer (Abwägung) as it will be published and exported.
    answer: text('answer').notNull().default(''),
    verdict: text('verdict', { enum: verdicts }),
    // Internal note for the organisers, never exported in the anonymised variant.
    internalNote: text('internal_note').notNull().default(''),
    // A German translation of the text when it was written in another language.
    translation: text('translation'),
    // The change it caused in the next plan version: the item (by stable key) in that version.
    changeVersionId: integer('change_version_id').references(() => planVersions.id, { onDelete: 'set null' }),
    changeTargetKind: text('change_target_kind', { enum: targetKinds }),
    changeTargetKey: text('change_target_key'),
    changeNote: text('change_note').notNull().default(''),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    // When the author was mailed the published answer (once).
    notifiedAt: timestamp('notified_at', { withTimezone: true }),
    // Counts every change: a form names the version it was loaded with, a stale one gets 409.
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('response_consultation_idx').on(t.consultationId, t.superseded, t.status),
    index('response_target_idx').on(t.consultationId, t.targetKind, t.targetKey),
    index('response_contribution_idx').on(t.contributionId),
    uniqueIndex('response_section_uq').on(t.sectionId).where(sql`${t.sectionId} is not null`),
    uniqueIndex('response_group_uq').on(t.groupId).where(sql`${t.groupId} is not null`),
    // A contribution's own unit (neither section nor group) exists once.
    uniqueIndex('response_own_uq').on(t.contributionId).where(sql`${t.sectionId} is null and ${t.groupId} is null`),
    check('response_one_subject', sql`${t.sectionId} is null or ${t.groupId} is null`),
  ],
);

export const roundStatuses = ['open', 'closed'] as const;

/** Ämterabfrage: departments draft answers to the units assigned to them, by a deadline. */
export const departmentRounds = pgTable(
  'department_round',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    instructions: text('instructions').notNull().default(''),
    deadline: timestamp('deadline', { withTimezone: true }).notNull(),
    // Reminder mails go out this many days before the deadline (0: none), once per round.
    remindDaysBefore: integer('remind_days_before').notNull().default(3),
    reminderSentAt: timestamp('reminder_sent_at', { withTimezone: true }),
    status: text('status', { enum: roundStatuses }).notNull().default('open'),
    openedBy: uuid('opened_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [index('department_round_consultation_idx').on(t.consultationId)],
);

/**
 * open: waiting for the department; drafted: the department handed in its draft; handed_over:
 * passed on to another department (a new assignment carries on); withdrawn by the organiser.
 */
export const assignmentStatuses = ['open', 'drafted', 'handed_over', 'withdrawn'] as const;
export type AssignmentStatus = (typeof assignmentStatuses)[number];

/** One unit asked of one department in a round, with the department's draft. */
export const assignments = pgTable(
  'assignment',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    roundId: integer('round_id')
      .notNull()
      .references(() => departmentRounds.id, { onDelete: 'cascade' }),
    responseId: integer('response_id')
      .notNull()
      .references(() => responses.id, { onDelete: 'cascade' }),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id, { onDelete: 'restrict' }),
    status: text('status', { enum: assignmentStatuses }).notNull().default('open'),
    // The organiser's note to the department, or the note of the department that handed it over.
    note: text('note').notNull().default(''),
    handedOverFrom: integer('handed_over_from'),
    // Abwägungsempfehlung: the department's recommended answer and Votum.
    draftAnswer: text('draft_answer').notNull().default(''),
    proposedVerdict: text('proposed_verdict', { enum: verdicts }),
    draftedBy: uuid('drafted_by').references(() => users.id, { onDelete: 'set null' }),
    draftedAt: timestamp('drafted_at', { withTimezone: true }),
    assignedBy: uuid('assigned_by').references(() => users.id, { onDelete: 'set null' }),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(0),
  },
  (t) => [
    index('assignment_department_idx').on(t.departmentId, t.status),
    index('assignment_round_idx').on(t.roundId, t.status),
    index('assignment_response_idx').on(t.responseId),
  ],
);

/** Textbausteine: reusable answer texts of a department (null: the participation office's). */
export const textBlocks = pgTable(
  'text_block',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    departmentId: integer('department_id').references(() => departments.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('text_block_department_idx').on(t.departmentId)],
);

export const reportScopes = ['consultation', 'committee', 'field'] as const;
export type ReportScope = (typeof reportScopes)[number];
export const reportFormats = ['docx', 'pdf', 'xlsx', 'csv'] as const;
export type ReportFormat = (typeof reportFormats)[number];
/** anonymised: private persons as "Privatperson 17"; named: internal, organisers only. */
export const reportVariants = ['anonymised', 'named'] as const;
export type ReportVariant = (typeof reportVariants)[number];
export const reportStatuses = ['queued', 'running', 'done', 'failed'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

/**
 * An Abwägungstabelle export, made by a background job (claimed with SKIP LOCKED) and stored
 * with its SHA-512, so what went to a committee can be shown and checked later. The file itself
 * is in committee_report_piece.
 */
export const committeeReports = pgTable(
  'committee_report',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    scope: text('scope', { enum: reportScopes }).notNull(),
    committeeId: integer('committee_id').references(() => committees.id, { onDelete: 'set null' }),
    fieldKey: text('field_key'),
    format: text('format', { enum: reportFormats }).notNull(),
    variant: text('variant', { enum: reportVariants }).notNull().default('anonymised'),
    // A draft export while units are unanswered, watermarked "Entwurf".
    draft: boolean('draft').notNull().default(false),
    locale: text('locale').notNull().default('de'),
    status: text('status', { enum: reportStatuses }).notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    total: integer('total').notNull().default(0),
    fileName: text('file_name'),
    mediaType: text('media_type'),
    size: integer('size'),
    sha512: text('sha512'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('committee_report_consultation_idx').on(t.consultationId, t.createdAt), index('committee_report_due_idx').on(t.status, t.createdAt)],
);

/**
 * A stored export's file, one row per piece (exports/store.ts): each piece is written and read
 * on its own, so neither a 60 MB value nor its hex copy in the driver is ever whole in one
 * query, and nothing is rewritten as the file grows. `bytes` is stored without compression
 * (STORAGE EXTERNAL, set in the migration): PDF, DOCX and XLSX are compressed already.
 */
export const committeeReportPieces = pgTable(
  'committee_report_piece',
  {
    reportId: integer('report_id')
      .notNull()
      .references(() => committeeReports.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.position] })],
);
