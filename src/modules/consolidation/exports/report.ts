/**
 * The Abwägungstabelle as plain data: every text already translated, formatted and anonymised
 * (model.ts builds it from the database), so the four renderers only lay it out and the model can
 * be handed to the render process as it is. Nothing in here may name a private person unless the
 * variant is `named`.
 */

/** A text in the language it was written in (contributions): renderers set language and direction. */
export interface Span {
  text: string;
  lang: string;
}

export interface ReportRow {
  /** Receipt number, else the running number in the table. */
  number: string;
  received: string;
  channel: string;
  submitter: string;
  /** Only in the named variant: e-mail address and postal details. */
  contact: string;
  text: Span;
  /** "Ukrainisch": the language the contribution is written in, as a label. */
  language: string;
  translation: string | null;
  /** "und 3 gleichlautende Beiträge (Nr. …)", "Abschnitt 2 der Stellungnahme …". */
  note: string | null;
  answer: string;
  verdict: string;
  change: string;
  field: string;
  goal: string;
  measure: string;
}

/** A heading (field, goal, measure or a section of its own) and the rows right under it. */
export interface ReportBlock {
  level: 1 | 2 | 3;
  heading: string;
  /** The plan item's text under the heading (goal or measure), in German. */
  text: string;
  rows: ReportRow[];
}

export interface CoverCount {
  label: string;
  count: number;
}

export interface ReportModel {
  /** BCP 47: de-DE or en-GB. */
  language: string;
  lang: string;
  region: string;
  /** German, the language plan texts and answers are written in (marked in an English document). */
  contentLang: string;
  documentTitle: string;
  title: string;
  subtitle: string;
  scopeLabel: string;
  draft: boolean;
  named: boolean;
  /** "ENTWURF" / "DRAFT". */
  watermark: string;
  author: string;
  keywords: string[];
  date: { year: number; month: number; day: number };
  footer: string;
  /** Label: value lines on the cover (paper reference, scope, plan version, date, state). */
  coverLines: Array<{ label: string; value: string }>;
  channels: CoverCount[];
  submitters: CoverCount[];
  phases: Array<{ title: string; dates: string; description: string }>;
  /** How the participation was run, one paragraph each. */
  method: string[];
  labels: {
    cover: string;
    channels: string;
    submitters: string;
    phases: string;
    method: string;
    table: string;
    page: string;
    of: string;
    draftNote: string;
    namedNote: string;
    translation: string;
    empty: string;
    total: string;
    sheet: string;
    coverSheet: string;
    state: string;
    stateDraft: string;
    stateFinal: string;
    /** "(Fortsetzung)" after a field's heading repeated where a long PDF's part starts. */
    continued: string;
    columns: {
      number: string;
      received: string;
      channel: string;
      submitter: string;
      contact: string;
      field: string;
      goal: string;
      measure: string;
      text: string;
      language: string;
      translation: string;
      answer: string;
      verdict: string;
      change: string;
    };
  };
  blocks: ReportBlock[];
  rowCount: number;
}

export type ReportFormatName = 'docx' | 'pdf' | 'xlsx' | 'csv';

export const MEDIA_TYPES: Record<ReportFormatName, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};
