import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../src/core/access.js';
import { type GrantableRole, grantableRoles } from '../src/modules/accounts/schema.js';
import { Client, createTestApp, createUser, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';

type Who = 'anonymous' | 'participant' | GrantableRole;
const everyone: Who[] = ['anonymous', 'participant', ...grantableRoles];

function allowed(access: Access, who: Who): boolean {
  if (access === 'public') return true;
  if (who === 'anonymous') return false;
  if (access === 'signedIn') return true;
  return who !== 'participant' && access.includes(who);
}

describe.each(drivers)('role matrix on every privileged route [%s]', (driver) => {
  let t: TestApp;
  const clients = new Map<Who, Client>();
  let targetUserId = '';

  beforeAll(async () => {
    t = await createTestApp(driver);
    targetUserId = await createUser(t.db, 'target@example.org');
    for (const who of everyone) {
      const client = new Client(t.app);
      if (who !== 'anonymous') {
        await createUser(t.db, `${who}@example.org`, who === 'participant' ? [] : [who]);
        await client.signIn(`${who}@example.org`);
      }
      await client.get('/');
      clients.set(who, client);
    }
  });
  afterAll(() => t?.close());

  it('knows a rule for every route, and some routes are privileged', () => {
    const privileged = t.app.accessRules.filter((r) => r.access !== 'public');
    expect(privileged.length).toBeGreaterThanOrEqual(8);
    expect(privileged.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['GET /admin/users', 'POST /admin/users/:id/roles', 'GET /account', 'POST /account/delete']),
    );
  });

  it('answers each privileged route for each role as its rule says', async () => {
    const rules = t.app.accessRules.filter((r) => r.access !== 'public');
    const failures: string[] = [];
    for (const rule of rules) {
      const url = rule.url.replace(':id', targetUserId);
      for (const who of everyone) {
        const client = clients.get(who)!;
        // Deleting an account would sign the client out for the remaining checks; use a
        // wrong password so an allowed request stops at validation (422) instead.
        const form: Record<string, string> = rule.url === '/account/delete' ? { password: 'wrong password!', confirmation: 'no' } : {};
        const res = rule.method === 'GET' ? await client.get(url) : await client.post(url, form);
        const ok = allowed(rule.access, who);
        let expected: string;
        let pass: boolean;
        if (ok) {
          expected = 'not 401/403 and not a redirect to sign-in';
          pass = res.statusCode !== 401 && res.statusCode !== 403 && !String(res.headers.location ?? '').startsWith('/signin');
        } else if (who === 'anonymous') {
          expected = rule.method === 'GET' ? '303 to /signin' : '401';
          pass = rule.method === 'GET' ? res.statusCode === 303 && String(res.headers.location).startsWith('/signin?next=') : res.statusCode === 401;
        } else {
          expected = '403';
          pass = res.statusCode === 403;
        }
        if (!pass) failures.push(`${rule.method} ${rule.url} as ${who}: got ${res.statusCode}, expected ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses a privileged change without a CSRF token even for an admin', async () => {
    const admin = clients.get('admin')!;
    const res = await t.app.inject({
      method: 'POST',
      url: `/admin/users/${targetUserId}/roles`,
      headers: { cookie: `sid=${admin.cookie('sid')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'role=moderator&action=grant',
    });
    expect(res.statusCode).toBe(403);
    const page = await admin.get(`/admin/users/${targetUserId}`);
    expect(page.body).toContain('Moderation</strong>: hat diese Rolle nicht');
  });
});
