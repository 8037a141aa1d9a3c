import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { committees, departments } from '../departments/schema.js';

export const consultationStatuses = ['draft', 'published', 'archived'] as const;

/** A Beteiligungsverfahren about one plan (e.g. Aktionsplan Integration 2022 bis 2026). */
export const consultations = pgTable('consultation', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  summary: text('summary').notNull().default(''),
  // The council paper the plan is decided in, e.g. V1332/21.
  paperReference: text('paper_reference'),
  relatedPapers: text('related_papers').array().notNull().default(sql`'{}'::text[]`),
  contact: text('contact').notNull().default(''),
  status: text('status', { enum: consultationStatuses }).notNull().default('draft'),
  // Receipt numbers of written statements start with this, e.g. AI → AI-2021-0042.
  receiptPrefix: text('receipt_prefix').notNull().default('B'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const phaseKinds = ['analysis', 'proposals', 'draft_review', 'decision', 'implementation'] as const;
export const channels = ['comment', 'statement', 'event'] as const;
export const moderationModes = ['pre', 'post'] as const;

export const phases = pgTable(
  'phase',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: phaseKinds }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
    closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
    channels: text('channels', { enum: channels }).array().notNull().default(sql`'{}'::text[]`),
    moderationMode: text('moderation_mode', { enum: moderationModes }).notNull().default('post'),
    position: integer('position').notNull(),
  },
  (t) => [index('phase_consultation_idx').on(t.consultationId, t.position)],
);

export const planVersionStatuses = ['draft', 'published', 'adopted'] as const;

/** Entwurf 1, Entwurf 2, beschlossene Fassung … */
export const planVersions = pgTable(
  'plan_version',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    consultationId: integer('consultation_id')
      .notNull()
      .references(() => consultations.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    status: text('status', { enum: planVersionStatuses }).notNull().default('draft'),
    position: integer('position').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('plan_version_position_uq').on(t.consultationId, t.position)],
);

export const principleKinds = ['guiding_principle', 'strategic_goal'] as const;

/** Leitbild and Leitziele of a plan version. */
export const principles = pgTable(
  'principle',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    planVersionId: integer('plan_version_id')
      .notNull()
      .references(() => planVersions.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: principleKinds }).notNull(),
    text: text('text').notNull(),
    source: text('source'),
    position: integer('position').notNull(),
  },
  (t) => [index('principle_version_idx').on(t.planVersionId, t.position)],
);

/** Handlungsfeld. `key` is stable across versions so versions can be compared. */
export const fields = pgTable(
  'field',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    planVersionId: integer('plan_version_id')
      .notNull()
      .references(() => planVersions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    code: text('code').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    // Demo content that was invented rather than taken from the source documents is marked.
    isExample: boolean('is_example').notNull().default(false),
    position: integer('position').notNull(),
  },
  (t) => [unique('field_key_uq').on(t.planVersionId, t.key), index('field_version_idx').on(t.planVersionId, t.position)],
);

export const goals = pgTable(
  'goal',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    planVersionId: integer('plan_version_id')
      .notNull()
      .references(() => planVersions.id, { onDelete: 'cascade' }),
    fieldId: integer('field_id')
      .notNull()
      .references(() => fields.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    code: text('code').notNull(),
    text: text('text').notNull(),
    isExample: boolean('is_example').notNull().default(false),
    position: integer('position').notNull(),
  },
  (t) => [unique('goal_key_uq').on(t.planVersionId, t.key), index('goal_field_idx').on(t.fieldId, t.position)],
);

/**
 * Maßnahme. A measure without a field and goal is cross-cutting (durchgängige Maßnahme, valid for
 * all fields of action).
 */
export const measures = pgTable(
  'measure',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    planVersionId: integer('plan_version_id')
      .notNull()
      .references(() => planVersions.id, { onDelete: 'cascade' }),
    fieldId: integer('field_id').references(() => fields.id, { onDelete: 'cascade' }),
    goalId: integer('goal_id').references(() => goals.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    code: text('code').notNull(),
    text: text('text').notNull(),
    timeframe: text('timeframe').notNull().default(''),
    relatedPapers: text('related_papers').array().notNull().default(sql`'{}'::text[]`),
    isExample: boolean('is_example').notNull().default(false),
    position: integer('position').notNull(),
  },
  (t) => [
    unique('measure_key_uq').on(t.planVersionId, t.key),
    index('measure_field_idx').on(t.fieldId, t.position),
    index('measure_goal_idx').on(t.goalId, t.position),
  ],
);

export const measureDepartmentRoles = ['lead', 'support'] as const;

export const measureDepartments = pgTable(
  'measure_department',
  {
    measureId: integer('measure_id')
      .notNull()
      .references(() => measures.id, { onDelete: 'cascade' }),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id, { onDelete: 'restrict' }),
    role: text('role', { enum: measureDepartmentRoles }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.measureId, t.departmentId] }), index('measure_department_dept_idx').on(t.departmentId)],
);

export const measureCommittees = pgTable(
  'measure_committee',
  {
    measureId: integer('measure_id')
      .notNull()
      .references(() => measures.id, { onDelete: 'cascade' }),
    committeeId: integer('committee_id')
      .notNull()
      .references(() => committees.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.measureId, t.committeeId] }), index('measure_committee_comm_idx').on(t.committeeId)],
);
