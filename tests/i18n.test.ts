import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../src/app.js';
import { directionOf, locales, negotiateLocale } from '../src/core/i18n.js';

const root = path.resolve(import.meta.dirname, '..');

function filesUnder(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}

describe('message catalogue', () => {
  it('has every German text in English too, and nothing English-only', () => {
    const de = catalogue.keys('de').sort();
    const en = catalogue.keys('en').sort();
    expect(en.filter((k) => !de.includes(k))).toEqual([]);
    expect(de.filter((k) => !en.includes(k))).toEqual([]);
  });

  it('has no empty texts and the same placeholders in both languages', () => {
    const de = catalogue.translator('de');
    const en = catalogue.translator('en');
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of catalogue.keys('de')) {
      expect(de(key).trim(), key).not.toBe('');
      expect(en(key).trim(), key).not.toBe('');
      expect(placeholders(en(key)), key).toEqual(placeholders(de(key)));
    }
  });

  it('knows every literal message key used in the views and the code', () => {
    const files = [...filesUnder(path.join(root, 'views'), /\.eta$/), ...filesUnder(path.join(root, 'src'), /\.ts$/)];
    const missing: string[] = [];
    const keyPattern = /\bt\(\s*'([a-z][\w.]*\.[\w.]+)'/g;
    const errorKeyPattern = /'((?:accounts|admin|errors|plans)\.[\w]+\.[\w.]+)'/g;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of [...text.matchAll(keyPattern), ...text.matchAll(errorKeyPattern)]) {
        const key = match[1] as string;
        // Keys built at run time end with a dot and are completed by a value.
        if (key.endsWith('.')) continue;
        if (!catalogue.has('de', key)) missing.push(`${path.relative(root, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('language negotiation', () => {
  it('picks the best supported language from Accept-Language', () => {
    expect(negotiateLocale(undefined)).toBe('de');
    expect(negotiateLocale('en-US,en;q=0.9')).toBe('en');
    expect(negotiateLocale('uk;q=1, en;q=0.5, de;q=0.8')).toBe('de');
    expect(negotiateLocale('ar, fr')).toBe('de');
    expect(negotiateLocale('en;q=0')).toBe('de');
    expect(negotiateLocale(';;;,,q=')).toBe('de');
  });

  it('writes right-to-left scripts right to left', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('fa-IR')).toBe('rtl');
    for (const l of locales) expect(directionOf(l)).toBe('ltr');
  });
});
