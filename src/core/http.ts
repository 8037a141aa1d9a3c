import type { FastifyReply, FastifyRequest } from 'fastify';

export function isHtmx(req: FastifyRequest): boolean {
  return req.headers['hx-request'] === 'true';
}

/** A boosted navigation (hx-boost) gets the page without <head>; htmx swaps it into <body>. */
export function isBoosted(req: FastifyRequest): boolean {
  return (
    isHtmx(req) && req.headers['hx-boosted'] === 'true' && req.headers['hx-history-restore-request'] !== 'true'
  );
}

/**
 * Redirect after a state change (POST/Redirect/GET). Plain forms get a 303; htmx follows the
 * redirect itself, so it gets the same 303 and swaps the page it lands on.
 */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/** Only local paths are accepted as "next" targets, so sign-in cannot redirect off-site. */
export function safeNext(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string') return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}

// PostgreSQL text cannot hold NUL (the query fails); no browser sends it in a form or a URL.
const NUL = /\u0000/g;

/** Reads one string field of a urlencoded body; arrays and other types count as absent. */
export function field(body: unknown, name: string): string {
  if (body === null || typeof body !== 'object') return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.replace(NUL, '') : '';
}

export function fieldList(body: unknown, name: string): string[] {
  if (body === null || typeof body !== 'object') return [];
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === 'string') return [value.replace(NUL, '')];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((v) => v.replace(NUL, ''));
  return [];
}
