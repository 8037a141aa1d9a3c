import { and, asc, count, desc, eq, gt, inArray, isNull, ne, or, type SQL, sql } from 'drizzle-orm';
import { DomainError, NotFoundError } from '../../../core/errors.js';
import type { Translate } from '../../../core/i18n.js';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { committees } from '../../departments/schema.js';
import { contributionGroupMembers, contributionGroups, contributionSections, responses } from '../schema.js';
import { contributions, organisations } from '../../participation/schema.js';
import { type PlanDocument, readPlanDocument } from '../../plans/document.js';
import { asciiSlug } from '../../plans/documents/model.js';
import { consultations, phases, planVersions } from '../../plans/schema.js';
import { eligibleContribution } from '../service.js';
import type { CoverCount, ReportBlock, ReportModel, ReportRow } from './report.js';

/**
 * Builds the Abwägungstabelle of a consultation, a committee or a field of action from the
 * database. Units are read in keyset batches by id (a fixed number of queries per 1,000 units),
 * then put in the plan's order (field → goal → measure of the newest version, cross-cutting
 * measures and the whole plan in sections of their own). Private persons are anonymised unless
 * the variant is `named`: "Privatperson 17", numbered per person within the consultation.
 */

export const BATCH = 1000;

export type Scope = { kind: 'consultation' } | { kind: 'committee'; committeeId: number } | { kind: 'field'; fieldKey: string };

export interface ReportRequest {
  consultationId: number;
  scope: Scope;
  variant: 'anonymised' | 'named';
  draft: boolean;
  locale: string;
}

type Consultation = typeof consultations.$inferSelect;

export interface ResolvedScope {
  consultation: Consultation;
  doc: PlanDocument;
  versionLabel: string | null;
  /** Which units belong in it (null: all of the consultation's). */
  filter: SQL | null;
  label: string;
  /** For the file name: "jha", "handlungsfeld-4" … */
  slugPart: string | null;
  committee: { id: number; slug: string; name: string; shortName: string | null } | null;
}

const EMPTY_DOC: PlanDocument = { principles: [], crossCuttingMeasures: [], fields: [] };

/** The newest plan version (by position, drafts included): its order is the table's. */
export async function newestVersion(db: DbOrTx, consultationId: number) {
  const [version] = await db.select().from(planVersions).where(eq(planVersions.consultationId, consultationId)).orderBy(desc(planVersions.position)).limit(1);
  return version ?? null;
}

function targetFilter(measureKeys: string[], goalKeys: string[], fieldKeys: string[]): SQL {
  const parts: SQL[] = [];
  if (measureKeys.length) parts.push(and(eq(responses.targetKind, 'measure'), inArray(responses.targetKey, measureKeys)) as SQL);
  if (goalKeys.length) parts.push(and(eq(responses.targetKind, 'goal'), inArray(responses.targetKey, goalKeys)) as SQL);
  if (fieldKeys.length) parts.push(and(eq(responses.targetKind, 'field'), inArray(responses.targetKey, fieldKeys)) as SQL);
  return parts.length ? (or(...parts) as SQL) : sql`false`;
}

/**
 * What a scope covers, in the newest version: a committee gets the units about measures assigned
 * to it, and those about a goal or field one of its measures belongs to; a field everything in
 * it. Whole-plan units are only in the consultation's table. 404 for an unknown committee or field.
 */
export async function resolveScope(db: DbOrTx, consultationId: number, scope: Scope, t: Translate): Promise<ResolvedScope> {
  const [consultation] = await db.select().from(consultations).where(eq(consultations.id, consultationId));
  if (!consultation) throw new NotFoundError();
  const version = await newestVersion(db, consultationId);
  const doc = version ? await readPlanDocument(db, version.id) : EMPTY_DOC;
  const base = { consultation, doc, versionLabel: version?.label ?? null, committee: null };
  if (scope.kind === 'consultation') return { ...base, filter: null, label: t('consolidation.exports.scope.consultationLabel'), slugPart: null };
  if (scope.kind === 'committee') {
    const [committee] = await db.select().from(committees).where(eq(committees.id, scope.committeeId));
    if (!committee) throw new NotFoundError();
    const has = (m: { committees: string[] }) => m.committees.includes(committee.slug);
    const measureKeys = [...doc.crossCuttingMeasures.filter(has), ...doc.fields.flatMap((f) => f.goals.flatMap((g) => g.measures.filter(has)))].map((m) => m.key);
    const goalKeys = doc.fields.flatMap((f) => f.goals.filter((g) => g.measures.some(has)).map((g) => g.key));
    const fieldKeys = doc.fields.filter((f) => f.goals.some((g) => g.measures.some(has))).map((f) => f.key);
    const name = committee.shortName ? `${committee.name} (${committee.shortName})` : committee.name;
    return {
      ...base,
      committee,
      filter: targetFilter(measureKeys, goalKeys, fieldKeys),
      label: t('consolidation.exports.scope.committeeLabel', { name }),
      slugPart: committee.shortName ?? committee.slug,
    };
  }
  const field = doc.fields.find((f) => f.key === scope.fieldKey);
  if (!field) throw new NotFoundError();
  return {
    ...base,
    filter: targetFilter(
      field.goals.flatMap((g) => g.measures.map((m) => m.key)),
      field.goals.map((g) => g.key),
      [field.key],
    ),
    label: t('plans.plan.field', { code: field.code, title: field.title }),
    slugPart: `${t('consolidation.exports.fileField')}-${field.code}`,
  };
}

function unitsWhere(consultationId: number, filter: SQL | null): SQL {
  return and(eq(responses.consultationId, consultationId), eq(responses.superseded, false), eligibleContribution, ...(filter ? [filter] : [])) as SQL;
}

/** Units in the scope and how many are not approved yet (open, drafted or decided). */
export async function scopeProgress(db: DbOrTx, consultationId: number, filter: SQL | null): Promise<{ total: number; unapproved: number }> {
  const [row] = await db
    .select({ total: count(), unapproved: sql<number>`count(*) filter (where ${responses.status} <> 'approved')`.mapWith(Number) })
    .from(responses)
    .innerJoin(contributions, eq(contributions.id, responses.contributionId))
    .where(unitsWhere(consultationId, filter));
  return { total: Number(row?.total ?? 0), unapproved: Number(row?.unapproved ?? 0) };
}

// XML 1.0 cannot hold most control characters, and lone surrogates break every format: gone.
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export function clean(text: string): string {
  return text.replace(INVALID, '');
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function formatDay(date: Date, locale: string): string {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' });
    dateFormats.set(locale, format);
  }
  return format.format(date);
}

const BERLIN_PARTS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' });

type ChannelKey = 'comment' | 'statement' | 'letter' | 'email' | 'phone' | 'event';
const CHANNEL_KEYS: ChannelKey[] = ['comment', 'statement', 'letter', 'email', 'phone', 'event'];
function channelKey(channel: string, kind: string): ChannelKey {
  if (channel === 'online') return kind === 'statement' ? 'statement' : 'comment';
  return channel as ChannelKey;
}

interface Counted {
  channel: ChannelKey;
  submitter: string;
}

interface Placed {
  row: ReportRow;
  receivedAt: number;
  contributionId: number;
  position: number;
  receipt: string | null;
  targetKind: string;
  targetKey: string | null;
}

/**
 * The whole model. `onProgress(done, total)` is called after each batch (the job updates its
 * row). Throws DomainError when the consultation has no plan version to order by.
 */
export async function buildReportModel(db: DbOrTx, request: ReportRequest, t: Translate, onProgress?: (done: number, total: number) => Promise<void>): Promise<ReportModel> {
  const resolved = await resolveScope(db, request.consultationId, request.scope, t);
  const { consultation, doc, filter } = resolved;
  const named = request.variant === 'named';
  const locale = request.locale === 'en' ? 'en' : 'de';
  const where = unitsWhere(consultation.id, filter);
  const { total } = await scopeProgress(db, consultation.id, filter);

  // "Privatperson 17": one number per person (account, else guest address, else the single
  // contribution), in the order of their first contribution to this consultation.
  const personKey = sql<string>`coalesce('u:' || ${contributions.authorId}::text, 'g:' || lower(${contributions.guestEmail}), 'c:' || ${contributions.id}::text)`;
  const persons = new Map<string, number>();
  for (const p of await db
    .select({ key: personKey, n: sql<number>`(row_number() over (order by min(${contributions.receivedAt}), min(${contributions.id})))::int`.mapWith(Number) })
    .from(contributions)
    .where(and(eq(contributions.consultationId, consultation.id), eligibleContribution, isNull(contributions.organisationId)))
    .groupBy(sql`1`)) {
    persons.set(p.key, p.n);
  }
  const keyOf = (c: { authorId: string | null; guestEmail: string | null; id: number }) => (c.authorId ? `u:${c.authorId}` : c.guestEmail ? `g:${c.guestEmail.toLowerCase()}` : `c:${c.id}`);

  const languageNames = new Intl.DisplayNames([locale === 'en' ? 'en' : 'de'], { type: 'language' });
  const languageName = (tag: string) => {
    try {
      return languageNames.of(tag) ?? tag;
    } catch {
      return tag;
    }
  };
  const orgKind = (kind: string | null) => t(`consolidation.exports.orgKind.${kind ?? 'other'}`);
  const submitterType = (c: { organisationId: number | null; orgKind: string | null }) => (c.organisationId ? `org:${c.orgKind ?? 'other'}` : 'private');

  // Plan items by target, for the headings and the change column.
  const changeDocs = new Map<number, { label: string; items: Map<string, { code: string; text: string }> }>();
  async function changeText(versionId: number | null, kind: string | null, key: string | null, note: string): Promise<string> {
    const parts: string[] = [];
    if (versionId && kind && key) {
      let entry = changeDocs.get(versionId);
      if (!entry) {
        const [v] = await db.select({ label: planVersions.label }).from(planVersions).where(eq(planVersions.id, versionId));
        const d = await readPlanDocument(db, versionId);
        const items = new Map<string, { code: string; text: string }>();
        for (const m of d.crossCuttingMeasures) items.set(`measure:${m.key}`, { code: t('plans.plan.measure', { code: m.code }), text: m.text });
        for (const f of d.fields) {
          items.set(`field:${f.key}`, { code: t('plans.plan.field', { code: f.code, title: f.title }), text: f.description });
          for (const g of f.goals) {
            items.set(`goal:${g.key}`, { code: t('plans.plan.goal', { code: g.code }), text: g.text });
            for (const m of g.measures) items.set(`measure:${m.key}`, { code: t('plans.plan.measure', { code: m.code }), text: m.text });
          }
        }
        entry = { label: v?.label ?? '', items };
        changeDocs.set(versionId, entry);
      }
      const item = entry.items.get(`${kind}:${key}`);
      if (item) parts.push(`${item.code} (${entry.label}): ${item.text}`);
    }
    if (note.trim()) parts.push(note.trim());
    return clean(parts.join('\n'));
  }

  const counted = new Map<number, Counted>();
  const placed: Placed[] = [];
  const contactOf = (c: { guestEmail: string | null; userEmail: string | null; submitterDetails: string | null }) =>
    named ? clean([c.guestEmail ?? c.userEmail, c.submitterDetails].filter((x): x is string => Boolean(x)).join('\n')) : '';

  const select = {
    id: responses.id,
    targetKind: responses.targetKind,
    targetKey: responses.targetKey,
    status: responses.status,
    answer: responses.answer,
    verdict: responses.verdict,
    translation: responses.translation,
    changeVersionId: responses.changeVersionId,
    changeTargetKind: responses.changeTargetKind,
    changeTargetKey: responses.changeTargetKey,
    changeNote: responses.changeNote,
    groupId: responses.groupId,
    sectionBody: contributionSections.body,
    sectionPosition: contributionSections.position,
    contributionId: contributions.id,
    kind: contributions.kind,
    channel: contributions.channel,
    receivedAt: contributions.receivedAt,
    receiptNumber: contributions.receiptNumber,
    language: contributions.language,
    title: contributions.title,
    body: contributions.body,
    redactedBody: contributions.redactedBody,
    authorId: contributions.authorId,
    guestEmail: contributions.guestEmail,
    publishName: contributions.publishName,
    organisationId: contributions.organisationId,
    orgName: organisations.name,
    orgKind: organisations.kind,
  };
  // The anonymised variant never reads names, addresses or details out of the database.
  const namedSelect = { ...select, submitterName: contributions.submitterName, submitterDetails: contributions.submitterDetails, userEmail: users.email, displayName: users.displayName };

  let last = 0;
  let done = 0;
  for (;;) {
    const base = db
      .select(named ? namedSelect : (select as typeof namedSelect))
      .from(responses)
      .innerJoin(contributions, eq(contributions.id, responses.contributionId))
      .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
      .leftJoin(contributionSections, eq(contributionSections.id, responses.sectionId));
    const batch = await (named ? base.leftJoin(users, eq(users.id, contributions.authorId)) : base).where(and(where, gt(responses.id, last))).orderBy(asc(responses.id)).limit(BATCH);
    if (batch.length === 0) break;
    last = (batch.at(-1) as (typeof batch)[number]).id;

    const groupIds = [...new Set(batch.map((u) => u.groupId).filter((g): g is number => g !== null))];
    const members = groupIds.length
      ? await db
          .select({
            groupId: contributionGroupMembers.groupId,
            id: contributions.id,
            receiptNumber: contributions.receiptNumber,
            channel: contributions.channel,
            kind: contributions.kind,
            organisationId: contributions.organisationId,
            orgKind: organisations.kind,
          })
          .from(contributionGroupMembers)
          .innerJoin(contributionGroups, eq(contributionGroups.id, contributionGroupMembers.groupId))
          .innerJoin(contributions, eq(contributions.id, contributionGroupMembers.contributionId))
          .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
          .where(and(inArray(contributionGroupMembers.groupId, groupIds), ne(contributions.id, contributionGroups.leadContributionId), eligibleContribution))
          .orderBy(asc(contributions.receivedAt), asc(contributions.id))
      : [];
    const byGroup = new Map<number, typeof members>();
    for (const m of members) {
      byGroup.set(m.groupId, [...(byGroup.get(m.groupId) ?? []), m]);
      counted.set(m.id, { channel: channelKey(m.channel, m.kind), submitter: submitterType(m) });
    }

    for (const u of batch) {
      counted.set(u.contributionId, { channel: channelKey(u.channel, u.kind), submitter: submitterType(u) });
      const person = persons.get(keyOf({ authorId: u.authorId, guestEmail: u.guestEmail, id: u.contributionId }));
      const privateLabel = t('consolidation.exports.privatePerson', { n: person ?? '–' });
      let submitter: string;
      if (u.organisationId) {
        const org = u.publishName || named ? (u.orgName ?? orgKind(u.orgKind)) : t('consolidation.exports.organisation', { kind: orgKind(u.orgKind) });
        const who = named ? (u.submitterName ?? u.displayName) : null;
        submitter = who ? `${org} – ${who}` : org;
      } else {
        submitter = named ? (u.submitterName ?? u.displayName ?? privateLabel) : privateLabel;
      }
      const original = u.sectionBody ?? (named ? u.body : (u.redactedBody ?? u.body));
      const text = clean(u.sectionBody === null && u.title ? `${u.title}\n${original}` : original);
      let note: string | null = null;
      const groupMembers = u.groupId ? (byGroup.get(u.groupId) ?? []) : [];
      if (u.groupId && groupMembers.length) {
        note = t('consolidation.exports.groupNote', { count: groupMembers.length, numbers: groupMembers.map((m) => m.receiptNumber ?? `#${m.id}`).join(', ') });
      } else if (u.sectionPosition !== null) {
        note = t('consolidation.exports.sectionNote', { position: u.sectionPosition, number: u.receiptNumber ?? `#${u.contributionId}` });
      }
      const verdict = u.verdict ? t(`consolidation.verdict.${u.verdict}`) : t('consolidation.verdict.none');
      placed.push({
        row: {
          number: '',
          received: formatDay(u.receivedAt, locale),
          channel: t(`consolidation.exports.channel.${channelKey(u.channel, u.kind)}`),
          submitter: clean(submitter),
          contact: contactOf(u),
          text: { text, lang: u.language },
          language: languageName(u.language),
          translation: u.translation ? clean(u.translation) : null,
          note,
          answer: clean(u.answer),
          verdict: u.status === 'approved' ? verdict : `${verdict} (${t(`consolidation.responseStatus.${u.status}`)})`,
          change: await changeText(u.changeVersionId, u.changeTargetKind, u.changeTargetKey, u.changeNote),
          field: '',
          goal: '',
          measure: '',
        },
        receivedAt: u.receivedAt.getTime(),
        contributionId: u.contributionId,
        position: u.sectionPosition ?? 0,
        receipt: u.receiptNumber,
        targetKind: u.targetKind,
        targetKey: u.targetKey,
      });
    }
    done += batch.length;
    await onProgress?.(done, total);
    if (batch.length < BATCH) break;
  }

  // Plan order: every unit to its block; blocks without units (and their parents) drop out.
  placed.sort((a, b) => a.receivedAt - b.receivedAt || a.contributionId - b.contributionId || a.position - b.position);
  const byTarget = new Map<string, Placed[]>();
  for (const p of placed) {
    const key = p.targetKind === 'consultation' || p.targetKey === null ? 'consultation' : `${p.targetKind}:${p.targetKey}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), p]);
  }
  const take = (key: string) => {
    const list = byTarget.get(key) ?? [];
    byTarget.delete(key);
    return list;
  };
  const blocks: ReportBlock[] = [];
  const ordered: Placed[] = [];
  const put = (level: 1 | 2 | 3, heading: string, text: string, list: Placed[], labels: { field: string; goal: string; measure: string }) => {
    for (const p of list) Object.assign(p.row, labels);
    ordered.push(...list);
    blocks.push({ level, heading, text: clean(text), rows: list.map((p) => p.row) });
  };
  for (const f of doc.fields) {
    const fieldLabel = t('plans.plan.field', { code: f.code, title: f.title });
    const fieldRows = take(`field:${f.key}`);
    const goals = f.goals.map((g) => ({ g, rows: take(`goal:${g.key}`), measures: g.measures.map((m) => ({ m, rows: take(`measure:${m.key}`) })).filter((x) => x.rows.length) })).filter((x) => x.rows.length || x.measures.length);
    if (!fieldRows.length && !goals.length) continue;
    put(1, fieldLabel, '', fieldRows, { field: fieldLabel, goal: '', measure: '' });
    for (const { g, rows, measures } of goals) {
      const goalLabel = t('plans.plan.goal', { code: g.code });
      put(2, goalLabel, g.text, rows, { field: fieldLabel, goal: goalLabel, measure: '' });
      for (const { m, rows: mRows } of measures) put(3, t('plans.plan.measure', { code: m.code }), m.text, mRows, { field: fieldLabel, goal: goalLabel, measure: t('plans.plan.measure', { code: m.code }) });
    }
  }
  const cross = doc.crossCuttingMeasures.map((m) => ({ m, rows: take(`measure:${m.key}`) })).filter((x) => x.rows.length);
  if (cross.length) {
    const label = t('plans.plan.crossCutting');
    blocks.push({ level: 1, heading: label, text: '', rows: [] });
    for (const { m, rows } of cross) put(2, t('plans.plan.measure', { code: m.code }), m.text, rows, { field: label, goal: '', measure: t('plans.plan.measure', { code: m.code }) });
  }
  const whole = take('consultation');
  if (whole.length) {
    const label = t('consolidation.exports.wholePlan');
    put(1, label, '', whole, { field: label, goal: '', measure: '' });
  }
  // Units about items the newest version no longer has.
  const rest = [...byTarget.values()].flat();
  if (rest.length) {
    const label = t('consolidation.exports.otherItems');
    put(1, label, '', rest, { field: label, goal: '', measure: '' });
  }
  ordered.forEach((p, i) => {
    p.row.number = p.receipt ?? String(i + 1);
  });

  const channelCounts = new Map<ChannelKey, number>();
  const submitterCounts = new Map<string, number>();
  for (const c of counted.values()) {
    channelCounts.set(c.channel, (channelCounts.get(c.channel) ?? 0) + 1);
    submitterCounts.set(c.submitter, (submitterCounts.get(c.submitter) ?? 0) + 1);
  }
  const channels: CoverCount[] = CHANNEL_KEYS.map((k) => ({ label: t(`consolidation.exports.channel.${k}`), count: channelCounts.get(k) ?? 0 }));
  channels.push({ label: t('consolidation.exports.cover.totalContributions'), count: counted.size });
  const submitters: CoverCount[] = [{ label: t('consolidation.exports.cover.private'), count: submitterCounts.get('private') ?? 0 }];
  for (const [key, n] of [...submitterCounts].filter(([k]) => k.startsWith('org:')).sort()) submitters.push({ label: t('consolidation.exports.organisation', { kind: orgKind(key.slice(4)) }), count: n });

  const phaseRows = await db.select().from(phases).where(eq(phases.consultationId, consultation.id)).orderBy(asc(phases.position));
  const events = channelCounts.get('event') ?? 0;
  const online = phaseRows.some((p) => p.channels.includes('comment'));
  const statements = phaseRows.some((p) => p.channels.includes('statement'));
  const method = [
    t('consolidation.exports.cover.methodChannels', {
      online: online ? t('consolidation.exports.cover.yes') : t('consolidation.exports.cover.no'),
      statements: statements ? t('consolidation.exports.cover.yes') : t('consolidation.exports.cover.no'),
    }),
    t('consolidation.exports.cover.methodStaff', { count: (channelCounts.get('letter') ?? 0) + (channelCounts.get('email') ?? 0) + (channelCounts.get('phone') ?? 0) }),
    ...(events || phaseRows.some((p) => p.channels.includes('event')) ? [t('consolidation.exports.cover.methodEvents', { count: events })] : []),
    t('consolidation.exports.cover.methodUnits', { units: ordered.length, contributions: counted.size }),
  ];

  const now = new Date();
  const [year, month, day] = BERLIN_PARTS.format(now).split('-').map(Number) as [number, number, number];
  const state = request.draft ? t('consolidation.exports.stateDraft') : t('consolidation.exports.stateFinal');
  const subtitle = `${t('consolidation.exports.documentName')} – ${resolved.label}`;
  const coverLines = [
    ...(consultation.paperReference ? [{ label: t('consolidation.exports.cover.paper'), value: consultation.paperReference }] : []),
    { label: t('consolidation.exports.cover.scope'), value: resolved.label },
    ...(resolved.versionLabel ? [{ label: t('consolidation.exports.cover.version'), value: resolved.versionLabel }] : []),
    { label: t('consolidation.exports.cover.state'), value: state },
    { label: t('consolidation.exports.cover.variant'), value: t(`consolidation.exports.variant.${request.variant}`) },
    { label: t('consolidation.exports.cover.date'), value: formatDay(now, locale) },
    { label: t('consolidation.exports.cover.units'), value: String(ordered.length) },
  ];
  const C = (k: string) => t(`consolidation.exports.column.${k}`);
  return {
    language: locale === 'en' ? 'en-GB' : 'de-DE',
    lang: locale,
    region: locale === 'en' ? 'GB' : 'DE',
    contentLang: 'de',
    documentTitle: `${consultation.title} – ${subtitle}`,
    title: consultation.title,
    subtitle,
    scopeLabel: resolved.label,
    draft: request.draft,
    named,
    watermark: t('consolidation.exports.watermark'),
    author: t('site.name'),
    keywords: [consultation.paperReference, t('consolidation.exports.documentName')].filter((k): k is string => Boolean(k)),
    date: { year, month, day },
    footer: `${consultation.paperReference ? `${consultation.paperReference} · ` : ''}${subtitle} · ${state}`,
    coverLines,
    channels,
    submitters,
    phases: phaseRows.map((p) => ({ title: p.title, dates: `${formatDay(p.opensAt, locale)} – ${formatDay(p.closesAt, locale)}`, description: clean(p.description) })),
    method,
    labels: {
      cover: t('consolidation.exports.cover.heading'),
      channels: t('consolidation.exports.cover.channels'),
      submitters: t('consolidation.exports.cover.submitters'),
      phases: t('consolidation.exports.cover.phases'),
      method: t('consolidation.exports.cover.method'),
      table: t('consolidation.exports.documentName'),
      page: t('consolidation.exports.page'),
      of: t('consolidation.exports.of'),
      draftNote: t('consolidation.exports.draftNote'),
      namedNote: t('consolidation.exports.namedNote'),
      translation: t('consolidation.exports.translationLabel'),
      empty: t('consolidation.exports.emptyTable'),
      total: t('consolidation.exports.cover.totalContributions'),
      sheet: t('consolidation.exports.documentName'),
      coverSheet: t('consolidation.exports.cover.heading'),
      state: C('state'),
      stateDraft: t('consolidation.exports.stateDraft'),
      stateFinal: t('consolidation.exports.stateFinal'),
      continued: t('consolidation.exports.continued'),
      columns: {
        number: C('number'),
        received: C('received'),
        channel: C('channel'),
        submitter: C('submitter'),
        contact: C('contact'),
        field: C('field'),
        goal: C('goal'),
        measure: C('measure'),
        text: C('text'),
        language: C('language'),
        translation: C('translation'),
        answer: C('answer'),
        verdict: C('verdict'),
        change: C('change'),
      },
    },
    blocks,
    rowCount: ordered.length,
  };
}

/** ASCII file name: abwaegungstabelle-<consultation>[-<committee/field>][-intern][-entwurf].<ext> */
export function reportFileName(consultationSlug: string, slugPart: string | null, named: boolean, draft: boolean, extension: string, t: Translate): string {
  const parts = [t('consolidation.exports.fileBase'), consultationSlug, slugPart, named ? t('consolidation.exports.fileNamed') : null, draft ? t('consolidation.exports.fileDraft') : null];
  const base = parts
    .filter((p): p is string => Boolean(p))
    .map(asciiSlug)
    .filter(Boolean)
    .join('-');
  return `${base.slice(0, 150)}.${extension}`;
}

export function checkDraft(unapproved: number, draft: boolean): void {
  if (!draft && unapproved > 0) throw new DomainError(409, 'consolidation.exports.errors.unapproved');
}
