import type { Locale } from '../../core/i18n.js';
import type { DbOrTx } from '../../db/index.js';
import { mailOutbox } from './schema.js';

export const mailTemplates = [
  'confirm_email',
  'already_registered',
  'magic_link',
  'password_reset',
  'password_changed',
  'account_deleted',
  // Participation: a guest confirms a contribution; the receipt of a written statement with a
  // copy; a guest's link to their contributions; an organisation representation decided.
  'contribution_confirm',
  'contribution_receipt',
  'guest_manage_link',
  'representation_decided',
  // Moderation: the author is told each decision; moderators get a digest of waiting items.
  'moderation_decision',
  'moderation_digest',
  // Consolidation: a department is asked in a round, reminded before its deadline; a contributor
  // gets the city's published answer.
  'round_assigned',
  'round_reminder',
  'consolidation_answer',
] as const;
export type MailTemplate = (typeof mailTemplates)[number];

export interface OutgoingMail {
  to: string;
  template: MailTemplate;
  locale: Locale;
  payload: Record<string, string | number | boolean | null>;
}

/** Call inside the transaction of the action that causes the mail. */
export async function enqueueMail(db: DbOrTx, mail: OutgoingMail): Promise<void> {
  await db.insert(mailOutbox).values({
    toAddress: mail.to,
    template: mail.template,
    locale: mail.locale,
    payload: mail.payload,
  });
}
