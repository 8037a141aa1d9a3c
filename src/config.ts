import path from 'node:path';

/** Typed configuration, read and validated once at start-up. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  baseUrl: string;
  /** postgres:// URL; null means embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  mailWorker: boolean;
  /** Builds queued committee exports in this instance (several instances share the queue). */
  reportWorker: boolean;
  mailPollMs: number;
  reportPollMs: number;
  mailRetryBaseMs: number;
  mailMaxAttempts: number;
  sessionSecret: string | null;
  sessionDays: number;
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demoData: 'auto' | 'always' | 'never';
  authRateLimit: { max: number; windowMinutes: number };
  passwordMinLength: number;
  bodyLimitBytes: number;
  participation: {
    /** Contributions per hour from one client address (0: no limit, e.g. for the benchmark). */
    perAddressPerHour: number;
    /** Contributions per hour with one e-mail address (guests and accounts alike). */
    perEmailPerHour: number;
    /** Days after which a guest's unconfirmed contribution is deleted. */
    unconfirmedDays: number;
    attachmentMaxBytes: number;
    attachmentMaxCount: number;
  };
  moderation: {
    /** Open reports from different readers that take a published contribution down until a moderator looks (0: never). */
    reportHideThreshold: number;
    /** Hours between digests of waiting items mailed to moderators (0: no digest). */
    digestHours: number;
  };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || 'localhost';
  const baseUrl = (url(env, 'BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const sessionSecret = env.SESSION_SECRET || null;
  if (sessionSecret !== null && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters long');
  }
  const mailFrom = env.MAIL_FROM || 'Mitsprache <noreply@localhost>';
  if (!/@/.test(mailFrom)) throw new ConfigError('MAIL_FROM must contain an e-mail address');
  return {
    env: nodeEnv,
    port,
    host,
    baseUrl,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom,
    mailWorker: bool(env, 'MAIL_WORKER', true),
    reportWorker: bool(env, 'REPORT_WORKER', true),
    mailPollMs: int(env, 'MAIL_POLL_MS', 5000, 100, 3_600_000),
    reportPollMs: int(env, 'REPORT_POLL_MS', 3000, 100, 3_600_000),
    mailRetryBaseMs: int(env, 'MAIL_RETRY_BASE_MS', 30_000, 10, 3_600_000),
    mailMaxAttempts: int(env, 'MAIL_MAX_ATTEMPTS', 12, 1, 100),
    sessionSecret,
    sessionDays: int(env, 'SESSION_DAYS', 30, 1, 365),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    demoData: oneOf(env, 'DEMO_DATA', ['auto', 'always', 'never'] as const, 'auto'),
    authRateLimit: {
      max: int(env, 'AUTH_RATE_LIMIT_MAX', 10, 1, 100_000),
      windowMinutes: int(env, 'AUTH_RATE_LIMIT_WINDOW_MINUTES', 15, 1, 24 * 60),
    },
    passwordMinLength: int(env, 'PASSWORD_MIN_LENGTH', 10, 8, 128),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    participation: {
      perAddressPerHour: int(env, 'CONTRIBUTIONS_PER_ADDRESS_PER_HOUR', 30, 0, 10_000_000),
      perEmailPerHour: int(env, 'CONTRIBUTIONS_PER_EMAIL_PER_HOUR', 20, 0, 10_000_000),
      unconfirmedDays: int(env, 'UNCONFIRMED_DAYS', 7, 1, 365),
      attachmentMaxBytes: int(env, 'ATTACHMENT_MAX_BYTES', 10 * 1_048_576, 1024, 50 * 1_048_576),
      attachmentMaxCount: int(env, 'ATTACHMENT_MAX_COUNT', 5, 0, 20),
    },
    moderation: {
      reportHideThreshold: int(env, 'REPORT_HIDE_THRESHOLD', 3, 0, 1000),
      digestHours: int(env, 'MODERATION_DIGEST_HOURS', 24, 0, 24 * 30),
    },
  };
}
