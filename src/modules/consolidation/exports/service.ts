import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, gte, inArray } from 'drizzle-orm';
import { type FieldErrors, type MessageParams, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { Translate } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { recordAudit } from '../../audit/service.js';
import { committees } from '../../departments/schema.js';
import { committeeReportPieces, committeeReports, type ReportFormat, reportFormats, type ReportVariant } from '../schema.js';
import { syncResponses } from '../service.js';
import { resolveScope, type Scope, scopeProgress } from './model.js';

/**
 * Export requests: validated, checked against the state of the Abwägung (no final version while
 * units are not approved), stored as a queued committee_report row and audited in one
 * transaction; the ReportWorker builds the file.
 */

export const LIST_PAGE_SIZE = 20;

export interface ReportForm {
  scope: string;
  committee: string;
  field: string;
  format: string;
  variant: string;
  namedConfirm: boolean;
  draft: boolean;
  locale: string;
}

export interface Actor {
  id: string;
}

export function sha512(bytes: Uint8Array): string {
  return createHash('sha512').update(bytes).digest('hex');
}

/** The form's scope as a Scope (committee by slug, field by key); field errors for what is missing. */
async function parseScope(db: DbOrTx, form: ReportForm, errors: FieldErrors): Promise<Scope | null> {
  if (form.scope === 'consultation') return { kind: 'consultation' };
  if (form.scope === 'committee') {
    const [c] = form.committee ? await db.select({ id: committees.id }).from(committees).where(eq(committees.slug, form.committee)) : [];
    if (!c) errors.committee = 'consolidation.exports.errors.committee';
    return c ? { kind: 'committee', committeeId: c.id } : null;
  }
  if (form.scope === 'field') {
    if (!form.field) errors.field = 'consolidation.exports.errors.field';
    return form.field ? { kind: 'field', fieldKey: form.field } : null;
  }
  errors.scope = 'consolidation.exports.errors.scope';
  return null;
}

export async function requestReport(db: DbOrTx, actor: Actor, consultationId: number, form: ReportForm, t: Translate): Promise<number> {
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  const scope = await parseScope(db, form, errors);
  if (!(reportFormats as readonly string[]).includes(form.format)) errors.format = 'consolidation.exports.errors.format';
  if (form.variant !== 'anonymised' && form.variant !== 'named') errors.variant = 'consolidation.exports.errors.variant';
  if (form.variant === 'named' && !form.namedConfirm) errors.namedConfirm = 'consolidation.exports.errors.namedConfirm';
  let total = 0;
  if (scope) {
    let resolved: Awaited<ReturnType<typeof resolveScope>> | null = null;
    try {
      resolved = await resolveScope(db, consultationId, scope, t);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      errors[scope.kind === 'field' ? 'field' : 'committee'] = `consolidation.exports.errors.${scope.kind === 'field' ? 'field' : 'committee'}`;
    }
    if (resolved) {
      await syncResponses(db, consultationId);
      const progress = await scopeProgress(db, consultationId, resolved.filter);
      total = progress.total;
      if (!form.draft && progress.unapproved > 0) {
        errors.draft = 'consolidation.exports.errors.unapproved';
        params.draft = { count: progress.unapproved };
      }
    }
  }
  if (Object.keys(errors).length || !scope) throw new ValidationError(errors, params);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(committeeReports)
      .values({
        consultationId,
        scope: scope.kind,
        committeeId: scope.kind === 'committee' ? scope.committeeId : null,
        fieldKey: scope.kind === 'field' ? scope.fieldKey : null,
        format: form.format as ReportFormat,
        variant: form.variant as ReportVariant,
        draft: form.draft,
        locale: form.locale === 'en' ? 'en' : 'de',
        total,
        createdBy: actor.id,
      })
      .returning({ id: committeeReports.id });
    if (!row) throw new Error('committee_report insert returned nothing');
    const after = { consultationId, scope: scope.kind, committee: form.committee || null, field: form.field || null, format: form.format, variant: form.variant, draft: form.draft, locale: form.locale };
    await recordAudit(tx, { actorId: actor.id, action: 'consolidation.report.request', subjectType: 'committee_report', subjectId: row.id, after });
    if (form.variant === 'named') await recordAudit(tx, { actorId: actor.id, action: 'consolidation.report.named', subjectType: 'committee_report', subjectId: row.id, after });
    return row.id;
  });
}

/** Everything but the bytes. */
export const reportColumns = {
  id: committeeReports.id,
  consultationId: committeeReports.consultationId,
  scope: committeeReports.scope,
  committeeId: committeeReports.committeeId,
  fieldKey: committeeReports.fieldKey,
  format: committeeReports.format,
  variant: committeeReports.variant,
  draft: committeeReports.draft,
  locale: committeeReports.locale,
  status: committeeReports.status,
  progress: committeeReports.progress,
  total: committeeReports.total,
  fileName: committeeReports.fileName,
  mediaType: committeeReports.mediaType,
  size: committeeReports.size,
  sha512: committeeReports.sha512,
  error: committeeReports.error,
  attempts: committeeReports.attempts,
  createdBy: committeeReports.createdBy,
  createdAt: committeeReports.createdAt,
  startedAt: committeeReports.startedAt,
  finishedAt: committeeReports.finishedAt,
  creatorName: users.displayName,
  committeeName: committees.name,
  committeeShort: committees.shortName,
};

export type ReportListRow = Awaited<ReturnType<typeof listReports>>['rows'][number];

export async function listReports(db: DbOrTx, consultationId: number, page: number) {
  const [rows, [total]] = await Promise.all([
    db
      .select(reportColumns)
      .from(committeeReports)
      .leftJoin(users, eq(users.id, committeeReports.createdBy))
      .leftJoin(committees, eq(committees.id, committeeReports.committeeId))
      .where(eq(committeeReports.consultationId, consultationId))
      .orderBy(desc(committeeReports.createdAt), desc(committeeReports.id))
      .limit(LIST_PAGE_SIZE)
      .offset((page - 1) * LIST_PAGE_SIZE),
    db.select({ n: count() }).from(committeeReports).where(eq(committeeReports.consultationId, consultationId)),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

export async function doneReports(db: DbOrTx, consultationId: number) {
  return db
    .select(reportColumns)
    .from(committeeReports)
    .leftJoin(users, eq(users.id, committeeReports.createdBy))
    .leftJoin(committees, eq(committees.id, committeeReports.committeeId))
    .where(and(eq(committeeReports.consultationId, consultationId), inArray(committeeReports.status, ['done'])))
    .orderBy(asc(committeeReports.createdAt), asc(committeeReports.id));
}

export async function loadReport(db: DbOrTx, id: number) {
  const [row] = await db
    .select(reportColumns)
    .from(committeeReports)
    .leftJoin(users, eq(users.id, committeeReports.createdBy))
    .leftJoin(committees, eq(committees.id, committeeReports.committeeId))
    .where(eq(committeeReports.id, id));
  return row ?? null;
}

export async function loadReportFile(db: DbOrTx, id: number) {
  const [row] = await db
    .select({ status: committeeReports.status, size: committeeReports.size, fileName: committeeReports.fileName, mediaType: committeeReports.mediaType, variant: committeeReports.variant })
    .from(committeeReports)
    .where(eq(committeeReports.id, id));
  return row ?? null;
}

/** Stored pieces read per query while a download goes out (1 MB with 64 KiB pieces). */
export const READ_PIECES = 16;

/**
 * A stored file's pieces (exports/store.ts) in order, a few per query as the download goes out: a
 * 60 MB PDF is never whole in the server's memory (nor as the driver's hex copy of it).
 */
export async function* reportFilePieces(db: DbOrTx, id: number, size: number, piecesPerQuery = READ_PIECES): AsyncGenerator<Buffer> {
  let read = 0;
  for (let position = 0; read < size; ) {
    const rows = await db
      .select({ position: committeeReportPieces.position, bytes: committeeReportPieces.bytes })
      .from(committeeReportPieces)
      .where(and(eq(committeeReportPieces.reportId, id), gte(committeeReportPieces.position, position)))
      .orderBy(asc(committeeReportPieces.position))
      .limit(piecesPerQuery);
    if (rows.length === 0) throw new Error('stored file shorter than its size');
    for (const { position: at, bytes } of rows) {
      if (at !== position) throw new Error(`stored file lacks piece ${position}`);
      position++;
      read += bytes.byteLength;
      yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
  if (read !== size) throw new Error('stored file longer than its size');
}
