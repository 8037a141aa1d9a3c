import fs from 'node:fs/promises';
import path from 'node:path';
import type { Eta } from 'eta';
import type { FastifyBaseLogger } from 'fastify';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { and, asc, eq, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { Poller } from '../../core/poller.js';
import { type Catalogue, directionOf, isLocale } from '../../core/i18n.js';
import type { Db } from '../../db/index.js';
import { mailOutbox } from './schema.js';

const BATCH = 20;
const CLAIM_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** Paired HTML and text templates under views/mail, subject from the catalogue. */
export function renderMail(eta: Eta, catalogue: Catalogue, config: Config, template: string, locale: string, payload: Record<string, unknown>): RenderedMail {
  const lang = isLocale(locale) ? locale : 'de';
  const t = catalogue.translator(lang);
  const data = { ...payload, t, locale: lang, dir: directionOf(lang), baseUrl: config.baseUrl, siteName: t('site.name') };
  return {
    subject: t(`mail.${template}.subject`, payload as Record<string, string>),
    html: eta.render(`/mail/${template}.html.eta`, data),
    text: eta.render(`/mail/${template}.txt.eta`, data),
  };
}

/** SMTP when SMTP_URL is set; otherwise .eml files in DATA_DIR/mail, so nothing is lost. */
export function createTransport(config: Config): Transporter {
  if (config.smtpUrl) return nodemailer.createTransport(config.smtpUrl);
  const dir = path.join(config.dataDir, 'mail');
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async sendMail(options: SendMailOptions) {
      const info = await stream.sendMail(options);
      await fs.mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(options.messageId ?? info.messageId).replace(/[^\w.-]/g, '')}.eml`;
      await fs.writeFile(path.join(dir, name), info.message as Buffer);
      return info;
    },
    close() {},
  } as unknown as Transporter;
}

// SMTP errors often quote the recipient; the error is stored and logged, the address must not be.
function redact(message: string): string {
  return message.replace(/[^\s<>"']+@[^\s<>"']+/g, '[address]').slice(0, 1000);
}

export class MailWorker {
  private readonly poller: Poller;

  constructor(
    private readonly db: Db,
    private readonly transport: Transporter,
    private readonly render: (template: string, locale: string, payload: Record<string, unknown>) => RenderedMail,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
  ) {
    this.poller = new Poller(() => this.runOnce(), config.mailPollMs, (err) => log.error({ err: { message: redact(err.message) } }, 'mail worker failed'));
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Called after a transaction that queued mail committed, so it goes out without waiting. */
  nudge(): void {
    this.poller.nudge();
  }

  /** Sends what is due; returns how many mails were sent. Safe to run on several instances. */
  async runOnce(): Promise<number> {
    const now = new Date();
    const claimed = await this.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(mailOutbox)
        .where(
          and(
            eq(mailOutbox.status, 'pending'),
            lte(mailOutbox.nextAttemptAt, now),
            or(isNull(mailOutbox.lockedUntil), lt(mailOutbox.lockedUntil, now)),
          ),
        )
        .orderBy(asc(mailOutbox.id))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      if (rows.length > 0) {
        await tx
          .update(mailOutbox)
          .set({ lockedUntil: new Date(now.getTime() + CLAIM_MS) })
          .where(inArray(mailOutbox.id, rows.map((r) => r.id)));
      }
      return rows;
    });

    let sent = 0;
    for (const row of claimed) {
      try {
        const mail = this.render(row.template, row.locale, row.payload);
        await this.transport.sendMail({
          from: this.config.mailFrom,
          to: row.toAddress,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          headers: { 'Content-Language': row.locale },
        });
        await this.db
          .update(mailOutbox)
          .set({ status: 'sent', sentAt: new Date(), attempts: row.attempts + 1, lockedUntil: null, lastError: null })
          .where(eq(mailOutbox.id, row.id));
        sent++;
        this.log.info({ mailId: row.id, template: row.template }, 'mail sent');
      } catch (error) {
        const attempts = row.attempts + 1;
        const failed = attempts >= this.config.mailMaxAttempts;
        const backoff = Math.min(MAX_BACKOFF_MS, this.config.mailRetryBaseMs * 2 ** (attempts - 1));
        const message = redact(error instanceof Error ? error.message : String(error));
        await this.db
          .update(mailOutbox)
          .set({
            attempts,
            status: failed ? 'failed' : 'pending',
            lastError: message,
            lockedUntil: null,
            nextAttemptAt: new Date(Date.now() + backoff),
          })
          .where(eq(mailOutbox.id, row.id));
        this.log.warn({ mailId: row.id, template: row.template, attempts, error: message }, failed ? 'mail given up' : 'mail will be retried');
      }
    }
    return sent;
  }
}
