import type { DbOrTx } from '../../db/index.js';
import { auditEntries } from './schema.js';

export interface AuditInput {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | number;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Written in the same transaction as the change it describes. */
export async function recordAudit(db: DbOrTx, entry: AuditInput): Promise<void> {
  await db.insert(auditEntries).values({
    actorId: entry.actorId,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: String(entry.subjectId),
    reason: entry.reason ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}
