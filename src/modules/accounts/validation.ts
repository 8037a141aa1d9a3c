import type { FieldErrors } from '../../core/errors.js';

// Deliberately permissive: one @, something before it, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// C0/C1 control characters and unpaired surrogates never belong in a name.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function checkEmail(email: string, errors: FieldErrors, name = 'email'): void {
  if (email === '') errors[name] = 'accounts.errors.emailRequired';
  else if (email.length > 254 || !EMAIL.test(email)) errors[name] = 'accounts.errors.emailInvalid';
}

export function checkPassword(password: string, minLength: number, errors: FieldErrors, name = 'password'): void {
  if (password === '') errors[name] = 'accounts.errors.passwordRequired';
  else if ([...password].length < minLength) errors[name] = 'accounts.errors.passwordTooShort';
  // argon2 accepts any length; a cap keeps one request from costing minutes.
  else if (password.length > 500) errors[name] = 'accounts.errors.passwordTooLong';
}

export function checkDisplayName(displayName: string, errors: FieldErrors, name = 'displayName'): void {
  const length = [...displayName].length;
  if (displayName === '') errors[name] = 'accounts.errors.displayNameRequired';
  else if (length < 2 || length > 60) errors[name] = 'accounts.errors.displayNameLength';
  else if (CONTROL.test(displayName) || !displayName.isWellFormed()) errors[name] = 'accounts.errors.displayNameInvalid';
}
