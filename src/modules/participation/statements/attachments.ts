/**
 * Files attached to written statements: what they are is read from their content (magic bytes,
 * a ZIP's entry names), never from the name or the type the browser sent, so a text file named
 * "statement.pdf" is refused and a PDF named "scan.bin" is accepted as a PDF.
 */
import { createHash } from 'node:crypto';
import type { FieldErrors, MessageParams } from '../../../core/errors.js';

export type MediaType =
  | 'application/pdf'
  | 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
  | 'application/vnd.oasis.opendocument.text'
  | 'image/png'
  | 'image/jpeg'
  | 'image/gif'
  | 'image/webp';

/** What the form accepts, as a hint for the browser's file picker (the server checks content). */
export const ACCEPT = '.pdf,.docx,.odt,.png,.jpg,.jpeg,.gif,.webp,application/pdf,image/png,image/jpeg,image/gif,image/webp';

/** Extensions that match each detected type, so a download's name says what it is. */
const EXTENSIONS: Record<MediaType, string[]> = {
  'application/pdf': ['pdf'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
};

const startsWith = (data: Buffer, bytes: number[] | string, offset = 0) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return data.length >= offset + b.length && data.subarray(offset, offset + b.length).equals(b);
};

/**
 * The names of a ZIP archive's entries, read from its central directory (found through the
 * end-of-central-directory record at the end of the file). Null when it is no readable ZIP.
 */
export function zipEntryNames(data: Buffer): string[] | null {
  // The end record is 22 bytes plus a comment of at most 65,535 bytes.
  const from = Math.max(0, data.length - 22 - 0xffff);
  let end = -1;
  for (let i = data.length - 22; i >= from; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== 0x02014b50) return null;
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    if (offset + 46 + nameLength > data.length) return null;
    names.push(data.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** The type of a file by its content, or null when it is none we accept. */
export function sniffMediaType(data: Buffer): MediaType | null {
  if (startsWith(data, '%PDF-')) return 'application/pdf';
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(data, 'GIF87a') || startsWith(data, 'GIF89a')) return 'image/gif';
  if (startsWith(data, 'RIFF') && startsWith(data, 'WEBP', 8)) return 'image/webp';
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) {
    // ODF: the first entry is an uncompressed "mimetype" file holding the document type.
    const nameLength = data.length >= 30 ? data.readUInt16LE(26) : 0;
    const extraLength = data.length >= 30 ? data.readUInt16LE(28) : 0;
    if (nameLength === 8 && data.toString('latin1', 30, 38) === 'mimetype') {
      const content = data.toString('latin1', 38 + extraLength, 38 + extraLength + 60);
      if (content.startsWith('application/vnd.oasis.opendocument.text')) return 'application/vnd.oasis.opendocument.text';
      return null;
    }
    const names = zipEntryNames(data);
    if (names?.includes('[Content_Types].xml') && names.some((n) => n.startsWith('word/'))) {
      return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    }
  }
  return null;
}

// Control characters, bidi overrides and path or shell-special characters never belong in a name.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069/\\:*?"<>|]/g;

/**
 * A file name safe to store and to send back: no folders, no control or direction characters,
 * no leading dots, at most 120 characters; letters of every script are kept. The extension is
 * the detected type's, so "scan.bin" that is a PDF becomes "scan.pdf".
 */
export function safeFileName(raw: string, mediaType: MediaType): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  let name = base.normalize('NFC').replace(UNSAFE, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  const allowed = EXTENSIONS[mediaType];
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  let stem = dot > 0 ? name.slice(0, dot) : name;
  stem = [...stem].slice(0, 110).join('').trim().replace(/[.\s]+$/, '');
  if (stem === '') stem = 'anhang';
  name = `${stem}.${allowed.includes(ext) ? ext : allowed[0]}`;
  return name;
}

/** A file part of a multipart form, as app.ts attaches it to the body. */
export interface UploadedPart {
  filename: string;
  data: Buffer;
  /** Read past the route's limit and dropped (app.ts): counted, never stored. */
  dropped?: boolean;
}

/** The file parts under `name` (one or many); an input left empty sends a nameless empty part. */
export function uploadedParts(body: unknown, name: string): UploadedPart[] {
  if (body === null || typeof body !== 'object') return [];
  const raw = (body as Record<string, unknown>)[name];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const parts: UploadedPart[] = [];
  for (const item of list) {
    if (item === null || typeof item !== 'object') continue;
    const { filename, data, dropped } = item as { filename?: unknown; data?: unknown; dropped?: unknown };
    if (!Buffer.isBuffer(data)) continue;
    const fileName = typeof filename === 'string' ? filename : '';
    if (fileName === '' && data.length === 0) continue;
    parts.push({ filename: fileName, data, dropped: dropped === true });
  }
  return parts;
}

export interface CheckedAttachment {
  fileName: string;
  mediaType: MediaType;
  size: number;
  sha256: string;
  data: Buffer;
}

export function formatBytes(bytes: number, locale: string): string {
  const mb = bytes / 1_048_576;
  if (mb >= 1) return `${new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'de-DE', { maximumFractionDigits: 1 }).format(mb)} MB`;
  return `${new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'de-DE', { maximumFractionDigits: 0 }).format(Math.ceil(bytes / 1024))} KB`;
}

/**
 * Checks the uploaded files against the limits and by content. Problems go to `errors[name]`
 * (the first one; the message names the file); returns the files that would be stored.
 */
export function checkAttachments(
  parts: UploadedPart[],
  limits: { maxBytes: number; maxCount: number },
  locale: string,
  errors: FieldErrors,
  params: Record<string, MessageParams>,
  name = 'attachments',
): CheckedAttachment[] {
  if (parts.length > limits.maxCount) {
    errors[name] = limits.maxCount === 0 ? 'participation.statements.errors.noAttachments' : 'participation.statements.errors.tooManyFiles';
    params[name] = { max: limits.maxCount, count: parts.length };
    return [];
  }
  const checked: CheckedAttachment[] = [];
  for (const part of parts) {
    const shown = part.filename.split(/[/\\]/).pop()?.replace(UNSAFE, '').slice(0, 120) || '?';
    if (part.data.length === 0) {
      errors[name] = 'participation.statements.errors.emptyFile';
      params[name] = { file: shown };
      return [];
    }
    if (part.data.length > limits.maxBytes) {
      errors[name] = 'participation.statements.errors.fileTooLarge';
      params[name] = { file: shown, max: formatBytes(limits.maxBytes, locale) };
      return [];
    }
    const mediaType = sniffMediaType(part.data);
    if (!mediaType) {
      errors[name] = 'participation.statements.errors.fileType';
      params[name] = { file: shown };
      return [];
    }
    checked.push({
      fileName: safeFileName(part.filename, mediaType),
      mediaType,
      size: part.data.length,
      sha256: createHash('sha256').update(part.data).digest('hex'),
      data: part.data,
    });
  }
  return checked;
}

/** `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266/5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\%]/g, '') || 'attachment';
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
