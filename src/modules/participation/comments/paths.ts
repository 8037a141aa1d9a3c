import { phaseState } from '../../plans/routes.js';
import type { Phase } from '../../plans/queries.js';
import type { CommentOrder, CommentTarget } from './queries.js';

/** The addresses around one item's comments. */
export interface CommentPaths {
  /** The item's public page (the consultation page for comments on the whole consultation). */
  item: string;
  /** The list: `?order=oldest&page=2`; the first newest page has no query (one cache entry). */
  list(order?: CommentOrder, page?: number): string;
  /** The form; `?reply=<id>` answers a comment. */
  form(replyTo?: number | null): string;
  /** Where a written statement on the item starts (another part of the module builds it). */
  statement: string;
}

export function commentPaths(slug: string, target: CommentTarget): CommentPaths {
  const consultation = `/consultations/${encodeURIComponent(slug)}`;
  const item = target.key === null || target.kind === 'consultation' ? consultation : `${consultation}/${target.kind}s/${encodeURIComponent(target.key)}`;
  return {
    item,
    list(order = 'newest', page = 1) {
      const query = [order === 'oldest' ? 'order=oldest' : '', page > 1 ? `page=${page}` : ''].filter(Boolean).join('&');
      return `${item}/comments${query ? `?${query}` : ''}`;
    },
    form: (replyTo) => `${item}/comments/new${replyTo ? `?reply=${replyTo}` : ''}`,
    statement:
      target.key === null || target.kind === 'consultation'
        ? `${consultation}/statements/new`
        : `${consultation}/statements/new?${target.kind}=${encodeURIComponent(target.key)}`,
  };
}

/** Which ways of writing are open now; the pages showing the links expire at the next phase change. */
export function writingState(phases: readonly Phase[], now = new Date()): { comments: boolean; statements: boolean } {
  const open = phases.filter((p) => phaseState(p, now) === 'open');
  return { comments: open.some((p) => p.channels.includes('comment')), statements: open.some((p) => p.channels.includes('statement')) };
}
