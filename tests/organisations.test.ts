import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRoles, users } from '../src/modules/accounts/schema.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { organisationMembers, organisations } from '../src/modules/participation/schema.js';
import { Client, createTestApp, createUser, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

async function roles(t: TestApp, userId: string): Promise<string[]> {
  return (await t.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.role);
}

async function member(t: TestApp, organisationId: number, userId: string) {
  const [row] = await t.db
    .select()
    .from(organisationMembers)
    .where(and(eq(organisationMembers.organisationId, organisationId), eq(organisationMembers.userId, userId)));
  return row;
}

const proposal = {
  mode: 'new',
  name: 'Deutsch-Syrischer Kulturverein Dresden',
  kind: 'migrant_organisation',
  website: 'https://kulturverein.example.org',
  contact: 'Hauptstraße 5, 01097 Dresden',
  description: 'Sprachcafé und Beratung für Familien aus Syrien.',
  message: 'Ich bin Vorsitzende des Vereins, erreichbar über die Vereinsadresse.',
};

describe.each(drivers)('organisations and their representatives [%s]', (driver) => {
  let t: TestApp;
  let organiser: Client;
  let person: Client;
  let personId: string;

  beforeAll(async () => {
    t = await createTestApp(driver);
    await createUser(t.db, 'buero@example.org', ['organiser'], 'Beteiligungsbüro');
    personId = await createUser(t.db, 'amina@example.org', [], 'Amina');
    organiser = new Client(t.app);
    await organiser.signIn('buero@example.org');
    person = new Client(t.app);
    await person.signIn('amina@example.org');
  });
  afterAll(() => t?.close());

  it('keeps what was typed and explains each problem, and accepts only http and https websites', async () => {
    await person.get('/organisations/represent');
    for (const website of ['javascript:alert(1)', 'ftp://files.example.org', 'kulturverein', 'data:text/html,hi']) {
      const res = await person.post('/organisations/represent', { ...proposal, website });
      expect(res.statusCode, website).toBe(422);
      expect(res.body).toContain('Bitte geben Sie eine Webadresse an, die mit http:// oder https:// beginnt');
      expect(res.body).toContain(`value="${website.replace(/&/g, '&amp;')}"`);
      expect(res.body).toContain('Sprachcafé und Beratung für Familien aus Syrien.');
    }
    const empty = await person.post('/organisations/represent', { mode: 'new', name: ' ', kind: 'nonsense', website: '', contact: '', description: '', message: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Bitte geben Sie den Namen der Organisation an.');
    expect(empty.body).toContain('Bitte wählen Sie die Art der Organisation.');
    expect(empty.body).toContain('Bitte schreiben Sie kurz, wie Sie mit der Organisation verbunden sind.');
    expect(await t.db.select().from(organisations)).toEqual([]);
  });

  it('request → organiser verifies organisation and person → role at the next request → revoke removes it', async () => {
    await person.get('/organisations/represent');
    const sent = await person.post('/organisations/represent', proposal);
    expect(sent.statusCode).toBe(303);
    const [org] = await t.db.select().from(organisations).where(eq(organisations.name, proposal.name));
    expect(org?.verifiedAt).toBeNull();
    expect(org?.website).toBe('https://kulturverein.example.org/');
    const orgId = org!.id;
    expect((await member(t, orgId, personId))?.status).toBe('requested');

    // Not public while unverified.
    expect((await new Client(t.app).get('/organisations')).body).not.toContain(proposal.name);
    // The person sees the request with its state.
    const mine = await person.get('/my/contributions');
    expect(mine.body).toContain(proposal.name);
    expect(mine.body).toContain('Anfrage wird geprüft');

    // Asking twice is refused.
    await person.get('/organisations/represent');
    expect((await person.post('/organisations/represent', proposal)).statusCode).toBe(422);

    const list = await organiser.get('/organiser/organisations');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Offene Anfragen (1)');
    expect(list.body).toContain('amina@example.org');
    expect(list.body).toContain('Ich bin Vorsitzende des Vereins');
    expect(list.body).toContain('Organisation als geprüft markieren');

    // A representation of an unverified organisation cannot be confirmed.
    const early = await organiser.post(`/organiser/organisations/${orgId}/members/${personId}`, { decision: 'verified' });
    expect(early.statusCode).toBe(409);
    expect(await roles(t, personId)).toEqual([]);

    await organiser.get('/organiser/organisations');
    expect((await organiser.post(`/organiser/organisations/${orgId}/verify`)).statusCode).toBe(303);
    const [verified] = await t.db.select().from(organisations).where(eq(organisations.id, orgId));
    expect(verified?.verifiedAt).toBeInstanceOf(Date);
    expect(verified?.verifiedBy).not.toBeNull();

    // The person's page is read (and its session cached) before the decision.
    expect((await person.get('/account')).body).not.toContain('Vertretung einer Organisation');
    // Mails about the decision go out in the account's language.
    await t.db.update(users).set({ locale: 'en' }).where(eq(users.id, personId));
    await organiser.get('/organiser/organisations');
    const decided = await organiser.post(`/organiser/organisations/${orgId}/members/${personId}`, { decision: 'verified', note: 'Willkommen!' });
    expect(decided.statusCode).toBe(303);
    expect((await member(t, orgId, personId))?.status).toBe('verified');
    expect(await roles(t, personId)).toEqual(['organisation_representative']);
    const [grant] = await t.db.select().from(userRoles).where(eq(userRoles.userId, personId));
    expect(grant?.grantedBy).not.toBeNull();
    // Takes effect at once, without signing in again (in English: the account's language).
    expect((await person.get('/account')).body).toContain('Organisation representative');

    const mail = (await outbox(t.db)).filter((m) => m.template === 'representation_decided').at(-1);
    expect(mail?.toAddress).toBe('amina@example.org');
    expect(mail?.locale).toBe('en');
    expect(mail?.payload).toMatchObject({ decision: 'verified', organisationName: proposal.name, note: 'Willkommen!' });

    // Public now, with the safe link attributes.
    const publicList = await new Client(t.app).get('/organisations');
    expect(publicList.body).toContain(proposal.name);
    expect(publicList.body).toContain('href="https://kulturverein.example.org/" rel="noopener noreferrer nofollow ugc"');
    expect(publicList.body).toContain('Migrantenorganisation');
    expect(publicList.body).not.toContain('Hauptstraße 5');

    await organiser.get(`/organiser/organisations/${orgId}`);
    const revoked = await organiser.post(`/organiser/organisations/${orgId}/members/${personId}`, { decision: 'revoked', note: 'Vorstand gewechselt', back: 'detail' });
    expect(revoked.headers.location).toBe(`/organiser/organisations/${orgId}`);
    expect((await member(t, orgId, personId))?.status).toBe('revoked');
    expect(await roles(t, personId)).toEqual([]);
    expect((await person.get('/account')).body).not.toContain('Organisation representative');

    const actions = (await t.db.select({ action: auditEntries.action }).from(auditEntries)).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['organisation.propose', 'representation.request', 'organisation.verify', 'representation.verify', 'role.granted', 'representation.revoke', 'role.revoked']),
    );
  });

  it('keeps the role while another verified representation remains; a declined request grants nothing', async () => {
    const other = await createUser(t.db, 'zwei@example.org', [], 'Zwei Vereine');
    const client = new Client(t.app);
    await client.signIn('zwei@example.org');
    const [a] = await t.db.insert(organisations).values({ name: 'Verein A', kind: 'association', verifiedAt: new Date() }).returning();
    const [b] = await t.db.insert(organisations).values({ name: 'Verein B', kind: 'welfare_provider', verifiedAt: new Date() }).returning();
    const [c] = await t.db.insert(organisations).values({ name: 'Verein C', kind: 'other', verifiedAt: new Date() }).returning();
    for (const org of [a!, b!, c!]) {
      await client.get('/organisations/represent');
      expect((await client.post('/organisations/represent', { mode: 'existing', organisationId: String(org.id), message: 'Mitglied' })).statusCode).toBe(303);
    }
    await organiser.get('/organiser/organisations');
    await organiser.post(`/organiser/organisations/${a!.id}/members/${other}`, { decision: 'verified' });
    await organiser.post(`/organiser/organisations/${b!.id}/members/${other}`, { decision: 'verified' });
    await organiser.post(`/organiser/organisations/${c!.id}/members/${other}`, { decision: 'declined', note: 'Nicht nachvollziehbar' });
    expect((await member(t, c!.id, other))?.decisionNote).toBe('Nicht nachvollziehbar');
    expect(await roles(t, other)).toEqual(['organisation_representative']);
    await organiser.post(`/organiser/organisations/${a!.id}/members/${other}`, { decision: 'revoked' });
    expect(await roles(t, other)).toEqual(['organisation_representative']);
    await organiser.post(`/organiser/organisations/${b!.id}/members/${other}`, { decision: 'revoked' });
    expect(await roles(t, other)).toEqual([]);
    // A decided request cannot be decided again.
    expect((await organiser.post(`/organiser/organisations/${c!.id}/members/${other}`, { decision: 'verified' })).statusCode).toBe(409);
    const mine = await client.get('/my/contributions');
    expect(mine.body).toContain('abgelehnt');
    expect(mine.body).toContain('Nicht nachvollziehbar');
  });

  it('lists only verified organisations publicly, searchable by name, and lets organisers edit', async () => {
    await t.db.insert(organisations).values([
      { name: 'Ungeprüfter Verein', kind: 'association' },
      { name: 'Sportverein 100%_Treffer', kind: 'association', verifiedAt: new Date() },
    ]);
    const anonymous = new Client(t.app);
    const all = await anonymous.get('/organisations');
    expect(all.body).toContain('Verein A');
    expect(all.body).not.toContain('Ungeprüfter Verein');
    const found = await anonymous.get('/organisations?q=sportVEREIN');
    expect(found.body).toContain('Sportverein 100%_Treffer');
    expect(found.body).not.toContain('Verein A');
    // % and _ are matched literally.
    const literal = await anonymous.get('/organisations?q=100%25_');
    expect(literal.body).toContain('Organisationen: 1');
    const none = await anonymous.get('/organisations?q=%25');
    expect(none.body).toContain('Sportverein');
    const fragment = await anonymous.get('/organisations?q=Sport', { 'hx-request': 'true', 'hx-target': 'organisation-results' });
    expect(fragment.body.startsWith('<div id="organisation-results"')).toBe(true);

    const [org] = await t.db.select().from(organisations).where(eq(organisations.name, 'Ungeprüfter Verein'));
    const page = await organiser.get(`/organiser/organisations/${org!.id}`);
    expect(page.body).toContain('noch nicht geprüft');
    const bad = await organiser.post(`/organiser/organisations/${org!.id}`, { name: 'Ungeprüfter Verein', kind: 'association', website: 'javascript:alert(1)', contact: '', description: 'Neu' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('value="javascript:alert(1)"');
    const taken = await organiser.post(`/organiser/organisations/${org!.id}`, { name: 'verein a', kind: 'association', website: '', contact: '', description: '' });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).toContain('Eine Organisation mit diesem Namen gibt es schon.');
    const ok = await organiser.post(`/organiser/organisations/${org!.id}`, { name: 'Geprüfter Verein', kind: 'public_body', website: 'http://verein.example.org', contact: 'Telefon 123', description: 'Jetzt mit Beschreibung' });
    expect(ok.statusCode).toBe(303);
    const [edited] = await t.db.select().from(organisations).where(eq(organisations.id, org!.id));
    expect(edited).toMatchObject({ name: 'Geprüfter Verein', kind: 'public_body', website: 'http://verein.example.org/', contact: 'Telefon 123' });

    expect((await organiser.get('/organiser/organisations/999999')).statusCode).toBe(404);
    expect((await organiser.get('/organiser/organisations/abc')).statusCode).toBe(404);
  });

  it('keeps organiser pages to organisers and admins', async () => {
    expect((await person.get('/organiser/organisations')).statusCode).toBe(403);
    await person.get('/my/contributions');
    const [org] = await t.db.select().from(organisations).limit(1);
    expect((await person.post(`/organiser/organisations/${org!.id}/verify`)).statusCode).toBe(403);
    const anonymous = await new Client(t.app).get('/organiser/organisations');
    expect(anonymous.statusCode).toBe(303);
    expect((await new Client(t.app).get('/organisations/represent')).headers.location).toBe('/signin?next=%2Forganisations%2Frepresent');
  });
});
