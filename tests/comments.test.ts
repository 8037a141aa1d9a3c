import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceChange } from '../src/core/cache.js';
import type { AppContext } from '../src/core/context.js';
import { users } from '../src/modules/accounts/schema.js';
import { contributionReferences, contributions, organisationMembers, organisations } from '../src/modules/participation/schema.js';
import { CONTRIBUTIONS_TAG, COMMENT_MAX_LENGTH, withdrawContribution } from '../src/modules/participation/service.js';
import { createSession, SESSION_COOKIE } from '../src/modules/accounts/sessions.js';
import { Client, createTestApp, createUser, outbox, queriesDuring, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { closeDemoPhase, demo, openDemoPhase } from './helpers/participation.js';

const base = `/consultations/${demo.slug}`;
const goalPath = `${base}/goals/${demo.goal}`;
const fieldPath = `${base}/fields/${demo.field}`;

const formToken = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? '';
const commentIds = (html: string) => [...html.matchAll(/<li class="comment[^"]*" id="comment-(\d+)"/g)].map((m) => Number(m[1]));
const textarea = (html: string, name = 'body') => new RegExp(`<textarea id="field-${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1] ?? null;
const plain = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

/** Opens the form page (as a browser does before posting) and sends it with what `form` adds. */
async function comment(client: Client, itemPath: string, form: Record<string, string>, query = '') {
  const page = await client.get(`${itemPath}/comments/new${query}`);
  expect(page.statusCode).toBe(200);
  const reply = /name="reply" value="(\d+)"/.exec(page.body)?.[1];
  return client.post(`${itemPath}/comments/new`, { formToken: formToken(page.body), language: 'de', ...(reply ? { reply } : {}), ...form });
}

/** Announces a change made directly in the database and waits until the app's cache heard it. */
async function changed(t: TestApp) {
  await announceChange(t.db, CONTRIBUTIONS_TAG);
  await t.app.cacheChannel.settle();
}

async function rows(t: TestApp) {
  return t.db.select().from(contributions).orderBy(contributions.id);
}

describe.each(drivers)('comments [%s]', (driver) => {
  let t: TestApp;
  let consultationId: number;
  let phaseId: number;
  let aliceClient: Client;
  let aliceId: string;

  beforeAll(async () => {
    t = await createTestApp(driver, { CONTRIBUTIONS_PER_ADDRESS_PER_HOUR: '10000', CONTRIBUTIONS_PER_EMAIL_PER_HOUR: '10000' });
    ({ consultationId, phaseId } = await openDemoPhase(t.db, 'post'));
    aliceId = await createUser(t.db, 'alice@example.org', [], 'Alice Ahmadi');
    aliceClient = new Client(t.app);
    await aliceClient.signIn('alice@example.org');
  });
  afterAll(() => t?.close());

  it('a guest comment waits for the mailed confirmation and is not public', async () => {
    const guest = new Client(t.app);
    const before = await guest.get(demo.measurePath);
    expect(before.body).toContain('Kommentieren');
    const res = await comment(guest, demo.measurePath, { body: 'Abendkurse auch am Wochenende!', email: 'Gast@Example.org', consent: 'yes' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/comments/check-mail?back=${encodeURIComponent(demo.measurePath)}`);
    const check = await guest.get(res.headers.location as string);
    expect(check.body).toContain('Wir haben Ihnen eine E-Mail mit einem Bestätigungslink geschickt.');
    expect(check.body).toContain('erscheint, sobald Sie den Link angeklickt haben');

    const [row] = (await rows(t)).filter((r) => r.body === 'Abendkurse auch am Wochenende!');
    expect(row).toMatchObject({ status: 'unconfirmed', guestEmail: 'gast@example.org', authorId: null, kind: 'comment', targetKind: 'measure', targetKey: demo.measure });
    const mails = (await outbox(t.db)).filter((m) => m.toAddress === 'gast@example.org');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.template).toBe('contribution_confirm');
    expect(String(mails[0]?.payload.confirmUrl)).toMatch(/^http:\/\/localhost:3000\/contributions\/confirm\?token=[\w-]+$/);
    expect(mails[0]?.payload.days).toBe(7);
    expect(mails[0]?.payload.itemUrl).toBe(`http://localhost:3000${demo.measurePath}`);
    expect(mails[0]?.payload.excerpt).toBe('Abendkurse auch am Wochenende!');

    const after = await new Client(t.app).get(demo.measurePath);
    expect(after.body).not.toContain('Abendkurse auch am Wochenende!');
    expect((await new Client(t.app).get(`/contributions/${row?.id}`)).statusCode).toBe(404);
  });

  it('a guest’s unconfirmed comment does not wait for the cache channel; a public one does', async () => {
    const sent: string[] = [];
    const session = (t.db as unknown as { session: { logger: { logQuery(query: string): void } } }).session;
    const original = session.logger;
    session.logger = { logQuery: (query) => void sent.push(query) };
    try {
      const guest = new Client(t.app);
      await guest.get(`${demo.measurePath}/comments/new`);
      sent.length = 0;
      expect((await comment(guest, demo.measurePath, { body: 'Ohne Warten', email: 'warten@example.org', consent: 'yes' })).statusCode).toBe(303);
      // Nothing anyone sees changed: no announcement, and no marker sent to wait for.
      expect(sent.filter((q) => q.includes('pg_notify'))).toEqual([]);
      sent.length = 0;
      expect((await comment(aliceClient, demo.measurePath, { body: 'Mit Warten' })).statusCode).toBe(303);
      // The announcement of the new comment, then the marker the request waits for.
      expect(sent.filter((q) => q.includes('pg_notify'))).toHaveLength(2);
    } finally {
      session.logger = original;
    }
  });

  it('a guest must give an address and agree to the privacy notice; the text stays', async () => {
    const guest = new Client(t.app);
    const res = await comment(guest, demo.measurePath, { body: 'Mein Text bleibt', email: 'keine adresse' });
    expect(res.statusCode).toBe(422);
    expect(textarea(res.body)).toBe('Mein Text bleibt');
    expect(res.body).toContain('Bitte geben Sie eine gültige E-Mail-Adresse an');
    expect(res.body).toContain('Bitte stimmen Sie dem Datenschutzhinweis zu.');
    expect(res.body).toContain('value="keine adresse"');
  });

  it('a signed-in participant’s comment is public at once on the cached page, with the display name', async () => {
    const anonymous = new Client(t.app);
    const before = await anonymous.get(demo.measurePath);
    expect(before.body).not.toContain('Sofort sichtbar');
    const res = await comment(aliceClient, demo.measurePath, { body: 'Sofort sichtbar\nzweite Zeile' });
    expect(res.statusCode).toBe(303);
    const [row] = (await rows(t)).filter((r) => r.body === 'Sofort sichtbar\nzweite Zeile');
    expect(row).toMatchObject({ status: 'published', authorId: aliceId, guestEmail: null });
    expect(row?.publishedAt).not.toBeNull();
    expect(res.headers.location).toBe(`${demo.measurePath}#comment-${row?.id}`);

    const after = await anonymous.get(demo.measurePath);
    expect(after.body).toContain('Sofort sichtbar\nzweite Zeile');
    expect(after.body).toMatch(new RegExp(`id="comment-${row?.id}"[\\s\\S]*?<bdi>Alice Ahmadi</bdi>`));
    expect(after.body).toContain(`href="/contributions/${row?.id}"`);
    // The signed-in reader sees the same.
    expect((await aliceClient.get(demo.measurePath)).body).toContain('Sofort sichtbar');
  });

  it('keeps HTML and scripts as text, and marks the chosen language', async () => {
    const res = await comment(aliceClient, fieldPath, { body: '<script>alert(1)</script> <b>fett</b> مرحبا', language: 'ar' });
    expect(res.statusCode).toBe(303);
    const page = await new Client(t.app).get(fieldPath);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt; مرحبا');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toMatch(/<div class="comment__text" dir="auto" lang="ar">&lt;script&gt;/);
  });

  it('counts published comments and replies per item in the outline, and on the item', async () => {
    await comment(aliceClient, demo.measurePath, { body: 'Gezählt' });
    const [row] = await t.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(contributions)
      .where(and(eq(contributions.targetKey, demo.measure), eq(contributions.status, 'published')));
    const n = row?.n ?? 0;
    expect(n).toBeGreaterThan(0);
    const badge = (count: number) => `<span class="count-badge">${count} ${count === 1 ? 'Beitrag' : 'Beiträge'}</span>`;
    const inOutline = (html: string, count: number) => new RegExp(`href="${base}/measures/${demo.measure}">[^<]*</a>:[^<]*${badge(count)}`).test(html);
    const onPlan = (html: string, count: number) => html.includes(`href="${base}/measures/${demo.measure}">Maßnahme 4.2.3</a> ${badge(count)}`);
    const reader = new Client(t.app);
    const outline = (await reader.get(base)).body;
    expect(inOutline(outline, n)).toBe(true);
    expect(onPlan((await reader.get(`${base}/plan`)).body, n)).toBe(true);
    expect((await reader.get(demo.measurePath)).body).toContain(`Beteiligung ${badge(n)}`);
    // A new published comment updates the counts at once; unconfirmed ones do not count.
    await comment(aliceClient, demo.measurePath, { body: 'Noch einer' });
    expect(inOutline((await reader.get(base)).body, n + 1)).toBe(true);
    expect(onPlan((await reader.get(`${base}/plan`)).body, n + 1)).toBe(true);
    // A published written statement referring to the measure counts too (a pending one does not).
    const [statement, pending] = await t.db
      .insert(contributions)
      .values([
        {
          consultationId,
          kind: 'statement',
          targetKind: 'consultation',
          body: 'Stellungnahme',
          language: 'de',
          pageLocale: 'de',
          guestEmail: 's@example.org',
          status: 'published',
          publishedAt: new Date(),
          receiptNumber: 'AI-2026-9999',
        },
        { consultationId, kind: 'statement', targetKind: 'consultation', body: 'Wartet', language: 'de', pageLocale: 'de', guestEmail: 's@example.org', status: 'pending' },
      ])
      .returning({ id: contributions.id });
    await t.db.insert(contributionReferences).values([
      { contributionId: statement!.id, targetKind: 'measure', targetKey: demo.measure },
      { contributionId: pending!.id, targetKind: 'measure', targetKey: demo.measure },
    ]);
    await changed(t);
    expect(onPlan((await reader.get(`${base}/plan`)).body, n + 2)).toBe(true);
    // Its own address leads to the statement's public page.
    const own = await reader.get(`/contributions/${statement!.id}`);
    expect(own.statusCode).toBe(303);
    expect(own.headers.location).toBe(`${base}/statements/AI-2026-9999`);
  });

  it('replies are one level deep, oldest first, under their comment', async () => {
    const bob = new Client(t.app);
    await createUser(t.db, 'bob@example.org', [], 'Bob');
    await bob.signIn('bob@example.org');
    const top = await comment(aliceClient, goalPath, { body: 'Oberster Kommentar' });
    const topId = Number(/comment-(\d+)/.exec(top.headers.location as string)?.[1]);
    const first = await comment(bob, goalPath, { body: 'Erste Antwort' }, `?reply=${topId}`);
    expect(first.statusCode).toBe(303);
    const firstId = Number(/comment-(\d+)/.exec(first.headers.location as string)?.[1]);
    // A reply to the reply attaches to the comment.
    const second = await comment(aliceClient, goalPath, { body: 'Zweite Antwort' }, `?reply=${firstId}`);
    const secondId = Number(/comment-(\d+)/.exec(second.headers.location as string)?.[1]);
    const all = await rows(t);
    expect(all.find((r) => r.id === firstId)?.parentId).toBe(topId);
    expect(all.find((r) => r.id === secondId)?.parentId).toBe(topId);

    const page = await new Client(t.app).get(goalPath);
    const block = page.body.slice(page.body.indexOf(`<li class="comment" id="comment-${topId}"`));
    expect(commentIds(block).slice(0, 3)).toEqual([topId, firstId, secondId]);
    expect(block.indexOf('<ol class="comment__replies"')).toBeLessThan(block.indexOf('Erste Antwort'));
    // A reply sent from another item's form still lands on its comment's item.
    const elsewhere = await comment(bob, fieldPath, { body: 'Von woanders' }, `?reply=${topId}`);
    expect(elsewhere.headers.location).toMatch(new RegExp(`^${goalPath}#comment-\\d+$`));
    // A reply to an unknown or unpublished comment is refused.
    expect((await bob.get(`${goalPath}/comments/new?reply=999999`)).statusCode).toBe(404);
  });

  it('names guests and deleted accounts “Privatperson”, organisations with a verified badge', async () => {
    const [verified] = await t.db.insert(organisations).values({ name: 'Ausländerrat Dresden e. V.', kind: 'migrant_organisation', verifiedAt: new Date() }).returning();
    const [unverified] = await t.db.insert(organisations).values({ name: 'Neuer Verein', kind: 'association' }).returning();
    const repId = await createUser(t.db, 'rep@example.org', ['organisation_representative'], 'Rep');
    await t.db.insert(organisationMembers).values([
      { organisationId: verified!.id, userId: repId, status: 'verified' },
      { organisationId: unverified!.id, userId: repId, status: 'verified' },
    ]);
    const rep = new Client(t.app);
    await rep.signIn('rep@example.org');
    const form = await rep.get(`${fieldPath}/comments/new`);
    expect(form.body).toContain('im Namen von Ausländerrat Dresden e. V.');
    await comment(rep, fieldPath, { body: 'Für den Verein', onBehalf: String(verified!.id) });
    await comment(rep, fieldPath, { body: 'Für den neuen Verein', onBehalf: String(unverified!.id) });
    // Someone else's organisation is refused.
    const foreign = await comment(aliceClient, fieldPath, { body: 'Fremd', onBehalf: String(verified!.id) });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.body).toContain('Für diese Organisation dürfen Sie nicht schreiben.');

    // A confirmed guest comment and one by an account deleted since.
    const gone = await createUser(t.db, 'gone@example.org', [], 'Bald Weg');
    await t.db.insert(contributions).values([
      { consultationId, kind: 'comment', targetKind: 'field', targetKey: demo.field, body: 'Vom Gast', language: 'de', pageLocale: 'de', guestEmail: 'g@example.org', status: 'published', publishedAt: new Date() },
      { consultationId, kind: 'comment', targetKind: 'field', targetKey: demo.field, body: 'Vom Gelöschten', language: 'de', pageLocale: 'de', authorId: gone, status: 'published', publishedAt: new Date() },
    ]);
    await t.db.update(users).set({ deletedAt: new Date(), displayName: null, email: null }).where(eq(users.id, gone));
    await changed(t);

    const page = plain((await new Client(t.app).get(fieldPath)).body);
    expect(page).toContain('Ausländerrat Dresden e. V. verifizierte Organisation');
    expect(page).toMatch(/Neuer Verein \d/);
    expect(page).toMatch(/Privatperson \d+\. \w+ \d{4} um [\d:]+ Vom Gelöschten/);
    expect(page).toMatch(/Privatperson \d+\. \w+ \d{4} um [\d:]+ Vom Gast/);
    expect(page).not.toContain('Bald Weg');
    const en = plain((await new Client(t.app, { 'accept-language': 'en' }).get(fieldPath)).body);
    expect(en).toContain('Private person');
    expect(en).toContain('Ausländerrat Dresden e. V. verified');
  });

  it('pages 20 at a time, newest first or oldest first, as pages and as htmx fragments; hidden ones vanish at once', async () => {
    const key = 'f-arbeit';
    const path = `${base}/fields/${key}`;
    const start = Date.now() - 86_400_000;
    const inserted = await t.db
      .insert(contributions)
      .values(
        Array.from({ length: 45 }, (_, i) => ({
          consultationId,
          kind: 'comment' as const,
          targetKind: 'field' as const,
          targetKey: key,
          body: `Kommentar Nummer ${i + 1}`,
          language: 'de',
          pageLocale: 'de',
          guestEmail: 'viele@example.org',
          status: 'published' as const,
          publishedAt: new Date(start + i * 60_000),
          createdAt: new Date(start + i * 60_000),
        })),
      )
      .returning({ id: contributions.id });
    const ids = inserted.map((r) => r.id);
    await changed(t);
    const reader = new Client(t.app);

    const first = await reader.get(path);
    expect(commentIds(first.body)).toEqual(ids.slice(25).reverse());
    expect(first.body).toContain('<span class="count-badge">45 Kommentare</span>');
    expect(first.body).toContain(`href="${path}/comments?page=2" hx-get="${path}/comments?page=2" hx-target="#comments-list" hx-swap="beforeend"`);
    expect(first.body).toContain(`href="${path}/comments?order=oldest"`);

    const second = await reader.get(`${path}/comments?page=2`);
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('<html');
    expect(commentIds(second.body)).toEqual(ids.slice(5, 25).reverse());
    expect(second.body).toContain('Seite 2 von 3');
    expect(second.body).toContain(`href="${path}/comments?page=3"`);
    expect(second.body).toContain(`href="${path}/comments" rel="prev"`);

    // The list pages are cached like the item page: asked again, they cost no query.
    expect(await queriesDuring(t.db, () => reader.get(`${path}/comments?page=2`))).toBe(0);
    // So are the fragments' data: the first costs queries, the next none.
    const htmx = { 'hx-request': 'true', 'hx-target': 'comments-list' };
    expect(await queriesDuring(t.db, () => reader.get(`${path}/comments?page=2`, htmx))).toBeGreaterThan(0);
    expect(await queriesDuring(t.db, () => reader.get(`${path}/comments?page=2`, htmx))).toBe(0);
    const oldest = await reader.get(`${path}/comments?order=oldest`);
    expect(commentIds(oldest.body)).toEqual(ids.slice(0, 20));
    const oldest3 = await reader.get(`${path}/comments?order=oldest&page=3`);
    expect(commentIds(oldest3.body)).toEqual(ids.slice(40));
    expect(oldest3.body).not.toContain('rel="next"');

    const fragment = await reader.get(`${path}/comments?page=2`, htmx);
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toContain('<html');
    expect(fragment.body).not.toContain('<main');
    expect(commentIds(fragment.body)).toEqual(ids.slice(5, 25).reverse());
    expect(fragment.body).toContain('hx-swap-oob="true"');
    expect(fragment.body).toContain(`hx-get="${path}/comments?page=3"`);
    expect(fragment.body).toContain('20 weitere Kommentare geladen.');
    expect(fragment.body).toMatch(new RegExp(`id="comment-${ids[24]}" tabindex="-1" autofocus`));

    // Withdrawn: the slot stays with its note; hidden by moderation: gone, from cached pages too.
    const [withdrawnId, hiddenId] = [ids[24] as number, ids[23] as number];
    await t.db.update(contributions).set({ status: 'withdrawn', withdrawnAt: new Date() }).where(eq(contributions.id, withdrawnId));
    await t.db.update(contributions).set({ status: 'rejected' }).where(eq(contributions.id, hiddenId));
    await changed(t);
    const after = await reader.get(`${path}/comments?page=2`);
    expect(commentIds(after.body)).toEqual([withdrawnId, ...ids.slice(4, 23).reverse()]);
    expect(after.body).toContain('Vom Verfasser zurückgezogen');
    expect(after.body).not.toContain('Kommentar Nummer 25<');
    expect(after.body).not.toContain('Kommentar Nummer 24<');
    expect((await reader.get(`/contributions/${hiddenId}`)).statusCode).toBe(404);
    const fragmentAfter = await reader.get(`${path}/comments?page=2`, htmx);
    expect(commentIds(fragmentAfter.body)).toEqual([withdrawnId, ...ids.slice(4, 23).reverse()]);
  });

  it('a double submission with the same form token stores one comment and sends one mail', async () => {
    const guest = new Client(t.app);
    const page = await guest.get(`${demo.measurePath}/comments/new`);
    const form = { formToken: formToken(page.body), language: 'de', body: 'Doppelt geklickt', email: 'doppelt@example.org', consent: 'yes' };
    const one = await guest.post(`${demo.measurePath}/comments/new`, form);
    const two = await guest.post(`${demo.measurePath}/comments/new`, form);
    expect(one.statusCode).toBe(303);
    expect(two.statusCode).toBe(303);
    expect(two.headers.location).toBe(one.headers.location);
    expect((await rows(t)).filter((r) => r.body === 'Doppelt geklickt')).toHaveLength(1);
    expect((await outbox(t.db)).filter((m) => m.toAddress === 'doppelt@example.org')).toHaveLength(1);

    const p2 = await aliceClient.get(`${demo.measurePath}/comments/new`);
    const signed = { formToken: formToken(p2.body), language: 'de', body: 'Auch doppelt' };
    const a = await aliceClient.post(`${demo.measurePath}/comments/new`, signed);
    const b = await aliceClient.post(`${demo.measurePath}/comments/new`, signed);
    expect(b.headers.location).toBe(a.headers.location);
    expect((await rows(t)).filter((r) => r.body === 'Auch doppelt')).toHaveLength(1);
  });

  it('answers a filled honeypot like a success and stores nothing', async () => {
    const bot = new Client(t.app);
    const res = await comment(bot, demo.measurePath, { body: 'Billige Uhren', email: 'bot@example.org', consent: 'yes', website: 'http://spam.example' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/comments/check-mail');
    expect((await rows(t)).filter((r) => r.body === 'Billige Uhren')).toEqual([]);
    expect((await outbox(t.db)).filter((m) => m.toAddress === 'bot@example.org')).toEqual([]);
    const form = await bot.get(`${demo.measurePath}/comments/new`);
    expect(form.body).toMatch(/<div class="hp-field" aria-hidden="true">[\s\S]*?<input id="field-website" name="website" type="text" tabindex="-1" autocomplete="off">/);
  });

  it('refuses empty, whitespace-only, too long and unreadable text with a message, keeping the text', async () => {
    const empty = await comment(aliceClient, demo.measurePath, { body: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Bitte schreiben Sie einen Text.');
    const blank = await comment(aliceClient, demo.measurePath, { body: '   \n\t  ' });
    expect(blank.statusCode).toBe(422);
    expect(blank.body).toContain('Bitte schreiben Sie einen Text.');
    const long = 'ä'.repeat(COMMENT_MAX_LENGTH + 1);
    const tooLong = await comment(aliceClient, demo.measurePath, { body: long });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.body).toContain(`Der Text ist zu lang: 5001 Zeichen, erlaubt sind 5000.`);
    expect(textarea(tooLong.body)).toBe(long);

    // Raw bytes that are no UTF-8 at all.
    const page = await aliceClient.get(`${demo.measurePath}/comments/new`);
    const payload = Buffer.concat([
      Buffer.from(`_csrf=${encodeURIComponent(aliceClient.csrf)}&formToken=${formToken(page.body)}&language=de&body=Gr`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('e'),
    ]);
    const bad = await t.app.inject({
      method: 'POST',
      url: `${demo.measurePath}/comments/new`,
      headers: { cookie: (aliceClient as unknown as { cookieHeader(): string }).cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('nicht lesbar übertragen');
    expect(textarea(bad.body)).toMatch(/^Gr\uFFFD+e$/);
    expect((await rows(t)).filter((r) => r.body.startsWith('Gr\uFFFD'))).toEqual([]);
  });

  it('a form sent after the phase closed keeps the text and says when it closed and what comes next', async () => {
    const page = await aliceClient.get(`${demo.measurePath}/comments/new`);
    await closeDemoPhase(t.db, phaseId);
    await t.app.cacheChannel.settle();
    try {
      const res = await aliceClient.post(`${demo.measurePath}/comments/new`, { formToken: formToken(page.body), language: 'de', body: 'Zu spät geschickt' });
      expect(res.statusCode).toBe(409);
      expect(textarea(res.body)).toBe('Zu spät geschickt');
      expect(res.body).toContain('Kommentare sind gerade nicht möglich');
      expect(plain(res.body)).toMatch(/nimmt seit dem \d+\. \w+ \d{4} um [\d:]+ keine Kommentare mehr an/);
      expect((await rows(t)).filter((r) => r.body === 'Zu spät geschickt')).toEqual([]);
      // The form page says so instead of offering a form.
      const closedForm = await new Client(t.app).get(`${demo.measurePath}/comments/new`);
      expect(closedForm.body).toContain('Kommentare sind gerade nicht möglich');
      expect(closedForm.body).not.toContain('<textarea');
      // The item page no longer offers to comment.
      const item = await new Client(t.app).get(demo.measurePath);
      expect(item.body).not.toContain('>Kommentieren</a>');
      expect(item.body).not.toContain('>Antworten<');
    } finally {
      ({ phaseId } = await openDemoPhase(t.db, 'post'));
      await t.app.cacheChannel.settle();
    }
  });

  it('the author edits within 15 minutes; later the change is refused and the text kept', async () => {
    const res = await comment(aliceClient, demo.measurePath, { body: 'Mit Tippfeler' });
    const id = Number(/comment-(\d+)/.exec(res.headers.location as string)?.[1]);
    const own = await aliceClient.get(`/contributions/${id}`);
    expect(own.body).toContain('Kommentar bearbeiten');
    expect(own.body).toContain('Beitrag zurückziehen');
    expect((await new Client(t.app).get(`/contributions/${id}`)).body).not.toContain('Kommentar bearbeiten');
    const edit = await aliceClient.post(`/contributions/${id}/edit`, { body: 'Ohne Tippfehler', language: 'de' });
    expect(edit.statusCode).toBe(303);
    const item = await new Client(t.app).get(demo.measurePath);
    const block = item.body.slice(item.body.indexOf(`id="comment-${id}"`));
    expect(block).toMatch(/^[\s\S]*?bearbeitet[\s\S]*?Ohne Tippfehler/);
    expect(item.body).not.toContain('Mit Tippfeler');
    // Someone else cannot.
    const bob = new Client(t.app);
    await bob.signIn('bob@example.org');
    await bob.get(`/contributions/${id}`);
    expect((await bob.post(`/contributions/${id}/edit`, { body: 'Fremd', language: 'de' })).statusCode).toBe(404);

    await t.db.update(contributions).set({ createdAt: new Date(Date.now() - 16 * 60_000) }).where(eq(contributions.id, id));
    const late = await aliceClient.post(`/contributions/${id}/edit`, { body: 'Zu späte Änderung', language: 'de' });
    expect(late.statusCode).toBe(422);
    expect(late.body).toContain('Kommentare können nur in den ersten 15 Minuten bearbeitet werden.');
    expect(textarea(late.body)).toBe('Zu späte Änderung');
    const [row] = (await rows(t)).filter((r) => r.id === id);
    expect(row?.body).toBe('Ohne Tippfehler');
    // The edit moved the version a moderator's decision names: one made on the old text is refused.
    expect(row?.moderationVersion).toBe(1);
    expect((await aliceClient.get(`/contributions/${id}`)).body).not.toContain('Änderung speichern');
  });

  it('withdrawing keeps the slot and the replies, with a confirmation step', async () => {
    const res = await comment(aliceClient, goalPath, { body: 'Ziehe ich zurück' });
    const id = Number(/comment-(\d+)/.exec(res.headers.location as string)?.[1]);
    const bob = new Client(t.app);
    await bob.signIn('bob@example.org');
    await comment(bob, goalPath, { body: 'Antwort bleibt stehen' }, `?reply=${id}`);
    const confirm = await aliceClient.get(`/contributions/${id}/withdraw`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Ja, zurückziehen');
    const done = await aliceClient.post(`/contributions/${id}/withdraw`);
    expect(done.statusCode).toBe(303);
    const page = await new Client(t.app).get(goalPath);
    const block = page.body.slice(page.body.indexOf(`id="comment-${id}"`));
    expect(block).toMatch(/^[\s\S]*?Vom Verfasser zurückgezogen[\s\S]*?Antwort bleibt stehen/);
    expect(page.body).not.toContain('Ziehe ich zurück');
    expect((await new Client(t.app).get(`/contributions/${id}`)).body).toContain('Vom Verfasser zurückgezogen');
    // Withdrawing twice changes nothing.
    expect(await withdrawContribution({ db: t.db } as AppContext, id, { userId: aliceId })).toBe(false);
  });

  it('moderation: the public sees the redacted text; a hidden comment vanishes, its author sees why', async () => {
    const res = await comment(aliceClient, demo.measurePath, { body: 'Ruft mich an: 0351 1234567' });
    const id = Number(/comment-(\d+)/.exec(res.headers.location as string)?.[1]);
    await t.db.update(contributions).set({ redactedBody: 'Ruft mich an: [entfernt]' }).where(eq(contributions.id, id));
    await changed(t);
    const reader = new Client(t.app);
    for (const url of [demo.measurePath, `${demo.measurePath}/comments?order=oldest`, `/contributions/${id}`]) {
      const page = await reader.get(url);
      expect(page.body, url).toContain('Ruft mich an: [entfernt]');
      expect(page.body, url).not.toContain('1234567');
    }
    // Once a moderator changed it, the author can no longer edit it.
    expect((await aliceClient.get(`/contributions/${id}`)).body).not.toContain('Änderung speichern');
    expect((await aliceClient.post(`/contributions/${id}/edit`, { body: 'Ruft mich an: 0351 1234567', language: 'de' })).statusCode).toBe(409);

    await t.db.update(contributions).set({ status: 'hidden' }).where(eq(contributions.id, id));
    await changed(t);
    expect((await reader.get(demo.measurePath)).body).not.toContain('Ruft mich an');
    expect((await reader.get(`/contributions/${id}`)).statusCode).toBe(404);
    const own = await aliceClient.get(`/contributions/${id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toMatch(/<strong>Stand:<\/strong> [^<]*ausgeblendet/);
  });

  it('the contribution page: public once published, breadcrumbs back, 404 for unknown ids', async () => {
    const res = await comment(aliceClient, demo.measurePath, { body: 'Eigene Seite' });
    const id = Number(/comment-(\d+)/.exec(res.headers.location as string)?.[1]);
    const page = await new Client(t.app).get(`/contributions/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Eigene Seite');
    expect(page.body).toContain(`href="${demo.measurePath}"`);
    expect(page.body).toContain(`href="${demo.measurePath}#comment-${id}"`);
    expect((await new Client(t.app).get('/contributions/99999999')).statusCode).toBe(404);
    expect((await new Client(t.app).get('/contributions/abc')).statusCode).toBe(404);
  });

  it('comments on the consultation as a whole appear on its page', async () => {
    const res = await comment(aliceClient, base, { body: 'Zum ganzen Verfahren' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(new RegExp(`^${base}#comment-\\d+$`));
    const page = await new Client(t.app).get(base);
    expect(page.body).toContain('Zum ganzen Verfahren');
    expect(page.body).toContain(`href="${base}/comments/new"`);
    const [row] = (await rows(t)).filter((r) => r.body === 'Zum ganzen Verfahren');
    expect(row).toMatchObject({ targetKind: 'consultation', targetKey: null });
  });

  it('htmx gets the form as a fragment with its own CSRF field and form token', async () => {
    const guest = new Client(t.app);
    const res = await guest.get(`${demo.measurePath}/comments/new`, { 'hx-request': 'true', 'hx-target': 'comment-form-slot' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<html');
    expect(res.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(formToken(res.body)).toMatch(/^[\w-]{20,}$/);
    expect(res.body).toContain(`action="${demo.measurePath}/comments/new"`);
    expect(res.body).toContain('<option value="de" lang="de" selected>Deutsch</option>');
    expect(res.body).toContain('href="/privacy"');
    expect(res.body).toContain('href="/netiquette"');
    expect(res.body).toContain('maxlength="5000"');
    expect(res.body).toContain('nach 7 Tagen');
    // An English page starts with English as the text's language.
    const en = await new Client(t.app, { 'accept-language': 'en' }).get(`${demo.measurePath}/comments/new`);
    expect(en.body).toContain('<option value="en" lang="en" selected>English</option>');
  });

  it('an account with an unconfirmed address confirms by mail, like a guest', async () => {
    const id = await createUser(t.db, 'fresh@example.org', [], 'Frisch');
    await t.db.update(users).set({ emailConfirmedAt: null }).where(eq(users.id, id));
    // Signing in needs a confirmed address (or a link); the session is made directly.
    const fresh = new Client(t.app);
    (fresh as unknown as { cookies: Map<string, string> }).cookies.set(SESSION_COOKIE, t.app.signCookie(await createSession(t.db, id, 1)));
    const form = await fresh.get(`${demo.measurePath}/comments/new`);
    expect(form.body).toContain('Ihre E-Mail-Adresse ist noch nicht bestätigt.');
    expect(form.body).not.toContain('name="email"');
    const res = await fresh.post(`${demo.measurePath}/comments/new`, { formToken: formToken(form.body), language: 'de', body: 'Noch unbestätigt' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/comments/check-mail');
    const [row] = (await rows(t)).filter((r) => r.body === 'Noch unbestätigt');
    expect(row).toMatchObject({ status: 'unconfirmed', authorId: id });
    expect((await outbox(t.db)).filter((m) => m.toAddress === 'fresh@example.org' && m.template === 'contribution_confirm')).toHaveLength(1);
  });
});

describe.each(drivers)('comments: pre-moderation and rate limits [%s]', (driver) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(driver, { CONTRIBUTIONS_PER_ADDRESS_PER_HOUR: '3' });
    await openDemoPhase(t.db, 'pre');
    await createUser(t.db, 'carla@example.org', [], 'Carla');
  });
  afterAll(() => t?.close());

  it('a comment under pre-moderation waits, visible to its author only', async () => {
    const carla = new Client(t.app);
    await carla.signIn('carla@example.org');
    const res = await comment(carla, demo.measurePath, { body: 'Wartet auf Prüfung' });
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(contributions).where(eq(contributions.body, 'Wartet auf Prüfung'));
    expect(row?.status).toBe('pending');
    expect(res.headers.location).toBe(`/contributions/${row?.id}`);
    const own = await carla.get(res.headers.location as string);
    expect(own.body).toContain('wartet auf die Prüfung durch die Moderation');
    expect(own.body).toContain('href="/my/contributions"');
    expect((await new Client(t.app).get(`/contributions/${row?.id}`)).statusCode).toBe(404);
    expect((await new Client(t.app).get(demo.measurePath)).body).not.toContain('Wartet auf Prüfung');
  });

  it('too many contributions from one address get a 429 page with the text kept', async () => {
    const guest = new Client(t.app);
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 3; i++) {
      const res = await comment(guest, demo.measurePath, { body: `Versuch ${i}`, email: `viel${i}@example.org`, consent: 'yes' });
      statuses.push(res.statusCode);
      last = res.body;
    }
    // The first was made by the other test (same address): two more fit, the third does not.
    expect(statuses).toEqual([303, 303, 429]);
    expect(textarea(last)).toBe('Versuch 2');
    expect(last).toContain('Bitte warten Sie etwas');
  });
});
