/**
 * Open data: a consultation's published contributions as CSV and JSON (docs/open-data.md).
 * Rows are read in pages by id (keyset) and written as they come, so a large consultation never
 * sits in memory as a whole. Never included: e-mail addresses, submitter details, unpublished
 * or withdrawn contributions, texts whose authors did not agree to publication, names without
 * consent.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/index.js';
import { users } from '../../accounts/schema.js';
import { consultations } from '../../plans/schema.js';
import { itemCodes } from '../mine/service.js';
import { contributionReferences, contributions, organisations } from '../schema.js';

export const BATCH_SIZE = 500;
/**
 * How guests, deleted accounts and authors who did not consent to their name are named. A data
 * value, the same in every download whatever the reader's language (docs/open-data.md).
 */
export const PRIVATE_AUTHOR = 'Privatperson';
/** The licence published contributions are offered under unless an installation says otherwise. */
export const DEFAULT_LICENCE = { name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' } as const;

export const columns = [
  'id',
  'kind',
  'parent_id',
  'created_at',
  'published_at',
  'target_kind',
  'target_key',
  'target_code',
  'references',
  'language',
  'title',
  'text',
  'text_withheld',
  'author',
  'author_type',
  'organisation',
  'receipt_number',
] as const;

export interface OpenContribution {
  id: number;
  kind: 'comment' | 'statement';
  parent_id: number | null;
  created_at: string;
  published_at: string | null;
  target_kind: string;
  target_key: string | null;
  target_code: string | null;
  references: Array<{ kind: string; key: string; code: string | null }>;
  language: string;
  title: string | null;
  text: string | null;
  text_withheld: boolean;
  author: string | null;
  /** person: an account's pseudonym or a consented name; organisation; private: "Privatperson". */
  author_type: 'person' | 'organisation' | 'private';
  organisation: string | null;
  receipt_number: string | null;
}

export type OpenConsultation = { id: number; slug: string; title: string; paperReference: string | null };

export async function findOpenConsultation(db: DbOrTx, slug: string): Promise<OpenConsultation | null> {
  const [row] = await db
    .select({ id: consultations.id, slug: consultations.slug, title: consultations.title, paperReference: consultations.paperReference, status: consultations.status })
    .from(consultations)
    .where(eq(consultations.slug, slug));
  if (!row || row.status === 'draft') return null;
  return { id: row.id, slug: row.slug, title: row.title, paperReference: row.paperReference };
}

/** Published contributions of a consultation, a page at a time, in the open-data shape. */
export async function* openContributions(db: DbOrTx, consultation: OpenConsultation): AsyncGenerator<OpenContribution[]> {
  const codes = await itemCodes(db, [consultation.id]);
  const code = (kind: string, key: string | null) => (key ? (codes.get(`${consultation.id}|${kind}:${key}`) ?? null) : null);
  let after = 0;
  for (;;) {
    const rows = await db
      .select({
        id: contributions.id,
        kind: contributions.kind,
        parentId: contributions.parentId,
        createdAt: contributions.createdAt,
        publishedAt: contributions.publishedAt,
        targetKind: contributions.targetKind,
        targetKey: contributions.targetKey,
        language: contributions.language,
        title: contributions.title,
        body: contributions.body,
        redactedBody: contributions.redactedBody,
        publishText: contributions.publishText,
        publishName: contributions.publishName,
        submitterName: contributions.submitterName,
        receiptNumber: contributions.receiptNumber,
        displayName: users.displayName,
        deletedAt: users.deletedAt,
        organisationName: organisations.name,
      })
      .from(contributions)
      .leftJoin(users, eq(users.id, contributions.authorId))
      .leftJoin(organisations, eq(organisations.id, contributions.organisationId))
      .where(and(eq(contributions.consultationId, consultation.id), eq(contributions.status, 'published'), gt(contributions.id, after)))
      .orderBy(asc(contributions.id))
      .limit(BATCH_SIZE);
    if (rows.length === 0) return;
    after = rows.at(-1)?.id ?? after;
    const statementIds = rows.filter((r) => r.kind === 'statement').map((r) => r.id);
    const refs = statementIds.length ? await db.select().from(contributionReferences).where(inArray(contributionReferences.contributionId, statementIds)) : [];
    yield rows.map((r) => {
      // A statement's authors chose whether their (or their organisation's) name is published;
      // a comment shows its account's pseudonym or the organisation, as on the page.
      const nameAllowed = r.kind === 'comment' || r.publishName;
      let author: string = PRIVATE_AUTHOR;
      let authorType: OpenContribution['author_type'] = 'private';
      if (r.organisationName && nameAllowed) {
        author = r.organisationName;
        authorType = 'organisation';
      } else if (r.kind === 'statement' && r.publishName && r.submitterName?.trim()) {
        author = r.submitterName.trim();
        authorType = 'person';
      } else if (nameAllowed && r.displayName && !r.deletedAt) {
        author = r.displayName;
        authorType = 'person';
      }
      return {
        id: r.id,
        kind: r.kind,
        parent_id: r.parentId,
        created_at: r.createdAt.toISOString(),
        published_at: r.publishedAt?.toISOString() ?? null,
        target_kind: r.targetKind,
        target_key: r.targetKey,
        target_code: code(r.targetKind, r.targetKey),
        references: refs.filter((ref) => ref.contributionId === r.id).map((ref) => ({ kind: ref.targetKind, key: ref.targetKey, code: code(ref.targetKind, ref.targetKey) })),
        language: r.language,
        title: r.publishText ? r.title : null,
        // A passage a moderator removed (someone else's phone number …) stays removed here too.
        text: r.publishText ? (r.redactedBody ?? r.body) : null,
        text_withheld: !r.publishText,
        author,
        author_type: authorType,
        organisation: authorType === 'organisation' ? r.organisationName : null,
        receipt_number: r.receiptNumber,
      };
    });
  }
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a separator, quote or line break; a cell that a
 * spreadsheet would read as a formula (= + - @, tab, carriage return) gets a leading apostrophe.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: Array<string | number | boolean | null>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export function csvLine(c: OpenContribution): string {
  const refs = c.references.map((r) => `${r.kind}:${r.key}`).join(' ');
  return csvRow([
    c.id,
    c.kind,
    c.parent_id,
    c.created_at,
    c.published_at,
    c.target_kind,
    c.target_key,
    c.target_code,
    refs,
    c.language,
    c.title,
    c.text,
    c.text_withheld,
    c.author,
    c.author_type,
    c.organisation,
    c.receipt_number,
  ]);
}
