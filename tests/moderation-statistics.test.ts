import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../src/modules/accounts/schema.js';
import { randomToken } from '../src/core/crypto.js';
import { recordAudit } from '../src/modules/audit/service.js';
import { moderationStatistics } from '../src/modules/moderation-reports/statistics.js';
import { contributionReports, type contributions } from '../src/modules/participation/schema.js';
import { insertContribution } from '../src/modules/participation/service.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

const HOUR = 3_600_000;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe.each(drivers)('moderation statistics for organisers [%s]', (driver) => {
  let t: TestApp;
  let d: { consultationId: number; phaseId: number };
  const base = Date.now() - 200 * HOUR;

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
      formToken: randomToken(),
      createdAt: new Date(base),
      ...values,
    });
    return id;
  }
  const decidedAfter = (hours: number, from = base) => new Date(from + hours * HOUR);

  beforeAll(async () => {
    t = await createTestApp(driver);
    d = await openDemoPhase(t.db, 'post');
    for (const [role, email] of [['organiser', 'stats-orga@example.org'], ['moderator', 'stats-mod@example.org'], ['department_editor', 'stats-amt@example.org'], ['admin', 'stats-admin@example.org']] as const) {
      await createUser(t.db, email, [role]);
    }
    await createUser(t.db, 'stats-person@example.org');
    // Decision times by hand: 1, 2, 3, 4 (a guest, counted from confirmation) and 10 hours.
    const c1 = await add({ status: 'published', moderatedAt: decidedAfter(1) });
    await add({ status: 'published', moderatedAt: decidedAfter(2) });
    await add({ status: 'rejected', statusReason: 'insult', moderatedAt: decidedAfter(3) });
    const confirmed = base + 5 * HOUR;
    await add({ status: 'rejected', statusReason: 'spam', guestEmail: 'gast@example.org', confirmedAt: new Date(confirmed), moderatedAt: decidedAfter(4, confirmed) });
    await add({ status: 'revision_requested', statusReason: 'personal_data', moderatedAt: decidedAfter(10) });
    await add({ status: 'pending' });
    const c7 = await add({ status: 'hidden', statusReason: 'reported' });
    await t.db.insert(contributionReports).values([
      { contributionId: c7, reason: 'insult', reporterKey: 'addr:1' },
      { contributionId: c7, reason: 'insult', reporterKey: 'addr:2' },
      { contributionId: c1, reason: 'spam', reporterKey: 'addr:3', resolvedAt: new Date() },
    ]);
    await recordAudit(t.db, { actorId: null, action: 'moderation.auto_hide', subjectType: 'contribution', subjectId: c7, reason: 'reported' });
  });
  afterAll(() => t?.close());

  it('computes the numbers a participation office asks for', async () => {
    const s = await moderationStatistics(t.db, d.consultationId);
    expect(Object.fromEntries(s.byStatus.filter((x) => x.count).map((x) => [x.status, x.count]))).toEqual({ published: 2, rejected: 2, revision_requested: 1, pending: 1, hidden: 1 });
    expect(s.total).toBe(7);
    expect(s.decided).toBe(5);
    // percentile_cont over [1, 2, 3, 4, 10]: median 3; 90th: 4 + 0.6 × (10 − 4) = 7.6.
    expect(s.medianHours).toBeCloseTo(3, 6);
    expect(s.p90Hours).toBeCloseTo(7.6, 6);
    expect(s.decisions).toEqual([
      { reason: 'insult', rejected: 1, hidden: 0, revision_requested: 0 },
      { reason: 'personal_data', rejected: 0, hidden: 0, revision_requested: 1 },
      { reason: 'reported', rejected: 0, hidden: 1, revision_requested: 0 },
      { reason: 'spam', rejected: 1, hidden: 0, revision_requested: 0 },
    ]);
    expect(s.reports).toEqual([
      { reason: 'insult', count: 2, open: 2 },
      { reason: 'spam', count: 1, open: 0 },
    ]);
    expect(s.autoHidden).toBe(1);
  });

  it('shows them as accessible tables with numbers in the reader’s format', async () => {
    const orga = new Client(t.app);
    await orga.signIn('stats-orga@example.org');
    const res = await orga.get(`/moderation/statistics?consultation=${demo.slug}`);
    expect(res.statusCode).toBe(200);
    const body = text(res.body);
    expect(res.body).toContain('<th scope="row">veröffentlicht</th><td class="num">2</td>');
    expect(res.body).toContain('<th scope="row">Zusammen</th><td class="num">7</td>');
    expect(body).toContain('Median (die Hälfte war schneller) 3,0 Std.');
    expect(body).toContain('90. Perzentil (9 von 10 waren schneller) 7,6 Std.');
    expect(body).toContain('Beleidigung, Diskriminierung oder Hetze gegen Gruppen 2 2');
    expect(body).toContain('Automatisch ausgeblendet (wegen Meldungen): 1');
    expect(body).toContain('automatisch wegen Meldungen');
    expect(res.body).toContain(`<option value="${demo.slug}" selected>`);

    await t.db.update(users).set({ locale: 'en' }).where(eq(users.email, 'stats-admin@example.org'));
    const english = new Client(t.app);
    await english.signIn('stats-admin@example.org');
    const en = text((await english.get('/moderation/statistics')).body);
    expect(en).toContain('Median (half were quicker) 3.0 h');
    expect(en).toContain('90th percentile (9 in 10 were quicker) 7.6 h');
  });

  it('is for organisers and admins only', async () => {
    for (const [email, status] of [['stats-orga@example.org', 200], ['stats-admin@example.org', 200], ['stats-mod@example.org', 403], ['stats-amt@example.org', 403], ['stats-person@example.org', 403]] as const) {
      const c = new Client(t.app);
      await c.signIn(email);
      expect((await c.get('/moderation/statistics')).statusCode, email).toBe(status);
    }
    const anonymous = await new Client(t.app).get('/moderation/statistics');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toContain('/signin?next=');
  });
});
