import { buildApp } from './app.js';
import { configOrExit, openAndMigrate } from './boot.js';
import { purgeExpiredSessions } from './modules/accounts/sessions.js';
import { type DemoAccount, isEmpty, loadDemo } from './modules/demo/load.js';
import { purgeExpiredRateLimits } from './modules/ratelimit/store.js';
import { purgeExpiredTokens } from './modules/accounts/service.js';
import { purgeGuestData } from './modules/participation/guests/service.js';
import { runModerationDigest } from './modules/moderation-reports/digest.js';
import { ReportJobProcess } from './modules/consolidation/exports/job-process.js';
import { sendRoundReminders } from './modules/consolidation/rounds/service.js';

const started = performance.now();
const config = configOrExit();
const { database, unlock } = await openAndMigrate(config);

let demo: DemoAccount[] | null = null;
const wantsDemo = config.demoData === 'always' || (config.demoData === 'auto' && database.driver === 'pglite');
if (wantsDemo && (config.demoData === 'always' || (await isEmpty(database.db)))) demo = await loadDemo(database.db, { live: true });

const app = await buildApp({ config, database });
if (config.mailWorker) app.mailWorker.start();
// Exports are built in a process of their own on a PostgreSQL server (job-process.ts), in the
// server with the embedded database, which only this process can open.
const reportProcess = config.reportWorker && database.driver === 'postgres' ? new ReportJobProcess(app.log) : null;
if (reportProcess) reportProcess.start(app.reportWorker);
else if (config.reportWorker) app.reportWorker.start();

const housekeeping = setInterval(() => {
  Promise.all([purgeExpiredSessions(database.db), purgeExpiredTokens(database.db), purgeExpiredRateLimits(database.db), purgeGuestData(app.ctx), runModerationDigest(app.ctx), sendRoundReminders(app.ctx)]).catch((err: Error) =>
    app.log.warn({ err: { message: err.message } }, 'housekeeping failed'),
  );
}, 15 * 60_000);
housekeeping.unref();

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  clearInterval(housekeeping);
  await reportProcess?.stop();
  await app.close();
  await database.close();
  unlock();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.port, host: config.host });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const rss = Math.round(process.memoryUsage().rss / 1_048_576);
const where = database.driver === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
console.log(`\nMitsprache is running at ${config.baseUrl} (${where}; ready in ${seconds} s, ${rss} MB RSS)`);
console.log(config.smtpUrl ? 'Mail goes out through SMTP_URL.' : `Mail is written to ${config.dataDir}/mail as .eml files (set SMTP_URL to send).`);
if (demo) {
  console.log('\nDemo accounts (role, e-mail, password):');
  for (const a of demo) console.log(`  ${a.role.padEnd(28)} ${a.email.padEnd(28)} ${a.password}`);
}
console.log('');
