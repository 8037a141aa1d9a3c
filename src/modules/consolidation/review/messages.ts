import type { Messages } from '../../../core/i18n.js';

export const messages: Messages = {
  de: {},
  en: {},
};
