import { and, desc, eq } from 'drizzle-orm';
import type { Translate } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { auditEntries } from '../../audit/schema.js';
import { committees, departments } from '../../departments/schema.js';
import { consultations, fields, goals, measures, phases, planVersions, principles } from '../schema.js';
import { formatDateTime } from './time.js';

/** Subjects whose history the audit page shows. */
export const auditSubjects = ['consultation', 'phase', 'plan_version', 'principle', 'field', 'goal', 'measure', 'department', 'committee'] as const;
export type AuditSubject = (typeof auditSubjects)[number];

export function isAuditSubject(value: string): value is AuditSubject {
  return (auditSubjects as readonly string[]).includes(value);
}

/** Verbs of actions we know how to name; others are shown as recorded. */
const knownVerbs = ['created', 'updated', 'moved', 'deleted', 'published', 'adopted'];

/** Field names we know how to label; others are shown as recorded. */
const knownFields = [
  'slug', 'title', 'summary', 'paperReference', 'relatedPapers', 'contact', 'status', 'kind', 'description', 'opensAt', 'closesAt',
  'channels', 'moderationMode', 'label', 'publishedAt', 'copiedFrom', 'text', 'source', 'key', 'code', 'timeframe', 'isExample', 'lead',
  'support', 'committees', 'place', 'goals', 'measures', 'name', 'shortName',
];

export interface Change {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  reason: string | null;
  changes: Change[];
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Current name of the subject, or null once it is gone. */
async function subjectName(db: DbOrTx, type: AuditSubject, id: number): Promise<string | null> {
  switch (type) {
    case 'consultation': {
      const [r] = await db.select({ v: consultations.title }).from(consultations).where(eq(consultations.id, id));
      return r?.v ?? null;
    }
    case 'phase': {
      const [r] = await db.select({ v: phases.title }).from(phases).where(eq(phases.id, id));
      return r?.v ?? null;
    }
    case 'plan_version': {
      const [r] = await db.select({ v: planVersions.label }).from(planVersions).where(eq(planVersions.id, id));
      return r?.v ?? null;
    }
    case 'principle': {
      const [r] = await db.select({ v: principles.text }).from(principles).where(eq(principles.id, id));
      return r ? r.v : null;
    }
    case 'field': {
      const [r] = await db.select({ c: fields.code, v: fields.title }).from(fields).where(eq(fields.id, id));
      return r ? `${r.c} ${r.v}` : null;
    }
    case 'goal': {
      const [r] = await db.select({ c: goals.code, v: goals.text }).from(goals).where(eq(goals.id, id));
      return r ? `${r.c} ${r.v}` : null;
    }
    case 'measure': {
      const [r] = await db.select({ c: measures.code, v: measures.text }).from(measures).where(eq(measures.id, id));
      return r ? `${r.c} ${r.v}` : null;
    }
    case 'department': {
      const [r] = await db.select({ v: departments.name }).from(departments).where(eq(departments.id, id));
      return r?.v ?? null;
    }
    case 'committee': {
      const [r] = await db.select({ v: committees.name }).from(committees).where(eq(committees.id, id));
      return r?.v ?? null;
    }
  }
}

/** Where to go back to from the history of a subject that still exists. */
async function subjectLink(db: DbOrTx, type: AuditSubject, id: number): Promise<string | null> {
  switch (type) {
    case 'consultation':
      return `/organiser/consultations/${id}`;
    case 'phase': {
      const [r] = await db.select({ c: phases.consultationId }).from(phases).where(eq(phases.id, id));
      return r ? `/organiser/consultations/${r.c}` : null;
    }
    case 'plan_version':
      return `/organiser/versions/${id}`;
    case 'principle': {
      const [r] = await db.select({ v: principles.planVersionId }).from(principles).where(eq(principles.id, id));
      return r ? `/organiser/versions/${r.v}#principle-${id}` : null;
    }
    case 'field': {
      const [r] = await db.select({ v: fields.planVersionId }).from(fields).where(eq(fields.id, id));
      return r ? `/organiser/versions/${r.v}#field-${id}` : null;
    }
    case 'goal': {
      const [r] = await db.select({ v: goals.planVersionId }).from(goals).where(eq(goals.id, id));
      return r ? `/organiser/versions/${r.v}#goal-${id}` : null;
    }
    case 'measure': {
      const [r] = await db.select({ v: measures.planVersionId }).from(measures).where(eq(measures.id, id));
      return r ? `/organiser/versions/${r.v}#measure-${id}` : null;
    }
    case 'department':
      return '/admin/departments';
    case 'committee':
      return '/admin/committees';
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * The history of one subject, newest first, with each entry's field-by-field changes made
 * readable: labels in the reader's language, department and committee slugs as names, dates in
 * Berlin time, yes/no for flags.
 */
export async function loadHistory(db: DbOrTx, type: AuditSubject, id: number, t: Translate, locale: string) {
  const [rows, departmentRows, committeeRows, name, link] = await Promise.all([
    db
      .select({
        id: auditEntries.id,
        actorId: auditEntries.actorId,
        action: auditEntries.action,
        reason: auditEntries.reason,
        before: auditEntries.before,
        after: auditEntries.after,
        createdAt: auditEntries.createdAt,
        email: users.email,
        displayName: users.displayName,
        deletedAt: users.deletedAt,
      })
      .from(auditEntries)
      .leftJoin(users, eq(users.id, auditEntries.actorId))
      .where(and(eq(auditEntries.subjectType, type), eq(auditEntries.subjectId, String(id))))
      .orderBy(desc(auditEntries.createdAt), desc(auditEntries.id)),
    db.select({ slug: departments.slug, name: departments.name }).from(departments),
    db.select({ slug: committees.slug, name: committees.name }).from(committees),
    subjectName(db, type, id),
    subjectLink(db, type, id),
  ]);
  const departmentNames = new Map(departmentRows.map((d) => [d.slug, d.name]));
  const committeeNames = new Map(committeeRows.map((c) => [c.slug, c.name]));

  const show = (field: string, value: unknown): string | null => {
    if (value === null || value === undefined || value === '') return null;
    if (Array.isArray(value)) {
      if (value.length === 0) return null;
      const names = field === 'committees' ? committeeNames : field === 'lead' || field === 'support' ? departmentNames : null;
      return value
        .map((v) => {
          const s = String(v);
          if (names) return names.get(s) ?? s;
          if (field === 'channels') return channelName(t, s);
          return s;
        })
        .join(', ');
    }
    if (typeof value === 'boolean') return t(value ? 'editor.audit.yes' : 'editor.audit.no');
    if (typeof value === 'string' && ISO.test(value)) {
      const date = new Date(value);
      if (!Number.isNaN(date.getTime())) return formatDateTime(date, locale);
    }
    if (field === 'status' && typeof value === 'string') return enumName(t, 'editor.status.', value);
    if (field === 'kind' && typeof value === 'string') return enumName(t, 'editor.kind.', value);
    if (field === 'moderationMode' && typeof value === 'string') return enumName(t, 'editor.moderation.', value);
    return typeof value === 'string' ? value : JSON.stringify(value);
  };

  const entries: AuditRow[] = rows.map((r) => {
    const before = asRecord(r.before);
    const after = asRecord(r.after);
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changes: Change[] = [];
    for (const field of names) {
      const b = show(field, before[field]);
      const a = show(field, after[field]);
      if (b === a && r.before !== null && r.after !== null) continue;
      if (b === null && a === null) continue;
      changes.push({ field, label: knownFields.includes(field) ? t(`editor.audit.field.${field}`) : field, before: b, after: a });
    }
    const verb = r.action.split('.').pop() ?? '';
    return {
      id: r.id,
      at: formatDateTime(r.createdAt, locale),
      actor: r.actorId === null ? t('editor.audit.system') : r.deletedAt || !r.email ? t('editor.audit.deletedAccount') : r.displayName || r.email,
      action: knownVerbs.includes(verb) ? t(`editor.audit.action.${verb}`) : r.action,
      reason: r.reason,
      changes,
    };
  });
  return { entries, name, link };
}

const enumKeys = new Set([
  'editor.status.draft', 'editor.status.published', 'editor.status.archived', 'editor.status.adopted',
  'editor.kind.analysis', 'editor.kind.proposals', 'editor.kind.draft_review', 'editor.kind.decision', 'editor.kind.implementation',
  'editor.kind.guiding_principle', 'editor.kind.strategic_goal',
  'editor.kind.department', 'editor.kind.enterprise', 'editor.kind.office',
  'editor.kind.council', 'editor.kind.committee', 'editor.kind.advisory_council',
  'editor.moderation.pre', 'editor.moderation.post',
]);

function enumName(t: Translate, prefix: string, value: string): string {
  return enumKeys.has(prefix + value) ? t(prefix + value) : value;
}

function channelName(t: Translate, value: string): string {
  return value === 'comment' || value === 'statement' || value === 'event' ? t(`plans.channels.${value}`) : value;
}
