import { type Problem, problem } from './problems.js';

/** Largest file or pasted text accepted: a real 11-field plan is about 100 KB in either format. */
export const MAX_BYTES = 2 * 1024 * 1024;

export type Decoded = { ok: true; text: string } | { ok: false; problem: Problem };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// File signatures people upload by mistake, so the message can say what the file is.
const signatures: Array<{ bytes: number[]; kind: string }> = [
  { bytes: [0x25, 0x50, 0x44, 0x46], kind: 'pdf' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], kind: 'office' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], kind: 'office' },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], kind: 'rtf' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], kind: 'image' },
  { bytes: [0xff, 0xd8, 0xff], kind: 'image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], kind: 'image' },
];

function startsWith(data: Uint8Array, bytes: number[]): boolean {
  return data.length >= bytes.length && bytes.every((b, i) => data[i] === b);
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

// The upload is cut off just past the limit, so its real size is unknown: only the limit is named.
function tooLarge(): Decoded {
  return { ok: false, problem: problem(null, 'plans.transfer.problem.file.tooLarge', { max: formatBytes(MAX_BYTES) }) };
}

/** Offset of the first byte that is not valid UTF-8 (overlong forms and surrogates included). */
export function firstInvalidUtf8(data: Uint8Array): number {
  let i = 0;
  while (i < data.length) {
    const b = data[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const c = data[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function lineAt(data: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (data[i] === 0x0a) line++;
  return line;
}

/** An uploaded file as text: UTF-8 only, with a clear message for anything else. */
export function decodeUpload(data: Uint8Array): Decoded {
  if (data.length > MAX_BYTES) return tooLarge();
  if (startsWith(data, [0xff, 0xfe]) || startsWith(data, [0xfe, 0xff])) {
    return { ok: false, problem: problem(null, 'plans.transfer.problem.file.utf16') };
  }
  for (const s of signatures) {
    if (startsWith(data, s.bytes)) {
      return { ok: false, problem: problem(null, 'plans.transfer.problem.file.binary', { kindKey: `plans.transfer.binary.${s.kind}` }) };
    }
  }
  // Text files do not contain NUL; UTF-16 without a byte order mark and most binaries do.
  if (data.includes(0)) {
    return { ok: false, problem: problem(null, 'plans.transfer.problem.file.binary', { kindKey: 'plans.transfer.binary.other' }) };
  }
  let text: string;
  try {
    text = strictUtf8.decode(data);
  } catch {
    const offset = Math.max(0, firstInvalidUtf8(data));
    const byte = `0x${(data[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
    return { ok: false, problem: problem(lineAt(data, offset), 'plans.transfer.problem.file.notUtf8', { byte }) };
  }
  return checkText(text);
}

/** Pasted text (a form field, already a string) gets the same checks as a file's content. */
export function checkText(input: string): Decoded {
  const size = Buffer.byteLength(input, 'utf8');
  if (size > MAX_BYTES) return tooLarge();
  const text = (input.charCodeAt(0) === 0xfeff ? input.slice(1) : input).replace(/\r\n?/g, '\n');
  if (text.trim() === '') return { ok: false, problem: problem(null, 'plans.transfer.problem.file.empty') };
  if (text.includes('\u0000')) {
    return { ok: false, problem: problem(null, 'plans.transfer.problem.file.binary', { kindKey: 'plans.transfer.binary.other' }) };
  }
  return { ok: true, text };
}

export type Format = 'json' | 'markdown';

/** JSON starts with `{`; everything else is read as the Markdown outline. */
export function detectFormat(text: string): Format {
  return text.trimStart().startsWith('{') ? 'json' : 'markdown';
}
