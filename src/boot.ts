import fs from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type Database, openDatabase } from './db/index.js';

/** Reads the configuration or stops with one line naming the bad variable. */
export function configOrExit(): Config {
  // A .env file in the working directory is read if present; real environment variables win.
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * PGlite does not lock its data directory, and two processes on one directory corrupt it, so a
 * lock file with the owner's pid guards it.
 */
function lockDataDir(config: Config): () => void {
  if (config.databaseUrl) return () => {};
  const lockFile = path.join(config.dataDir, 'pglite.lock');
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        console.error(`The embedded database in ${config.dataDir} is in use by process ${pid}. Stop it first, or set DATA_DIR.`);
        process.exit(1);
      } catch {
        // The owner is gone; the lock is stale.
      }
    }
  } catch {
    // No lock file.
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => fs.rmSync(lockFile, { force: true });
}

export async function openAndMigrate(config: Config): Promise<{ database: Database; unlock: () => void }> {
  const unlock = lockDataDir(config);
  const database = await openDatabase(config);
  await database.migrate();
  return { database, unlock };
}
