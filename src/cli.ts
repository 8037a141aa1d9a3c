import { eq } from 'drizzle-orm';
import { configOrExit, openAndMigrate } from './boot.js';
import { issueToken } from './modules/accounts/service.js';
import { userRoles, users } from './modules/accounts/schema.js';
import { checkEmail, normaliseEmail } from './modules/accounts/validation.js';
import { recordAudit } from './modules/audit/service.js';
import { loadDemo } from './modules/demo/load.js';
import { CliError, exportUsage, runExport } from './modules/consolidation/exports/cli.js';

const usage = `Usage: npm run cli -- <command>

Commands:
  admin:create <email>   Create an administrator (or make an existing account one) and print a
                         one-time link to set the password (valid 24 hours).
  demo:load              Load the demo consultation and demo accounts (skips what exists).
  migrate                Apply database migrations.
${exportUsage}
`;

const [command, ...args] = process.argv.slice(2);
if (!command || command === 'help' || command === '--help') {
  console.log(usage);
  process.exit(command ? 0 : 1);
}

const config = configOrExit();
const { database, unlock } = await openAndMigrate(config);
let exitCode = 0;
try {
  switch (command) {
    case 'migrate':
      console.log('Migrations applied.');
      break;
    case 'demo:load': {
      const accounts = await loadDemo(database.db, { live: true });
      console.log('Demo data loaded. Accounts (role, e-mail, password):');
      for (const a of accounts) console.log(`  ${a.role.padEnd(28)} ${a.email.padEnd(28)} ${a.password}`);
      break;
    }
    case 'admin:create': {
      const email = normaliseEmail(args[0] ?? '');
      const errors: Record<string, string> = {};
      checkEmail(email, errors);
      if (errors.email) {
        console.error('Please give a valid e-mail address: npm run cli -- admin:create name@example.org');
        exitCode = 1;
        break;
      }
      const link = await database.db.transaction(async (tx) => {
        await tx.insert(users).values({ email, emailConfirmedAt: new Date(), displayName: 'Administration' }).onConflictDoNothing();
        const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
        if (!user) throw new Error('user not found after insert');
        await tx.update(users).set({ emailConfirmedAt: new Date() }).where(eq(users.id, user.id));
        const granted = await tx.insert(userRoles).values({ userId: user.id, role: 'admin' }).onConflictDoNothing().returning();
        if (granted.length) await recordAudit(tx, { actorId: null, action: 'role.granted', subjectType: 'user', subjectId: user.id, after: { role: 'admin' }, reason: 'cli admin:create' });
        const token = await issueToken(tx, user.id, 'password_reset', 24 * 60);
        return `${config.baseUrl}/password/reset?token=${encodeURIComponent(token)}`;
      });
      console.log(`${email} is an administrator. Set the password within 24 hours at:\n${link}`);
      break;
    }
    case 'export': {
      const { catalogue } = await import('./app.js');
      const locale = args.includes('--locale') && args[args.indexOf('--locale') + 1] === 'en' ? 'en' : 'de';
      try {
        const result = await runExport(database.db, args, catalogue.translator(locale));
        console.log(`${result.file}\n${result.size} bytes, ${result.rows} units\nSHA-512 ${result.sha512}`);
        if (result.uaRefused) console.log(`(PDF/UA-1 was refused, the file is a tagged PDF: ${result.uaRefused})`);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        console.error(error.message);
        exitCode = 1;
      }
      break;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${usage}`);
      exitCode = 1;
  }
} finally {
  await database.close();
  unlock();
}
process.exit(exitCode);
