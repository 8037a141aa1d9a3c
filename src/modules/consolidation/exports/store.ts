import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/index.js';
import { committeeReportPieces } from '../schema.js';

/**
 * Bytes per stored piece: about what the server holds of a file while storing it. Small enough
 * that a piece's text on its way to the database (base64, a third larger) stays below V8's
 * large-object size (128 KiB): such strings are freed by the next minor collection, where larger
 * ones wait for a full one and, 200 of them for a 50 MB PDF stored while it is being made, raised
 * the server's memory by tens of MB. A 50 MB file is some 800 inserts (a fraction of a second).
 * Migration 0006 cut the files stored before it into pieces of 256 KiB; the download reads
 * pieces of any size.
 */
export const PIECE_BYTES = 64 * 1024;

/**
 * Writes an export's file into committee_report_piece as it comes: bytes are gathered into one
 * piece-sized buffer, and each full piece is inserted as a row of its own (its own statement, no
 * transaction around the whole file), hashed and counted on the way. So the server holds about
 * one piece however large the file is, the file may be appended while it is still being made,
 * and nothing already written is copied again. The first write removes the pieces an earlier
 * attempt at the same report left. The report row's status says when the file is complete: set
 * it to done only after finish().
 *
 * One call at a time: await each append before the next.
 */
export class ReportFileStore {
  private hash = createHash('sha512');
  private readonly piece: Buffer;
  private filled = 0;
  private position = 0;
  private size = 0;
  private cleared = false;
  private closed = false;
  private aborted = false;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: DbOrTx,
    private readonly reportId: number,
    private readonly pieceBytes = PIECE_BYTES,
  ) {
    this.piece = Buffer.allocUnsafe(pieceBytes);
  }

  /** Appends bytes of any length (the caller may reuse its buffer once this resolves). */
  append(bytes: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      for (let at = 0; at < bytes.length; ) {
        const n = Math.min(this.pieceBytes - this.filled, bytes.length - at);
        this.took(bytes.subarray(at, at + n));
        this.piece.set(bytes.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
        if (this.filled === this.pieceBytes) await this.flush();
      }
    });
  }

  /**
   * Appends bytes `from` … `to` (exclusive; the end of the file if left out) of a file, read
   * straight into the piece buffer. The file may still be growing past `to`: only bytes before it
   * are read, and they must be final.
   */
  appendFile(file: string, from = 0, to?: number): Promise<void> {
    return this.exclusive(async () => {
      const handle = await fs.open(file, 'r');
      try {
        const end = to ?? (await handle.stat()).size;
        for (let at = from; at < end; ) {
          const { bytesRead } = await handle.read(this.piece, this.filled, Math.min(this.pieceBytes - this.filled, end - at), at);
          if (bytesRead === 0) throw new Error(`file ends at byte ${at}, before ${end}`);
          this.took(this.piece.subarray(this.filled, this.filled + bytesRead));
          this.filled += bytesRead;
          at += bytesRead;
          if (this.filled === this.pieceBytes) await this.flush();
        }
      } finally {
        await handle.close();
      }
    });
  }

  /** Writes the last, partial piece; the size and SHA-512 of everything appended. */
  finish(): Promise<{ size: number; sha512: string }> {
    return this.exclusive(async () => {
      await this.flush();
      this.closed = true;
      return { size: this.size, sha512: this.hash.digest('hex') };
    });
  }

  /** Starts the file again from its first byte (a long PDF given up half-way, made whole instead). */
  restart(): Promise<void> {
    return this.exclusive(async () => {
      await this.db.delete(committeeReportPieces).where(eq(committeeReportPieces.reportId, this.reportId));
      this.cleared = true;
      this.hash = createHash('sha512');
      this.filled = 0;
      this.position = 0;
      this.size = 0;
    });
  }

  /** Removes what was written so far; an append in progress stops at its next piece. */
  async abort(): Promise<void> {
    this.closed = true;
    this.aborted = true;
    await this.running?.catch(() => {});
    await this.db.delete(committeeReportPieces).where(eq(committeeReportPieces.reportId, this.reportId));
  }

  private took(bytes: Uint8Array): void {
    this.hash.update(bytes);
    this.size += bytes.length;
  }

  /** Inserts the buffered bytes as the next piece; before the first, clears an earlier attempt's. */
  private async flush(): Promise<void> {
    if (this.aborted) throw new Error(`file of report ${this.reportId} aborted`);
    if (!this.cleared) {
      await this.db.delete(committeeReportPieces).where(eq(committeeReportPieces.reportId, this.reportId));
      this.cleared = true;
    }
    if (this.filled === 0) return;
    // Sent as base64 text for the server to decode: a third larger than the bytes, where both
    // drivers send a bytea parameter as hex, twice as large, which PGlite even builds byte by
    // byte in JavaScript (measured: a quarter less time on PostgreSQL, a fifth of it on PGlite).
    // Not for reading: PostgreSQL's encode() to base64 is far slower than its hex output.
    const bytes = sql`decode(${this.piece.toString('base64', 0, this.filled)}, 'base64')`;
    await this.db.insert(committeeReportPieces).values({ reportId: this.reportId, position: this.position, bytes });
    this.position++;
    this.filled = 0;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`file of report ${this.reportId} already finished or aborted`));
    if (this.running) return Promise.reject(new Error(`file of report ${this.reportId}: one call at a time`));
    const running = work().finally(() => {
      this.running = null;
    });
    this.running = running;
    return running;
  }
}
