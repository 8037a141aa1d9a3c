import type { Messages } from '../../core/i18n.js';

/** Texts shared by every way of taking part (comments, statements, organisations). */
export const messages: Messages = {
  de: {
    'participation.errors.textRequired': 'Bitte schreiben Sie einen Text.',
    'participation.errors.textTooLong': 'Der Text ist zu lang: {length} Zeichen, erlaubt sind {max}.',
    'participation.errors.textEncoding':
      'Der Text enthält Zeichen, die nicht lesbar übertragen wurden (�). Bitte prüfen Sie die markierten Stellen und ersetzen Sie sie.',
    'participation.errors.textControl': 'Der Text enthält unsichtbare Steuerzeichen. Bitte kopieren Sie ihn ohne Formatierung hinein.',
    'participation.errors.language': 'Bitte wählen Sie die Sprache Ihres Textes aus der Liste.',
    'participation.errors.emailRequired': 'Bitte geben Sie Ihre E-Mail-Adresse an. Wir schicken Ihnen einen Link zur Bestätigung.',
    'participation.errors.emailInvalid': 'Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.',
    'participation.errors.phaseClosed': 'Diese Beteiligungsphase nimmt keine Beiträge mehr an.',
  },
  en: {
    'participation.errors.textRequired': 'Please write a text.',
    'participation.errors.textTooLong': 'The text is too long: {length} characters, {max} are allowed.',
    'participation.errors.textEncoding':
      'The text contains characters that did not arrive readably (�). Please check those places and replace them.',
    'participation.errors.textControl': 'The text contains invisible control characters. Please paste it without formatting.',
    'participation.errors.language': 'Please choose the language of your text from the list.',
    'participation.errors.emailRequired': 'Please enter your e-mail address. We will send you a link to confirm.',
    'participation.errors.emailInvalid': 'Please enter a valid e-mail address, e.g. name@example.org.',
    'participation.errors.phaseClosed': 'This participation phase no longer takes contributions.',
  },
};
