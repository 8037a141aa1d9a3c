/** Readers for the HTML the app answers with, as a person reads it. */

/** The page's text without tags, entities decoded, white space folded. */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The optimistic-lock version a form carries in its hidden `version` field (-1: none). */
export function formVersion(html: string): number {
  return Number(/name="version" value="(\d+)"/.exec(html)?.[1] ?? -1);
}
