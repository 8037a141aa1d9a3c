import { and, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/index.js';
import { announceChange } from '../../src/core/cache.js';
import { demoConsultation } from '../../src/modules/demo/content.js';
import { loadDemo } from '../../src/modules/demo/load.js';
import { consultations, phases } from '../../src/modules/plans/schema.js';

/** Items of the demo plan that exist in both versions. */
export const demo = {
  slug: demoConsultation.slug,
  measure: 'm-jha-abendoberschule',
  measurePath: `/consultations/${demoConsultation.slug}/measures/m-jha-abendoberschule`,
  goal: 'g-sprache-kurse',
  field: 'f-sprache',
} as const;

/**
 * Loads the demo and opens its draft review phase now (it lies in 2021), taking comments and
 * statements with the given moderation mode. Announces the change, so cached pages follow.
 */
export async function openDemoPhase(db: Db, moderationMode: 'pre' | 'post' = 'post', channels: Array<'comment' | 'statement' | 'event'> = ['comment', 'statement']): Promise<{ consultationId: number; phaseId: number }> {
  await loadDemo(db);
  const [consultation] = await db.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, demo.slug));
  if (!consultation) throw new Error('demo consultation missing');
  const now = Date.now();
  const [phase] = await db
    .update(phases)
    .set({ opensAt: new Date(now - 86_400_000), closesAt: new Date(now + 30 * 86_400_000), moderationMode, channels })
    .where(and(eq(phases.consultationId, consultation.id), eq(phases.kind, 'draft_review')))
    .returning({ id: phases.id });
  if (!phase) throw new Error('draft review phase missing');
  await announceChange(db, 'plans');
  return { consultationId: consultation.id, phaseId: phase.id };
}

/** Closes the phase opened by `openDemoPhase` a moment ago. */
export async function closeDemoPhase(db: Db, phaseId: number): Promise<void> {
  await db.update(phases).set({ closesAt: new Date(Date.now() - 1000) }).where(eq(phases.id, phaseId));
  await announceChange(db, 'plans');
}
