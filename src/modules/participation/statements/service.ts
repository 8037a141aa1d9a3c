/**
 * Written statements (schriftliche Stellungnahmen): the form's input, the submission in one
 * transaction (contribution, references, attachments, receipt number, receipt mail), and the
 * queries behind the receipt page, the public statement page and the item pages' lists.
 */
import { and, asc, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { CurrentUser } from '../../../core/access.js';
import type { AppContext } from '../../../core/context.js';
import { type FieldErrors, type MessageParams, ValidationError } from '../../../core/errors.js';
import type { Locale } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { enqueueMail } from '../../mail/outbox.js';
import { type ConsultationContext, loadConsultationContext, loadPlanTree, type PlanView } from '../../plans/queries.js';
import { indexPlan, type PlanIndex, planUrls, shorten } from '../../plans/routes.js';
import { consultations } from '../../plans/schema.js';
import {
  attachments,
  contributionReferences,
  contributions,
  organisationMembers,
  organisations,
  type TargetKind,
} from '../schema.js';
import {
  checkGuestEmail,
  checkLanguage,
  checkRateLimits,
  checkText,
  initialStatus,
  insertContribution,
  issueConfirmLink,
  nextReceiptNumber,
  openPhaseFor,
  STATEMENT_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from '../service.js';
import { type CheckedAttachment, checkAttachments, type UploadedPart } from './attachments.js';

export const NAME_MAX_LENGTH = 200;
export type ItemRefKind = Exclude<TargetKind, 'consultation'>;
export interface ItemRef {
  kind: ItemRefKind;
  key: string;
}

/** `measure:m-jha-abendoberschule` → { kind, key }; null for anything else. */
export function parseRef(value: string): ItemRef | null {
  const m = /^(field|goal|measure):([A-Za-z0-9_.-]{1,120})$/.exec(value);
  return m ? { kind: m[1] as ItemRefKind, key: m[2] as string } : null;
}

export const refValue = (ref: ItemRef) => `${ref.kind}:${ref.key}`;

/** A consultation as the statement pages need it: its phases and the newest public plan. */
export interface StatementContext {
  context: ConsultationContext;
  plan: PlanView | null;
  index: PlanIndex | null;
}

export async function loadStatementContext(db: DbOrTx, slug: string): Promise<StatementContext | null> {
  const context = await loadConsultationContext(db, slug);
  if (!context) return null;
  const newest = context.versions.at(-1);
  const plan = newest ? await loadPlanTree(db, newest) : null;
  return { context, plan, index: plan ? indexPlan(plan) : null };
}

export async function loadStatementContextById(db: DbOrTx, consultationId: number): Promise<StatementContext | null> {
  const [row] = await db.select({ slug: consultations.slug }).from(consultations).where(eq(consultations.id, consultationId));
  return row ? loadStatementContext(db, row.slug) : null;
}

export function refExists(index: PlanIndex | null, ref: ItemRef): boolean {
  if (!index) return false;
  return ref.kind === 'field' ? index.fields.has(ref.key) : ref.kind === 'goal' ? index.goals.has(ref.key) : index.measures.has(ref.key);
}

/** How an item reads in lists and on the receipt: code and a shortened text, with its link. */
export interface RefLabel {
  kind: ItemRefKind;
  key: string;
  code: string;
  text: string;
  url: string | null;
}

export function describeRefs(sc: Pick<StatementContext, 'context' | 'index'>, refs: ItemRef[]): RefLabel[] {
  const newest = sc.context.versions.at(-1) ?? null;
  const urls = planUrls(sc.context.consultation.slug, newest, newest);
  return refs.map((ref) => {
    const index = sc.index;
    if (ref.kind === 'field') {
      const f = index?.fields.get(ref.key);
      return { ...ref, code: f?.code ?? '', text: f ? f.title : ref.key, url: f ? urls.field(ref.key) : null };
    }
    if (ref.kind === 'goal') {
      const g = index?.goals.get(ref.key)?.goal;
      return { ...ref, code: g?.code ?? '', text: g ? shorten(g.text, 90) : ref.key, url: g ? urls.goal(ref.key) : null };
    }
    const m = index?.measures.get(ref.key)?.measure;
    return { ...ref, code: m?.code ?? '', text: m ? shorten(m.text, 90) : ref.key, url: m ? urls.measure(ref.key) : null };
  });
}

/** Organisations the user may speak for: verified representatives of verified organisations. */
export async function representedOrganisations(db: DbOrTx, userId: string): Promise<Array<{ id: number; name: string }>> {
  return db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisationMembers)
    .innerJoin(organisations, eq(organisations.id, organisationMembers.organisationId))
    .where(and(eq(organisationMembers.userId, userId), eq(organisationMembers.status, 'verified')))
    .orderBy(asc(organisations.name));
}

/** What the form sent, as typed (re-rendered on any problem). */
export interface StatementValues {
  formToken: string;
  onBehalf: string;
  name: string;
  email: string;
  title: string;
  body: string;
  language: string;
  scope: string;
  refs: string[];
  privacy: string;
  publishText: string;
  publishName: string;
}

/** Checks consent answers: privacy is required, both publish questions need a yes or a no. */
export function checkConsent(values: { privacy?: string; publishText: string; publishName: string }, errors: FieldErrors, staff = false): void {
  if (!staff && values.privacy !== 'yes') errors.privacy = 'participation.statements.errors.privacy';
  if (values.publishText !== 'yes' && values.publishText !== 'no') errors.publishText = 'participation.statements.errors.publishText';
  if (values.publishName !== 'yes' && values.publishName !== 'no') errors.publishName = 'participation.statements.errors.publishName';
}

/** The picked items, checked against the plan; `scope` 'plan' means none. */
export function checkRefs(sc: StatementContext, scope: string, raw: string[], errors: FieldErrors): ItemRef[] {
  const refs: ItemRef[] = [];
  const seen = new Set<string>();
  for (const value of raw) {
    const ref = parseRef(value);
    if (!ref || !refExists(sc.index, ref)) {
      errors.refs = 'participation.statements.errors.refUnknown';
      return [];
    }
    if (!seen.has(value)) refs.push(ref);
    seen.add(value);
  }
  if (scope === 'items' && refs.length === 0) errors.refs = 'participation.statements.errors.refsRequired';
  else if (scope === 'plan' && refs.length > 0) errors.refs = 'participation.statements.errors.refsAndPlan';
  else if (scope !== 'plan' && scope !== 'items') errors.refs = 'participation.statements.errors.scope';
  return scope === 'items' ? refs : [];
}

export interface SubmitStatement {
  sc: StatementContext;
  user: CurrentUser | null;
  clientAddress: string;
  locale: Locale;
  values: StatementValues;
  files: UploadedPart[];
}

/**
 * Validates and stores a statement with its references and attachments, gives it the next
 * receipt number and queues the receipt mail (for guests with the confirmation link), all in one
 * transaction. The same form submitted twice finds the first statement: `created` false, no mail.
 */
export async function submitStatement(ctx: AppContext, input: SubmitStatement): Promise<{ formToken: string; created: boolean }> {
  const { sc, user, values } = input;
  const consultation = sc.context.consultation;
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};

  let organisationId: number | null = null;
  if (values.onBehalf !== '' && values.onBehalf !== 'self') {
    const allowed = user ? await representedOrganisations(ctx.db, user.id) : [];
    const picked = allowed.find((o) => String(o.id) === values.onBehalf);
    if (!picked) errors.onBehalf = 'participation.statements.errors.organisation';
    else organisationId = picked.id;
  }
  const name = checkText(values.name, errors, 'name', { max: NAME_MAX_LENGTH, required: false }, params);
  const email = user ? (user.email ?? '') : checkGuestEmail(values.email, errors);
  const title = checkText(values.title, errors, 'title', { max: TITLE_MAX_LENGTH, required: false }, params);
  const body = checkText(values.body, errors, 'body', { max: STATEMENT_MAX_LENGTH }, params);
  checkLanguage(values.language, errors);
  const refs = checkRefs(sc, values.scope, values.refs, errors);
  checkConsent(values, errors);
  const files = checkAttachments(input.files, { maxBytes: ctx.config.participation.attachmentMaxBytes, maxCount: ctx.config.participation.attachmentMaxCount }, input.locale, errors, params);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, params);

  const phase = openPhaseFor(consultation.phases, 'statement');
  const status = initialStatus(user, phase);
  const result = await ctx.db.transaction(async (tx) => {
    await checkRateLimits(ctx, tx, input.clientAddress, email || null);
    const now = new Date();
    const inserted = await insertContribution(tx, {
      consultationId: consultation.id,
      phaseId: phase.id,
      kind: 'statement',
      targetKind: 'consultation',
      targetKey: null,
      planVersionId: sc.plan?.version.id ?? null,
      title: title || null,
      body,
      language: values.language,
      pageLocale: input.locale,
      authorId: user?.id ?? null,
      guestEmail: user ? null : email,
      submitterName: name || null,
      organisationId,
      status,
      channel: 'online',
      receivedAt: now,
      consentPrivacyAt: now,
      publishText: values.publishText === 'yes',
      publishName: values.publishName === 'yes',
      formToken: values.formToken,
      confirmedAt: status === 'unconfirmed' ? null : now,
      publishedAt: status === 'published' ? now : null,
    });
    if (!inserted.created) return inserted;
    const receiptNumber = await nextReceiptNumber(tx, consultation, now);
    await tx.update(contributions).set({ receiptNumber }).where(eq(contributions.id, inserted.id));
    await storeRefsAndFiles(tx, inserted.id, refs, files);
    const confirm = status === 'unconfirmed' && email ? await issueConfirmLink(ctx, tx, email, inserted.id) : null;
    if (email) {
      await enqueueReceipt(ctx, tx, {
        to: email,
        locale: input.locale,
        receiptNumber,
        consultationTitle: consultation.title,
        receivedAt: now,
        title,
        body,
        refs: describeRefs(sc, refs),
        files,
        publishText: values.publishText === 'yes',
        publishName: values.publishName === 'yes',
        status,
        confirm,
      });
    }
    return inserted;
  });
  if (result.created) ctx.mailQueued();
  return { formToken: values.formToken, created: result.created };
}

export async function storeRefsAndFiles(tx: DbOrTx, contributionId: number, refs: ItemRef[], files: CheckedAttachment[]): Promise<void> {
  if (refs.length) await tx.insert(contributionReferences).values(refs.map((r) => ({ contributionId, targetKind: r.kind, targetKey: r.key })));
  for (const f of files) {
    await tx.insert(attachments).values({ contributionId, fileName: f.fileName, mediaType: f.mediaType, size: f.size, sha256: f.sha256, data: f.data });
  }
}

async function enqueueReceipt(
  ctx: AppContext,
  tx: DbOrTx,
  mail: {
    to: string;
    locale: Locale;
    receiptNumber: string;
    consultationTitle: string;
    receivedAt: Date;
    title: string;
    body: string;
    refs: RefLabel[];
    files: CheckedAttachment[];
    publishText: boolean;
    publishName: boolean;
    status: string;
    confirm: { url: string; days: number } | null;
  },
): Promise<void> {
  await enqueueMail(tx, {
    to: mail.to,
    template: 'contribution_receipt',
    locale: mail.locale,
    payload: {
      receiptNumber: mail.receiptNumber,
      consultationTitle: mail.consultationTitle,
      receivedAt: mail.receivedAt.toISOString(),
      title: mail.title,
      body: mail.body,
      // The payload is flat: one line per item or file.
      refs: mail.refs.map((r) => `${r.code ? `${r.code} ` : ''}${r.text}`).join('\n'),
      refUrls: mail.refs.map((r) => (r.url ? `${ctx.config.baseUrl}${r.url}` : '')).join('\n'),
      files: mail.files.map((f) => f.fileName).join('\n'),
      publishText: mail.publishText,
      publishName: mail.publishName,
      status: mail.status,
      confirmUrl: mail.confirm?.url ?? null,
      days: mail.confirm?.days ?? null,
    },
  });
}

export type StatementRow = typeof contributions.$inferSelect;
export interface AttachmentInfo {
  id: number;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export async function referencesOf(db: DbOrTx, contributionId: number): Promise<ItemRef[]> {
  const rows = await db
    .select({ kind: contributionReferences.targetKind, key: contributionReferences.targetKey })
    .from(contributionReferences)
    .where(eq(contributionReferences.contributionId, contributionId));
  return rows.filter((r): r is ItemRef => r.kind !== 'consultation');
}

export async function attachmentsOf(db: DbOrTx, contributionId: number): Promise<AttachmentInfo[]> {
  return db
    .select({ id: attachments.id, fileName: attachments.fileName, mediaType: attachments.mediaType, size: attachments.size, sha256: attachments.sha256 })
    .from(attachments)
    .where(eq(attachments.contributionId, contributionId))
    .orderBy(asc(attachments.id));
}

/** The statement behind a receipt page: only the browser that sent the form knows the token. */
export async function findByFormToken(db: DbOrTx, formToken: string): Promise<StatementRow | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(formToken)) return null;
  const [row] = await db.select().from(contributions).where(and(eq(contributions.formToken, formToken), eq(contributions.kind, 'statement')));
  return row ?? null;
}

export async function findPublishedStatement(db: DbOrTx, consultationId: number, receiptNumber: string): Promise<StatementRow | null> {
  const [row] = await db
    .select()
    .from(contributions)
    .where(and(eq(contributions.consultationId, consultationId), eq(contributions.receiptNumber, receiptNumber), eq(contributions.kind, 'statement'), eq(contributions.status, 'published')));
  // A passage a moderator removed stays removed on the public page; the original is not sent.
  return row ? { ...row, body: row.redactedBody ?? row.body, redactedBody: null } : null;
}

export async function organisationName(db: DbOrTx, id: number | null): Promise<{ name: string; verified: boolean } | null> {
  if (id === null) return null;
  const [row] = await db.select({ name: organisations.name, verifiedAt: organisations.verifiedAt }).from(organisations).where(eq(organisations.id, id));
  return row ? { name: row.name, verified: row.verifiedAt !== null } : null;
}

/**
 * Who a published statement is shown as: the organisation or the name given, only with consent
 * (publishName); otherwise null, which pages show as "Privatperson" (private individual).
 */
export function publicAuthor(row: Pick<StatementRow, 'publishName' | 'submitterName'>, organisation: { name: string; verified: boolean } | null): { name: string; verified: boolean } | null {
  if (!row.publishName) return null;
  if (organisation) return organisation;
  return row.submitterName ? { name: row.submitterName, verified: false } : null;
}

export interface StatementSummary {
  receiptNumber: string;
  title: string | null;
  excerpt: string | null;
  language: string;
  receivedAt: Date;
  author: { name: string; verified: boolean } | null;
  url: string;
}

/**
 * Published statements that refer to one item (or, with kind 'consultation', to the whole
 * plan), newest first: for the item pages' lists. Texts only as excerpts and only with consent.
 */
export async function publishedStatementsFor(db: DbOrTx, consultationId: number, kind: TargetKind, key: string | null, limit = 50): Promise<StatementSummary[]> {
  const c = contributions;
  const base = db
    .select({
      id: c.id,
      receiptNumber: c.receiptNumber,
      title: c.title,
      // The public text: redacted when a moderator removed a passage.
      body: sql<string>`coalesce(${c.redactedBody}, ${c.body})`,
      language: c.language,
      receivedAt: c.receivedAt,
      publishText: c.publishText,
      publishName: c.publishName,
      submitterName: c.submitterName,
      organisation: organisations.name,
      organisationVerifiedAt: organisations.verifiedAt,
    })
    .from(c)
    .leftJoin(organisations, eq(organisations.id, c.organisationId));
  const published = and(eq(c.consultationId, consultationId), eq(c.kind, 'statement'), eq(c.status, 'published'));
  let rows: Awaited<typeof base>;
  if (kind === 'consultation') {
    const withRefs = db.select({ id: contributionReferences.contributionId }).from(contributionReferences);
    rows = await base
      .where(and(published, notInArray(c.id, withRefs)))
      .orderBy(desc(c.receivedAt))
      .limit(limit);
  } else {
    const referring = db
      .select({ id: contributionReferences.contributionId })
      .from(contributionReferences)
      .where(and(eq(contributionReferences.targetKind, kind), eq(contributionReferences.targetKey, key ?? '')));
    rows = await base
      .where(and(published, inArray(c.id, referring)))
      .orderBy(desc(c.receivedAt))
      .limit(limit);
  }
  const [consultation] = rows.length ? await db.select({ slug: consultations.slug }).from(consultations).where(eq(consultations.id, consultationId)) : [];
  return rows.map((r) => ({
    receiptNumber: r.receiptNumber ?? '',
    title: r.title,
    excerpt: r.publishText ? shorten(r.body.replace(/\s+/g, ' '), 200) : null,
    language: r.language,
    receivedAt: r.receivedAt,
    author: publicAuthor(r, r.organisation ? { name: r.organisation, verified: r.organisationVerifiedAt !== null } : null),
    url: `/consultations/${encodeURIComponent(consultation?.slug ?? '')}/statements/${encodeURIComponent(r.receiptNumber ?? '')}`,
  }));
}

/** An attachment with the statement it belongs to, for the download route's permission check. */
export async function findAttachment(db: DbOrTx, id: number) {
  const [row] = await db
    .select({
      id: attachments.id,
      fileName: attachments.fileName,
      mediaType: attachments.mediaType,
      size: attachments.size,
      data: attachments.data,
      status: contributions.status,
      publishText: contributions.publishText,
    })
    .from(attachments)
    .innerJoin(contributions, eq(contributions.id, attachments.contributionId))
    .where(eq(attachments.id, id));
  return row ?? null;
}
