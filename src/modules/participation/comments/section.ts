import { formatDateTime } from '../../../core/forms.js';
import type { DbOrTx } from '../../../db/index.js';
import type { Phase } from '../../plans/queries.js';
import { commentPaths, writingState } from './paths.js';
import { type CommentOrder, type CommentTarget, loadCommentPage } from './queries.js';

/**
 * What a page showing an item's comments passes to `participation/comments/_section`: the page of
 * comments, the addresses around them and whether writing is open. The same for every reader, so
 * it can be part of a cached page.
 */
export async function commentSection(
  db: DbOrTx,
  consultation: { id: number; slug: string; phases: Phase[] },
  target: CommentTarget,
  order: CommentOrder = 'newest',
  page = 1,
) {
  return {
    page: await loadCommentPage(db, consultation.id, target, order, page),
    paths: commentPaths(consultation.slug, target),
    writing: writingState(consultation.phases),
    formatDateTime,
  };
}

export type CommentSection = Awaited<ReturnType<typeof commentSection>>;
