import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { asc } from 'drizzle-orm';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/index.js';
import { hashPassword } from '../../src/modules/accounts/passwords.js';
import { type GrantableRole, userRoles, users } from '../../src/modules/accounts/schema.js';
import { mailOutbox } from '../../src/modules/mail/schema.js';
import { createTestDatabase, type Driver, type TestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  testDb: TestDatabase;
  close(): Promise<void>;
}

/** The real app on a fresh database; `env` overrides configuration like environment variables. */
export async function createTestApp(driver: Driver, env: Record<string, string> = {}): Promise<TestApp> {
  const testDb = await createTestDatabase(driver);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: testDb.location.dataDir,
    BASE_URL: 'http://localhost:3000',
    MAIL_WORKER: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp({ config, database: testDb.database, logger: false });
  await app.ready();
  return {
    app,
    db: testDb.database.db,
    config,
    testDb,
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
}

/** Counts the statements the app sends to the database while `fn` runs. */
export async function queriesDuring(db: Db, fn: () => Promise<unknown>): Promise<number> {
  const session = (db as unknown as { session: { logger: { logQuery(query: string, params: unknown[]): void } } }).session;
  const original = session.logger;
  let count = 0;
  session.logger = { logQuery: () => void count++ };
  try {
    await fn();
  } finally {
    session.logger = original;
  }
  return count;
}

export const TEST_PASSWORD = 'correct horse battery';

/** A confirmed account with the given roles, created directly in the database. */
export async function createUser(db: Db, email: string, roles: GrantableRole[] = [], displayName = 'Test Person'): Promise<string> {
  const [user] = await db
    .insert(users)
    .values({ email, passwordHash: await hashPassword(TEST_PASSWORD), displayName, emailConfirmedAt: new Date() })
    .returning({ id: users.id });
  if (!user) throw new Error('no user');
  for (const role of roles) await db.insert(userRoles).values({ userId: user.id, role });
  return user.id;
}

export async function outbox(db: Db) {
  return db.select().from(mailOutbox).orderBy(asc(mailOutbox.id));
}

/** The last mailed link to `path` for `to`, read from the outbox payload. */
export async function lastLink(db: Db, to: string, path: string): Promise<string> {
  const rows = (await outbox(db)).filter((r) => r.toAddress === to);
  for (const row of rows.reverse()) {
    const url = Object.values(row.payload).find((v) => typeof v === 'string' && v.includes(`${path}?token=`));
    if (typeof url === 'string') return url.replace(/^https?:\/\/[^/]+/, '');
  }
  throw new Error(`no mail with a ${path} link to ${to}`);
}

/**
 * A browser-like client over app.inject: keeps cookies, and sends the CSRF token of the last page
 * it saw with every form, as a browser submitting the page's form would.
 */
export class Client {
  private cookies = new Map<string, string>();
  csrf = '';
  last: LightMyRequestResponse | null = null;

  constructor(
    private readonly app: FastifyInstance,
    private readonly headers: Record<string, string> = {},
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    // Signed-in pages carry the token in a meta element; forms anonymous readers submit carry
    // their own hidden field (the cached anonymous page around them carries none).
    const token = /name="csrf-token" content="([^"]+)"/.exec(res.body)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (token) this.csrf = token;
    this.last = res;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { ...this.headers, cookie: this.cookieHeader(), ...headers } });
    this.remember(res);
    return res;
  }

  /** Posts a urlencoded form. Loads a page with a form first if no CSRF token is known yet. */
  async post(url: string, form: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    if (!this.csrf) await this.get('/signin');
    const body = new URLSearchParams();
    body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { ...this.headers, cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: body.toString(),
    });
    this.remember(res);
    return res;
  }

  async signIn(email: string, password = TEST_PASSWORD): Promise<LightMyRequestResponse> {
    await this.get('/signin');
    const res = await this.post('/signin', { email, password });
    if (res.statusCode !== 303) throw new Error(`sign-in failed with ${res.statusCode}`);
    return res;
  }
}
