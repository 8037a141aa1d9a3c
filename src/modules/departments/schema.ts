import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';

export const departmentKinds = ['department', 'enterprise', 'office'] as const;

/** Ämter and Eigenbetriebe of the city administration. */
export const departments = pgTable('department', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  shortName: text('short_name'),
  kind: text('kind', { enum: departmentKinds }).notNull().default('department'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const committeeKinds = ['council', 'committee', 'advisory_council'] as const;

/** Stadtrat, Ausschüsse and Beiräte. */
export const committees = pgTable('committee', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  shortName: text('short_name'),
  kind: text('kind', { enum: committeeKinds }).notNull().default('committee'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const departmentMembers = pgTable(
  'department_member',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.departmentId] }), index('department_member_dept_idx').on(t.departmentId)],
);
