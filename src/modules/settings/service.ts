import { eq } from 'drizzle-orm';
import { randomToken } from '../../core/crypto.js';
import type { DbOrTx } from '../../db/index.js';
import { settings } from './schema.js';

/**
 * The secret that signs cookies and keys pseudonymised values. Taken from SESSION_SECRET when set;
 * otherwise generated once and kept in the database, so every instance on the same database
 * agrees on it without configuration.
 */
export async function resolveSecret(db: DbOrTx, configured: string | null): Promise<string> {
  if (configured) return configured;
  await db.insert(settings).values({ key: 'session_secret', value: randomToken() }).onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, 'session_secret'));
  if (!row || typeof row.value !== 'string') throw new Error('session secret missing');
  return row.value;
}
