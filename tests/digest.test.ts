import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { randomToken } from '../src/core/crypto.js';
import { createEta } from '../src/core/web.js';
import { userRoles, users } from '../src/modules/accounts/schema.js';
import { mailOutbox } from '../src/modules/mail/schema.js';
import { renderMail } from '../src/modules/mail/worker.js';
import { runModerationDigest } from '../src/modules/moderation-reports/digest.js';
import { contributionReports, contributions } from '../src/modules/participation/schema.js';
import { insertContribution } from '../src/modules/participation/service.js';
import { createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

const HOUR = 3_600_000;

describe.each(drivers)('the moderators’ digest [%s]', (driver) => {
  let t: TestApp;
  let d: { consultationId: number; phaseId: number };
  let moderators = 0;
  const digests = async () => (await t.db.select().from(mailOutbox).where(eq(mailOutbox.template, 'moderation_digest'))).sort((a, b) => a.id - b.id);

  async function add(values: Partial<typeof contributions.$inferInsert>) {
    const { id } = await insertContribution(t.db, {
      consultationId: d.consultationId,
      phaseId: d.phaseId,
      kind: 'comment',
      targetKind: 'measure',
      targetKey: demo.measure,
      body: 'Text',
      language: 'de',
      pageLocale: 'de',
      status: 'pending',
      guestEmail: 'gast@example.org',
      formToken: randomToken(),
      ...values,
    });
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp(driver, { MODERATION_DIGEST_HOURS: '24' });
    d = await openDemoPhase(t.db, 'pre');
    // The demo brings a moderator account of its own; these two are the ones this test follows.
    await t.db.delete(mailOutbox);
    await createUser(t.db, 'moderatorin@example.org', ['moderator'], 'Moderatorin');
    const en = await createUser(t.db, 'moderator-en@example.org', ['moderator'], 'Moderator');
    await t.db.update(users).set({ locale: 'en' }).where(eq(users.id, en));
    await createUser(t.db, 'organisatorin@example.org', ['organiser'], 'Organisatorin');
    const gone = await createUser(t.db, 'weg@example.org', ['moderator'], 'Weg');
    await t.db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, gone));
    // Every active moderator gets the digest: the two above and the demo's own.
    const active = await t.db
      .select({ id: users.id })
      .from(userRoles)
      .innerJoin(users, eq(users.id, userRoles.userId))
      .where(and(eq(userRoles.role, 'moderator'), isNull(users.deletedAt)));
    moderators = active.length;
    expect(moderators).toBeGreaterThanOrEqual(2);
  });
  afterAll(() => t?.close());

  it('sends nothing when nothing waits', async () => {
    await t.db.delete(contributions);
    expect(await runModerationDigest(t.app.ctx)).toBe(0);
    expect(await digests()).toHaveLength(0);
  });

  it('mails each moderator once per period, even when two instances run it at the same moment', async () => {
    const now = new Date();
    await add({ createdAt: new Date(now.getTime() - 40 * HOUR), confirmedAt: new Date(now.getTime() - 30 * HOUR) });
    await add({ createdAt: new Date(now.getTime() - 2 * HOUR) });
    const reported = await add({ status: 'published', publishedAt: new Date() });
    await t.db.insert(contributionReports).values([
      { contributionId: reported, reason: 'insult', reporterKey: 'addr:a' },
      { contributionId: reported, reason: 'spam', reporterKey: 'addr:b' },
    ]);
    // Published with only a settled report: not waiting.
    const settled = await add({ status: 'published', publishedAt: new Date() });
    await t.db.insert(contributionReports).values({ contributionId: settled, reason: 'spam', reporterKey: 'addr:c', resolvedAt: new Date() });

    const [a, b] = await Promise.all([runModerationDigest(t.app.ctx, now), runModerationDigest(t.app.ctx, now)]);
    expect([a, b].sort()).toEqual([0, moderators]);
    const mails = await digests();
    expect(mails.map((m) => m.toAddress).filter((x) => x !== 'moderation@example.org').sort()).toEqual(['moderator-en@example.org', 'moderatorin@example.org']);
    expect(new Set(mails.map((m) => m.toAddress)).size).toBe(mails.length);
    const german = mails.find((m) => m.toAddress === 'moderatorin@example.org')!;
    expect(german.locale).toBe('de');
    expect(german.payload).toMatchObject({ total: 3, reported: 1, hours: 24, url: 'http://localhost:3000/moderation' });
    expect(Number(german.payload.oldestSeconds)).toBeGreaterThanOrEqual(30 * 3600 - 5);
    expect(Number(german.payload.oldestSeconds)).toBeLessThan(31 * 3600);
    expect(mails.find((m) => m.toAddress === 'moderator-en@example.org')!.locale).toBe('en');

    const eta = createEta(false);
    const de = renderMail(eta, catalogue, t.config, 'moderation_digest', 'de', german.payload);
    expect(de.subject).toBe('Moderation: 3 Beiträge warten');
    expect(de.text).toContain('In der Moderation warten gerade 3 Beiträge auf eine Entscheidung, davon 1 gemeldete.');
    expect(de.text).toContain('Der älteste wartet seit 30 Stunden.');
    expect(de.text).toMatch(/- .+: 3 wartend, davon 1 gemeldet/);
    expect(de.text).toContain('http://localhost:3000/moderation');
    expect(de.html).toContain('href="http://localhost:3000/moderation"');
    const en = renderMail(eta, catalogue, t.config, 'moderation_digest', 'en', german.payload);
    expect(en.subject).toBe('Moderation: 3 contributions waiting');
    expect(en.text).toContain('The oldest has been waiting for 30 hours.');

    // Within the period: nothing more. A period later: the next digest.
    expect(await runModerationDigest(t.app.ctx, new Date(now.getTime() + 23 * HOUR))).toBe(0);
    expect(await digests()).toHaveLength(mails.length);
    expect(await runModerationDigest(t.app.ctx, new Date(now.getTime() + 24 * HOUR))).toBe(moderators);
    expect(await digests()).toHaveLength(2 * mails.length);
  });

  it('sends none when the digest is switched off', async () => {
    const off = { ...t.app.ctx, config: { ...t.config, moderation: { ...t.config.moderation, digestHours: 0 } } };
    expect(await runModerationDigest(off, new Date(Date.now() + 100 * HOUR))).toBe(0);
  });
});
