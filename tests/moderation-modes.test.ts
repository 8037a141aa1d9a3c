import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceChange } from '../src/core/cache.js';
import { contributions } from '../src/modules/participation/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';
import { formToken, postMultipart } from './fixtures/attachments/form.js';

const modes = ['pre', 'post'] as const;
const cases = drivers.flatMap((driver) => modes.map((mode) => [driver, mode] as const));

/**
 * The matrix: in a pre-moderated phase nothing is public before a moderator approves it (list,
 * count, open data, statement page, the contribution's own page for others); in a
 * post-moderated one it is public at once, and a hidden one vanishes from all of them.
 */
describe.each(cases)('moderation mode [%s, %s]', (driver, mode) => {
  let t: TestApp;
  let author: Client;
  const anonymous = () => new Client(t.app);
  const ids = { comment: 0, statement: 0 };
  const commentText = `Kommentar im Modus ${mode}: mehr Abendkurse`;
  const statementText = `Stellungnahme im Modus ${mode}: mehr Plätze`;
  let receipt = '';

  beforeAll(async () => {
    t = await createTestApp(driver);
    await openDemoPhase(t.db, mode);
    await createUser(t.db, 'modus-autorin@example.org', [], 'Teilnehmerin');
    author = new Client(t.app);
    await author.signIn('modus-autorin@example.org');

    const form = await author.get(`${demo.measurePath}/comments/new`);
    const comment = await author.post(`${demo.measurePath}/comments/new`, { formToken: formToken(form.body), language: 'de', body: commentText });
    expect(comment.statusCode).toBe(303);
    const statementForm = await author.get(`/consultations/${demo.slug}/statements/new`);
    const statement = await postMultipart(t.app, author, `/consultations/${demo.slug}/statements/new`, {
      formToken: formToken(statementForm.body),
      onBehalf: 'self',
      name: 'Teilnehmerin',
      title: 'Abendkurse',
      body: statementText,
      language: 'de',
      scope: 'items',
      refs: [`measure:${demo.measure}`],
      privacy: 'yes',
      publishText: 'yes',
      publishName: 'yes',
      website: '',
    });
    expect(statement.statusCode).toBe(303);
    const rows = await t.db.select().from(contributions);
    ids.comment = rows.find((r) => r.kind === 'comment')!.id;
    const s = rows.find((r) => r.kind === 'statement')!;
    ids.statement = s.id;
    receipt = s.receiptNumber!;
  });
  afterAll(() => t?.close());

  async function publicViews() {
    const [measure, csv, json, commentPage, statementPage] = await Promise.all([
      anonymous().get(demo.measurePath),
      anonymous().get(`/consultations/${demo.slug}/contributions.csv`),
      anonymous().get(`/consultations/${demo.slug}/contributions.json`),
      anonymous().get(`/contributions/${ids.comment}`),
      anonymous().get(`/consultations/${demo.slug}/statements/${receipt}`),
    ]);
    return {
      listed: measure.body.includes(commentText),
      counted: measure.body.includes('1 Kommentar'),
      statementListed: measure.body.includes(`statements/${receipt}`),
      openData: [csv.body, json.body].map((b) => b.includes(commentText) || b.includes(statementText)),
      commentPage: commentPage.statusCode,
      statementPage: statementPage.statusCode,
    };
  }

  it(mode === 'pre' ? 'keeps both waiting and shows nothing publicly before approval' : 'publishes both at once', async () => {
    const rows = await t.db.select({ status: contributions.status }).from(contributions);
    expect(rows.map((r) => r.status)).toEqual(mode === 'pre' ? ['pending', 'pending'] : ['published', 'published']);
    const views = await publicViews();
    const visible = mode === 'post';
    expect(views).toEqual({
      listed: visible,
      counted: visible,
      statementListed: visible,
      openData: [visible, visible],
      commentPage: visible ? 200 : 404,
      statementPage: visible ? 200 : 404,
    });
    // The author always sees their own contribution and where it stands.
    const own = await author.get(`/contributions/${ids.comment}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(mode === 'pre' ? 'wartet auf die Moderation' : 'veröffentlicht');
    // Only published contributions can be reported.
    expect((await anonymous().get(`/contributions/${ids.comment}/report`)).statusCode).toBe(visible ? 200 : 404);
  });

  it('takes a hidden contribution off every public view at once, leaving its author informed', async () => {
    await t.db.update(contributions).set({ status: 'published', publishedAt: new Date() });
    await announceChange(t.db, 'contributions');
    await t.app.cacheChannel.settle();
    expect(await publicViews()).toMatchObject({ listed: true, counted: true, commentPage: 200, statementPage: 200 });

    await t.db.update(contributions).set({ status: 'hidden', statusReason: 'insult' }).where(eq(contributions.kind, 'comment'));
    await t.db.update(contributions).set({ status: 'hidden', statusReason: 'insult' }).where(eq(contributions.kind, 'statement'));
    await announceChange(t.db, 'contributions');
    await t.app.cacheChannel.settle();
    expect(await publicViews()).toEqual({ listed: false, counted: false, statementListed: false, openData: [false, false], commentPage: 404, statementPage: 404 });
    const own = await author.get(`/contributions/${ids.comment}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(commentText);
  });
});
