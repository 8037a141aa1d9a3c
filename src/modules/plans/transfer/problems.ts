import type { Translate } from '../../../core/i18n.js';

/**
 * One thing wrong with an imported file. `key` is a message key (German and English in
 * messages.ts) that says what is wrong and what was expected. Parameters whose name ends in `Key`
 * are message keys themselves and are translated first, so a message can say "Maßnahme 1.1.1" or
 * "Measure 1.1.1" in the reader's language.
 */
export interface Problem {
  line: number | null;
  column?: number;
  key: string;
  params: Record<string, string | number>;
}

export function problem(line: number | null, key: string, params: Record<string, string | number> = {}, column?: number): Problem {
  return column === undefined ? { line, key, params } : { line, column, key, params };
}

/** Problems in reading order; the ones without a line (whole-file problems) first. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

export function problemText(t: Translate, p: Problem): string {
  const params: Record<string, string | number> = { ...p.params };
  for (const [name, value] of Object.entries(p.params)) {
    if (name.endsWith('Key') && typeof value === 'string') params[name.slice(0, -3)] = t(value, p.params);
  }
  return t(p.key, params);
}

/** "Zeile 12, Spalte 5" / "Line 12, column 5", or nothing for a whole-file problem. */
export function problemPlace(t: Translate, p: Problem): string {
  if (p.line === null) return '';
  return p.column === undefined
    ? t('plans.transfer.problem.line', { line: p.line })
    : t('plans.transfer.problem.lineColumn', { line: p.line, column: p.column });
}

/** How a value that is not allowed is quoted in a message: shortened, control characters named. */
export function shown(value: string, max = 60): string {
  const oneLine = value.replace(/[\u0000-\u001f\u007f]/g, (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
