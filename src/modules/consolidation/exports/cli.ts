import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Translate } from '../../../core/i18n.js';
import type { Db } from '../../../db/index.js';
import { recordAudit } from '../../audit/service.js';
import { committees } from '../../departments/schema.js';
import { consultationBySlug, syncResponses } from '../service.js';
import { buildReportModel, reportFileName, resolveScope, type Scope, scopeProgress } from './model.js';
import type { ReportFormatName } from './report.js';
import { renderReport } from './render-worker.js';
import { sha512 } from './service.js';

export const exportUsage = `  export <slug> --format docx|pdf|xlsx|csv [--committee <slug>] [--field <key>] [--named]
         [--draft] [--locale de|en] [--out <file>]
                         Write the Abwägungstabelle of a consultation (or of one committee or
                         field of action) to a file, as the organisers' export page makes it;
                         prints path, size and SHA-512. Anonymised unless --named; a final
                         version is refused while units are not approved (use --draft).`;

export class CliError extends Error {}

interface Options {
  slug: string;
  format: ReportFormatName;
  committee: string | null;
  field: string | null;
  named: boolean;
  draft: boolean;
  locale: 'de' | 'en';
  out: string | null;
}

export function parseExportArgs(args: string[]): Options {
  const [slug, ...rest] = args;
  if (!slug || slug.startsWith('--')) throw new CliError('Please name the consultation: npm run cli -- export <slug> --format pdf');
  const options: Options = { slug, format: 'pdf', committee: null, field: null, named: false, draft: false, locale: 'de', out: null };
  let format: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new CliError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--format') format = value();
    else if (arg === '--committee') options.committee = value();
    else if (arg === '--field') options.field = value();
    else if (arg === '--named') options.named = true;
    else if (arg === '--draft') options.draft = true;
    else if (arg === '--locale') {
      const locale = value();
      if (locale !== 'de' && locale !== 'en') throw new CliError('--locale must be de or en');
      options.locale = locale;
    } else if (arg === '--out') options.out = value();
    else throw new CliError(`Unknown option ${arg}`);
  }
  if (format !== 'docx' && format !== 'pdf' && format !== 'xlsx' && format !== 'csv') throw new CliError('--format must be docx, pdf, xlsx or csv');
  options.format = format;
  if (options.committee && options.field) throw new CliError('Give either --committee or --field, not both');
  return options;
}

/** Builds and writes the file; returns what was written. */
export async function runExport(db: Db, args: string[], t: Translate): Promise<{ file: string; size: number; sha512: string; rows: number; uaRefused: string | null }> {
  const o = parseExportArgs(args);
  const consultation = await consultationBySlug(db, o.slug).catch(() => {
    throw new CliError(`No consultation with the slug "${o.slug}"`);
  });
  let scope: Scope = { kind: 'consultation' };
  if (o.committee) {
    const [c] = await db.select({ id: committees.id }).from(committees).where(eq(committees.slug, o.committee));
    if (!c) throw new CliError(`No committee with the slug "${o.committee}"`);
    scope = { kind: 'committee', committeeId: c.id };
  } else if (o.field) scope = { kind: 'field', fieldKey: o.field };
  const resolved = await resolveScope(db, consultation.id, scope, t).catch(() => {
    throw new CliError(`No field of action "${o.field}" in the newest plan version`);
  });
  await syncResponses(db, consultation.id);
  const progress = await scopeProgress(db, consultation.id, resolved.filter);
  if (!o.draft && progress.unapproved > 0) throw new CliError(`${progress.unapproved} units in this scope are not approved yet: a final version is refused (add --draft for a draft).`);
  const variant = o.named ? 'named' : 'anonymised';
  await recordAudit(db, { actorId: null, action: 'consolidation.report.request', subjectType: 'consultation', subjectId: consultation.id, reason: 'cli export', after: { ...o, out: undefined } });
  if (o.named) await recordAudit(db, { actorId: null, action: 'consolidation.report.named', subjectType: 'consultation', subjectId: consultation.id, reason: 'cli export', after: { ...o, out: undefined } });
  const model = await buildReportModel(db, { consultationId: consultation.id, scope, variant, draft: o.draft, locale: o.locale }, t);
  const { bytes, uaRefused } = await renderReport(o.format, model);
  const file = path.resolve(o.out ?? reportFileName(consultation.slug, resolved.slugPart, o.named, o.draft, o.format, t));
  fs.writeFileSync(file, bytes);
  return { file, size: bytes.length, sha512: sha512(bytes), rows: model.rowCount, uaRefused };
}
