import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/index.js';
import { fields, goals, measures, principles } from './schema.js';

/**
 * Full-text search over one plan version: PostgreSQL text search with the 'german' configuration
 * (stemming: "Kindern" finds "Kinder"), every search word also as a prefix ("Schulsozial" finds
 * "Schulsozialarbeit"), and a substring fallback for the inside of compound words ("sozialarbeit"
 * finds "Schulsozialarbeit"). Four queries, one per kind of item, in one round trip.
 */

export const SEARCH_MAX_LENGTH = 200;
export const SEARCH_LIMIT = 50;
/** Words shorter than this take no part in the substring fallback (it would match everything). */
const MIN_SUBSTRING = 4;

export type SearchProblem = 'empty' | 'tooLong' | 'noWords';

export interface SearchQuery {
  /** What the person typed, trimmed; shown back in the search box. */
  text: string;
  /** Words that must each occur somewhere (substring fallback and highlighting). */
  words: string[];
  problem: SearchProblem | null;
}

export function parseSearchQuery(raw: string): SearchQuery {
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text === '') return { text, words: [], problem: 'empty' };
  if (text.length > SEARCH_MAX_LENGTH) return { text, words: [], problem: 'tooLong' };
  if (!/[\p{L}\p{N}]/u.test(text)) return { text, words: [], problem: 'noWords' };
  const words: string[] = [];
  for (const token of text.split(/[\s"]+/)) {
    // Web search syntax: "-word" excludes a word, "or" joins alternatives; neither is required.
    if (token.startsWith('-') || token.toLowerCase() === 'or') continue;
    const word = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (word.length >= MIN_SUBSTRING && !words.some((w) => w.toLowerCase() === word.toLowerCase())) words.push(word);
  }
  return { text, words, problem: null };
}

export type SearchHitKind = 'guiding_principle' | 'strategic_goal' | 'field' | 'goal' | 'measure';

export interface SearchHit {
  kind: SearchHitKind;
  /** Stable key of a field, goal or measure; null for principles (they have no page of their own). */
  key: string | null;
  code: string | null;
  /** Field title, for fields. */
  title: string | null;
  /** The matching text with the matches in <mark>, built by `highlight` (safe HTML). */
  html: string;
  isExample: boolean;
  field: { key: string; code: string; title: string } | null;
  goal: { key: string; code: string } | null;
  exact: boolean;
  rank: number;
  order: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** More matches exist than are shown. */
  more: boolean;
}

// ts_headline marks matches with these; they are removed from the text first, so any that come
// back were put there by ts_headline. '<', '>' and '&' are swapped for other control characters
// while PostgreSQL looks at the text: its parser treats "<script>…</script>" as markup and would
// drop it (from the headline and from the index), which would hide what the text really says.
const START = '\u0001';
const STOP = '\u0002';
const LT = '\u0003';
const GT = '\u0004';
const AMP = '\u0005';
const CONTROL = `${START}${STOP}${LT}${GT}${AMP}`;
const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=45, MinWords=20, ShortWord=2, MaxFragments=0`;
// Each lexeme of the web-search query becomes a prefix: 'kind' & 'schulsozial' → 'kind':* & 'schulsozial':*.
const LEXEME = "'((?:[^']|'')*)'";
const PREFIX = "'\\1':*";

function clean(text: SQL | AnyPgColumn): SQL {
  return sql`translate(translate(${text}, ${CONTROL}, ''), '<>&', ${`${LT}${GT}${AMP}`})`;
}

export async function searchPlan(db: DbOrTx, versionId: number, query: SearchQuery, limit = SEARCH_LIMIT): Promise<SearchResult> {
  if (query.problem) return { hits: [], more: false };
  const tsquery = sql`regexp_replace(websearch_to_tsquery('german', ${query.text})::text, ${LEXEME}, ${PREFIX}, 'g')::tsquery`;
  const escapeLike = (w: string) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

  /** Matches by text search, or by every word occurring as a substring. */
  function matching(document: SQL, plain: SQL): { match: SQL; rank: SQL<number>; exact: SQL<boolean> } {
    const vector = sql`to_tsvector('german', ${clean(document)})`;
    const substrings = query.words.map((w) => sql`${plain} ilike ${escapeLike(w)}`);
    const match = substrings.length ? sql`(${vector} @@ ${tsquery} or (${sql.join(substrings, sql` and `)}))` : sql`${vector} @@ ${tsquery}`;
    return {
      match,
      rank: sql<number>`ts_rank(${vector}, ${tsquery})`.mapWith(Number),
      exact: sql<boolean>`(${plain} ilike ${escapeLike(query.text)})`.mapWith(Boolean),
    };
  }
  const headline = (text: SQL | AnyPgColumn) => sql<string>`ts_headline('german', ${clean(text)}, ${tsquery}, ${HEADLINE_OPTIONS})`;

  const p = matching(sql`${principles.text}`, sql`${principles.text}`);
  const fieldText = sql<string>`${fields.title} || ' – ' || ${fields.description}`;
  const f = matching(sql`${fields.code} || ' ' || ${fieldText}`, sql`${fields.code} || ' ' || ${fieldText}`);
  const g = matching(sql`${goals.code} || ' ' || ${goals.text}`, sql`${goals.code} || ' ' || ${goals.text}`);
  const measureDocument = sql`${measures.code} || ' ' || ${measures.text} || ' ' || array_to_string(${measures.relatedPapers}, ' ')`;
  const m = matching(measureDocument, measureDocument);
  const take = limit + 1;

  const [principleRows, fieldRows, goalRows, measureRows] = await Promise.all([
    db
      .select({ kind: principles.kind, text: principles.text, position: principles.position, rank: p.rank, exact: p.exact, headline: headline(principles.text) })
      .from(principles)
      .where(and(eq(principles.planVersionId, versionId), p.match))
      .orderBy(desc(p.rank), asc(principles.position))
      .limit(take),
    db
      .select({
        key: fields.key,
        code: fields.code,
        title: fields.title,
        isExample: fields.isExample,
        position: fields.position,
        rank: f.rank,
        exact: f.exact,
        description: fields.description,
        headline: headline(fields.description),
      })
      .from(fields)
      .where(and(eq(fields.planVersionId, versionId), f.match))
      .orderBy(desc(f.rank), asc(fields.position))
      .limit(take),
    db
      .select({
        key: goals.key,
        code: goals.code,
        text: goals.text,
        isExample: goals.isExample,
        fieldKey: fields.key,
        fieldCode: fields.code,
        fieldTitle: fields.title,
        rank: g.rank,
        exact: g.exact,
        headline: headline(goals.text),
      })
      .from(goals)
      .innerJoin(fields, eq(fields.id, goals.fieldId))
      .where(and(eq(goals.planVersionId, versionId), g.match))
      .orderBy(desc(g.rank), asc(fields.position), asc(goals.position))
      .limit(take),
    db
      .select({
        key: measures.key,
        code: measures.code,
        text: measures.text,
        isExample: measures.isExample,
        goalKey: goals.key,
        goalCode: goals.code,
        fieldKey: fields.key,
        fieldCode: fields.code,
        fieldTitle: fields.title,
        rank: m.rank,
        exact: m.exact,
        headline: headline(measures.text),
      })
      .from(measures)
      .leftJoin(goals, eq(goals.id, measures.goalId))
      .leftJoin(fields, eq(fields.id, measures.fieldId))
      .where(and(eq(measures.planVersionId, versionId), m.match))
      .orderBy(desc(m.rank), asc(measures.position))
      .limit(take),
  ]);

  const hits: SearchHit[] = [];
  for (const [i, r] of principleRows.entries()) {
    hits.push({ kind: r.kind, key: null, code: null, title: null, html: highlight(r.headline, r.text, query.words), isExample: false, field: null, goal: null, exact: r.exact, rank: r.rank, order: i });
  }
  for (const [i, r] of fieldRows.entries()) {
    // The title is the link; the description (the headline's text) says what the field is about.
    hits.push({ kind: 'field', key: r.key, code: r.code, title: r.title, html: highlight(r.headline, r.description, query.words), isExample: r.isExample, field: null, goal: null, exact: r.exact, rank: r.rank, order: i });
  }
  for (const [i, r] of goalRows.entries()) {
    hits.push({
      kind: 'goal',
      key: r.key,
      code: r.code,
      title: null,
      html: highlight(r.headline, r.text, query.words),
      isExample: r.isExample,
      field: { key: r.fieldKey, code: r.fieldCode, title: r.fieldTitle },
      goal: null,
      exact: r.exact,
      rank: r.rank,
      order: i,
    });
  }
  for (const [i, r] of measureRows.entries()) {
    hits.push({
      kind: 'measure',
      key: r.key,
      code: r.code,
      title: null,
      html: highlight(r.headline, r.text, query.words),
      isExample: r.isExample,
      field: r.fieldKey && r.fieldCode && r.fieldTitle ? { key: r.fieldKey, code: r.fieldCode, title: r.fieldTitle } : null,
      goal: r.goalKey && r.goalCode ? { key: r.goalKey, code: r.goalCode } : null,
      exact: r.exact,
      rank: r.rank,
      order: i,
    });
  }
  // The whole phrase as typed first, then by text-search rank; measures before goals before
  // fields on a tie, as people mostly look for measures.
  const kindOrder: Record<SearchHitKind, number> = { measure: 0, goal: 1, field: 2, strategic_goal: 3, guiding_principle: 4 };
  hits.sort((a, b) => Number(b.exact) - Number(a.exact) || b.rank - a.rank || kindOrder[a.kind] - kindOrder[b.kind] || a.order - b.order);
  return { hits: hits.slice(0, limit), more: hits.length > limit };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

interface Segment {
  text: string;
  marked: boolean;
}

/**
 * Safe HTML for a search result: the headline PostgreSQL made (its markers turned into <mark>,
 * everything else escaped), with the substring matches of `words` marked too (the fallback for
 * the inside of compound words, which text search does not see). "…" where the headline is
 * only an excerpt of `text`.
 */
export function highlight(headline: string, text: string, words: string[]): string {
  const restored = headline.replaceAll(LT, '<').replaceAll(GT, '>').replaceAll(AMP, '&');
  const segments: Segment[] = [];
  let marked = false;
  let current = '';
  for (const char of restored) {
    if (char === START || char === STOP) {
      if (current) segments.push({ text: current, marked });
      current = '';
      marked = char === START;
    } else {
      current += char;
    }
  }
  if (current) segments.push({ text: current, marked });

  const pattern = words.length
    ? new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu')
    : null;
  const parts: Segment[] = [];
  for (const segment of segments) {
    if (segment.marked || !pattern) {
      parts.push(segment);
      continue;
    }
    segment.text.split(pattern).forEach((piece, i) => {
      if (piece) parts.push({ text: piece, marked: i % 2 === 1 });
    });
  }

  const plain = parts.map((s) => s.text).join('');
  const core = plain.trim();
  const cleanText = text.replace(/[\u0001-\u0005]/g, '').trim();
  let html = parts.map((s) => (s.marked ? `<mark>${escapeHtml(s.text)}</mark>` : escapeHtml(s.text))).join('');
  html = html.trim();
  if (core && !cleanText.startsWith(core)) html = `… ${html}`;
  if (core && !cleanText.endsWith(core)) html = `${html} …`;
  return html;
}
