/**
 * Staff entry: the participation office records contributions that reached the city by letter,
 * e-mail, phone or at an event, so the consolidation (Abwägung) sees everything. And the
 * organisers' list and detail view of all contributions of a consultation.
 */
import { and, asc, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { type FieldErrors, type MessageParams, ValidationError } from '../../../core/errors.js';
import type { Locale } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { recordAudit } from '../../audit/service.js';
import { consultations } from '../../plans/schema.js';
import { phaseState } from '../../plans/routes.js';
import {
  type ContributionChannel,
  type ContributionKind,
  type ContributionStatus,
  contributionKinds,
  contributionStatuses,
  contributions,
  organisations,
} from '../schema.js';
import { announceChange } from '../../../core/cache.js';
import { CONTRIBUTIONS_TAG, checkGuestEmail, checkLanguage, checkText, COMMENT_MAX_LENGTH, insertContribution, nextReceiptNumber, STATEMENT_MAX_LENGTH, TITLE_MAX_LENGTH } from '../service.js';
import { type CheckedAttachment, checkAttachments, type UploadedPart } from './attachments.js';
import { checkConsent, checkRefs, type ItemRef, NAME_MAX_LENGTH, parseRef, refExists, type StatementContext, storeRefsAndFiles } from './service.js';

/** Ways a contribution reaches the office outside this site. */
export const staffChannels = ['letter', 'email', 'phone', 'event'] as const satisfies readonly ContributionChannel[];
/** A staff entry starts waiting for moderation, or (the organiser decides) published at once. */
export const staffStatuses = ['pending', 'published'] as const satisfies readonly ContributionStatus[];
export const DETAILS_MAX_LENGTH = 2000;

export interface StaffValues {
  formToken: string;
  channel: string;
  receivedOn: string;
  kind: string;
  scope: string;
  refs: string[];
  target: string;
  name: string;
  organisationId: string;
  email: string;
  details: string;
  publishText: string;
  publishName: string;
  title: string;
  body: string;
  language: string;
  status: string;
}

const berlinDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/** Midnight at the start of a Europe/Berlin calendar day, as an instant. */
export function berlinMidnight(day: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  // The offset at that day's noon (no DST change happens at noon).
  const noon = new Date(`${day}T12:00:00Z`);
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(noon));
  return new Date(utc.getTime() - (hour - 12) * 3_600_000);
}

export function todayInBerlin(now = new Date()): string {
  return berlinDate(now);
}

function checkDay(raw: string, errors: FieldErrors): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(new Date(`${raw}T00:00:00Z`).getTime()) || new Date(`${raw}T00:00:00Z`).toISOString().slice(0, 10) !== raw) {
    errors.receivedOn = 'participation.staff.errors.date';
    return null;
  }
  if (raw > todayInBerlin()) {
    errors.receivedOn = 'participation.staff.errors.dateFuture';
    return null;
  }
  if (raw < '2000-01-01') {
    errors.receivedOn = 'participation.staff.errors.date';
    return null;
  }
  return berlinMidnight(raw);
}

/** The one item a comment is about: the whole consultation or a field, goal or measure. */
function checkTarget(sc: StatementContext, raw: string, errors: FieldErrors): { kind: 'consultation' | ItemRef['kind']; key: string | null } {
  if (raw === 'consultation') return { kind: 'consultation', key: null };
  const ref = parseRef(raw);
  if (!ref || !refExists(sc.index, ref)) {
    errors.target = 'participation.staff.errors.target';
    return { kind: 'consultation', key: null };
  }
  return ref;
}

export async function allOrganisations(db: DbOrTx): Promise<Array<{ id: number; name: string; verified: boolean }>> {
  const rows = await db.select({ id: organisations.id, name: organisations.name, verifiedAt: organisations.verifiedAt }).from(organisations).orderBy(asc(organisations.name));
  return rows.map((r) => ({ id: r.id, name: r.name, verified: r.verifiedAt !== null }));
}

/**
 * Records a contribution that arrived outside the site: no confirmation mail (the person did not
 * use the site), a receipt number, an audit entry naming the organiser. Returns its id.
 */
export async function enterContribution(
  ctx: AppContext,
  input: { sc: StatementContext; actorId: string; locale: Locale; values: StaffValues; files: UploadedPart[] },
): Promise<number> {
  const { sc, values } = input;
  const consultation = sc.context.consultation;
  const errors: FieldErrors = {};
  const params: Record<string, MessageParams> = {};
  if (!(staffChannels as readonly string[]).includes(values.channel)) errors.channel = 'participation.staff.errors.channel';
  const receivedAt = checkDay(values.receivedOn, errors);
  const kind = (contributionKinds as readonly string[]).includes(values.kind) ? (values.kind as ContributionKind) : null;
  if (!kind) errors.kind = 'participation.staff.errors.kind';
  const refs: ItemRef[] = kind === 'statement' ? checkRefs(sc, values.scope, values.refs, errors) : [];
  const target = kind === 'comment' ? checkTarget(sc, values.target, errors) : { kind: 'consultation' as const, key: null };
  const name = checkText(values.name, errors, 'name', { max: NAME_MAX_LENGTH, required: false }, params);
  let organisationId: number | null = null;
  if (values.organisationId !== '') {
    const found = (await allOrganisations(ctx.db)).find((o) => String(o.id) === values.organisationId);
    if (!found) errors.organisationId = 'participation.staff.errors.organisation';
    else organisationId = found.id;
  }
  const email = values.email.trim() === '' ? null : checkGuestEmail(values.email, errors);
  const details = checkText(values.details, errors, 'details', { max: DETAILS_MAX_LENGTH, required: false }, params);
  checkConsent(values, errors, true);
  const title = checkText(values.title, errors, 'title', { max: TITLE_MAX_LENGTH, required: false }, params);
  const body = checkText(values.body, errors, 'body', { max: kind === 'comment' ? COMMENT_MAX_LENGTH : STATEMENT_MAX_LENGTH }, params);
  checkLanguage(values.language, errors);
  const status = (staffStatuses as readonly string[]).includes(values.status) ? (values.status as ContributionStatus) : null;
  if (!status) errors.status = 'participation.staff.errors.status';
  const files: CheckedAttachment[] = checkAttachments(
    input.files,
    { maxBytes: ctx.config.participation.attachmentMaxBytes, maxCount: ctx.config.participation.attachmentMaxCount },
    input.locale,
    errors,
    params,
  );
  if (Object.keys(errors).length > 0 || !kind || !status || !receivedAt) throw new ValidationError(errors, params);

  // The phase it belongs to: the one that took this kind of contribution on the day it arrived.
  const channel = kind === 'comment' ? 'comment' : 'statement';
  const phase = consultation.phases.find((p) => p.channels.includes(channel) && phaseState(p, receivedAt) !== 'upcoming' && p.closesAt >= receivedAt) ?? null;

  return ctx.db.transaction(async (tx) => {
    const now = new Date();
    const inserted = await insertContribution(tx, {
      consultationId: consultation.id,
      phaseId: phase?.id ?? null,
      kind,
      targetKind: target.kind,
      targetKey: target.key,
      planVersionId: sc.plan?.version.id ?? null,
      title: title || null,
      body,
      language: values.language,
      pageLocale: input.locale,
      guestEmail: email,
      submitterName: name || null,
      submitterDetails: details || null,
      organisationId,
      status,
      channel: values.channel as ContributionChannel,
      receivedAt,
      publishText: values.publishText === 'yes',
      publishName: values.publishName === 'yes',
      formToken: values.formToken,
      enteredBy: input.actorId,
      confirmedAt: now,
      publishedAt: status === 'published' ? now : null,
    });
    if (!inserted.created) return inserted.id;
    const receiptNumber = await nextReceiptNumber(tx, consultation, receivedAt);
    await tx.update(contributions).set({ receiptNumber }).where(eq(contributions.id, inserted.id));
    await storeRefsAndFiles(tx, inserted.id, refs, files);
    await recordAudit(tx, {
      actorId: input.actorId,
      action: 'contribution.staff_entry',
      subjectType: 'contribution',
      subjectId: inserted.id,
      after: {
        receiptNumber,
        kind,
        channel: values.channel,
        receivedOn: values.receivedOn,
        status,
        refs: refs.map((r) => `${r.kind}:${r.key}`),
        target: target.key ? `${target.kind}:${target.key}` : target.kind,
        attachments: files.map((f) => ({ fileName: f.fileName, sha256: f.sha256 })),
      },
    });
    if (status === 'published') await announceChange(tx, CONTRIBUTIONS_TAG);
    return inserted.id;
  });
}

export const PAGE_SIZE = 50;

export interface ListFilter {
  status: ContributionStatus | null;
  kind: ContributionKind | null;
  channel: ContributionChannel | null;
  page: number;
}

export function readFilter(query: { status: string; kind: string; channel: string; page: string }): ListFilter {
  const pick = <T extends string>(list: readonly T[], v: string): T | null => ((list as readonly string[]).includes(v) ? (v as T) : null);
  const page = /^\d{1,6}$/.test(query.page) ? Math.max(1, Number(query.page)) : 1;
  return {
    status: pick(contributionStatuses, query.status),
    kind: pick(contributionKinds, query.kind),
    channel: pick(['online', ...staffChannels] as const, query.channel),
    page,
  };
}

/** All contributions of a consultation for the office, newest first, one page at a time. */
export async function listContributions(db: DbOrTx, consultationId: number, filter: ListFilter) {
  const c = contributions;
  const conditions: SQL[] = [eq(c.consultationId, consultationId)];
  if (filter.status) conditions.push(eq(c.status, filter.status));
  if (filter.kind) conditions.push(eq(c.kind, filter.kind));
  if (filter.channel) conditions.push(eq(c.channel, filter.channel));
  const where = and(...conditions);
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: c.id,
        receiptNumber: c.receiptNumber,
        receivedAt: c.receivedAt,
        channel: c.channel,
        kind: c.kind,
        status: c.status,
        authorId: c.authorId,
        guestEmail: c.guestEmail,
        organisationId: c.organisationId,
        enteredBy: c.enteredBy,
        title: c.title,
        body: c.body,
        language: c.language,
      })
      .from(c)
      .where(where)
      .orderBy(desc(c.receivedAt), desc(c.id))
      .limit(PAGE_SIZE)
      .offset((filter.page - 1) * PAGE_SIZE),
    db.select({ n: count() }).from(c).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Who sent it, in one word for the list. */
export function submitterType(row: { organisationId: number | null; authorId: string | null; enteredBy: string | null }): 'organisation' | 'account' | 'staff' | 'guest' {
  if (row.organisationId !== null) return 'organisation';
  if (row.enteredBy !== null) return 'staff';
  if (row.authorId !== null) return 'account';
  return 'guest';
}

/** Everything about one contribution, for organisers. */
export async function contributionForOrganiser(db: DbOrTx, consultationId: number, id: number) {
  const [row] = await db
    .select({ contribution: contributions, organisation: organisations.name, organisationVerifiedAt: organisations.verifiedAt, consultationSlug: consultations.slug })
    .from(contributions)
    .innerJoin(consultations, eq(consultations.id, contributions.consultationId))
    .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
    .where(and(eq(contributions.id, id), eq(contributions.consultationId, consultationId)));
  if (!row) return null;
  const people = [row.contribution.authorId, row.contribution.enteredBy].filter((v): v is string => v !== null);
  const named = people.length ? await db.select({ id: users.id, displayName: users.displayName, email: users.email }).from(users).where(inArray(users.id, people)) : [];
  return {
    ...row,
    author: named.find((u) => u.id === row.contribution.authorId) ?? null,
    enteredBy: named.find((u) => u.id === row.contribution.enteredBy) ?? null,
  };
}
