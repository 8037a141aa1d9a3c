import { type FieldErrors, type MessageParams, ValidationError } from '../../../core/errors.js';

/** Collects field messages while a form is checked; the first message per field wins. */
export class Problems {
  readonly fields: FieldErrors = {};
  readonly params: Record<string, MessageParams> = {};

  add(field: string, key: string, params?: MessageParams): void {
    if (this.fields[field]) return;
    this.fields[field] = key;
    if (params) this.params[field] = params;
  }

  has(field: string): boolean {
    return field in this.fields;
  }

  get empty(): boolean {
    return Object.keys(this.fields).length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ValidationError(this.fields, this.params);
  }
}

// C0/C1 control characters other than tab and line breaks never belong in text.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** One line of text: trimmed, inner whitespace runs collapsed, no control characters. */
export function line(value: string): string {
  return value.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/** Multi-line text: trimmed, Windows line breaks normalised, no control characters. */
export function multiline(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
}

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const KEY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Council paper references as Dresden writes them: V1332/21, A0391/17. */
export const PAPER = /^[A-Z]{1,3}\d{4}\/\d{2}$/;

/** A URL-safe name from any text: umlauts transliterated, everything else to dashes. */
export function slugify(text: string, max = 60): string {
  const base = text
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return base.slice(0, max).replace(/-+$/, '');
}

/**
 * Council papers typed comma- or line-separated. Returns the normalised list and whatever does
 * not look like a paper reference, as typed.
 */
export function parsePapers(raw: string): { papers: string[]; invalid: string[] } {
  const papers: string[] = [];
  const invalid: string[] = [];
  for (const part of raw.split(/[,;\n\r]+/)) {
    const typed = part.trim();
    if (!typed) continue;
    const normal = typed.toUpperCase().replace(/\s+/g, '');
    if (!PAPER.test(normal)) invalid.push(typed);
    else if (!papers.includes(normal)) papers.push(normal);
  }
  return { papers, invalid };
}

/** True when a database error (possibly wrapped by drizzle) is a unique violation. */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Positive integer id from a route or form parameter, or null. */
export function parseId(value: string): number | null {
  if (!/^\d{1,9}$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}
