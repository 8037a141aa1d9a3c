import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('runs on a fresh machine with no variables: embedded database, port 3000, mail to files', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeNull();
    expect(config.smtpUrl).toBeNull();
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.dataDir).toMatch(/data$/);
  });

  it('follows PORT in the default base URL and strips a trailing slash from BASE_URL', () => {
    expect(loadConfig({ PORT: '8080' }).baseUrl).toBe('http://localhost:8080');
    expect(loadConfig({ BASE_URL: 'https://mitsprache.example.org/' }).baseUrl).toBe('https://mitsprache.example.org');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ BASE_URL: 'ftp://x' }, 'BASE_URL'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DEMO_DATA: 'sometimes' }, 'DEMO_DATA'],
    [{ PASSWORD_MIN_LENGTH: '4' }, 'PASSWORD_MIN_LENGTH'],
    [{ MAIL_FROM: 'nobody' }, 'MAIL_FROM'],
  ])('stops with a one-line message naming the variable for %o', (env, name) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(name)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('accepts PostgreSQL and SMTP URLs', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/x', SMTP_URL: 'smtps://u:p@mail:465' });
    expect(config.databaseUrl).toBe('postgres://u@db:5432/x');
    expect(config.smtpUrl).toBe('smtps://u:p@mail:465');
  });
});
