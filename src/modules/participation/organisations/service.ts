/**
 * The registry of organisations and who may speak for them. Anyone signed in may ask to
 * represent a verified organisation or propose a new one; organisers verify organisations and
 * decide on representations. A verified representation carries the account role
 * `organisation_representative`; revoking the last one takes the role away again.
 */
import { and, asc, count, desc, eq, ilike, isNotNull, ne, sql } from 'drizzle-orm';
import type { AppContext } from '../../../core/context.js';
import { DomainError, type FieldErrors, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { DbOrTx } from '../../../db/index.js';
import { userRoles, users } from '../../accounts/schema.js';
import { announceUserChange } from '../../accounts/sessions.js';
import { recordAudit } from '../../audit/service.js';
import { enqueueMail } from '../../mail/outbox.js';
import { type OrganisationKind, organisationKinds, organisationMembers, organisations } from '../schema.js';

export const PAGE_SIZE = 25;
export const NAME_MAX = 200;
export const WEBSITE_MAX = 300;
export const CONTACT_MAX = 500;
export const DESCRIPTION_MAX = 2000;
export const MESSAGE_MAX = 2000;
export const NOTE_MAX = 1000;

export type Organisation = typeof organisations.$inferSelect;

export interface OrganisationInput {
  name: string;
  kind: string;
  website: string;
  contact: string;
  description: string;
}

function tidy(value: string): string {
  return value.replace(/\r\n?/g, '\n').trim();
}

/** Only http and https addresses: a link people click must not run script (javascript:) or open files. */
export function checkWebsite(raw: string, errors: FieldErrors, name = 'website'): string | null {
  const value = raw.trim();
  if (value === '') return null;
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname.includes('.') || value.length > WEBSITE_MAX) {
    errors[name] = 'organisations.errors.website';
    return value;
  }
  return url.href;
}

function checkLength(value: string, max: number, errors: FieldErrors, name: string): void {
  if ([...value].length > max) errors[name] = `organisations.errors.${name}TooLong`;
}

/** Checks and tidies what describes an organisation; throws with every problem at once. */
export function checkOrganisation(input: OrganisationInput, errors: FieldErrors) {
  const name = tidy(input.name).replace(/\s+/g, ' ');
  if (name === '') errors.name = 'organisations.errors.nameRequired';
  else checkLength(name, NAME_MAX, errors, 'name');
  if (!(organisationKinds as readonly string[]).includes(input.kind)) errors.kind = 'organisations.errors.kind';
  const website = checkWebsite(input.website, errors);
  const contact = tidy(input.contact);
  checkLength(contact, CONTACT_MAX, errors, 'contact');
  const description = tidy(input.description);
  checkLength(description, DESCRIPTION_MAX, errors, 'description');
  return { name, kind: input.kind as OrganisationKind, website, contact, description };
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Verified organisations, searchable by name, one page at a time. */
export async function listVerified(db: DbOrTx, q: string, page: number) {
  const where = and(isNotNull(organisations.verifiedAt), q ? ilike(organisations.name, likePattern(q)) : undefined);
  const [total] = await db.select({ n: count() }).from(organisations).where(where);
  const rows = await db
    .select({ id: organisations.id, name: organisations.name, kind: organisations.kind, website: organisations.website, description: organisations.description })
    .from(organisations)
    .where(where)
    .orderBy(asc(sql`lower(${organisations.name})`), asc(organisations.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  return { rows, total: total?.n ?? 0 };
}

export async function verifiedChoices(db: DbOrTx) {
  return db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(isNotNull(organisations.verifiedAt))
    .orderBy(asc(sql`lower(${organisations.name})`));
}

export interface RepresentationInput {
  mode: string;
  organisationId: string;
  organisation: OrganisationInput;
  message: string;
}

/** A person asks to represent an organisation (an existing verified one, or one they propose). */
export async function requestRepresentation(ctx: AppContext, userId: string, input: RepresentationInput): Promise<{ organisationId: number }> {
  const errors: FieldErrors = {};
  const message = tidy(input.message);
  if (message === '') errors.message = 'organisations.errors.messageRequired';
  else checkLength(message, MESSAGE_MAX, errors, 'message');
  const proposing = input.mode === 'new';
  let existingId: number | null = null;
  let proposed: ReturnType<typeof checkOrganisation> | null = null;
  if (proposing) proposed = checkOrganisation(input.organisation, errors);
  else {
    existingId = /^\d{1,9}$/.test(input.organisationId) ? Number(input.organisationId) : null;
    if (existingId === null) errors.organisationId = 'organisations.errors.organisationRequired';
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  return ctx.db.transaction(async (tx) => {
    let organisationId: number;
    if (proposed) {
      const [same] = await tx.select({ id: organisations.id }).from(organisations).where(sql`lower(${organisations.name}) = lower(${proposed.name})`);
      if (same) throw new ValidationError({ name: 'organisations.errors.nameTaken' });
      const [created] = await tx.insert(organisations).values(proposed).returning({ id: organisations.id });
      if (!created) throw new Error('organisation insert returned nothing');
      organisationId = created.id;
      await recordAudit(tx, { actorId: userId, action: 'organisation.propose', subjectType: 'organisation', subjectId: organisationId, after: proposed });
    } else {
      const [org] = await tx.select({ id: organisations.id }).from(organisations).where(and(eq(organisations.id, existingId as number), isNotNull(organisations.verifiedAt)));
      if (!org) throw new ValidationError({ organisationId: 'organisations.errors.organisationRequired' });
      organisationId = org.id;
    }
    const [current] = await tx
      .select({ status: organisationMembers.status })
      .from(organisationMembers)
      .where(and(eq(organisationMembers.organisationId, organisationId), eq(organisationMembers.userId, userId)))
      .for('update');
    if (current?.status === 'requested' || current?.status === 'verified') {
      throw new ValidationError({ [proposing ? 'name' : 'organisationId']: `organisations.errors.already.${current.status}` });
    }
    if (current) {
      await tx
        .update(organisationMembers)
        .set({ status: 'requested', message, requestedAt: new Date(), decidedAt: null, decidedBy: null, decisionNote: null })
        .where(and(eq(organisationMembers.organisationId, organisationId), eq(organisationMembers.userId, userId)));
    } else {
      await tx.insert(organisationMembers).values({ organisationId, userId, message });
    }
    await recordAudit(tx, { actorId: userId, action: 'representation.request', subjectType: 'organisation', subjectId: organisationId, after: { userId, message } });
    return { organisationId };
  });
}

/** Open requests first (oldest first), for the organisers' page. */
export async function openRequests(db: DbOrTx) {
  return db
    .select({
      organisationId: organisations.id,
      organisationName: organisations.name,
      organisationVerified: organisations.verifiedAt,
      kind: organisations.kind,
      website: organisations.website,
      userId: users.id,
      displayName: users.displayName,
      email: users.email,
      message: organisationMembers.message,
      requestedAt: organisationMembers.requestedAt,
    })
    .from(organisationMembers)
    .innerJoin(organisations, eq(organisations.id, organisationMembers.organisationId))
    .innerJoin(users, eq(users.id, organisationMembers.userId))
    .where(and(eq(organisationMembers.status, 'requested'), isNotNull(users.email)))
    .orderBy(asc(organisationMembers.requestedAt));
}

/** Every organisation (verified or not) with how many verified representatives it has. */
export async function allOrganisations(db: DbOrTx, q: string, page: number) {
  const where = q ? ilike(organisations.name, likePattern(q)) : undefined;
  const [total] = await db.select({ n: count() }).from(organisations).where(where);
  const rows = await db
    .select({
      id: organisations.id,
      name: organisations.name,
      kind: organisations.kind,
      verifiedAt: organisations.verifiedAt,
      representatives: sql<number>`(select count(*)::int from ${organisationMembers} where ${organisationMembers.organisationId} = ${organisations.id} and ${organisationMembers.status} = 'verified')`,
    })
    .from(organisations)
    .where(where)
    .orderBy(asc(sql`lower(${organisations.name})`), asc(organisations.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  return { rows, total: total?.n ?? 0 };
}

export async function organisationDetail(db: DbOrTx, id: number) {
  const [organisation] = await db.select().from(organisations).where(eq(organisations.id, id));
  if (!organisation) throw new NotFoundError();
  const members = await db
    .select({
      userId: users.id,
      displayName: users.displayName,
      email: users.email,
      status: organisationMembers.status,
      message: organisationMembers.message,
      requestedAt: organisationMembers.requestedAt,
      decidedAt: organisationMembers.decidedAt,
      decisionNote: organisationMembers.decisionNote,
    })
    .from(organisationMembers)
    .innerJoin(users, eq(users.id, organisationMembers.userId))
    .where(eq(organisationMembers.organisationId, id))
    .orderBy(desc(organisationMembers.requestedAt));
  return { organisation, members };
}

export async function verifyOrganisation(ctx: AppContext, actorId: string, id: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(organisations)
      .set({ verifiedAt: new Date(), verifiedBy: actorId })
      .where(and(eq(organisations.id, id), sql`${organisations.verifiedAt} is null`))
      .returning({ id: organisations.id });
    if (!updated) {
      const [exists] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, id));
      if (!exists) throw new NotFoundError();
      return;
    }
    await recordAudit(tx, { actorId, action: 'organisation.verify', subjectType: 'organisation', subjectId: id, after: { verified: true } });
  });
}

export async function updateOrganisation(ctx: AppContext, actorId: string, id: number, input: OrganisationInput): Promise<void> {
  const errors: FieldErrors = {};
  const values = checkOrganisation(input, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(organisations).where(eq(organisations.id, id)).for('update');
    if (!before) throw new NotFoundError();
    const [same] = await tx
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(sql`lower(${organisations.name}) = lower(${values.name})`, ne(organisations.id, id)));
    if (same) throw new ValidationError({ name: 'organisations.errors.nameTaken' });
    await tx.update(organisations).set(values).where(eq(organisations.id, id));
    const { name, kind, website, contact, description } = before;
    await recordAudit(tx, { actorId, action: 'organisation.update', subjectType: 'organisation', subjectId: id, before: { name, kind, website, contact, description }, after: values });
  });
}

export type Decision = 'verified' | 'declined' | 'revoked';

/**
 * Verifies or declines a request, or revokes a verified representation, with an optional note
 * the person is mailed. The role follows: granted with the first verified representation,
 * removed with the last one; the person's sessions see it at their next request.
 */
export async function decideRepresentation(ctx: AppContext, actorId: string, organisationId: number, userId: string, decision: Decision, rawNote: string): Promise<void> {
  const note = tidy(rawNote);
  if ([...note].length > NOTE_MAX) throw new ValidationError({ note: 'organisations.errors.noteTooLong' });
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        status: organisationMembers.status,
        organisationName: organisations.name,
        organisationVerified: organisations.verifiedAt,
        email: users.email,
        locale: users.locale,
      })
      .from(organisationMembers)
      .innerJoin(organisations, eq(organisations.id, organisationMembers.organisationId))
      .innerJoin(users, eq(users.id, organisationMembers.userId))
      .where(and(eq(organisationMembers.organisationId, organisationId), eq(organisationMembers.userId, userId)))
      .for('update', { of: organisationMembers });
    if (!row) throw new NotFoundError();
    const allowedFrom = decision === 'revoked' ? ['verified'] : ['requested'];
    if (!allowedFrom.includes(row.status)) throw new DomainError(409, 'organisations.errors.alreadyDecided');
    if (decision === 'verified' && !row.organisationVerified) throw new DomainError(409, 'organisations.errors.organisationUnverified');
    await tx
      .update(organisationMembers)
      .set({ status: decision, decidedAt: new Date(), decidedBy: actorId, decisionNote: note || null })
      .where(and(eq(organisationMembers.organisationId, organisationId), eq(organisationMembers.userId, userId)));
    await recordAudit(tx, {
      actorId,
      action: `representation.${decision === 'verified' ? 'verify' : decision === 'declined' ? 'decline' : 'revoke'}`,
      subjectType: 'organisation',
      subjectId: organisationId,
      reason: note || null,
      before: { userId, status: row.status },
      after: { userId, status: decision },
    });
    await syncRepresentativeRole(tx, actorId, userId);
    if (row.email) {
      await enqueueMail(tx, {
        to: row.email,
        template: 'representation_decided',
        locale: row.locale === 'en' ? 'en' : 'de',
        payload: { organisationName: row.organisationName, decision, note: note || null, url: `${ctx.config.baseUrl}/my/contributions` },
      });
    }
  });
  ctx.mailQueued();
}

/** The role matches the memberships: held while at least one representation is verified. */
async function syncRepresentativeRole(tx: DbOrTx, actorId: string, userId: string): Promise<void> {
  const [verified] = await tx
    .select({ n: count() })
    .from(organisationMembers)
    .where(and(eq(organisationMembers.userId, userId), eq(organisationMembers.status, 'verified')));
  const role = 'organisation_representative' as const;
  if ((verified?.n ?? 0) > 0) {
    const granted = await tx.insert(userRoles).values({ userId, role, grantedBy: actorId }).onConflictDoNothing().returning({ userId: userRoles.userId });
    if (granted.length) {
      await recordAudit(tx, { actorId, action: 'role.granted', subjectType: 'user', subjectId: userId, after: { role } });
      await announceUserChange(tx, userId);
    }
  } else {
    const removed = await tx
      .delete(userRoles)
      .where(and(eq(userRoles.userId, userId), eq(userRoles.role, role)))
      .returning({ userId: userRoles.userId });
    if (removed.length) {
      await recordAudit(tx, { actorId, action: 'role.revoked', subjectType: 'user', subjectId: userId, before: { role } });
      await announceUserChange(tx, userId);
    }
  }
}
