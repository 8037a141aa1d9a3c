import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GrantableRole, Role } from '../modules/accounts/schema.js';

/**
 * Who may use a route. Every route declares one (see `requireAccessDeclared`), so the role matrix
 * test can enumerate every privileged route that exists.
 */
export type Access = 'public' | 'signedIn' | readonly GrantableRole[];

export interface CurrentUser {
  id: string;
  email: string;
  displayName: string | null;
  locale: string;
  emailConfirmed: boolean;
  hasPassword: boolean;
  roles: ReadonlySet<Role>;
  departmentIds: readonly number[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function hasAnyRole(user: CurrentUser | null, roles: readonly GrantableRole[]): boolean {
  return user !== null && roles.some((role) => user.roles.has(role));
}

export type AccessOutcome = 'allow' | 'signin' | 'forbidden';

export function checkAccess(access: Access | undefined, user: CurrentUser | null): AccessOutcome {
  if (access === undefined || access === 'public') return 'allow';
  if (user === null) return 'signin';
  if (access === 'signedIn') return 'allow';
  return hasAnyRole(user, access) ? 'allow' : 'forbidden';
}

/** Routes that the framework adds on its own (static files, HEAD twins) count as public. */
export function isFrameworkRoute(url: string, method: string | string[]): boolean {
  return method === 'HEAD' || url.startsWith('/assets/');
}

export function signInUrl(req: FastifyRequest): string {
  const next = req.url.startsWith('/') && !req.url.startsWith('//') ? req.url : '/';
  return `/signin?next=${encodeURIComponent(next)}`;
}

export type { FastifyReply };
