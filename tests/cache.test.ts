import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { PageCache } from '../src/core/cache.js';
import { openPostgres } from '../src/db/index.js';
import { loadDemo } from '../src/modules/demo/load.js';
import { measures } from '../src/modules/plans/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

const page = '/consultations/aktionsplan-integration-2022-2026';
const original = 'Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule';

async function eventually(check: () => Promise<boolean>, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('page cache', () => {
  it('does not store content rendered before a change it did not see', () => {
    const cache = new PageCache();
    const started = cache.begin(['plans']);
    cache.invalidate('plans');
    cache.set('k', { title: 't', body: 'stale', tags: ['plans'] }, started);
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', { title: 't', body: 'fresh', tags: ['plans'] }, cache.begin(['plans']));
    expect(cache.get('k')?.body).toBe('fresh');
  });

  it('drops entries whose time is up and evicts the least recently used', () => {
    const cache = new PageCache(2);
    cache.set('old', { title: '', body: '', tags: [], expires: Date.now() - 1 }, []);
    expect(cache.get('old')).toBeUndefined();
    cache.set('a', { title: '', body: 'a', tags: [] }, []);
    cache.set('b', { title: '', body: 'b', tags: [] }, []);
    cache.get('a');
    cache.set('c', { title: '', body: 'c', tags: [] }, []);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.body).toBe('a');
  });
});

describe.each(drivers)('cached plan pages [%s]', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(driver);
    await loadDemo(t.db);
    await createUser(t.db, 'reader@example.org');
  });
  afterAll(() => t?.close());

  it('serves the same content to everyone but frames it per person', async () => {
    const anonymous = new Client(t.app);
    const first = await anonymous.get(page);
    expect(first.body).toContain(original);
    expect(t.app.cacheChannel.cache.size).toBeGreaterThan(0);

    const reader = new Client(t.app);
    await reader.signIn('reader@example.org');
    const framed = await reader.get(page);
    expect(framed.body).toContain(original);
    expect(framed.body).toContain('Abmelden');
    expect(framed.body).not.toContain('href="/register"');
    // The signed-in page carries its reader's own CSRF token; the anonymous one none at all.
    expect(framed.body).toContain(`name="csrf-token" content="${reader.csrf}"`);
    expect(reader.csrf).not.toBe('');
    expect(first.body).not.toContain('csrf-token');
    expect(first.body).not.toContain('name="_csrf"');
    expect(first.headers['set-cookie']).toBeUndefined();
  });

  it('keeps languages apart', async () => {
    const german = await new Client(t.app).get(page);
    const english = await new Client(t.app, { 'accept-language': 'en' }).get(page);
    expect(german.body).toContain('Leitziele');
    expect(english.body).toContain('Strategic goals');
    expect(english.body).not.toContain('Leitziele');
  });

  it('shows a change made anywhere in the database without waiting', async () => {
    const client = new Client(t.app);
    expect((await client.get(page)).body).toContain(original);
    await t.db.update(measures).set({ text: `${original} (geändert)` }).where(eq(measures.text, original));
    expect(await eventually(async () => (await client.get(page)).body.includes(`${original} (geändert)`), 1000)).toBe(true);
    await t.db.update(measures).set({ text: original }).where(eq(measures.text, `${original} (geändert)`));
  });

  it.runIf(driver === 'postgres')('tells every instance on the database, so a second instance drops its copy too', async () => {
    const url = t.testDb.location.databaseUrl!;
    const second = await openPostgres(url, { max: 2 });
    const other = await buildApp({ config: t.config, database: second, logger: false });
    try {
      const a = new Client(t.app);
      const b = new Client(other);
      expect((await a.get(page)).body).toContain(original);
      expect((await b.get(page)).body).toContain(original);
      const writer = await openPostgres(url, { max: 1 });
      await writer.db.update(measures).set({ text: 'Neu formuliert' }).where(eq(measures.text, original));
      await writer.close();
      expect(await eventually(async () => (await b.get(page)).body.includes('Neu formuliert'), 1000)).toBe(true);
      expect(await eventually(async () => (await a.get(page)).body.includes('Neu formuliert'), 1000)).toBe(true);
    } finally {
      await t.db.update(measures).set({ text: original }).where(eq(measures.text, 'Neu formuliert'));
      await other.close();
      await second.close();
    }
  });
});
