import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/core/crypto.js';
import { auditEntries } from '../src/modules/audit/schema.js';
import { recordAudit } from '../src/modules/audit/service.js';
import { contributions, guestTokens } from '../src/modules/participation/schema.js';
import { insertContribution, issueReviseLink } from '../src/modules/participation/service.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

describe.each(drivers)('the author revises after a request from the moderators [%s]', (driver) => {
  let t: TestApp;
  let d: { consultationId: number; phaseId: number };
  let authorId: string;
  let moderatorId: string;
  let author: Client;

  /** A contribution in the state the moderators' "please revise" leaves it, with their note. */
  async function sentBack(values: Partial<typeof contributions.$inferInsert>, note: string | null = 'Bitte entfernen Sie die Telefonnummer.') {
    const { id } = await insertContribution(t.db, {
      consultationId: d.consultationId,
      phaseId: d.phaseId,
      kind: 'comment',
      targetKind: 'measure',
      targetKey: demo.measure,
      body: 'Ruft mich an: 0351 123456, dann erkläre ich es.',
      language: 'de',
      pageLocale: 'de',
      status: 'revision_requested',
      statusReason: 'personal_data',
      moderatedBy: moderatorId,
      moderatedAt: new Date(),
      moderationVersion: 1,
      formToken: randomToken(),
      ...values,
    });
    await recordAudit(t.db, {
      actorId: moderatorId,
      action: 'moderation.revise',
      subjectType: 'contribution',
      subjectId: id,
      reason: 'personal_data',
      before: { status: 'pending', version: 0 },
      after: { status: 'revision_requested', version: 1, ...(note ? { note } : {}) },
    });
    return id;
  }
  const row = async (id: number) => (await t.db.select().from(contributions).where(eq(contributions.id, id)))[0]!;
  const revisedAudit = (id: number) =>
    t.db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'contribution'), eq(auditEntries.subjectId, String(id)), eq(auditEntries.action, 'contribution.revised')));

  beforeAll(async () => {
    t = await createTestApp(driver);
    d = await openDemoPhase(t.db, 'post');
    authorId = await createUser(t.db, 'autorin@example.org', [], 'Autorin');
    moderatorId = await createUser(t.db, 'mod@example.org', ['moderator'], 'Moderation');
    await createUser(t.db, 'andere@example.org', [], 'Andere');
    author = new Client(t.app);
    await author.signIn('autorin@example.org');
  });
  afterAll(() => t?.close());

  it('shows the signed-in author the note, the rule and the current text, and sends it back to the moderators', async () => {
    const id = await sentBack({ authorId });
    const mine = await author.get('/my/contributions');
    const item = mine.body.slice(mine.body.indexOf(`id="contribution-${id}"`));
    expect(item).toContain('bitte überarbeiten');
    expect(item).toContain('Bitte entfernen Sie die Telefonnummer.');
    expect(item).toContain(`href="/contributions/${id}/revise"`);
    expect(item).toContain('href="/netiquette#personal-data"');

    const page = await author.get(`/contributions/${id}/revise`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Beitrag überarbeiten</h1>');
    expect(page.body).toContain('Bitte entfernen Sie die Telefonnummer.');
    expect(page.body).toContain('href="/netiquette#personal-data"');
    expect(page.body).toContain('Persönliche Daten anderer');
    expect(page.body).toContain('>Ruft mich an: 0351 123456, dann erkläre ich es.</textarea>');
    expect(page.body).toContain('href="/netiquette"');
    expect(page.body).toMatch(/name="_csrf" value="[^"]+"/);

    const empty = await author.post(`/contributions/${id}/revise`, { body: '   ', language: 'de' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Bitte schreiben Sie einen Text.');
    expect((await row(id)).status).toBe('revision_requested');

    const res = await author.post(`/contributions/${id}/revise`, { body: 'Ich erkläre es gern bei der Veranstaltung.', language: 'de' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/contributions/${id}`);
    const after = await row(id);
    expect(after).toMatchObject({ status: 'pending', body: 'Ich erkläre es gern bei der Veranstaltung.', moderationVersion: 2 });
    expect(after.editedAt).not.toBeNull();
    const [audit] = await revisedAudit(id);
    expect(audit).toMatchObject({ actorId: authorId });
    expect(audit!.before).toMatchObject({ status: 'revision_requested', body: 'Ruft mich an: 0351 123456, dann erkläre ich es.' });
    expect(audit!.after).toMatchObject({ status: 'pending', body: 'Ich erkläre es gern bei der Veranstaltung.' });
    const own = await author.get(`/contributions/${id}`);
    expect(own.body).toContain('Ihr überarbeiteter Beitrag wartet jetzt auf die Moderation');
    expect(own.body).toContain('wartet auf die Moderation');

    // Only while a revision is requested.
    const again = await author.get(`/contributions/${id}/revise`);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Keine Überarbeitung nötig');
    await author.get('/my/contributions');
    expect((await author.post(`/contributions/${id}/revise`, { body: 'Noch einmal', language: 'de' })).statusCode).toBe(409);
    expect((await row(id)).body).toBe('Ich erkläre es gern bei der Veranstaltung.');
    expect(await revisedAudit(id)).toHaveLength(1);
  });

  it('goes back to pending even in a post-moderated phase, and keeps a revised statement’s heading and language', async () => {
    const id = await sentBack({ authorId, kind: 'statement', targetKind: 'consultation', targetKey: null, title: 'Alt', receiptNumber: 'AI-2026-0777' });
    const page = await author.get(`/contributions/${id}/revise`);
    expect(page.body).toContain('name="title"');
    const res = await author.post(`/contributions/${id}/revise`, { title: 'Neue Überschrift', body: 'نص جديد بدون أرقام هواتف', language: 'ar' });
    expect(res.statusCode).toBe(303);
    expect(await row(id)).toMatchObject({ status: 'pending', title: 'Neue Überschrift', language: 'ar', body: 'نص جديد بدون أرقام هواتف' });
  });

  it('lets nobody else revise it and sends anonymous visitors to sign in', async () => {
    const id = await sentBack({ authorId });
    const anonymous = await new Client(t.app).get(`/contributions/${id}/revise`);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/signin?next=${encodeURIComponent(`/contributions/${id}/revise`)}`);
    const other = new Client(t.app);
    await other.signIn('andere@example.org');
    expect((await other.get(`/contributions/${id}/revise`)).statusCode).toBe(404);
    expect((await other.post(`/contributions/${id}/revise`, { body: 'Übernommen', language: 'de' })).statusCode).toBe(404);
    expect((await row(id)).status).toBe('revision_requested');
  });

  it('refuses a contribution that waits for the moderators anyway', async () => {
    const id = await sentBack({ authorId, status: 'pending' });
    expect((await author.get(`/contributions/${id}/revise`)).statusCode).toBe(409);
  });

  it('lets a guest revise through the mailed link, which works until the revision is stored', async () => {
    const id = await sentBack({ guestEmail: 'gast@example.org' }, 'Bitte sachlicher formulieren.');
    const url = await t.db.transaction((tx) => issueReviseLink(t.app.ctx, tx, { id, authorId: null, guestEmail: 'gast@example.org' }));
    const path = url.replace('http://localhost:3000', '');
    expect(path).toMatch(/^\/contributions\/revise\?token=/);
    const guest = new Client(t.app);
    // A mail scanner opening the link uses nothing up.
    expect((await new Client(t.app).get(path)).statusCode).toBe(200);
    const page = await guest.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Bitte sachlicher formulieren.');
    const token = decodeURIComponent(path.split('token=')[1]!);
    expect(page.body).toContain(`name="token" value="${token}"`);

    const invalid = await guest.post('/contributions/revise', { token, body: '', language: 'xx' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain(`name="token" value="${token}"`);
    expect(invalid.body).toContain('Bitte wählen Sie die Sprache Ihres Textes aus der Liste.');

    const res = await guest.post('/contributions/revise', { token, body: 'Sachlich: Wir brauchen mehr Kurse am Abend.', language: 'de' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/contributions/revise/done');
    expect((await guest.get('/contributions/revise/done')).body).toContain('wartet jetzt auf die Moderation');
    expect(await row(id)).toMatchObject({ status: 'pending', body: 'Sachlich: Wir brauchen mehr Kurse am Abend.' });
    const [audit] = await revisedAudit(id);
    expect(audit).toMatchObject({ actorId: null });
    const [used] = await t.db.select().from(guestTokens).where(eq(guestTokens.contributionId, id));
    expect(used!.usedAt).not.toBeNull();

    expect((await guest.get(path)).statusCode).toBe(410);
    expect((await guest.post('/contributions/revise', { token, body: 'Noch einmal', language: 'de' })).statusCode).toBe(410);
    expect((await guest.get('/contributions/revise?token=nonsense')).statusCode).toBe(410);
  });

  it('names hidden and rejected contributions with reason, rule and note in my contributions', async () => {
    const reported = await sentBack({ authorId, status: 'hidden', statusReason: 'reported' }, null);
    const rejected = await sentBack({ authorId, status: 'rejected', statusReason: 'off_topic' }, 'Das betrifft ein anderes Verfahren.');
    const body = (await author.get('/my/contributions')).body;
    const item = (id: number) => body.slice(body.indexOf(`id="contribution-${id}"`), body.indexOf('</li>', body.indexOf(`id="contribution-${id}"`)));
    expect(item(reported)).toContain('vorübergehend ausgeblendet – wird geprüft');
    expect(item(reported)).toContain('Mehrere Lesende haben den Beitrag gemeldet');
    expect(item(reported)).not.toContain('/revise"');
    expect(item(rejected)).toContain('nicht veröffentlicht');
    expect(item(rejected)).toContain('href="/netiquette#off-topic"');
    expect(item(rejected)).toContain('Nicht zum Thema');
    expect(item(rejected)).toContain('Das betrifft ein anderes Verfahren.');
  });
});
