import { count, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/index.js';
import { hashPassword } from '../accounts/passwords.js';
import { type GrantableRole, type Role, userRoles, users } from '../accounts/schema.js';
import { committees, departmentMembers, departments } from '../departments/schema.js';
import { writePlanDocument } from '../plans/document.js';
import { consultations, phases, planVersions } from '../plans/schema.js';
import { type DemoConsultation, demoCommittees, demoConsultation, demoDepartments } from './content.js';
import { loadDemoConsolidation } from './consolidation.js';
import { liveDemoConsultation } from './live.js';
import { loadDemoOrganisations } from './organisations.js';

export interface DemoAccount {
  role: Role;
  email: string;
  password: string;
  displayName: string;
}

/** One account per role; the department editor belongs to the Jugendamt. */
export const demoAccounts: DemoAccount[] = [
  { role: 'participant', email: 'teilnehmerin@example.org', password: 'Demo-Passwort-2026', displayName: 'Mira aus Pieschen' },
  { role: 'organisation_representative', email: 'verein@example.org', password: 'Demo-Passwort-2026', displayName: 'Ausländerrat (Beispiel)' },
  { role: 'moderator', email: 'moderation@example.org', password: 'Demo-Passwort-2026', displayName: 'Moderation' },
  { role: 'organiser', email: 'beteiligung@example.org', password: 'Demo-Passwort-2026', displayName: 'Beteiligungsbüro' },
  { role: 'department_editor', email: 'jugendamt@example.org', password: 'Demo-Passwort-2026', displayName: 'Jugendamt' },
  { role: 'admin', email: 'admin@example.org', password: 'Demo-Passwort-2026', displayName: 'Administration' },
];
const EDITOR_DEPARTMENT = 'jugendamt';

/** True when the database holds no consultation and no user: a fresh installation. */
export async function isEmpty(db: DbOrTx): Promise<boolean> {
  const [c] = await db.select({ n: count() }).from(consultations);
  const [u] = await db.select({ n: count() }).from(users);
  return (c?.n ?? 0) === 0 && (u?.n ?? 0) === 0;
}

/**
 * Loads the demo consultation and demo accounts; skips whatever already exists. `live` adds the
 * invented consultation that is open now (for people trying the product; tests leave it out so
 * that no phase is open unless a test opens one). `consolidation` (implied by `live`) adds the
 * demo consultation's complete Abwägung: contributions, groups, department drafts, approved
 * answers and queued exports (consolidation.ts); tests without it start with no contributions.
 */
export async function loadDemo(db: Db, { live = false, consolidation = live }: { live?: boolean; consolidation?: boolean } = {}): Promise<DemoAccount[]> {
  const hashes = await Promise.all(demoAccounts.map((a) => hashPassword(a.password)));
  await db.transaction(async (tx) => {
    await tx.insert(departments).values(demoDepartments).onConflictDoNothing();
    await tx.insert(committees).values(demoCommittees).onConflictDoNothing();
    const departmentIds = new Map((await tx.select({ id: departments.id, slug: departments.slug }).from(departments)).map((d) => [d.slug, d.id]));

    for (const c of live ? [demoConsultation, liveDemoConsultation()] : [demoConsultation]) {
      const [existing] = await tx.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, c.slug));
      if (!existing) await insertConsultation(tx, c);
    }

    for (const [i, account] of demoAccounts.entries()) {
      const [user] = await tx
        .insert(users)
        .values({ email: account.email, passwordHash: hashes[i], displayName: account.displayName, emailConfirmedAt: new Date(), locale: 'de' })
        .onConflictDoNothing()
        .returning({ id: users.id });
      if (!user) continue;
      if (account.role !== 'participant') {
        await tx.insert(userRoles).values({ userId: user.id, role: account.role as GrantableRole });
      }
      if (account.role === 'department_editor') {
        const departmentId = departmentIds.get(EDITOR_DEPARTMENT);
        if (departmentId) await tx.insert(departmentMembers).values({ userId: user.id, departmentId });
      }
    }
    await loadDemoOrganisations(tx);
    if (consolidation) await loadDemoConsolidation(tx);
  });
  return demoAccounts;
}

async function insertConsultation(tx: DbOrTx, c: DemoConsultation): Promise<void> {
  const [consultation] = await tx
    .insert(consultations)
    .values({ slug: c.slug, title: c.title, summary: c.summary, receiptPrefix: c.receiptPrefix, paperReference: c.paperReference || null, relatedPapers: c.relatedPapers, contact: c.contact, status: 'published' })
    .returning({ id: consultations.id });
  if (!consultation) throw new Error('consultation insert returned nothing');
  await tx.insert(phases).values(
    c.phases.map((p, position) => ({
      consultationId: consultation.id,
      kind: p.kind,
      title: p.title,
      description: p.description,
      opensAt: new Date(p.opensAt),
      closesAt: new Date(p.closesAt),
      channels: p.channels,
      moderationMode: p.moderationMode,
      position,
    })),
  );

  for (const [position, v] of c.versions.entries()) {
    // Content is written while the version is a draft, then the version gets its status.
    const [version] = await tx
      .insert(planVersions)
      .values({ consultationId: consultation.id, label: v.label, status: 'draft', position })
      .returning({ id: planVersions.id });
    if (!version) throw new Error('version insert returned nothing');
    await writePlanDocument(tx, version.id, v);
    if (v.status !== 'draft') {
      await tx.update(planVersions).set({ status: v.status, publishedAt: new Date() }).where(eq(planVersions.id, version.id));
    }
  }
}
