/**
 * The participation part of `npm run bench` (DESIGN §6): a measure page with 500 published
 * comments, and comment submissions as fast as they come — each one through CSRF, validation,
 * the insert and its outbox row — counted in the database afterwards, so none is lost unseen.
 */
import crypto from 'node:crypto';
import autocannon from 'autocannon';
import { and, count, eq, like } from 'drizzle-orm';
import type { Db } from './db/index.js';
import { mailOutbox } from './modules/mail/schema.js';
import { contributions } from './modules/participation/schema.js';
import { consultations, phases, planVersions } from './modules/plans/schema.js';

export const COMMENTED_MEASURE = 'm-5-3-2';
const PUBLISHED_COMMENTS = 500;
const SUBMISSION_MARK = 'Lasttest-Kommentar';

const LANGUAGES = ['de', 'de', 'de', 'en', 'ar', 'uk', 'ru', 'fa', 'tr'];
const TEXTS = [
  'Die Sprachkurse müssten auch abends und am Wochenende angeboten werden, sonst schaffen es Berufstätige nicht.',
  'Please make the forms available in English and in simple German; many of us cannot read the official letters.',
  'نحتاج إلى مزيد من أماكن رياض الأطفال في الأحياء التي يعيش فيها كثير من العائلات الجديدة.',
  'Потрібні консультації українською мовою в Jobcenter, хоча б раз на тиждень.',
  'Die Maßnahme ist gut, aber es fehlt ein Zeitplan: bis wann soll das umgesetzt sein?',
];

/**
 * An open participation phase for the bench consultation, and 500 published comments (every
 * fifth with a reply) on one of its measures, in a few multi-row inserts.
 */
export async function prepareParticipation(db: Db, slug: string): Promise<void> {
  const [consultation] = await db.select({ id: consultations.id }).from(consultations).where(eq(consultations.slug, slug));
  if (!consultation) throw new Error('bench consultation missing');
  const [existing] = await db.select({ n: count() }).from(phases).where(eq(phases.consultationId, consultation.id));
  if ((existing?.n ?? 0) > 0) return;
  const now = Date.now();
  const [phase] = await db
    .insert(phases)
    .values({
      consultationId: consultation.id,
      kind: 'draft_review',
      title: 'Online-Beteiligung (Lasttest)',
      opensAt: new Date(now - 86_400_000),
      closesAt: new Date(now + 365 * 86_400_000),
      channels: ['comment', 'statement'],
      moderationMode: 'post',
      position: 0,
    })
    .returning({ id: phases.id });
  const [version] = await db.select({ id: planVersions.id }).from(planVersions).where(eq(planVersions.consultationId, consultation.id));
  const rows = Array.from({ length: PUBLISHED_COMMENTS }, (_, i) => {
    const at = new Date(now - (PUBLISHED_COMMENTS - i) * 600_000);
    return {
      consultationId: consultation.id,
      phaseId: phase?.id,
      kind: 'comment' as const,
      targetKind: 'measure' as const,
      targetKey: COMMENTED_MEASURE,
      planVersionId: version?.id,
      body: `${TEXTS[i % TEXTS.length]} (${i + 1})`,
      language: LANGUAGES[i % LANGUAGES.length] ?? 'de',
      pageLocale: 'de',
      guestEmail: `bench-${i}@example.org`,
      status: 'published' as const,
      createdAt: at,
      confirmedAt: at,
      publishedAt: at,
    };
  });
  for (let i = 0; i < rows.length; i += 250) {
    const inserted = await db.insert(contributions).values(rows.slice(i, i + 250)).returning({ id: contributions.id, createdAt: contributions.createdAt });
    const replies = inserted
      .filter((_, j) => j % 5 === 0)
      .map((parent) => ({
        consultationId: consultation.id,
        phaseId: phase?.id,
        kind: 'comment' as const,
        targetKind: 'measure' as const,
        targetKey: COMMENTED_MEASURE,
        planVersionId: version?.id,
        parentId: parent.id,
        body: 'Dem stimme ich zu – und bitte auch in leichter Sprache.',
        language: 'de',
        pageLocale: 'de',
        status: 'published' as const,
        createdAt: new Date(parent.createdAt.getTime() + 60_000),
        publishedAt: new Date(parent.createdAt.getTime() + 60_000),
      }));
    if (replies.length) await db.insert(contributions).values(replies);
  }
}

export interface SubmissionResult {
  title: string;
  rps: number;
  p50: number;
  p99: number;
  /** Submissions the server confirmed with its redirect. */
  accepted: number;
  /** Of those, the ones whose row is not in the database: must be 0. */
  lost: number;
  /** Rows stored (may exceed `accepted` by the requests still in flight when the run stopped). */
  stored: number;
  /** Outbox rows written meanwhile: one confirmation mail per stored contribution. */
  mails: number;
  errors: number;
}

/**
 * Guests write comments on one measure as fast as 50 connections can: each request carries the
 * CSRF token of the form page and its own one-time form token and address, so each one is a new
 * contribution with its confirmation mail in the outbox. Afterwards the rows are counted.
 */
export async function benchSubmissions(db: Db, base: string, slug: string, connections: number, seconds: number): Promise<SubmissionResult> {
  const formPath = `/consultations/${slug}/measures/${COMMENTED_MEASURE}/comments/new`;
  const page = await fetch(`${base}${formPath}`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the comment form');
  const [before] = await db.select({ n: count() }).from(mailOutbox);
  const run = `${SUBMISSION_MARK} ${crypto.randomBytes(4).toString('hex')}`;
  let sequence = 0;
  const accepted = new Set<number>();
  // The load generator shares the two cores with the server: its request bodies are made before
  // the clock starts, so what is measured is the server's work, not the client's.
  const prepared = Array.from({ length: Math.max(20_000, seconds * 2_500) }, (_, i) =>
    new URLSearchParams({
      _csrf: csrf,
      body: `${run} Nr. ${i + 1}: Die Beratung sollte auch in den Stadtteilbibliotheken stattfinden.`,
      language: 'de',
      email: `gast-${i + 1}@example.org`,
      consent: 'yes',
      onBehalf: 'self',
      formToken: crypto.randomBytes(18).toString('base64url'),
      website: '',
    }).toString(),
  );
  const result = await autocannon({
    url: `${base}${formPath}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'de-DE,de;q=0.9' },
        setupRequest: (request, context) => {
          const n = ++sequence;
          (context as { n?: number }).n = n;
          return { ...request, body: prepared[n - 1] ?? '' };
        },
        onResponse: (status, _body, context) => {
          const n = (context as { n?: number }).n;
          if (status === 303 && n !== undefined) accepted.add(n);
        },
      },
    ],
  });
  // Requests still in flight when the run stopped finish on the server a moment later.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rows = await db
    .select({ body: contributions.body })
    .from(contributions)
    .where(and(eq(contributions.targetKey, COMMENTED_MEASURE), like(contributions.body, `${run}%`)));
  const stored = new Set(rows.map((r) => Number(/ Nr\. (\d+):/.exec(r.body)?.[1])));
  const [after] = await db.select({ n: count() }).from(mailOutbox);
  return {
    title: 'POST comment as a guest (CSRF, checks, insert, outbox)',
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    accepted: accepted.size,
    lost: [...accepted].filter((n) => !stored.has(n)).length,
    stored: rows.length,
    mails: (after?.n ?? 0) - (before?.n ?? 0),
    errors: result.errors + result.non2xx - (result['3xx'] ?? 0),
  };
}
