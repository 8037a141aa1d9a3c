export const locales = ['de', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'de';

/** A module's messages: one flat key → text map per locale. German is the reference. */
export type Messages = Record<Locale, Record<string, string>>;

// Scripts written right to left; listed now so adding Arabic or Persian needs only a catalogue.
export const rtlLanguages: ReadonlySet<string> = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ku']);

export function directionOf(locale: string): 'ltr' | 'rtl' {
  return rtlLanguages.has(locale.split('-')[0] ?? '') ? 'rtl' : 'ltr';
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

export class Catalogue {
  private readonly maps: Record<Locale, Map<string, string>>;

  constructor(parts: Messages[]) {
    this.maps = { de: new Map(), en: new Map() };
    for (const part of parts) {
      for (const locale of locales) {
        for (const [key, text] of Object.entries(part[locale])) {
          if (this.maps[locale].has(key)) throw new Error(`Duplicate message key ${key} (${locale})`);
          this.maps[locale].set(key, text);
        }
      }
    }
  }

  keys(locale: Locale): string[] {
    return [...this.maps[locale].keys()];
  }

  has(locale: Locale, key: string): boolean {
    return this.maps[locale].has(key);
  }

  translator(locale: Locale): Translate {
    const map = this.maps[locale];
    const fallback = this.maps[defaultLocale];
    return (key, params) => {
      const text = map.get(key) ?? fallback.get(key);
      if (text === undefined) throw new Error(`Missing message key ${key}`);
      if (!params) return text;
      return text.replace(/\{(\w+)\}/g, (match, name: string) =>
        params[name] === undefined ? match : String(params[name]),
      );
    };
  }
}

/** Picks the best supported locale from an Accept-Language header. */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return defaultLocale;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.find((p) => p.trim().startsWith('q='));
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.split('=')[1]) || 0 : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const entry of ranked) if (isLocale(entry.lang)) return entry.lang;
  return defaultLocale;
}
