import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/core/crypto.js';
import { contributionReferences, contributions, organisations } from '../src/modules/participation/schema.js';
import { insertContribution } from '../src/modules/participation/service.js';
import { Client, createTestApp, createUser, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

describe.each(drivers)('my contributions for an account [%s]', (driver) => {
  let t: TestApp;
  let d: { consultationId: number; phaseId: number };
  let userId: string;
  let client: Client;
  const ids: Record<string, number> = {};

  async function add(name: string, values: Partial<typeof contributions.$inferInsert>, owner: { authorId?: string; guestEmail?: string } = { authorId: userId }) {
    const { id } = await insertContribution(t.db, {
      consultationId: d.consultationId,
      phaseId: d.phaseId,
      kind: 'comment',
      targetKind: 'measure',
      targetKey: demo.measure,
      body: `Text ${name}`,
      language: 'de',
      pageLocale: 'de',
      status: 'published',
      formToken: randomToken(),
      ...owner,
      ...values,
    });
    ids[name] = id;
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp(driver);
    d = await openDemoPhase(t.db, 'post');
    userId = await createUser(t.db, 'mira@example.org', [], 'Mira');
    const [org] = await t.db.insert(organisations).values({ name: 'Frauenverein (Test)', kind: 'association', verifiedAt: new Date() }).returning();
    const base = Date.now() - 60_000;
    let n = 0;
    const at = () => new Date(base + n++ * 1000);
    await add('unconfirmed', { status: 'unconfirmed', guestEmail: 'mira@example.org', createdAt: at() });
    await add('pending', { status: 'pending', createdAt: at() });
    await add('published', { status: 'published', publishedAt: new Date(), createdAt: at(), organisationId: org!.id });
    await add('rejectedWithReason', { status: 'rejected', statusReason: 'Enthält persönliche Daten Dritter.', createdAt: at() });
    await add('rejected', { status: 'rejected', createdAt: at() });
    await add('withdrawn', { status: 'withdrawn', withdrawnAt: new Date(), createdAt: at() });
    await add('hidden', { status: 'hidden', createdAt: at() });
    await add('revise', { status: 'revision_requested', statusReason: 'Bitte ohne Namen anderer Personen.', createdAt: at() });
    await add('arabic', { body: 'نحتاج إلى دورات مسائية للغة الألمانية', language: 'ar', createdAt: at() });
    const statement = await add('statement', {
      kind: 'statement',
      targetKind: 'consultation',
      targetKey: null,
      title: 'Stellungnahme des Vereins',
      receiptNumber: 'AI-2026-0001',
      status: 'pending',
      createdAt: at(),
    });
    await t.db.insert(contributionReferences).values({ contributionId: statement, targetKind: 'goal', targetKey: demo.goal });
    await add('reply', { parentId: ids.published, createdAt: at() });
    await add('someoneElse', { body: 'Fremder Text', createdAt: at() }, { guestEmail: 'fremd@example.org' });
    client = new Client(t.app);
    await client.signIn('mira@example.org');
  });
  afterAll(() => t?.close());

  it('explains how to get access when nobody is signed in', async () => {
    const res = await new Client(t.app).get('/my/contributions');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Mit Konto');
    expect(res.body).toContain('href="/signin?next=%2Fmy%2Fcontributions"');
    expect(res.body).toContain('<form method="post" action="/contributions/access"');
    expect(res.body).toContain('name="_csrf"');
  });

  it('lists every contribution newest first with what it is about, date, receipt, language and status in words', async () => {
    const res = await client.get('/my/contributions');
    const body = res.body;
    expect(body).toContain('Beiträge insgesamt: 11');
    expect(body).not.toContain('Fremder Text');
    const order = ['reply', 'statement', 'arabic', 'revise', 'hidden', 'withdrawn', 'rejected', 'rejectedWithReason', 'published', 'pending', 'unconfirmed'].map((name) =>
      body.indexOf(`id="contribution-${ids[name]}"`),
    );
    expect(order.every((pos) => pos > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const item = (name: string) => {
      const start = body.indexOf(`id="contribution-${ids[name]}"`);
      return body.slice(start, body.indexOf('</li>', start));
    };
    expect(item('unconfirmed')).toContain('noch nicht bestätigt – bitte den Link in der E-Mail anklicken');
    expect(item('unconfirmed')).toContain('Bestätigungs-E-Mail noch einmal schicken');
    expect(item('pending')).toContain('wartet auf die Moderation');
    expect(item('published')).toContain('veröffentlicht');
    expect(item('published')).toContain(`href="${demo.measurePath}#comment-${ids.published}"`);
    expect(item('published')).toContain('Frauenverein (Test)');
    expect(item('published')).toMatch(/Maßnahme [\d.A-Za-z]+/);
    expect(item('rejectedWithReason')).toContain('nicht veröffentlicht');
    expect(item('rejectedWithReason')).toContain('Enthält persönliche Daten Dritter.');
    expect(item('rejected')).toContain('Die Moderation hat den Beitrag nicht veröffentlicht');
    expect(item('withdrawn')).toContain('von Ihnen zurückgezogen');
    expect(item('hidden')).toContain('von der Moderation ausgeblendet');
    expect(item('hidden')).toContain('Die Moderation hat den Beitrag ausgeblendet');
    expect(item('revise')).toContain('bitte überarbeiten');
    expect(item('revise')).toContain('Bitte ohne Namen anderer Personen.');
    expect(item('withdrawn')).not.toContain('Text withdrawn');
    expect(item('withdrawn')).not.toContain('/withdraw"');
    expect(item('arabic')).toContain('dir="auto" lang="ar"');
    expect(item('arabic')).toContain('العربية');
    expect(item('statement')).toContain('Schriftliche Stellungnahme');
    expect(item('statement')).toContain('AI-2026-0001');
    expect(item('statement')).toContain(`/goals/${demo.goal}`);
    expect(item('reply')).toContain('Antwort auf einen Kommentar');
    for (const name of ['pending', 'published', 'statement']) expect(item(name)).toContain('Noch keine Antwort der Stadt.');
    for (const name of ['pending', 'published', 'rejected', 'unconfirmed']) expect(item(name)).toContain(`href="/my/contributions/${ids[name]}/withdraw"`);
  });

  it('withdraws after a confirmation step that works without JavaScript', async () => {
    const page = await client.get(`/my/contributions/${ids.pending}/withdraw`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Beitrag zurückziehen?');
    expect(page.body).toContain(`<form method="post" action="/my/contributions/${ids.pending}/withdraw"`);
    expect(page.body).toContain('Text pending');
    const res = await client.post(`/my/contributions/${ids.pending}/withdraw`);
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(contributions).where(eq(contributions.id, ids.pending!));
    expect(row?.status).toBe('withdrawn');
    expect(row?.withdrawnAt).toBeInstanceOf(Date);
    // Another person's contribution: not found.
    expect((await client.post(`/my/contributions/${ids.someoneElse}/withdraw`)).statusCode).toBe(404);
    expect((await client.get('/my/contributions/abc/withdraw')).statusCode).toBe(404);
  });

  it('sends the confirmation mail again for an unconfirmed contribution only', async () => {
    await client.get('/my/contributions');
    const before = (await outbox(t.db)).filter((m) => m.template === 'contribution_confirm').length;
    const res = await client.post(`/my/contributions/${ids.unconfirmed}/resend`);
    expect(res.statusCode).toBe(303);
    const mails = (await outbox(t.db)).filter((m) => m.template === 'contribution_confirm');
    expect(mails.length).toBe(before + 1);
    expect(mails.at(-1)?.toAddress).toBe('mira@example.org');
    expect(String(mails.at(-1)?.payload.excerpt)).toBe('Text unconfirmed');
    expect((await client.post(`/my/contributions/${ids.published}/resend`)).statusCode).toBe(404);
  });

  it('pages through many contributions', async () => {
    const many = await createUser(t.db, 'viel@example.org', [], 'Viel');
    for (let i = 0; i < 25; i++) await add(`many${i}`, { body: `Viele Beiträge Nummer ${i}.`, createdAt: new Date(Date.now() - (25 - i) * 1000) }, { authorId: many });
    const c = new Client(t.app);
    await c.signIn('viel@example.org');
    const first = await c.get('/my/contributions');
    expect(first.body).toContain('Seite 1 von 2');
    expect(first.body).toContain('Viele Beiträge Nummer 24.');
    expect(first.body).not.toContain('Viele Beiträge Nummer 4.');
    const second = await c.get('/my/contributions?page=2');
    expect(second.body).toContain('Viele Beiträge Nummer 4.');
    expect(second.body).toContain('Viele Beiträge Nummer 0.');
  });
});
