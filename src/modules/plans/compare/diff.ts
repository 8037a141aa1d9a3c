/**
 * Word-level differences between two texts, for showing how a measure was reworded.
 *
 * Texts are cut into tokens (words, runs of whitespace, single punctuation marks) and compared
 * with a longest common subsequence. Whitespace runs count as equal whatever they hold, so a
 * changed line break or a doubled space is no change. The result is tidied for reading: a change
 * is one deletion followed by one insertion, and a lone space between two changes becomes part of
 * both, so "a b c" → "x y z" reads as one replaced phrase rather than three.
 */

export type DiffOp = 'equal' | 'delete' | 'insert';

export interface DiffPart {
  op: DiffOp;
  text: string;
}

// Letters and digits of any script (umlauts, ß, Cyrillic, Arabic, combining marks) with inner
// hyphens and apostrophes ("Sprach-", "Deutsch-Englisch", "Dresdner’innen"); whitespace; or one
// other character (punctuation, symbols, the gender star).
const TOKEN = /[\p{L}\p{M}\p{N}]+(?:[-'’][\p{L}\p{M}\p{N}]+)*|\s+|[^\p{L}\p{M}\p{N}\s]/gu;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

const isSpace = (token: string) => /^\s+$/u.test(token);
/** What a token is compared by: all whitespace is alike. */
const identity = (token: string) => (isSpace(token) ? ' ' : token);

/** Texts that differ only in whitespace (and Unicode composition) are the same text. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Above this many cells (tokens of the changed middle, old × new) the table would take too long
 * or too much memory: 4 million cells are ~16 MB and some tens of milliseconds. A measure has a
 * few hundred tokens; texts that big are shown as replaced as a whole.
 */
export const MAX_CELLS = 4_000_000;

/**
 * The word diff of `before` → `after`. Joining the equal and deleted parts gives `before`,
 * joining the equal and inserted parts gives `after` — NFC-normalised, and with the whitespace
 * of `after` where the two differ only in whitespace.
 */
export function diffWords(before: string, after: string, maxCells = MAX_CELLS): DiffPart[] {
  const a = tokenize(before.normalize('NFC'));
  const b = tokenize(after.normalize('NFC'));

  // Interned ids make the inner loop compare numbers rather than strings.
  const ids = new Map<string, number>();
  const intern = (token: string) => {
    const key = identity(token);
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return id;
  };
  const ai = a.map(intern);
  const bi = b.map(intern);

  // Common prefix and suffix need no table.
  let start = 0;
  while (start < ai.length && start < bi.length && ai[start] === bi[start]) start++;
  let endA = ai.length;
  let endB = bi.length;
  while (endA > start && endB > start && ai[endA - 1] === bi[endB - 1]) {
    endA--;
    endB--;
  }

  const raw: DiffPart[] = [];
  // Equal tokens take the new text's form (its whitespace): the result reads as the new text.
  for (let i = 0; i < start; i++) raw.push({ op: 'equal', text: b[i] as string });
  raw.push(...middle(a, b, ai, bi, start, endA, endB, maxCells));
  for (let j = endB; j < b.length; j++) raw.push({ op: 'equal', text: b[j] as string });
  return tidy(raw);
}

function middle(a: string[], b: string[], ai: number[], bi: number[], start: number, endA: number, endB: number, maxCells: number): DiffPart[] {
  const n = endA - start;
  const m = endB - start;
  if (n === 0 && m === 0) return [];
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > maxCells) {
    return [
      ...a.slice(start, endA).map((text) => ({ op: 'delete' as const, text })),
      ...b.slice(start, endB).map((text) => ({ op: 'insert' as const, text })),
    ];
  }
  // lcs[i][j]: length of the longest common subsequence of a[start+i…] and b[start+j…].
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    const x = ai[start + i];
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        x === bi[start + j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const parts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ai[start + i] === bi[start + j]) {
      parts.push({ op: 'equal', text: b[start + j] as string });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number)) {
      parts.push({ op: 'delete', text: a[start + i] as string });
      i++;
    } else {
      parts.push({ op: 'insert', text: b[start + j] as string });
      j++;
    }
  }
  for (; i < n; i++) parts.push({ op: 'delete', text: a[start + i] as string });
  for (; j < m; j++) parts.push({ op: 'insert', text: b[start + j] as string });
  return parts;
}

/**
 * Makes the parts readable: whitespace-only equal parts between two changes join the change;
 * each run of changes becomes one deletion then one insertion; neighbours of one kind merge.
 */
function tidy(parts: DiffPart[]): DiffPart[] {
  const absorbed = parts.map((part, k) => {
    if (part.op !== 'equal' || !isSpace(part.text)) return part;
    const before = parts[k - 1];
    const after = parts[k + 1];
    return before && after && before.op !== 'equal' && after.op !== 'equal' ? { op: 'change' as const, text: part.text } : part;
  });
  const out: DiffPart[] = [];
  let deleted = '';
  let inserted = '';
  const flush = () => {
    if (deleted) out.push({ op: 'delete', text: deleted });
    if (inserted) out.push({ op: 'insert', text: inserted });
    deleted = '';
    inserted = '';
  };
  for (const part of absorbed) {
    if (part.op === 'equal') {
      flush();
      const last = out.at(-1);
      if (last?.op === 'equal') last.text += part.text;
      else out.push({ op: 'equal', text: part.text });
    } else if (part.op === 'delete') {
      deleted += part.text;
    } else if (part.op === 'insert') {
      inserted += part.text;
    } else {
      deleted += part.text;
      inserted += part.text;
    }
  }
  flush();
  return settleWhitespace(out);
}

/**
 * A change of whitespace alone (a trailing space, a line break more, a space replaced by a line
 * break) is no change. A space deleted between two words is one, though: it joins them.
 */
function settleWhitespace(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  const push = (part: DiffPart) => {
    const last = out.at(-1);
    if (last && last.op === part.op) last.text += part.text;
    else out.push({ ...part });
  };
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k] as DiffPart;
    if (part.op === 'equal') {
      push(part);
      continue;
    }
    const insert = part.op === 'delete' && parts[k + 1]?.op === 'insert' ? (parts[k + 1] as DiffPart) : part.op === 'insert' ? part : null;
    const remove = part.op === 'delete' ? part : null;
    const next = parts[k + (remove && insert ? 2 : 1)];
    if (remove && insert) k++;
    const before = out.at(-1);
    const spaced =
      !before || !next || /\s$/u.test(before.text) || /^\s/u.test(next.text);
    if (remove && insert && isSpace(remove.text) && isSpace(insert.text)) push({ op: 'equal', text: insert.text });
    else if (remove && !insert && isSpace(remove.text) && spaced) continue;
    else if (!remove && insert && isSpace(insert.text) && spaced) push({ op: 'equal', text: insert.text });
    else {
      if (remove) push(remove);
      if (insert) push(insert);
    }
  }
  return out;
}

/** What a diff says in numbers: words (not spaces or punctuation) deleted and inserted. */
export function diffStats(parts: DiffPart[]): { deleted: number; inserted: number } {
  const words = (text: string) => tokenize(text).filter((t) => /[\p{L}\p{N}]/u.test(t)).length;
  let deleted = 0;
  let inserted = 0;
  for (const p of parts) {
    if (p.op === 'delete') deleted += words(p.text);
    else if (p.op === 'insert') inserted += words(p.text);
  }
  return { deleted, inserted };
}

/** A list compared as a set, in the new order, for departments, committees and papers. */
export interface ListChange {
  kept: string[];
  added: string[];
  removed: string[];
}

export function diffList(before: readonly string[], after: readonly string[]): ListChange {
  const old = new Set(before);
  const now = new Set(after);
  return {
    kept: after.filter((x) => old.has(x)),
    added: after.filter((x) => !old.has(x)),
    removed: before.filter((x) => !now.has(x)),
  };
}

export function listChanged(change: ListChange): boolean {
  return change.added.length > 0 || change.removed.length > 0;
}
