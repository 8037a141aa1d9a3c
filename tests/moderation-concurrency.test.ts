import { and, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../src/modules/audit/schema.js';
import { contributions } from '../src/modules/participation/schema.js';
import { Client, createTestApp, createUser, outbox, type TestApp } from './helpers/app.js';
import { drivers } from './helpers/db.js';
import { demo, openDemoPhase } from './helpers/participation.js';

// Two requests at the same time need two database connections: PGlite has one and runs
// everything one after the other, so only PostgreSQL can show a race.
const postgres = drivers.includes('postgres');

describe.skipIf(!postgres)('two moderators at once [postgres]', () => {
  let t: TestApp;
  let consultationId: number;
  let phaseId: number;
  let authorId: string;
  const a = () => clients[0] as Client;
  const b = () => clients[1] as Client;
  const clients: Client[] = [];

  async function fresh(count: number): Promise<number[]> {
    const rows = await t.db
      .insert(contributions)
      .values(
        Array.from({ length: count }, (_, i) => ({
          consultationId,
          phaseId,
          kind: 'comment' as const,
          targetKind: 'measure' as const,
          targetKey: demo.measure,
          body: `Gleichzeitig ${i}`,
          language: 'de',
          pageLocale: 'de',
          status: 'pending' as const,
          authorId,
        })),
      )
      .returning({ id: contributions.id });
    return rows.map((r) => r.id);
  }

  async function decisions(ids: number[]) {
    return t.db
      .select({ subjectId: auditEntries.subjectId, action: auditEntries.action })
      .from(auditEntries)
      .where(and(eq(auditEntries.subjectType, 'contribution'), inArray(auditEntries.subjectId, ids.map(String)), like(auditEntries.action, 'moderation.%')));
  }

  beforeAll(async () => {
    t = await createTestApp('postgres');
    ({ consultationId, phaseId } = await openDemoPhase(t.db, 'pre'));
    authorId = await createUser(t.db, 'autor@example.org');
    for (const email of ['eins@example.org', 'zwei@example.org']) {
      await createUser(t.db, email, ['moderator'], email);
      const client = new Client(t.app);
      await client.signIn(email);
      await client.get('/moderation');
      clients.push(client);
    }
  });
  afterAll(() => t?.close());

  it('approve and reject of the same item at the same moment: exactly one wins, the other gets 409', async () => {
    const ids = await fresh(20);
    for (const id of ids) {
      const [approve, reject] = await Promise.all([
        a().post(`/moderation/contributions/${id}`, { decision: 'approve', version: '0' }),
        b().post(`/moderation/contributions/${id}`, { decision: 'reject', version: '0', rejectReason: 'spam' }),
      ]);
      expect([approve.statusCode, reject.statusCode].sort(), `item ${id}`).toEqual([303, 409]);
      const [row] = await t.db.select().from(contributions).where(eq(contributions.id, id));
      expect(row?.status).toBe(approve.statusCode === 303 ? 'published' : 'rejected');
      expect(row?.moderationVersion).toBe(1);
      const loser = approve.statusCode === 409 ? approve : reject;
      expect(loser.body).toContain('Ihre Entscheidung wurde nicht gespeichert.');
    }
    const audit = await decisions(ids);
    expect(audit).toHaveLength(ids.length);
    expect(new Set(audit.map((e) => e.subjectId)).size).toBe(ids.length);
    const mails = (await outbox(t.db)).filter((m) => m.template === 'moderation_decision');
    expect(mails).toHaveLength(ids.length);
  });

  it('a bulk approval and a single rejection racing on shared items never both decide one', async () => {
    for (let round = 0; round < 5; round++) {
      const ids = await fresh(4);
      const target = ids[round % 4] as number;
      const [bulk, single] = await Promise.all([
        a().post('/moderation/bulk', { decision: 'approve', items: ids.map((id) => `${id}:0`) }),
        b().post(`/moderation/contributions/${target}`, { decision: 'reject', version: '0', rejectReason: 'duplicate' }),
      ]);
      expect(bulk.statusCode).toBe(303);
      const location = new URL(bulk.headers.location as string, 'http://x');
      const rows = await t.db.select().from(contributions).where(inArray(contributions.id, ids));
      const byId = new Map(rows.map((r) => [r.id, r]));
      if (single.statusCode === 303) {
        expect(byId.get(target)?.status).toBe('rejected');
        expect(location.searchParams.get('done')).toBe('3');
        expect(location.searchParams.get('taken')).toBe(String(target));
      } else {
        expect(single.statusCode).toBe(409);
        expect(byId.get(target)?.status).toBe('published');
        expect(location.searchParams.get('done')).toBe('4');
      }
      for (const id of ids) if (id !== target) expect(byId.get(id)?.status).toBe('published');
      const audit = await decisions(ids);
      expect(audit).toHaveLength(4);
      expect(audit.filter((e) => e.subjectId === String(target))).toHaveLength(1);
    }
  });
});

describe.skipIf(postgres)('two moderators at once', () => {
  it.skip('needs PostgreSQL (TEST_DATABASE_URL): PGlite runs on one connection, so requests never overlap', () => {});
});
