import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

describe.each(drivers)('when the database fails [%s]', (driver) => {
  let t: TestApp;
  let client: Client;
  beforeAll(async () => {
    t = await createTestApp(driver);
    client = new Client(t.app);
    await client.get('/');
    await t.testDb.database.close();
  });
  afterAll(() => t?.close());

  // The start page may be served from the page cache without the database; a consultation that
  // was never asked for must be read from it.
  it('shows the 500 page in German without a stack trace', async () => {
    const res = await client.get('/consultations/nie-angefragt');
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Ein Fehler ist aufgetreten');
    expect(res.body).toContain('Ihre Eingaben sind nicht verloren');
    expect(res.body).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+|Error:/);
  });

  it('gives htmx a fragment for its message region instead of a page', async () => {
    const res = await client.get('/consultations/auch-nie-angefragt', { 'hx-request': 'true' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['hx-retarget']).toBe('#messages');
    expect(res.body).not.toContain('<html');
    expect(res.body).toContain('Ein Fehler ist aufgetreten');
  });

  it('reports the failure on /healthz with 503', async () => {
    const res = await client.get('/healthz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'error', db: 'unavailable' });
  });
});
