import type { Messages } from '../../../core/i18n.js';

export const messages: Messages = {
  de: {
    'documents.titlePage.version': 'Fassung: {label} ({status})',
    'documents.titlePage.published': 'Veröffentlicht am {date}',
    'documents.titlePage.started': 'Stand der Bearbeitung, begonnen am {date}',
    'documents.page': 'Seite',
    'documents.errors.noPlan': 'Zu diesem Verfahren ist noch keine Fassung des Plans veröffentlicht.',
    'documents.errors.versionNotFound': 'Diese Fassung gibt es nicht oder sie ist nicht veröffentlicht.',
    'documents.errors.busy': 'Es werden gerade viele Dokumente erzeugt. Bitte versuchen Sie es in einer Minute noch einmal.',
  },
  en: {
    'documents.titlePage.version': 'Version: {label} ({status})',
    'documents.titlePage.published': 'Published on {date}',
    'documents.titlePage.started': 'Work in progress, started on {date}',
    'documents.page': 'Page',
    'documents.errors.noPlan': 'No version of the plan has been published for this consultation yet.',
    'documents.errors.versionNotFound': 'This version does not exist or is not published.',
    'documents.errors.busy': 'Many documents are being generated right now. Please try again in a minute.',
  },
};
