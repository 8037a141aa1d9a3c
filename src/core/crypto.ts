import crypto from 'node:crypto';

/** 256 bits of randomness, URL-safe: for session ids and mailed tokens. */
export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Tokens are stored as SHA-256: they are random, so a slow hash adds nothing. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

/** Keyed hash for values we must count but should not store, such as IP addresses. */
export function pseudonymise(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(value).digest('base64url').slice(0, 32);
}
