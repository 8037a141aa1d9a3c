/**
 * Example organisations for the demo, clearly marked as examples: invented, not the real
 * organisations of the city. The demo account verein@example.org represents the first one.
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/index.js';
import { userRoles, users } from '../accounts/schema.js';
import { organisationMembers, organisations } from '../participation/schema.js';

export const REPRESENTATIVE_EMAIL = 'verein@example.org';

export const demoOrganisations = [
  {
    name: 'Ausländerrat Beispielstadt e. V. (Beispiel)',
    kind: 'migrant_organisation' as const,
    website: 'https://example.org/auslaenderrat',
    contact: 'Beispielstraße 1, 01067 Dresden',
    description: 'Beispiel: Beratung, Sprachcafés und Begegnung für Zugewanderte. Diese Organisation ist für die Demo erfunden.',
    verified: true,
  },
  {
    name: 'Elternnetzwerk Kita international (Beispiel)',
    kind: 'association' as const,
    website: 'https://example.org/elternnetzwerk',
    contact: 'elternnetzwerk@example.org',
    description: 'Beispiel: Eltern aus vielen Ländern, die sich für mehrsprachige Kitas einsetzen. Für die Demo erfunden.',
    verified: true,
  },
  {
    name: 'Interkulturelles Gemeindezentrum (Beispiel)',
    kind: 'religious_community' as const,
    website: null,
    contact: 'Telefon 0351 000000',
    description: 'Beispiel: eine vorgeschlagene, noch nicht geprüfte Organisation. Für die Demo erfunden.',
    verified: false,
  },
];

/** Adds the example organisations (skips those that exist) and the demo representative. */
export async function loadDemoOrganisations(tx: DbOrTx): Promise<void> {
  for (const { verified, ...o } of demoOrganisations) {
    await tx
      .insert(organisations)
      .values({ ...o, verifiedAt: verified ? new Date() : null })
      .onConflictDoNothing({ target: organisations.name });
  }
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, REPRESENTATIVE_EMAIL));
  const first = demoOrganisations[0];
  if (!user || !first) return;
  const [organisation] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.name, first.name));
  if (!organisation) return;
  await tx
    .insert(organisationMembers)
    .values({ organisationId: organisation.id, userId: user.id, status: 'verified', message: 'Vorstand (Beispiel)', decidedAt: new Date() })
    .onConflictDoNothing();
  await tx
    .insert(userRoles)
    .values({ userId: user.id, role: 'organisation_representative' })
    .onConflictDoNothing();
}
