import type { Messages } from '../../../core/i18n.js';

/** Open data: the download links on a consultation's page (docs/open-data.md). */
export const messages: Messages = {
  de: {
    'opendata.title': 'Offene Daten',
    'opendata.text': 'Alle veröffentlichten Beiträge dieses Verfahrens zum Herunterladen, unter der Lizenz CC BY 4.0. E-Mail-Adressen sind nie enthalten, Namen nur mit Einwilligung.',
    'opendata.csv': 'Beiträge als CSV (Tabelle)',
    'opendata.json': 'Beiträge als JSON',
  },
  en: {
    'opendata.title': 'Open data',
    'opendata.text': 'All published contributions of this consultation to download, under the CC BY 4.0 licence. E-mail addresses are never included, names only with consent.',
    'opendata.csv': 'Contributions as CSV (spreadsheet)',
    'opendata.json': 'Contributions as JSON',
  },
};
