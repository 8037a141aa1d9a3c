// Progressive enhancement only: every page works without this file.
(() => {
  // htmx requests carry the CSRF token of the page, like the hidden field in plain forms. Signed-in
  // pages name it in <head>; a boosted navigation does not replace <head>, so after signing in
  // the token is taken from the page's forms (the sign-out form has one). Anonymous pages carry
  // no token: their forms send their own hidden _csrf field, which htmx puts in the body.
  document.addEventListener('htmx:configRequest', (event) => {
    const token =
      document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ??
      document.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (token) event.detail.headers['x-csrf-token'] = token;
  });

  // A boosted navigation swaps only <body>, so <html lang dir> would keep the language of the
  // first page loaded, e.g. after choosing another language in "My account" or signing in to an
  // account with a saved language. The server names the page's language in Content-Language.
  document.addEventListener('htmx:afterSwap', (event) => {
    const lang = event.detail?.xhr?.getResponseHeader('content-language');
    if (!lang || !event.detail.boosted || lang === document.documentElement.lang) return;
    document.documentElement.lang = lang;
    // Same right-to-left languages as rtlLanguages in src/core/i18n.ts.
    document.documentElement.dir = /^(ar|fa|he|ur|ps|ku)(-|$)/.test(lang) ? 'rtl' : 'ltr';
  });

  // After a swap, move focus where a screen reader user needs it: to the error summary when a
  // form came back with errors, otherwise to the main content of a newly loaded page.
  document.addEventListener('htmx:afterSettle', (event) => {
    const summary = document.querySelector('.error-summary');
    if (summary) {
      summary.focus();
      return;
    }
    if (event.detail?.elt === document.body) document.getElementById('main')?.focus({ preventScroll: true });
  });

  // When JavaScript runs, the error summary on a full page load gets focus too.
  document.addEventListener('DOMContentLoaded', () => {
    document.querySelector('.error-summary')?.focus();
  });
})();
