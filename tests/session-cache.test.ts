import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { openPostgres } from '../src/db/index.js';
import { users } from '../src/modules/accounts/schema.js';
import { createSession, SessionCache } from '../src/modules/accounts/sessions.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

async function eventually(check: () => Promise<boolean>, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe.each(drivers)('session cache [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await createUser(t.db, 'admin@example.org', ['admin']);
  });
  afterAll(() => t?.close());

  async function admin(): Promise<Client> {
    const client = new Client(t.app);
    await client.signIn('admin@example.org');
    return client;
  }

  it('reads a session from the database once, then from memory', async () => {
    const userId = await createUser(t.db, 'einmal@example.org');
    const client = new Client(t.app);
    await client.signIn('einmal@example.org');
    await client.get('/account');
    expect(t.app.sessionCache.size).toBeGreaterThan(0);
    // Changed behind the app's back: the cache answers until a change is announced.
    await t.db.update(users).set({ displayName: 'Hinter dem Rücken' }).where(eq(users.id, userId));
    expect((await client.get('/account')).body).not.toContain('Hinter dem Rücken');
  });

  it('takes a revoked role away at the very next request', async () => {
    const userId = await createUser(t.db, 'organisatorin@example.org', ['organiser']);
    const organiser = new Client(t.app);
    await organiser.signIn('organisatorin@example.org');
    expect((await organiser.get('/organiser/consultations')).statusCode).toBe(200);
    expect((await organiser.get('/organiser/consultations')).statusCode).toBe(200);

    const res = await (await admin()).post(`/admin/users/${userId}/roles`, { role: 'organiser', action: 'revoke' });
    expect(res.statusCode).toBe(303);
    expect((await organiser.get('/organiser/consultations')).statusCode).toBe(403);

    await (await admin()).post(`/admin/users/${userId}/roles`, { role: 'organiser', action: 'grant' });
    expect((await organiser.get('/organiser/consultations')).statusCode).toBe(200);
  });

  it('forgets the session at sign-out, so a copied cookie is worthless at once', async () => {
    await createUser(t.db, 'abmelden@example.org');
    const client = new Client(t.app);
    await client.signIn('abmelden@example.org');
    const sid = client.cookie('sid')!;
    expect((await client.get('/account')).statusCode).toBe(200);
    await client.post('/signout');
    const replay = await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `sid=${sid}` } });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/signin?next=%2Faccount');
  });

  it('shows a changed name and language at the next request', async () => {
    await createUser(t.db, 'profil@example.org', [], 'Alter Name');
    const client = new Client(t.app);
    await client.signIn('profil@example.org');
    expect((await client.get('/account')).body).toContain('Alter Name');
    const res = await client.post('/account/profile', { displayName: 'Neuer Name', locale: 'en' });
    expect(res.statusCode).toBe(303);
    const page = await client.get('/account');
    expect(page.body).toContain('Neuer Name');
    expect(page.body).toContain('<html lang="en"');
  });

  it('does not keep what it read before a change it heard about meanwhile', async () => {
    const userId = await createUser(t.db, 'rennen@example.org');
    const token = await createSession(t.db, userId, 30);
    const cache = new SessionCache();
    const loading = cache.load(t.db, token, 30);
    cache.invalidate(`session-user:${userId}`);
    expect(await loading).not.toBeNull();
    expect(cache.size).toBe(0);
    await cache.load(t.db, token, 30);
    expect(cache.size).toBe(1);
    cache.invalidate('session-user:someone-else');
    expect(cache.size).toBe(1);
    cache.invalidate('sessions');
    expect(cache.size).toBe(0);
  });

  it('reads the session again when its time is up', async () => {
    const userId = await createUser(t.db, 'kurz@example.org', [], 'Vorher');
    const token = await createSession(t.db, userId, 30);
    let now = 1_000_000;
    const cache = new SessionCache(60_000, 10_000, () => now);
    expect((await cache.load(t.db, token, 30))?.displayName).toBe('Vorher');
    await t.db.update(users).set({ displayName: 'Nachher' }).where(eq(users.id, userId));
    now += 59_000;
    expect((await cache.load(t.db, token, 30))?.displayName).toBe('Vorher');
    now += 2_000;
    expect((await cache.load(t.db, token, 30))?.displayName).toBe('Nachher');
  });

  it.runIf(driver === 'postgres')('tells every instance, so a second one drops the session too', async () => {
    const userId = await createUser(t.db, 'zwei@example.org', ['organiser']);
    const second = await openPostgres(t.testDb.location.databaseUrl!, { max: 2 });
    const other = await buildApp({ config: t.config, database: second, logger: false });
    try {
      const here = new Client(t.app);
      await here.signIn('zwei@example.org');
      const sid = here.cookie('sid')!;
      const there = () => other.inject({ method: 'GET', url: '/organiser/consultations', headers: { cookie: `sid=${sid}` } });
      expect((await there()).statusCode).toBe(200);
      await (await admin()).post(`/admin/users/${userId}/roles`, { role: 'organiser', action: 'revoke' });
      expect(await eventually(async () => (await there()).statusCode === 403, 1000)).toBe(true);
    } finally {
      await other.close();
      await second.close();
    }
  });
});
